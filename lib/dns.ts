/**
 * Names in the cluster's private Route53 zone. The API's name is what certificates and every node's
 * kubeconfig carry: an alias to the load balancer, so replacing the load balancer (a scheme change,
 * a rename) changes one record and nothing a node boots with.
 */

/** The private zone every cluster creates (etcd members and the API live in it). */
export function privateDomain(cluster: string): string {
  return `${cluster}.kubestead.internal`;
}

/** The API's stable name: api.<cluster>.kubestead.internal. */
export function apiServerHost(cluster: string): string {
  return `api.${privateDomain(cluster)}`;
}
