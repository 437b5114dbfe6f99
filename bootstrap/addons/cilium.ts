/**
 * Cilium as the CNI, rendered here as typed Kubernetes objects: what Cilium's own Helm chart (1.18
 * and later, shaped on 1.20) renders for the settings below, with images from quay.io/cilium.
 *
 * The manifests are written here rather than taken from a chart archive because every object is
 * then reviewed in the PR diff, validated against the Kubernetes OpenAPI schemas, and seen by the
 * project's bring-up solver, and because nodes need no Helm binary and no chart download.
 *
 * - ipam "kubernetes": each node's pod range is the podCIDR kube-controller-manager allocates from
 *   kubernetes.podCidr (--allocate-node-cidrs), so pod addressing stays in Kubernetes' hands. The
 *   agent waits for that podCIDR rather than start without one.
 * - routing-mode "tunnel" (VXLAN, UDP 8472 between nodes): pod CIDRs are not VPC addresses, and
 *   native routing would need a VPC route per node (a 50-route default limit per table, and
 *   source/destination checks off) or ENI IPAM. Tunnelling needs nothing from the VPC.
 * - kube-proxy-replacement false: kube-proxy implements Services; Cilium does not duplicate it.
 * - KUBERNETES_SERVICE_HOST/PORT: the agent and operator start before any Service IP works, so
 *   they talk to the API load balancer directly.
 * - Hubble on (the agent's flow server, port 4244) with relay, UI and TLS off: TLS would need
 *   certificate Secrets, and this program puts no key material in manifests.
 * - Envoy (the L7 proxy) runs inside the agent (external-envoy-proxy false): the chart's separate
 *   cilium-envoy DaemonSet needs an image whose tag is not derived from the Cilium version.
 * - Prometheus metrics: agent :9962, embedded Envoy :9964, operator :9963 (host ports).
 */
import {
  binding,
  K8sObject,
  KUBE_SYSTEM,
  requireClusterName,
  requireVersion,
  serviceAccount,
  SYSTEM_POOL_AFFINITY,
  SYSTEM_TOLERATIONS,
} from "./objects";
import { isTcpPort } from "../tcpPort";

export interface CiliumArgs {
  /** Cilium release without the v, e.g. "1.20.2" (1.18 or later). */
  version: string;
  clusterName: string;
  /** DNS name of the API load balancer (no scheme, no port). */
  apiServerHost: string;
  /** API port on that host. Default 6443. */
  apiServerPort?: number;
}

/** Namespace the chart creates for Secrets that network policies may reference (TLS interception). */
const SECRETS_NAMESPACE = "cilium-secrets";
const CONFIG = "cilium-config";
const PART_OF = { "app.kubernetes.io/part-of": "cilium" };
const AGENT_LABELS = { "k8s-app": "cilium", "app.kubernetes.io/name": "cilium-agent", ...PART_OF };
const AGENT_SELECTOR = { "k8s-app": "cilium" };
// The operator's selector is the chart's: a Deployment's selector is immutable, so a cluster first
// installed from the chart can take these objects over.
const OPERATOR_SELECTOR = { "io.cilium/app": "operator", name: "cilium-operator" };
const OPERATOR_LABELS = { ...OPERATOR_SELECTOR, "app.kubernetes.io/name": "cilium-operator", ...PART_OF };

const PORTS = { health: 9879, hubble: 4244, prometheus: 9962, envoyMetrics: 9964, operatorHealth: 9234, operatorPrometheus: 9963 };
const CGROUP_ROOT = "/run/cilium/cgroupv2";
const CNI_BIN = "/opt/cni/bin";
const SELINUX = { level: "s0", type: "spc_t" };

// Capabilities the chart grants each container instead of running it privileged.
const CAPS = {
  agent: [
    "CHOWN",
    "KILL",
    "NET_ADMIN",
    "NET_RAW",
    "IPC_LOCK",
    "SYS_MODULE",
    "SYS_ADMIN",
    "SYS_RESOURCE",
    "DAC_OVERRIDE",
    "FOWNER",
    "SETGID",
    "SETUID",
    "SYSLOG",
  ],
  nsenter: ["SYS_ADMIN", "SYS_CHROOT", "SYS_PTRACE"],
  cleanState: ["NET_ADMIN", "SYS_MODULE", "SYS_ADMIN", "SYS_RESOURCE"],
};

