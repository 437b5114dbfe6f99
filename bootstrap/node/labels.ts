/**
 * Node labels and taints the kubelet registers with. Checked here, before a node boots, because
 * the kubelet refuses to start on a bad --node-labels and a node that never registers is a slow,
 * silent failure in an ASG.
 */
import type { Taint } from "../../lib/config/types";
import type { Problem } from "../../lib/config/problems";

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Labels in the kubernetes.io / k8s.io namespaces a kubelet may set on itself (NodeRestriction):
 * anything under these two namespaces, or one of the well-known keys below. Everything else there
 * — node-role.kubernetes.io/* included — must be applied by an admin after registration.
 * https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction
 */
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "kubernetes.io/arch",
  "kubernetes.io/os",
  "beta.kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "failure-domain.beta.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "topology.kubernetes.io/zone",
]);

function inNamespace(prefix: string, ns: string): boolean {
  return prefix === ns || prefix.endsWith(`.${ns}`);
}

/** Syntax of a qualified name (labels and taint keys share it); undefined when valid. */
export function qualifiedNameRule(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return "must be [prefix/]name with at most one '/'";
  const name = parts[parts.length - 1];
  const prefix = parts.length === 2 ? parts[0] : undefined;
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return "must have a prefix that is a lowercase DNS subdomain of at most 253 characters";
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return "must have a name of 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
  }
  return undefined;
}

function valueRule(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !NAME.test(value)) {
    return "must be empty or 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric";
  }
  return undefined;
}

/** Whether the kubelet may set this label on its own Node object. */
export function kubeletMaySetLabel(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash < 0) return true;
  const prefix = key.slice(0, slash);
  if (!inNamespace(prefix, "kubernetes.io") && !inNamespace(prefix, "k8s.io")) return true;
  if (KUBELET_LABELS.has(key)) return true;
  return KUBELET_LABEL_NAMESPACES.some((ns) => inNamespace(prefix, ns));
}

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
    const vRule = valueRule(value);
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
    const vRule = t.value === undefined ? undefined : valueRule(t.value);
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
