/**
 * Why a workload does not run at the fixed point, in the terms an operator fixes: the label no
 * node has, the taint no toleration matches (and who would remove it), the provider it waits for.
 * Scheduling is explained before needs, as the scheduler decides before the kubelet starts.
 */
import { kubeletMaySetLabel } from "../k8sNames";
import type { PodModel, PodNeed } from "./pods";
import { formatNodeSelector, formatNodeSelectorTerms, matchesNodeSelector, matchesNodeSelectorTerms } from "./selection";
import { NOT_READY_TAINT, taintName, UNINITIALIZED_TAINT } from "./tolerations";
import type { NodeState, NodeSelectorRequirement } from "./types";
import { blockingTaints, matchesPlacement, runsAnywhere, unmetNeeds, World } from "./world";

/** Node names, a whole group of several written `group-0..N-1`. */
export function describeNodes(names: string[], all: NodeState[]): string {
  const chosen = new Set(names);
  const parts: string[] = [];
  for (const group of [...new Set(all.map((n) => n.group))]) {
    const members = all.filter((n) => n.group === group).map((n) => n.name);
    const picked = members.filter((m) => chosen.has(m));
    if (picked.length > 1 && picked.length === members.length) parts.push(`${group}-0..${members.length - 1}`);
    else parts.push(...picked);
  }
  return parts.join(", ");
}

/** Hints for a selector key no node carries usefully. */
function labelHints(keys: string[], nodes: NodeState[]): string {
  const hints: string[] = [];
  for (const key of [...new Set(keys)].sort()) {
    const values = nodes.filter((n) => key in n.labels).map((n) => n.labels[key]);
    if (values.length === 0 && !kubeletMaySetLabel(key)) {
      hints.push(`${key} is not a label a kubelet may set on itself: NodeRestriction leaves it to an admin after registration`);
    } else if (values.length > 0 && values.every((v) => v === null)) {
      hints.push(`${key} has a value known only once the node runs`);
    }
  }
  return hints.length > 0 ? ` (${hints.join("; ")})` : "";
}

const positive = (r: NodeSelectorRequirement) => r.operator !== "NotIn" && r.operator !== "DoesNotExist";

/** No node matches nodeSelector / required affinity. */
function selectionReason(pod: PodModel, nodes: NodeState[]): string {
  const bySelector = nodes.filter((n) => matchesNodeSelector(pod.nodeSelector, n.labels));
  const terms = pod.requiredTerms;
  const termKeys = (terms ?? []).flatMap((t) => (t.matchExpressions ?? []).filter(positive).map((r) => r.key));
  const selector = formatNodeSelector(pod.nodeSelector);
  if (bySelector.length === 0) {
    return `no node matches nodeSelector ${selector}${labelHints(Object.keys(pod.nodeSelector), nodes)}`;
  }
  const affinity = `required node affinity ${formatNodeSelectorTerms(terms ?? [])}`;
  if (!nodes.some((n) => matchesNodeSelectorTerms(terms ?? [], n.labels, n.name))) {
    return `no node matches ${affinity}${labelHints(termKeys, nodes)}`;
  }
  return `no node matches both nodeSelector ${selector} and ${affinity}`;
}

/** Every node that matches the selectors keeps the pod off with some taint. */
function taintReason(pod: PodModel, matched: NodeState[], w: World): string {
  const perNode = matched.map((n) => blockingTaints(pod, n).map(taintName));
  const common = perNode[0].filter((t) => perNode.every((names) => names.includes(t)));
  if (common.length === 0) {
    const lines = matched.map((n, i) => `${n.name}: ${perNode[i].join(", ")}`);
    return `untolerated taints on every fitting node: ${lines.join("; ")}`;
  }
  const removers = new Set<string>();
  for (const t of common) {
    if (t.startsWith(`${UNINITIALIZED_TAINT}:`)) removers.add(w.providers.cloudNodeInit);
    if (t.startsWith(`${NOT_READY_TAINT}:`)) removers.add(w.providers.cni);
  }
  const needs = removers.size > 0 ? ` (needs ${[...removers].join(" and ")})` : "";
  return `untolerated taint${common.length > 1 ? "s" : ""} ${common.join(", ")} on every fitting node${needs}`;
}

/** Why the pod fits none of `nodes` (nodeSelector, affinity, taints), or undefined if it fits one. */
export function placementReason(pod: PodModel, nodes: NodeState[], w: World): string | undefined {
  if (nodes.length === 0) return "no node exists (every node group has count 0)";
  const matched = nodes.filter((n) => matchesPlacement(pod, n));
  if (matched.length === 0) return selectionReason(pod, nodes);
  if (matched.some((n) => blockingTaints(pod, n).length === 0)) return undefined;
  return taintReason(pod, matched, w);
}

function globalStatus(id: string, w: World): string {
  if (!w.kinds.has(id)) return "is not among the workloads";
  return runsAnywhere(w, id) ? "runs" : "is stuck";
}

function localStatus(id: string, nodes: string[], w: World): string {
  if (!w.kinds.has(id)) return "is not among the workloads";
  if (w.kinds.get(id) !== "DaemonSet") return "is not a DaemonSet";
  return runsAnywhere(w, id) ? `does not run on ${describeNodes(nodes, w.nodes)}` : "is stuck";
}

export function describeNeed(need: PodNeed, nodes: string[], w: World): string {
  const p = w.providers;
  switch (need.kind) {
    case "podNetwork":
      return `needs the pod network (not host-network) from ${p.cni} on its node, which ${localStatus(p.cni, nodes, w)}`;
    case "clusterDns":
      return `needs cluster DNS (dnsPolicy ${need.dnsPolicy}) from ${p.clusterDns}, which ${globalStatus(p.clusterDns, w)}`;
    case "services": {
      const why = need.why === "api" ? "it reaches the API through the kubernetes Service" : "the cluster DNS address is a Service IP";
      return `needs Services on its node (${why}) from ${p.services}, which ${localStatus(p.services, nodes, w)}`;
    }
    case "workload":
      return `needs ${need.id}, which ${globalStatus(need.id, w)}`;
    default: {
      const never: never = need;
      throw new Error(`unknown need ${JSON.stringify(never)}`);
    }
  }
}

/** Why the pod runs on none of `nodes`, all of which it fits: the needs unmet on each. */
export function needsReason(needs: PodNeed[], nodes: NodeState[], w: World): string {
  const unmet = nodes.map((n) => unmetNeeds(needs, n.name, w));
  const names = nodes.map((n) => n.name);
  const everywhere = needs.filter((need) => unmet.every((u) => u.includes(need)));
  if (everywhere.length > 0) return everywhere.map((need) => describeNeed(need, names, w)).join("; ");
  const parts = nodes
    .map((n, i) => (unmet[i].length > 0 ? `on ${n.name}: ${unmet[i].map((need) => describeNeed(need, [n.name], w)).join("; ")}` : ""))
    .filter((s) => s !== "");
  // Unreachable at a fixed point: a fitting node with every need met would have got a pod.
  return parts.length > 0 ? parts.join("; ") : "no unmet condition found (solver did not reach a fixed point)";
}