const DNS_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Every problem with the arguments, each with its fix (empty when valid). */
function ciliumArgsProblems(a: CiliumArgs): string[] {
  const problems: string[] = [];
  const check = (f: () => void) => {
    try {
      f();
    } catch (e) {
      problems.push((e as Error).message);
    }
  };
  check(() => requireVersion("Cilium", a.version));
  check(() => requireClusterName(a.clusterName));
  const [major, minor] = a.version.split(".").map(Number);
  if (major === 1 && minor < 18) {
    problems.push(
      `Cilium version ${a.version} predates the 1.18 chart these manifests follow (operator tolerations, secrets namespace, config keys): pin 1.18.0 or later`,
    );
  }
  if (!DNS_NAME.test(a.apiServerHost) || a.apiServerHost.length > 253) {
    problems.push(
      `Cilium apiServerHost must be a DNS name without scheme or port (got ${JSON.stringify(a.apiServerHost)}): pass the API load balancer's DNS name`,
    );
  }
  const port = a.apiServerPort ?? 6443;
  if (!isTcpPort(port)) {
    problems.push(`Cilium apiServerPort must be an integer from 1 to 65535 (got ${port}): use the API listener's port, 6443`);
  }
  return problems;
}

/** Keys the agent and operator read, for the settings this file decides. */
function settings(a: CiliumArgs): Record<string, string> {
  return {
    "cluster-name": a.clusterName,
    ipam: "kubernetes",
    "k8s-require-ipv4-pod-cidr": "true",
    "routing-mode": "tunnel",
    "tunnel-protocol": "vxlan",
    "kube-proxy-replacement": "false",
    "enable-ipv4": "true",
    "enable-ipv6": "false",
    "enable-ipv4-masquerade": "true",
    "enable-hubble": "true",
    "hubble-socket-path": "/var/run/cilium/hubble.sock",
    "hubble-listen-address": `:${PORTS.hubble}`,
    "hubble-disable-tls": "true",
    "prometheus-serve-addr": `:${PORTS.prometheus}`,
    "operator-prometheus-serve-addr": `:${PORTS.operatorPrometheus}`,
    "enable-metrics": "true",
    "operator-api-serve-addr": `127.0.0.1:${PORTS.operatorHealth}`,
    "enable-l7-proxy": "true",
    "external-envoy-proxy": "false",
    "proxy-prometheus-port": String(PORTS.envoyMetrics),
    // The agent writes the CNI config once it is ready, and moves other CNIs' configs aside.
    "write-cni-conf-when-ready": "/host/etc/cni/net.d/05-cilium.conflist",
    "cni-exclusive": "true",
    "cgroup-root": CGROUP_ROOT,
    "policy-secrets-namespace": SECRETS_NAMESPACE,
  };
}

/**
 * The rest of what the chart writes into cilium-config with its default values. Written out because
 * the chart writes them: the agent's compiled-in defaults are not always the same.
 */
const CHART_DEFAULTS: Record<string, string> = {
  "agent-not-ready-taint-key": "node.cilium.io/agent-not-ready",
  "auto-direct-node-routes": "false",
  "bpf-distributed-lru": "false",
  "bpf-events-drop-enabled": "true",
  "bpf-events-policy-verdict-enabled": "true",
  "bpf-events-trace-enabled": "true",
  "bpf-lb-acceleration": "disabled",
  "bpf-lb-algorithm-annotation": "false",
  "bpf-lb-external-clusterip": "false",
  "bpf-lb-map-max": "65536",
  "bpf-lb-mode-annotation": "false",
  "bpf-lb-sock": "false",
  "bpf-lb-source-range-all-types": "false",
  "bpf-map-dynamic-size-ratio": "0.0025",
  "bpf-policy-map-max": "16384",
  "bpf-policy-stats-map-max": "65536",
  "bpf-root": "/sys/fs/bpf",
  "cilium-endpoint-gc-interval": "5m0s",
  "cluster-id": "0",
  "clustermesh-cache-ttl": "0s",
  "clustermesh-enable-endpoint-sync": "false",
  "clustermesh-enable-mcs-api": "false",
  "clustermesh-mcs-api-install-crds": "true",
  "cni-log-file": "/var/run/cilium/cilium-cni.log",
  "custom-cni-conf": "false",
  "datapath-mode": "veth",
  debug: "false",
  "default-lb-service-ipam": "lbipam",
  "direct-routing-skip-unreachable": "false",
  "dnsproxy-enable-transparent-mode": "true",
  "dnsproxy-socket-linger-timeout": "10",
  "egress-gateway-reconciliation-trigger-interval": "1s",
  "enable-auto-protect-node-port-range": "true",
  "enable-bpf-clock-probe": "false",
  "enable-drift-checker": "true",
  "enable-dynamic-config": "true",
  "enable-endpoint-health-checking": "true",
  "enable-endpoint-lockdown-on-policy-overflow": "false",
  "enable-health-check-loadbalancer-ip": "false",
  "enable-health-check-nodeport": "true",
  "enable-health-checking": "true",
  "enable-ipv4-big-tcp": "false",
  "enable-ipv6-big-tcp": "false",
  "enable-ipv6-masquerade": "true",
  "enable-k8s-networkpolicy": "true",
  "enable-l2-neigh-discovery": "false",
  "enable-lb-ipam": "true",
  "enable-masquerade-to-route-source": "false",
  "enable-no-service-endpoints-routable": "true",
  "enable-node-selector-labels": "false",
  "enable-non-default-deny-policies": "true",
  "enable-policy": "default",
  "enable-policy-secrets-sync": "true",
  "enable-sctp": "false",
  "enable-service-topology": "false",
  "enable-source-ip-verification": "true",
  "enable-tcx": "true",
  "enable-vtep": "false",
  "enable-well-known-identities": "false",
  "enable-xt-socket-fallback": "true",
  "envoy-access-log-buffer-size": "4096",
  "envoy-base-id": "0",
  "envoy-keep-cap-netbindservice": "false",
  "health-check-icmp-failure-threshold": "3",
  "http-retry-count": "3",
  "http-stream-idle-timeout": "300",
  "hubble-network-policy-correlation-enabled": "true",
  "identity-allocation-mode": "crd",
  "identity-gc-interval": "15m0s",
  "identity-heartbeat-timeout": "30m0s",
  "identity-management-mode": "agent",
  "install-no-conntrack-iptables-rules": "false",
  "ipam-cilium-node-update-rate": "15s",
  "iptables-random-fully": "false",
  "k8s-require-ipv6-pod-cidr": "false",
  "max-connected-clusters": "255",
  "mesh-auth-enabled": "false",
  "mesh-auth-gc-interval": "5m0s",
  "mesh-auth-queue-size": "1024",
  "mesh-auth-rotated-identities-queue-size": "1024",
  "metrics-sampling-interval": "5m",
  "monitor-aggregation": "medium",
  "monitor-aggregation-flags": "all",
  "monitor-aggregation-interval": "5s",
  "nat-map-stats-entries": "32",
  "nat-map-stats-interval": "30s",
  "node-port-bind-protection": "true",
  "nodes-gc-interval": "5m0s",
  "packetization-layer-pmtud-mode": "blackhole",
  "policy-default-local-cluster": "true",
  "policy-deny-response": "none",
  "policy-secrets-only-from-secrets-namespace": "true",
  "preallocate-bpf-maps": "false",
  procfs: "/host/proc",
  "proxy-cluster-max-connections": "1024",
  "proxy-cluster-max-requests": "1024",
  "proxy-connect-timeout": "2",
  "proxy-idle-timeout-seconds": "60",
  "proxy-initial-fetch-timeout": "30",
  "proxy-max-active-downstream-connections": "50000",
  "proxy-max-concurrent-retries": "128",
  "proxy-max-connection-duration-seconds": "0",
  "proxy-max-requests-per-connection": "0",
  "proxy-use-original-source-address": "true",
  "proxy-xff-num-trusted-hops-egress": "0",
  "proxy-xff-num-trusted-hops-ingress": "0",
  "remove-cilium-node-taints": "true",
  "service-no-backend-response": "reject",
  "set-cilium-is-up-condition": "true",
  "set-cilium-node-taints": "true",
  "synchronize-k8s-nodes": "true",
  "tofqdns-dns-reject-response-code": "refused",
  "tofqdns-enable-dns-compression": "true",
  "tofqdns-endpoint-max-ip-per-hostname": "1000",
  "tofqdns-idle-connection-grace-period": "0s",
  "tofqdns-max-deferred-connection-deletes": "10000",
  "tofqdns-preallocate-identities": "true",
  "tofqdns-proxy-response-max-delay": "100ms",
  "tunnel-source-port-range": "0-0",
  "unmanaged-pod-watcher-interval": "15s",
  "vtep-cidr": "",
  "vtep-endpoint": "",
  "vtep-mac": "",
  "vtep-mask": "",
};

/** cilium-config's data, keys sorted so the manifest is byte-stable. */
export function ciliumConfig(a: CiliumArgs): Record<string, string> {
  const data = { ...CHART_DEFAULTS, ...settings(a) };
  return Object.fromEntries(
    Object.keys(data)
      .sort()
      .map((k) => [k, data[k]]),
  );
}

const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]) =>
  resourceNames ? { apiGroups, resources, resourceNames, verbs } : { apiGroups, resources, verbs };

const AGENT_RULES = [
  rule(["networking.k8s.io"], ["networkpolicies"], ["get", "list", "watch"]),
  rule(["discovery.k8s.io"], ["endpointslices"], ["get", "list", "watch"]),
  rule([""], ["namespaces", "services", "pods", "endpoints", "nodes"], ["get", "list", "watch"]),
  rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], ["list", "watch", "get"]),
  rule(
    ["cilium.io"],
    [
      "ciliumloadbalancerippools",
      "ciliumbgpnodeconfigs",
      "ciliumbgpadvertisements",
      "ciliumbgppeerconfigs",
      "ciliumclusterwideenvoyconfigs",
      "ciliumclusterwidenetworkpolicies",
      "ciliumegressgatewaypolicies",
      "ciliumendpoints",
      "ciliumendpointslices",
      "ciliumenvoyconfigs",
      "ciliumidentities",
      "ciliumlocalredirectpolicies",
      "ciliumnetworkpolicies",
      "ciliumnodes",
      "ciliumnodeconfigs",
      "ciliumcidrgroups",
      "ciliuml2announcementpolicies",
      "ciliumpodippools",
    ],
    ["list", "watch"],
  ),
  rule(["cilium.io"], ["ciliumidentities", "ciliumendpoints", "ciliumnodes"], ["create"]),
  rule(["cilium.io"], ["ciliumidentities"], ["update"]),
  rule(["cilium.io"], ["ciliumendpoints"], ["delete", "get"]),
  rule(["cilium.io"], ["ciliumnodes", "ciliumnodes/status"], ["get", "update"]),
  rule(
    ["cilium.io"],
    ["ciliumendpoints/status", "ciliumendpoints", "ciliuml2announcementpolicies/status", "ciliumbgpnodeconfigs/status"],
    ["patch"],
  ),
];

/** CRDs the operator installs and keeps up to date. */
const CILIUM_CRDS = [
  "ciliumloadbalancerippools",
  "ciliumbgpclusterconfigs",
  "ciliumbgppeerconfigs",
  "ciliumbgpadvertisements",
  "ciliumbgpnodeconfigs",
  "ciliumbgpnodeconfigoverrides",
  "ciliumclusterwideenvoyconfigs",
  "ciliumclusterwidenetworkpolicies",
  "ciliumegressgatewaypolicies",
  "ciliumendpoints",
  "ciliumendpointslices",
  "ciliumenvoyconfigs",
  "ciliumidentities",
  "ciliumlocalredirectpolicies",
  "ciliumnetworkpolicies",
  "ciliumnodes",
  "ciliumnodeconfigs",
  "ciliumcidrgroups",
  "ciliuml2announcementpolicies",
  "ciliumpodippools",
  "ciliumgatewayclassconfigs",
].map((r) => `${r}.cilium.io`);

const OPERATOR_RULES = [
  // delete: restarts pods (CoreDNS) that started before Cilium managed the node.
  rule([""], ["pods"], ["get", "list", "watch", "delete"]),
  rule([""], ["configmaps"], ["patch"], [CONFIG]),
  rule([""], ["nodes"], ["list", "watch"]),
  // Removes the agent-not-ready taint and sets NetworkUnavailable false.
  rule([""], ["nodes", "nodes/status"], ["patch"]),
  rule(["discovery.k8s.io"], ["endpointslices"], ["get", "list", "watch"]),
  rule([""], ["services/status"], ["update", "patch"]),
  rule([""], ["namespaces", "secrets"], ["get", "list", "watch"]),
  rule([""], ["services", "endpoints"], ["get", "list", "watch"]),
  rule(
    ["cilium.io"],
    ["ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies"],
    ["create", "update", "deletecollection", "patch", "get", "list", "watch"],
  ),
  rule(["cilium.io"], ["ciliumnetworkpolicies/status", "ciliumclusterwidenetworkpolicies/status"], ["patch", "update"]),
  rule(["cilium.io"], ["ciliumendpoints", "ciliumidentities"], ["delete", "list", "watch"]),
  rule(["cilium.io"], ["ciliumidentities"], ["update"]),
  rule(["cilium.io"], ["ciliumnodes"], ["create", "update", "get", "list", "watch", "delete"]),
  rule(["cilium.io"], ["ciliumnodes/status"], ["update"]),
  rule(
    ["cilium.io"],
    ["ciliumendpointslices", "ciliumenvoyconfigs", "ciliumbgppeerconfigs", "ciliumbgpadvertisements", "ciliumbgpnodeconfigs"],
    ["create", "update", "get", "list", "watch", "delete", "patch"],
  ),
  rule(["cilium.io"], ["ciliumbgpclusterconfigs/status", "ciliumbgppeerconfigs/status"], ["update"]),
  rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], ["create", "get", "list", "watch"]),
  rule(["apiextensions.k8s.io"], ["customresourcedefinitions"], ["update"], CILIUM_CRDS),
  rule(
    ["cilium.io"],
    ["ciliumloadbalancerippools", "ciliumpodippools", "ciliumbgpclusterconfigs", "ciliumbgpnodeconfigoverrides", "ciliumbgppeerconfigs"],
    ["get", "list", "watch"],
  ),
  rule(["cilium.io"], ["ciliumpodippools"], ["create"]),
  rule(["cilium.io"], ["ciliumloadbalancerippools/status"], ["patch"]),
  // Leader election between the two replicas.
  rule(["coordination.k8s.io"], ["leases"], ["create", "get", "update"]),
  rule(["cilium.io"], ["ciliumendpointslices"], ["deletecollection"]),
];

const RBAC = "rbac.authorization.k8s.io/v1";

function role(name: string, namespace: string, rules: object[]): K8sObject {
  return { apiVersion: RBAC, kind: "Role", metadata: { name, namespace, labels: PART_OF }, rules };
}

function clusterRole(name: string, rules: object[]): K8sObject {
  return { apiVersion: RBAC, kind: "ClusterRole", metadata: { name, labels: PART_OF }, rules };
}

/** binding() with the chart's part-of label. */
function labelledBinding(name: string, sa: string, namespace?: string): K8sObject {
  const b = binding(name, name, [serviceAccount(sa)], namespace);
  return { ...b, metadata: { ...b.metadata, labels: PART_OF } };
}

const fieldEnv = (name: string, fieldPath: string) => ({ name, valueFrom: { fieldRef: { apiVersion: "v1", fieldPath } } });
const configEnv = (name: string, key: string) => ({ name, valueFrom: { configMapKeyRef: { name: CONFIG, key, optional: true } } });
const hostPath = (name: string, path: string, type?: string) => ({ name, hostPath: type ? { path, type } : { path } });
const port = (name: string, p: number) => ({ name, containerPort: p, hostPort: p, protocol: "TCP" });

/** The agent's health endpoint on loopback (the pod shares the host's network). */
const healthz = (extraHeaders: { name: string; value: string }[] = []) => ({
  host: "127.0.0.1",
  path: "/healthz",
  port: "health",
  scheme: "HTTP",
  httpHeaders: [{ name: "brief", value: "true" }, ...extraHeaders],
});

/**
 * Copies one of the image's static helper binaries into the host's CNI bin directory (where exec
 * is allowed) and runs it in the host's namespaces.
 */
function nsenterScript(binary: string, namespaces: string, arg = ""): string {
  return [
    `cp /usr/bin/${binary} /hostbin/${binary};`,
    `nsenter ${namespaces} "\${BIN_PATH}/${binary}"${arg};`,
    `rm /hostbin/${binary}`,
    "",
  ].join("\n");
}

function agentDaemonSet(a: CiliumArgs, apiEnv: object[]): K8sObject {
  const image = `quay.io/cilium/cilium:v${a.version}`;
  const common = { image, imagePullPolicy: "IfNotPresent", terminationMessagePolicy: "FallbackToLogsOnError" };
  const podEnv = [fieldEnv("K8S_NODE_NAME", "spec.nodeName"), fieldEnv("CILIUM_K8S_NAMESPACE", "metadata.namespace")];
  const nsenterMounts = [
    { name: "hostproc", mountPath: "/hostproc" },
    { name: "cni-path", mountPath: "/hostbin" },
  ];
  const nsenterSecurity = { seLinuxOptions: SELINUX, capabilities: { add: CAPS.nsenter, drop: ["ALL"] } };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "cilium", namespace: KUBE_SYSTEM, labels: AGENT_LABELS },
    spec: {
      selector: { matchLabels: AGENT_SELECTOR },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } },
      template: {
        metadata: {
          annotations: {
            "kubectl.kubernetes.io/default-container": "cilium-agent",
            "prometheus.io/port": String(PORTS.prometheus),
            "prometheus.io/scrape": "true",
          },
          labels: AGENT_LABELS,
        },
        spec: {
          // The agent is not privileged: AppArmor and seccomp would block what its capabilities allow.
          securityContext: { appArmorProfile: { type: "Unconfined" }, seccompProfile: { type: "Unconfined" } },
          containers: [
            {
              name: "cilium-agent",
              ...common,
              command: ["cilium-agent"],
              args: ["--config-dir=/tmp/cilium/config-map"],
              // Generous startup (up to 10 min): the first start compiles and loads BPF programs.
              startupProbe: { httpGet: healthz(), failureThreshold: 300, periodSeconds: 2, successThreshold: 1, initialDelaySeconds: 5 },
              // Liveness ignores API reachability: an API outage must not restart every agent.
              livenessProbe: {
                httpGet: healthz([{ name: "require-k8s-connectivity", value: "false" }]),
                periodSeconds: 30,
                successThreshold: 1,
                failureThreshold: 10,
                timeoutSeconds: 5,
              },
              readinessProbe: { httpGet: healthz(), periodSeconds: 30, successThreshold: 1, failureThreshold: 3, timeoutSeconds: 5 },
              env: [
                ...podEnv,
                { name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1" } } },
                ...apiEnv,
                { name: "KUBE_CLIENT_BACKOFF_BASE", value: "1" },
                { name: "KUBE_CLIENT_BACKOFF_DURATION", value: "120" },
              ],
              // The chart's postStart hook removes SNAT rules left by the AWS VPC CNI (aws-node);
              // kubestead nodes never run it, so only the preStop hook is kept.
              lifecycle: { preStop: { exec: { command: ["/cni-uninstall.sh"] } } },
              ports: [
                port("health", PORTS.health),
                port("peer-service", PORTS.hubble),
                port("prometheus", PORTS.prometheus),
                port("envoy-metrics", PORTS.envoyMetrics),
              ],
              securityContext: { seLinuxOptions: SELINUX, capabilities: { add: CAPS.agent, drop: ["ALL"] } },
              volumeMounts: [
                // Unprivileged, so sysctls are written through host mounts of /proc/sys.
                { name: "host-proc-sys-net", mountPath: "/host/proc/sys/net" },
                { name: "host-proc-sys-kernel", mountPath: "/host/proc/sys/kernel" },
                // mount-bpf-fs mounts it on the host; the agent sees it through HostToContainer.
                { name: "bpf-maps", mountPath: "/sys/fs/bpf", mountPropagation: "HostToContainer" },
                { name: "cilium-run", mountPath: "/var/run/cilium" },
                { name: "cilium-netns", mountPath: "/var/run/cilium/netns", mountPropagation: "HostToContainer" },
                { name: "etc-cni-netd", mountPath: "/host/etc/cni/net.d" },
                { name: "lib-modules", mountPath: "/lib/modules", readOnly: true },
                { name: "xtables-lock", mountPath: "/run/xtables.lock" },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          initContainers: [
            {
              // Writes cilium-config (and any per-node overrides) to /tmp for the agent.
              name: "config",
              ...common,
              command: ["cilium-dbg", "build-config"],
              env: [...podEnv, ...apiEnv],
              securityContext: { capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] } },
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
            {
              // Mounts a cgroup2 filesystem at CGROUP_ROOT on the host (socket-level BPF hooks).
              name: "mount-cgroup",
              ...common,
              env: [
                { name: "CGROUP_ROOT", value: CGROUP_ROOT },
                { name: "BIN_PATH", value: CNI_BIN },
              ],
              command: [
                "bash",
                "-ec",
                nsenterScript("cilium-mount", "--cgroup=/hostproc/1/ns/cgroup --mount=/hostproc/1/ns/mnt", " $CGROUP_ROOT"),
              ],
              securityContext: nsenterSecurity,
              volumeMounts: nsenterMounts,
            },
            {
              // Writes a sysctl.d drop-in so systemd-sysctl does not reset rp_filter on Cilium's interfaces.
              name: "apply-sysctl-overwrites",
              ...common,
              env: [{ name: "BIN_PATH", value: CNI_BIN }],
              command: ["bash", "-ec", nsenterScript("cilium-sysctlfix", "--mount=/hostproc/1/ns/mnt")],
              securityContext: nsenterSecurity,
              volumeMounts: nsenterMounts,
            },
            {
              // Bidirectional propagation needs a privileged container; this one only mounts bpffs.
              name: "mount-bpf-fs",
              ...common,
              command: ["/bin/bash", "-c", "--"],
              args: ['mount | grep "/sys/fs/bpf type bpf" || mount -t bpf bpf /sys/fs/bpf'],
              securityContext: { privileged: true },
              volumeMounts: [{ name: "bpf-maps", mountPath: "/sys/fs/bpf", mountPropagation: "Bidirectional" }],
            },
            {
              name: "clean-cilium-state",
              ...common,
              command: ["/init-container.sh"],
              env: [
                configEnv("CILIUM_ALL_STATE", "clean-cilium-state"),
                configEnv("CILIUM_BPF_STATE", "clean-cilium-bpf-state"),
                configEnv("WRITE_CNI_CONF_WHEN_READY", "write-cni-conf-when-ready"),
                ...apiEnv,
              ],
              securityContext: { seLinuxOptions: SELINUX, capabilities: { add: CAPS.cleanState, drop: ["ALL"] } },
              volumeMounts: [
                { name: "bpf-maps", mountPath: "/sys/fs/bpf" },
                { name: "cilium-cgroup", mountPath: CGROUP_ROOT, mountPropagation: "HostToContainer" },
                { name: "cilium-run", mountPath: "/var/run/cilium" },
              ],
            },
            {
              // The only writable host mount of the CNI bin directory, so the agent has none.
              name: "install-cni-binaries",
              ...common,
              command: ["/install-plugin.sh"],
              resources: { requests: { cpu: "100m", memory: "10Mi" }, limits: { cpu: "1", memory: "1Gi" } },
              securityContext: { seLinuxOptions: SELINUX, capabilities: { drop: ["ALL"] } },
              volumeMounts: [{ name: "cni-path", mountPath: "/host/opt/cni/bin" }],
            },
          ],
          restartPolicy: "Always",
          priorityClassName: "system-node-critical",
          serviceAccountName: "cilium",
          automountServiceAccountToken: true,
          terminationGracePeriodSeconds: 1,
          hostNetwork: true,
          // Cilium starts before cluster DNS exists; the node's resolver is the only one that works then.
          dnsPolicy: "Default",
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: AGENT_SELECTOR }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
          nodeSelector: { "kubernetes.io/os": "linux" },
          // Every node needs pod networking, whatever its taints (not-ready, uninitialised, dedicated pools).
          tolerations: [{ operator: "Exists" }],
          volumes: [
            // Shares the built configuration between the config init container and the agent.
            { name: "tmp", emptyDir: {} },
            hostPath("cilium-run", "/var/run/cilium", "DirectoryOrCreate"),
            hostPath("cilium-netns", "/var/run/netns", "DirectoryOrCreate"),
            hostPath("bpf-maps", "/sys/fs/bpf", "DirectoryOrCreate"),
            hostPath("hostproc", "/proc", "Directory"),
            hostPath("cilium-cgroup", CGROUP_ROOT, "DirectoryOrCreate"),
            hostPath("cni-path", CNI_BIN, "DirectoryOrCreate"),
            hostPath("etc-cni-netd", "/etc/cni/net.d", "DirectoryOrCreate"),
            hostPath("lib-modules", "/lib/modules"),
            // Shared with kube-proxy so the two never write iptables at once.
            hostPath("xtables-lock", "/run/xtables.lock", "FileOrCreate"),
            hostPath("host-proc-sys-net", "/proc/sys/net", "Directory"),
            hostPath("host-proc-sys-kernel", "/proc/sys/kernel", "Directory"),
          ],
        },
      },
    },
  };
}

/**
 * The chart's operator tolerations (since 1.18 a list, not "tolerate everything": a drained node's
 * unschedulable taint must still push the operator off), plus the system pool's.
 */
const OPERATOR_TOLERATIONS = [
  ...[
    "node-role.kubernetes.io/control-plane",
    "node-role.kubernetes.io/master",
    "node.kubernetes.io/not-ready",
    "node.cloudprovider.kubernetes.io/uninitialized",
    "node.cilium.io/agent-not-ready",
  ].map((key) => ({ key, operator: "Exists" })),
  ...SYSTEM_TOLERATIONS.filter((t) => t.key !== "node-role.kubernetes.io/control-plane"),
];

function operatorDeployment(a: CiliumArgs, apiEnv: object[]): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "cilium-operator", namespace: KUBE_SYSTEM, labels: OPERATOR_LABELS },
    spec: {
      replicas: 2,
      selector: { matchLabels: OPERATOR_SELECTOR },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "50%" } },
      template: {
        metadata: {
          annotations: { "prometheus.io/port": String(PORTS.operatorPrometheus), "prometheus.io/scrape": "true" },
          labels: OPERATOR_LABELS,
        },
        spec: {
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "cilium-operator",
              image: `quay.io/cilium/operator-generic:v${a.version}`,
              imagePullPolicy: "IfNotPresent",
              command: ["cilium-operator-generic"],
              args: ["--config-dir=/tmp/cilium/config-map", "--debug=$(CILIUM_DEBUG)"],
              env: [
                fieldEnv("K8S_NODE_NAME", "spec.nodeName"),
                fieldEnv("CILIUM_K8S_NAMESPACE", "metadata.namespace"),
                configEnv("CILIUM_DEBUG", "debug"),
                ...apiEnv,
              ],
              ports: [port("health", PORTS.operatorHealth), port("prometheus", PORTS.operatorPrometheus)],
              livenessProbe: {
                httpGet: { host: "127.0.0.1", path: "/healthz", port: "health", scheme: "HTTP" },
                initialDelaySeconds: 60,
                periodSeconds: 10,
                timeoutSeconds: 3,
              },
              readinessProbe: {
                httpGet: { host: "127.0.0.1", path: "/healthz", port: "health", scheme: "HTTP" },
                initialDelaySeconds: 0,
                periodSeconds: 5,
                timeoutSeconds: 3,
                failureThreshold: 5,
              },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
              terminationMessagePolicy: "FallbackToLogsOnError",
              volumeMounts: [{ name: "cilium-config-path", mountPath: "/tmp/cilium/config-map", readOnly: true }],
            },
          ],
          hostNetwork: true,
          // The operator starts before cluster DNS exists; the node's resolver is the only one that works then.
          dnsPolicy: "Default",
          restartPolicy: "Always",
          priorityClassName: "system-cluster-critical",
          serviceAccountName: "cilium-operator",
          automountServiceAccountToken: true,
          affinity: {
            ...SYSTEM_POOL_AFFINITY,
            // Required: the replicas share host ports (health, metrics), so two cannot share a node.
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                { labelSelector: { matchLabels: { "io.cilium/app": "operator" } }, topologyKey: "kubernetes.io/hostname" },
              ],
            },
          },
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: OPERATOR_TOLERATIONS,
          volumes: [{ name: "cilium-config-path", configMap: { name: CONFIG } }],
        },
      },
    },
  };
}

