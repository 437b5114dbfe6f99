/**
 * CoreDNS, the cluster DNS: RBAC, the Corefile, a Deployment spread across zones, the kube-dns
 * Service at the fixed cluster DNS IP every kubelet hands to pods, and a PodDisruptionBudget so a
 * node drain never takes both replicas at once.
 */
import { binding, K8sObject, KUBE_SYSTEM, requireVersion, serviceAccount, SYSTEM_POOL_AFFINITY, SYSTEM_TOLERATIONS } from "./objects";

export interface CorednsArgs {
  /** CoreDNS release without the v, e.g. "1.12.1". */
  version: string;
  /** Service IP of kube-dns; the kubelets' clusterDNS. */
  clusterDnsIp: string;
  clusterDomain: string;
  /** Replicas (default 2). */
  replicas?: number;
}

const LABELS = { "k8s-app": "kube-dns" };

export function renderCorefile(clusterDomain: string): string {
  // `pods insecure` keeps kubeadm's behaviour (pod A records without a pod watch).
  return `.:53 {
    errors
    health {
        lameduck 5s
    }
    ready
    kubernetes ${clusterDomain} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
        max_concurrent 1000
    }
    cache 30
    loop
    reload
    loadbalance
}
`;
}

export function corednsObjects(a: CorednsArgs): K8sObject[] {
  requireVersion("CoreDNS", a.version);
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(a.clusterDnsIp)) {
    throw new Error(`CoreDNS clusterDnsIp must be an IPv4 address (got ${JSON.stringify(a.clusterDnsIp)}): use kubernetes.clusterDnsIp`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(a.clusterDomain)) {
    throw new Error(`CoreDNS clusterDomain must be a DNS name (got ${JSON.stringify(a.clusterDomain)}): use cluster.local`);
  }
  const replicas = a.replicas ?? 2;
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace: KUBE_SYSTEM } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "system:coredns" },
      rules: [
        { apiGroups: [""], resources: ["endpoints", "services", "pods", "namespaces"], verbs: ["list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
      ],
    },
    binding("system:coredns", "system:coredns", [serviceAccount("coredns")]),
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns", namespace: KUBE_SYSTEM },
      data: { Corefile: renderCorefile(a.clusterDomain) },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        replicas,
        selector: { matchLabels: LABELS },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            priorityClassName: "system-cluster-critical",
            serviceAccountName: "coredns",
            // CoreDNS resolves upstream through the node's resolver, not through itself.
            dnsPolicy: "Default",
            nodeSelector: { "kubernetes.io/os": "linux" },
            // Control plane and the system pool tolerated: a cluster without worker pools (or with only
            // dedicated pools) still resolves names; the system pool is preferred when there is one.
            tolerations: SYSTEM_TOLERATIONS,
            // One zone's outage must not take cluster DNS with it. ScheduleAnyway: a one-zone dev
            // cluster still gets its replicas.
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: LABELS },
              },
            ],
            affinity: {
              ...SYSTEM_POOL_AFFINITY,
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: LABELS } } },
                ],
              },
            },
            containers: [
              {
                name: "coredns",
                image: `registry.k8s.io/coredns/coredns:v${a.version}`,
                args: ["-conf", "/etc/coredns/Corefile"],
                resources: { requests: { cpu: "100m", memory: "70Mi" }, limits: { memory: "170Mi" } },
                ports: [
                  { name: "dns", containerPort: 53, protocol: "UDP" },
                  { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                  { name: "metrics", containerPort: 9153, protocol: "TCP" },
                ],
                securityContext: {
                  allowPrivilegeEscalation: false,
                  // Port 53 needs NET_BIND_SERVICE and nothing else.
                  capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
                  readOnlyRootFilesystem: true,
                },
                livenessProbe: {
                  httpGet: { path: "/health", port: 8080, scheme: "HTTP" },
                  initialDelaySeconds: 60,
                  timeoutSeconds: 5,
                  failureThreshold: 5,
                },
                readinessProbe: { httpGet: { path: "/ready", port: 8181, scheme: "HTTP" } },
                volumeMounts: [{ name: "config-volume", mountPath: "/etc/coredns", readOnly: true }],
              },
            ],
            volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kube-dns",
        namespace: KUBE_SYSTEM,
        labels: { ...LABELS, "kubernetes.io/name": "CoreDNS" },
        annotations: { "prometheus.io/port": "9153", "prometheus.io/scrape": "true" },
      },
      spec: {
        selector: LABELS,
        clusterIP: a.clusterDnsIp,
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
          { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
        ],
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "coredns", namespace: KUBE_SYSTEM },
      spec: { minAvailable: 1, selector: { matchLabels: LABELS } },
    },
  ];
}
