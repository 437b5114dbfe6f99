/**
 * Plain Kubernetes object literals for the in-cluster add-ons. bootstrap/addons/manifests.ts
 * serialises them into the manifests the control plane stores and applies.
 */

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export const KUBE_SYSTEM = "kube-system";

const RBAC_GROUP = "rbac.authorization.k8s.io";

export interface Subject {
  kind: "ServiceAccount" | "Group" | "User";
  name: string;
  namespace?: string;
  apiGroup?: string;
}

/** A service account in kube-system, as an RBAC subject. */
export const serviceAccount = (name: string): Subject => ({ kind: "ServiceAccount", name, namespace: KUBE_SYSTEM });

/** A group, as an RBAC subject. */
export const group = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: "Group", name });

/**
 * Grants `role` to `subjects`: cluster-wide (a ClusterRoleBinding to a ClusterRole), or within
 * `namespace` (a RoleBinding to a Role there).
 */
export function binding(name: string, role: string, subjects: Subject[], namespace?: string): K8sObject {
  return {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: namespace ? "RoleBinding" : "ClusterRoleBinding",
    metadata: namespace ? { name, namespace } : { name },
    roleRef: { apiGroup: RBAC_GROUP, kind: namespace ? "Role" : "ClusterRole", name: role },
    subjects,
  };
}

const SEMVER = /^\d+\.\d+\.\d+$/;

/** Versions are pinned without the leading "v" (images add it). */
export function requireVersion(what: string, v: string): void {
  if (!SEMVER.test(v)) {
    throw new Error(
      `${what} version must be MAJOR.MINOR.PATCH without a leading v (got ${JSON.stringify(v)}): pin an exact release in config`,
    );
  }
}

export function requireClusterName(name: string): void {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
    throw new Error(`cluster name must be a lowercase DNS label (got ${JSON.stringify(name)}): use the stack's cluster name`);
  }
}

/** An AWS region name; the message names what needs it. */
export function requireRegion(what: string, region: string): void {
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new Error(`${what} region must be an AWS region like eu-west-1 (got ${JSON.stringify(region)}): pass aws:region`);
  }
}

export function requireCidr(what: string, cidr: string): void {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) {
    throw new Error(`${what} must be an IPv4 CIDR like 10.244.0.0/16 (got ${JSON.stringify(cidr)}): fix the network config`);
  }
}

/** The control-plane taint every control-plane-bound add-on tolerates. */
export const CONTROL_PLANE_TOLERATION = { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" };

/**
 * Control-plane-bound add-ons (they hold powerful service-account tokens, some of them AWS roles by
 * web identity) select on kubeadm's node-role.kubernetes.io/control-plane label. NodeRestriction
 * refuses it to every kubelet, so a worker — or anyone holding a bootstrap token — cannot attract
 * them by labelling its own Node. Each control-plane node's add-on applier sets it on its node
 * before applying anything (bootstrap/addons/applier.ts), so it exists before any pod selecting on
 * it; the bring-up solver models it as that applier's label. The kubelet-set NODE_ROLE_LABEL
 * (kubestead.io/node-role) is informational: any kubelet could claim it.
 */
export const CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane";
export const CONTROL_PLANE_SELECTOR = { [CONTROL_PLANE_LABEL]: "" };

/**
 * The dedicated system pool convention: a pool labelled kubestead.io/pool=system and tainted
 * kubestead.io/system:NoSchedule (prod ships one). Cluster-wide system add-ons (CoreDNS,
 * metrics-server, the CNI operator) tolerate its taint and prefer its nodes; they also tolerate
 * the control-plane taint so a cluster without worker pools still runs them.
 */
export const SYSTEM_POOL_LABEL = "kubestead.io/pool";
export const SYSTEM_POOL_TAINT_KEY = "kubestead.io/system";
export const SYSTEM_POOL_TOLERATION = { key: SYSTEM_POOL_TAINT_KEY, operator: "Exists", effect: "NoSchedule" };
/** Tolerations of a cluster-wide system add-on (see SYSTEM_POOL_LABEL). */
export const SYSTEM_TOLERATIONS = [CONTROL_PLANE_TOLERATION, SYSTEM_POOL_TOLERATION, { key: "CriticalAddonsOnly", operator: "Exists" }];
/** Preferred (never required) placement of a cluster-wide system add-on on the system pool. */
export const SYSTEM_POOL_AFFINITY = {
  nodeAffinity: {
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 100, preference: { matchExpressions: [{ key: SYSTEM_POOL_LABEL, operator: "In", values: ["system"] }] } },
    ],
  },
};

/** A container that cannot gain privileges, write its image's filesystem, or keep any capability. */
export const HARDENED_CONTAINER = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };
