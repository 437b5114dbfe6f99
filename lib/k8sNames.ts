/**
 * Kubernetes' rules for label keys, label values and taint keys (apimachinery's qualified name
 * and label value), and which labels a kubelet may set on its own Node (NodeRestriction). Pure:
 * the config checks them at parse time, the kubelet renderer again before a node boots.
 */

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

export function labelValueRule(value: string): string | undefined {
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

/**
 * The role label every node registers with (kubelet --node-labels): informational, since any
 * kubelet could claim it; the applier sets node-role.kubernetes.io/control-plane, which
 * NodeRestriction lets only an admin apply.
 */
export const NODE_ROLE_LABEL = "kubestead.io/node-role";
