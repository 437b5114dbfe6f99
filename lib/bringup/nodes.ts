/**
 * Nodes as they register and as add-ons change them: registration labels and taints, the
 * kubelet's well-known labels, the cloud provider's uninitialized taint, the not-ready taints.
 */
import { kubeletMaySetLabel } from "../k8sNames";
import { NOT_READY_TAINT, UNINITIALIZED_TAINT } from "./tolerations";
import type { NodeGroupModel, NodeLabels, NodeState, Taint } from "./types";

/** Labels the cloud-controller-manager adds when it initialises a node (values unknown here). */
export const CLOUD_LABELS = ["topology.kubernetes.io/region", "topology.kubernetes.io/zone", "node.kubernetes.io/instance-type"];

/** Registration labels NodeRestriction refuses: the kubelet does not start with them. */
export function refusedLabels(labels: Record<string, string>): string[] {
  return Object.keys(labels)
    .filter((k) => !kubeletMaySetLabel(k))
    .sort();
}

export function nodeGroupProblems(group: NodeGroupModel): string[] {
  return refusedLabels(group.labels).map(
    (k) =>
      `node group ${group.name} registers with label ${k}, which NodeRestriction refuses (the kubelet will not start with it): ` +
      `register a label under your own prefix (e.g. kubestead.io/node-role) or have an admin apply it after the node joins`,
  );
}

/** Labels at registration: the allowed registration labels plus the kubelet's own. */
export function registrationLabels(group: NodeGroupModel): NodeLabels {
  const labels: NodeLabels = {};
  for (const [k, v] of Object.entries(group.labels)) if (kubeletMaySetLabel(k)) labels[k] = v;
  Object.assign(labels, group.adminLabels ?? {});
  // The hostname is the EC2 private DNS name, unknown before boot.
  labels["kubernetes.io/hostname"] = null;
  labels["kubernetes.io/os"] = "linux";
  labels["kubernetes.io/arch"] = group.arch ?? "amd64";
  return labels;
}

/** Taints at registration: --register-with-taints, the external cloud provider's, and not-ready. */
export function registrationTaints(group: NodeGroupModel): Taint[] {
  return [
    ...group.taints,
    { key: UNINITIALIZED_TAINT, value: "true", effect: "NoSchedule" },
    { key: NOT_READY_TAINT, effect: "NoSchedule" },
    { key: NOT_READY_TAINT, effect: "NoExecute" },
  ];
}

/** The nodes of every group with count > 0, as they register. */
export function initialNodes(groups: NodeGroupModel[]): NodeState[] {
  return groups.flatMap((g) =>
    Array.from({ length: Math.max(0, g.count) }, (_, i) => ({
      name: `${g.name}-${i}`,
      group: g.name,
      labels: registrationLabels(g),
      taints: registrationTaints(g),
    })),
  );
}

/** The cloud-controller-manager initialised it: no uninitialized taint, cloud labels present. */
export function initialiseNode(node: NodeState): NodeState {
  const labels: NodeLabels = { ...node.labels };
  for (const k of CLOUD_LABELS) if (!(k in labels)) labels[k] = null;
  return { ...node, labels, taints: node.taints.filter((t) => t.key !== UNINITIALIZED_TAINT) };
}

/** A CNI agent runs on it: the kubelet reports Ready and the not-ready taints (and the CNI's own) go. */
export function markReady(node: NodeState, cniTaints: string[] = []): NodeState {
  return { ...node, taints: node.taints.filter((t) => t.key !== NOT_READY_TAINT && !cniTaints.includes(t.key)) };
}

/** The node as it stands given what runs. */
export function nodeNow(node: NodeState, initialised: boolean, ready: boolean, cniTaints: string[] = []): NodeState {
  const n = initialised ? initialiseNode(node) : node;
  return ready ? markReady(n, cniTaints) : n;
}
