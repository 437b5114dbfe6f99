/**
 * kube-proxy as a DaemonSet (kubeadm's shape): a ServiceAccount bound to system:node-proxier, a
 * ConfigMap with its KubeProxyConfiguration and a kubeconfig, and the DaemonSet itself. kube-proxy
 * implements Service IPs, so it cannot reach the API through one: its kubeconfig names the API
 * load balancer and authenticates with the pod's projected ServiceAccount token.
 */
import { stringify } from "yaml";
import type { ProxyMode } from "../../lib/config/types";
import { binding, K8sObject, KUBE_SYSTEM, requireCidr, requireVersion, serviceAccount } from "./objects";

export interface KubeProxyArgs {
  kubernetesVersion: string;
  /** Pod network (clusterCIDR): traffic from outside it to a Service is masqueraded. */
  podCidr: string;
  /** API endpoint reachable without Service IPs, e.g. https://<nlb-dns>:6443. */
  apiServerUrl: string;
  mode: ProxyMode;
}

const LABELS = { "k8s-app": "kube-proxy" };
const SA_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function kubeProxyConfiguration(a: Pick<KubeProxyArgs, "podCidr" | "mode">): Record<string, unknown> {
  return {
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    bindAddress: "0.0.0.0",
    // Load balancers probe it for externalTrafficPolicy: Local services.
    healthzBindAddress: "0.0.0.0:10256",
    // CIS 4.3.1: metrics on localhost only.
    metricsBindAddress: "127.0.0.1:10249",
    enableProfiling: false,
    clusterCIDR: a.podCidr,
    mode: a.mode,
    clientConnection: { kubeconfig: "/var/lib/kube-proxy/kubeconfig.conf", qps: 5, burst: 10 },
    configSyncPeriod: "15m0s",
    conntrack: { maxPerCore: 32768, min: 131072, tcpCloseWaitTimeout: "1h0m0s", tcpEstablishedTimeout: "24h0m0s" },
    iptables: { masqueradeAll: false, masqueradeBit: 14, minSyncPeriod: "1s", syncPeriod: "30s" },
    ipvs: { strictARP: false, minSyncPeriod: "0s", syncPeriod: "30s", scheduler: "" },
    oomScoreAdj: -999,
  };
}

export function kubeProxyObjects(a: KubeProxyArgs): K8sObject[] {
  requireVersion("kube-proxy (Kubernetes)", a.kubernetesVersion);
  requireCidr("kube-proxy clusterCIDR (kubernetes.podCidr)", a.podCidr);
  if (!/^https:\/\/[^\s/]+:\d+$/.test(a.apiServerUrl)) {
    throw new Error(
      `kube-proxy apiServerUrl must be https://host:port (got ${JSON.stringify(a.apiServerUrl)}): use the API load balancer, e.g. https://<nlb-dns>:6443`,
    );
  }
  const kubeconfig = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "default", cluster: { server: a.apiServerUrl, "certificate-authority": `${SA_DIR}/ca.crt` } }],
    users: [{ name: "default", user: { tokenFile: `${SA_DIR}/token` } }],
    contexts: [{ name: "default", context: { cluster: "default", namespace: "default", user: "default" } }],
    "current-context": "default",
  };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "kube-proxy", namespace: KUBE_SYSTEM } },
    binding("kubestead:node-proxier", "system:node-proxier", [serviceAccount("kube-proxy")]),
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "kube-proxy", namespace: KUBE_SYSTEM, labels: LABELS },
      data: { "config.conf": stringify(kubeProxyConfiguration(a)), "kubeconfig.conf": stringify(kubeconfig) },
    },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "kube-proxy", namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        selector: { matchLabels: LABELS },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            priorityClassName: "system-node-critical",
            hostNetwork: true,
            serviceAccountName: "kube-proxy",
            nodeSelector: { "kubernetes.io/os": "linux" },
            // Every node needs Service routing, whatever its taints (control plane, uninitialised, dedicated pools).
            tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, { operator: "Exists" }],
            containers: [
              {
                name: "kube-proxy",
                image: `registry.k8s.io/kube-proxy:v${a.kubernetesVersion}`,
                command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
                securityContext: { privileged: true },
                resources: { requests: { cpu: "100m", memory: "64Mi" } },
                volumeMounts: [
                  { name: "kube-proxy", mountPath: "/var/lib/kube-proxy", readOnly: true },
                  { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                  { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "kube-proxy", configMap: { name: "kube-proxy" } },
              { name: "xtables-lock", hostPath: { path: "/run/xtables.lock", type: "FileOrCreate" } },
              { name: "lib-modules", hostPath: { path: "/lib/modules" } },
            ],
          },
        },
      },
    },
  ];
}
