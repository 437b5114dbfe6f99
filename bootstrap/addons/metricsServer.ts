/**
 * metrics-server (Helm chart kubernetes-sigs.github.io/metrics-server; image
 * registry.k8s.io/metrics-server/metrics-server). Kubelets serve certificates signed by the
 * cluster CA (serverTLSBootstrap + the CSR approver), so metrics-server verifies them with the
 * in-cluster CA: no --kubelet-insecure-tls.
 */
import { HelmChartRef, KUBE_SYSTEM, requireVersion } from "./objects";

export function metricsServerChart(chartVersion: string): HelmChartRef {
  requireVersion("metrics-server chart", chartVersion);
  return {
    chart: "metrics-server",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    version: chartVersion,
    namespace: KUBE_SYSTEM,
  };
}

export function metricsServerValues(): Record<string, unknown> {
  return {
    replicas: 2,
    // Serving certificates carry the node's IPs; InternalIP avoids DNS for node names.
    args: ["--kubelet-preferred-address-types=InternalIP,InternalDNS,Hostname"],
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "topology.kubernetes.io/zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { "app.kubernetes.io/name": "metrics-server" } },
      },
    ],
    priorityClassName: "system-cluster-critical",
  };
}
