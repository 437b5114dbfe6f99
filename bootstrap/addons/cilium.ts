/**
 * Cilium as the CNI, via its Helm chart (images from quay.io/cilium, not registry.k8s.io).
 *
 * - ipam "kubernetes": each node's pod range is the podCIDR kube-controller-manager allocates from
 *   kubernetes.podCidr (--allocate-node-cidrs), so pod addressing stays in Kubernetes' hands.
 * - routingMode "tunnel" (VXLAN, UDP 8472 between nodes): pod CIDRs are not VPC addresses, and
 *   native routing would need a VPC route per node (a 50-route default limit per table, and
 *   source/destination checks off) or ENI IPAM. Tunnelling needs nothing from the VPC.
 * - kubeProxyReplacement false: kube-proxy implements Services; Cilium does not duplicate it.
 * - k8sServiceHost/Port: the agent starts before any Service IP works, so it talks to the API
 *   load balancer directly.
 */
import { HelmChartRef, KUBE_SYSTEM, requireClusterName, requireVersion } from "./objects";

export interface CiliumArgs {
  /** Cilium release / chart version, e.g. "1.17.6". */
  version: string;
  clusterName: string;
  /** DNS name of the API load balancer. */
  apiServerHost: string;
  /** Default 6443. */
  apiServerPort?: number;
}

export function ciliumChart(a: Pick<CiliumArgs, "version">): HelmChartRef {
  requireVersion("Cilium", a.version);
  return { chart: "cilium", repo: "https://helm.cilium.io/", version: a.version, namespace: KUBE_SYSTEM };
}

export function ciliumValues(a: CiliumArgs): Record<string, unknown> {
  requireVersion("Cilium", a.version);
  requireClusterName(a.clusterName);
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(a.apiServerHost)) {
    throw new Error(
      `Cilium apiServerHost must be a DNS name without scheme or port (got ${JSON.stringify(a.apiServerHost)}): pass the API load balancer's DNS name`,
    );
  }
  return {
    cluster: { name: a.clusterName },
    k8sServiceHost: a.apiServerHost,
    k8sServicePort: a.apiServerPort ?? 6443,
    kubeProxyReplacement: false,
    ipam: { mode: "kubernetes" },
    // Wait for the podCIDR rather than start without one.
    k8s: { requireIPv4PodCIDR: true },
    routingMode: "tunnel",
    tunnelProtocol: "vxlan",
    enableIPv4Masquerade: true,
    operator: { replicas: 2 },
    hubble: { enabled: true, relay: { enabled: false }, ui: { enabled: false } },
    prometheus: { enabled: true },
  };
}
