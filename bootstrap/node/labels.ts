/**
 * Node labels and taints the kubelet registers with. Checked here, before a node boots, because
 * the kubelet refuses to start on a bad --node-labels and a node that never registers is a slow,
 * silent failure in an ASG.
 */
import type { Taint } from "../../lib/config/types";
import type { Problem } from "../../lib/config/problems";

import { kubeletMaySetLabel, labelValueRule, qualifiedNameRule } from "../../lib/k8sNames";

export { kubeletMaySetLabel, qualifiedNameRule } from "../../lib/k8sNames";

export function nodeLabelProblems(labels: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  for (const key of Object.keys(labels).sort()) {
    const value = labels[key];
    const where = `nodeLabels.${key}`;
    const keyRule = qualifiedNameRule(key);
    if (keyRule) {
      problems.push({ key: where, rule: `key ${keyRule}`, got: key, fix: "rename the label, e.g. example.com/tier" });
      continue;
    }
    if (!kubeletMaySetLabel(key)) {
      problems.push({
        key: where,
        rule: "must not be a kubernetes.io/k8s.io label the kubelet may not set on itself (NodeRestriction)",
        got: key,
        fix: "use a label under node.kubernetes.io/ or your own domain, or apply it after registration with an admin credential (as kubeadm does for node-role.kubernetes.io/control-plane)",
      });
    }
    const vRule = labelValueRule(value);
    if (vRule) problems.push({ key: where, rule: `value ${vRule}`, got: value, fix: "shorten or simplify the value" });
  }
  return problems;
}

const EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export function nodeTaintProblems(taints: Taint[]): Problem[] {
  const problems: Problem[] = [];
  taints.forEach((t, i) => {
    const where = `nodeTaints[${i}]`;
    const keyRule = qualifiedNameRule(t.key);
    if (keyRule) problems.push({ key: `${where}.key`, rule: keyRule, got: t.key, fix: "use a key like example.com/dedicated" });
    const vRule = t.value === undefined ? undefined : labelValueRule(t.value);
    if (vRule) problems.push({ key: `${where}.value`, rule: vRule, got: t.value, fix: "shorten or simplify the value" });
    if (!EFFECTS.includes(t.effect)) {
      problems.push({
        key: `${where}.effect`,
        rule: `must be one of ${EFFECTS.join(", ")}`,
        got: t.effect,
        fix: "pick one of the three effects",
      });
    }
  });
  return problems;
}

/** key=value:Effect, the --register-with-taints syntax. */
export function formatTaint(t: Taint): string {
  return t.value === undefined || t.value === "" ? `${t.key}:${t.effect}` : `${t.key}=${t.value}:${t.effect}`;
}
