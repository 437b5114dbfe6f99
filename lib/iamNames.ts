/**
 * Names the IAM policies (lib/iam.ts) and the nodes' scripts share: parameter paths, the etcd
 * metric namespace, the encryption-at-rest context, the cluster tag and the actions on etcd's data.
 * A script and the grant it needs read the same constant, so neither can drift from the other.
 */

/** The tag the cloud-controller-manager and the EBS CSI driver mark this cluster's resources with (lib/tags.ts clusterTag). */
export const CLUSTER_TAG_PREFIX = "kubernetes.io/cluster/";

export function secretPathPrefix(cluster: string, role: string): string {
  return `/kubestead/${cluster}/${role}/`;
}

/**
 * Where an etcd cluster's runtime state lives in SSM, written by its members, never by Pulumi:
 * `<prefix><incarnation>/founded` (the marker that the cluster was founded; bootstrap/etcdLifecycle.ts)
 * and `<prefix><incarnation>/cluster-token` (the token of the last restore). Under the role's own
 * path, so readOwnSecrets already lets etcd read them.
 */
export function etcdStatePrefix(cluster: string): string {
  return `${secretPathPrefix(cluster, "etcd")}state/`;
}

/** CloudWatch namespace of the etcd backup metrics (bootstrap/etcdBackup.ts publishes, the stack's alarm reads). */
export const ETCD_METRIC_NAMESPACE = "Kubestead/etcd";

/** What reads, moves or destroys an etcd member's data: only etcd's own role may (etcdPolicy attaches; nothing else is granted). */
export const ETCD_DATA_ACTIONS = [
  "ec2:AttachVolume",
  "ec2:CreateSnapshot",
  "ec2:CreateTags",
  "ec2:DeleteTags",
  "ec2:DeleteVolume",
  "ec2:DetachVolume",
  "ec2:ModifyVolume",
  // The member's identity (its ENI) and its instance.
  "ec2:AttachNetworkInterface",
  "ec2:DetachNetworkInterface",
  "ec2:DeleteNetworkInterface",
  "ec2:ModifyNetworkInterfaceAttribute",
  "ec2:ModifyInstanceAttribute",
  "ec2:StopInstances",
  "ec2:TerminateInstances",
];

/**
 * The encryption context the AWS encryption provider (bootstrap/controlPlane/kmsPlugin.ts) sends
 * with every Encrypt and Decrypt of the apiserver's key-encryption seeds (`--encryption-context`).
 * KMS binds a ciphertext to its context: it never changes while the cluster lives, or the
 * apiserver can no longer unwrap the data keys of the objects already written.
 */
export function encryptionAtRestContext(cluster: string): Record<string, string> {
  return { "kubestead:cluster": cluster, "kubestead:use": "apiserver-encryption-at-rest" };
}