/**
 * Every object of the Cilium install, in apply order (namespace and RBAC before the workloads).
 * Throws one error listing every invalid argument.
 */
export function ciliumObjects(a: CiliumArgs): K8sObject[] {
  const problems = ciliumArgsProblems(a);
  if (problems.length > 0) throw new Error(`invalid Cilium arguments:\n- ${problems.join("\n- ")}`);
  const apiEnv = [
    { name: "KUBERNETES_SERVICE_HOST", value: a.apiServerHost },
    { name: "KUBERNETES_SERVICE_PORT", value: String(a.apiServerPort ?? 6443) },
  ];
  const sa = (name: string): K8sObject => ({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: KUBE_SYSTEM } });
  const secretReaders = [rule([""], ["secrets"], ["get", "list", "watch"])];
  const secretWriters = [rule([""], ["secrets"], ["create", "delete", "update", "patch"])];
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: SECRETS_NAMESPACE, labels: PART_OF } },
    sa("cilium"),
    sa("cilium-operator"),
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: CONFIG, namespace: KUBE_SYSTEM }, data: ciliumConfig(a) },
    clusterRole("cilium", AGENT_RULES),
    clusterRole("cilium-operator", OPERATOR_RULES),
    labelledBinding("cilium", "cilium"),
    labelledBinding("cilium-operator", "cilium-operator"),
    // The agent reads cilium-config (and per-node overrides) through the API as well as the mount.
    role("cilium-config-agent", KUBE_SYSTEM, [rule([""], ["configmaps"], ["get", "list", "watch"])]),
    // Secrets a network policy may reference (TLS interception) live only in cilium-secrets; the
    // operator syncs them there, the agent reads them.
    role("cilium-tlsinterception-secrets", SECRETS_NAMESPACE, secretReaders),
    role("cilium-operator-tlsinterception-secrets", SECRETS_NAMESPACE, secretWriters),
    // The operator's ztunnel controller removes stale ztunnel DaemonSets even with ztunnel off.
    role("cilium-operator-ztunnel", KUBE_SYSTEM, [rule(["apps"], ["daemonsets"], ["create", "delete", "get", "list", "watch"])]),
    labelledBinding("cilium-config-agent", "cilium", KUBE_SYSTEM),
    labelledBinding("cilium-tlsinterception-secrets", "cilium", SECRETS_NAMESPACE),
    labelledBinding("cilium-operator-tlsinterception-secrets", "cilium-operator", SECRETS_NAMESPACE),
    labelledBinding("cilium-operator-ztunnel", "cilium-operator", KUBE_SYSTEM),
    {
      // Hubble's peer discovery (what a relay would use); each node answers for itself.
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "hubble-peer",
        namespace: KUBE_SYSTEM,
        labels: { "k8s-app": "cilium", ...PART_OF, "app.kubernetes.io/name": "hubble-peer" },
      },
      spec: {
        selector: AGENT_SELECTOR,
        ports: [{ name: "peer-service", port: 80, protocol: "TCP", targetPort: PORTS.hubble }],
        internalTrafficPolicy: "Local",
      },
    },
    {
      // Headless: lets Prometheus discover the embedded Envoy's metrics on every agent.
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "cilium-agent",
        namespace: KUBE_SYSTEM,
        annotations: { "prometheus.io/port": String(PORTS.envoyMetrics), "prometheus.io/scrape": "true" },
        labels: AGENT_LABELS,
      },
      spec: {
        clusterIP: "None",
        type: "ClusterIP",
        selector: AGENT_SELECTOR,
        ports: [{ name: "envoy-metrics", port: PORTS.envoyMetrics, protocol: "TCP", targetPort: "envoy-metrics" }],
      },
    },
    agentDaemonSet(a, apiEnv),
    operatorDeployment(a, apiEnv),
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "cilium-operator", namespace: KUBE_SYSTEM, labels: OPERATOR_LABELS },
      spec: { maxUnavailable: 1, selector: { matchLabels: OPERATOR_SELECTOR } },
    },
  ];
}
