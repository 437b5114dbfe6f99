/**
 * The bring-up solver (lib/bringup) on a plan: the add-on manifests the plan stores, and the node
 * groups as their rendered kubelet units register them (labels and taints from the kubelet's own
 * flags, counts from each group's minimum). What the solver sees is exactly what nodes boot with
 * and what the control plane applies.
 */
import { parseAllDocuments } from "yaml";
import { ADDON_DIR, APPLIER_PATH } from "../bootstrap/addons/applier";
import { ADDON_LABEL } from "../bootstrap/addons/manifests";
import type { K8sObject } from "../bootstrap/addons/objects";
import { KUBELET_UNIT_PATH } from "../bootstrap/node/paths";
import { BOOT_SCRIPT_PATH } from "../bootstrap/bootScript";
import { BringupResult, NodeGroupModel, providersByName, solveBringup, Workload } from "../lib/bringup";
import type { Taint, TaintEffect } from "../lib/config/types";
import { launchTemplateOf } from "../lib/plan/launchTemplate";
import { UNKNOWN_VALUE, type Plan } from "../lib/plan/types";
import { RenderedNode, renderNodes } from "./render/nodes";

/** Every object of every stored manifest, with the add-on that owns it. */
export function workloadsOf(nodes: RenderedNode[]): Workload[] {
  const cp = nodes.find((n) => n.role === "controlplane");
  if (!cp) return [];
  return cp.files
    .filter((f) => f.source === "s3" && f.path.startsWith(`${ADDON_DIR}/`) && f.path.endsWith(".yaml"))
    .flatMap((f) =>
      parseAllDocuments(f.content)
        .map((d) => d.toJS() as K8sObject | null)
        .filter((o): o is K8sObject => o !== null)
        .map((object) => ({ addon: object.metadata.labels?.[ADDON_LABEL] ?? f.path, object })),
    );
}

function flag(execStart: string, name: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)--${name}=(\\S*)`).exec(execStart);
  return m?.[1];
}

/** key=value:Effect or key:Effect, as the kubelet's --register-with-taints takes them. */
export function parseTaints(s: string | undefined): Taint[] {
  if (!s) return [];
  return s.split(",").map((t) => {
    const [kv, effect] = t.split(":");
    const [key, value] = kv.split("=");
    return value === undefined ? { key, effect: effect as TaintEffect } : { key, value, effect: effect as TaintEffect };
  });
}

export function parseLabels(s: string | undefined): Record<string, string> {
  if (!s) return {};
  return Object.fromEntries(
    s.split(",").map((kv) => {
      const i = kv.indexOf("=");
      return i < 0 ? [kv, ""] : [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

/**
 * The label the rendered add-on applier puts on its own node before applying anything (read from
 * the script as rendered, so the model follows the node's files).
 */
export function applierLabels(n: RenderedNode): Record<string, string> | undefined {
  const script = n.files.find((f) => f.path === APPLIER_PATH)?.content;
  const m = script ? /^readonly CONTROL_PLANE_LABEL="([^"]+)"$/m.exec(script) : null;
  return m ? { [m[1]]: "" } : undefined;
}

/** The architecture of the kubelet the node installs (its kubernetes.io/arch label), read from the boot script. */
export function nodeArch(n: RenderedNode): string | undefined {
  const boot = n.files.find((f) => f.path === BOOT_SCRIPT_PATH)?.content ?? "";
  return /\/bin\/linux\/([a-z0-9]+)\/kubelet'/.exec(boot)?.[1];
}

/** One node group per auto scaling group of Kubernetes nodes, as its kubelet registers. */
export function nodeGroupsOf(nodes: RenderedNode[]): NodeGroupModel[] {
  const groups = new Map<string, NodeGroupModel>();
  for (const n of nodes) {
    if ((n.role !== "controlplane" && n.role !== "worker") || groups.has(n.group)) continue;
    const unit = n.files.find((f) => f.path === KUBELET_UNIT_PATH)?.content ?? "";
    const execStart = unit.split("\n").find((l) => l.startsWith("ExecStart=")) ?? "";
    groups.set(n.group, {
      name: n.group,
      role: n.role === "controlplane" ? "control-plane" : "worker",
      count: n.minSize,
      labels: parseLabels(flag(execStart, "node-labels")),
      taints: parseTaints(flag(execStart, "register-with-taints")),
      adminLabels: applierLabels(n),
      arch: nodeArch(n),
    });
  }
  return [...groups.values()];
}

/**
 * Taint keys the CNI puts on nodes whose agent isn't running yet and lifts once it is: Cilium's
 * operator does so with set-cilium-node-taints (its agent-not-ready taint).
 */
export function cniTaintKeys(workloads: Workload[]): string[] {
  const config = workloads.find((w) => w.object.kind === "ConfigMap" && w.object.metadata.name === "cilium-config")?.object as
    { data?: Record<string, string> } | undefined;
  if (config?.data?.["set-cilium-node-taints"] !== "true") return [];
  return [config.data["agent-not-ready-taint-key"] ?? "node.cilium.io/agent-not-ready"];
}

export function solvePlanBringup(plan: Plan): BringupResult {
  const nodes = renderNodes(plan);
  const workloads = workloadsOf(nodes);
  const cniTaints = cniTaintKeys(workloads);
  // The operator taints every node without a running agent: model it as present from the start.
  const groups = nodeGroupsOf(nodes).map((g) => ({
    ...g,
    taints: [...g.taints, ...cniTaints.map((key) => ({ key, effect: "NoSchedule" as TaintEffect }))],
  }));
  return solveBringup({ nodes: groups, workloads, providers: { ...providersByName(workloads), cniTaints } });
}

/**
 * Whether the plan knows what the Kubernetes nodes boot with: in a preview, a template whose user
 * data takes an output of a new resource (the add-on store's name) is unknown until apply.
 */
export function nodeBootKnown(plan: Plan): boolean {
  return plan.resources
    .filter((r) => r.type === "aws:autoscaling/group:Group")
    .every((asg) => {
      const lt = launchTemplateOf(plan, asg);
      return lt === undefined || lt.inputs.userData !== UNKNOWN_VALUE;
    });
}
