/**
 * Who holds the cluster's own administrative identities, as RBAC bindings instead of the
 * irrevocable system:masters group (kubeadm ≥ 1.29's split):
 *
 * - kubeadm:cluster-admins → cluster-admin. The exported adminKubeconfig (short-lived) and each
 *   control-plane node's /etc/kubernetes/admin.conf carry this group in their certificate's
 *   organization. A group reached through a binding is revocable: with
 *   controlPlane.clusterAdminsBinding=false this binding is no longer rendered and the applier
 *   prunes it, and every such certificate loses its rights at once (deleting it by hand lasts only
 *   until the applier's next run). system:masters, which RBAC cannot take away, is left to the
 *   break-glass super-admin.conf that exists only on control-plane disks and in SSM.
 * - kube-apiserver-kubelet-client → system:kubelet-api-admin. The apiserver's client certificate
 *   for kubelets (logs, exec, port-forward, metrics proxy) needs the kubelet API and nothing else.
 *
 * Bring-up: the applier authenticates with super-admin.conf (system:masters), so it applies these
 * before anything else needs them. Until then the exported kubeconfig gets 403 and
 * `kubectl logs/exec` fail; nothing kubestead runs depends on either.
 */
import { binding, group, K8sObject, Subject } from "./objects";

/** The group the exported kubeconfig and node admin.conf certificates carry (kubeadm's name). */
export const CLUSTER_ADMINS_GROUP = "kubeadm:cluster-admins";
/** The apiserver's kubelet client certificate's common name, its user name. */
export const APISERVER_KUBELET_CLIENT_USER = "kube-apiserver-kubelet-client";
/** The group no RBAC binding governs; only the break-glass credential may carry it. */
export const SYSTEM_MASTERS = "system:masters";

export interface ClusterAdminsArgs {
  /** Render the kubeadm:cluster-admins binding (false revokes those certificates; default true). */
  clusterAdminsBinding?: boolean;
}

const user = (name: string): Subject => ({ apiGroup: "rbac.authorization.k8s.io", kind: "User", name });

export function clusterAdminsObjects(a: ClusterAdminsArgs = {}): K8sObject[] {
  return [
    ...(a.clusterAdminsBinding === false ? [] : [binding(CLUSTER_ADMINS_GROUP, "cluster-admin", [group(CLUSTER_ADMINS_GROUP)])]),
    binding("kubestead:apiserver-kubelet-client", "system:kubelet-api-admin", [user(APISERVER_KUBELET_CLIENT_USER)]),
  ];
}
