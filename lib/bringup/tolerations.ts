/**
 * Taints and tolerations as the scheduler and the DaemonSet controller see them.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
 */
import type { Taint, Toleration } from "./types";

export const UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized";
export const NOT_READY_TAINT = "node.kubernetes.io/not-ready";

/** Kubernetes' Toleration.ToleratesTaint: empty effect = all effects, empty key + Exists = all keys. */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** Taints that keep the pod off the node: NoSchedule and NoExecute ones no toleration matches. */
export function untoleratedTaints(tolerations: Toleration[], taints: Taint[]): Taint[] {
  return taints.filter((taint) => taint.effect !== "PreferNoSchedule" && !tolerations.some((t) => tolerates(t, taint)));
}

const NODE = "node.kubernetes.io";

/**
 * Tolerations the DaemonSet controller adds to every DaemonSet pod; network-unavailable only for
 * host-network pods (they need no pod network).
 * https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/#taints-and-tolerations
 */
export function daemonSetTolerations(hostNetwork: boolean): Toleration[] {
  const exists = (key: string, effect: "NoSchedule" | "NoExecute"): Toleration => ({ key: `${NODE}/${key}`, operator: "Exists", effect });
  return [
    exists("not-ready", "NoExecute"),
    exists("unreachable", "NoExecute"),
    exists("disk-pressure", "NoSchedule"),
    exists("memory-pressure", "NoSchedule"),
    exists("pid-pressure", "NoSchedule"),
    exists("unschedulable", "NoSchedule"),
    ...(hostNetwork ? [exists("network-unavailable", "NoSchedule")] : []),
  ];
}

/**
 * The DefaultTolerationSeconds admission plugin (on by default) gives every other pod 300 s
 * tolerations for not-ready and unreachable NoExecute. The scheduler ignores tolerationSeconds, so
 * they count for placement; not-ready:NoSchedule still keeps such pods off a NotReady node.
 */
export function defaultTolerations(): Toleration[] {
  return [
    { key: `${NODE}/not-ready`, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    { key: `${NODE}/unreachable`, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
  ];
}

/** key:Effect — the value is left out: a node holds at most one taint per key and effect. */
export function taintName(t: Taint): string {
  return `${t.key}:${t.effect}`;
}
