/**
 * The kubelet: its KubeletConfiguration, its systemd unit and the bootstrap kubeconfig it joins
 * with. Settings live in the config file (flags only for what has no config field), hardened to
 * pass CIS Kubernetes Benchmark section 4.2 (see lib/cis/kubelet.ts, which checks this output).
 * https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/
 */
import { stringify } from "yaml";
import type { Taint } from "../../lib/config/types";
import { formatProblem } from "../../lib/config/problems";
import { renderKubeconfig } from "../kubeconfig";
import { renderUnit } from "../systemd";
import { formatTaint, nodeLabelProblems, nodeTaintProblems } from "./labels";
import { BIN, BOOTSTRAP_KUBECONFIG_PATH, CLUSTER_CA_PATH, CONTAINERD_SOCKET, KUBELET_CONFIG_PATH, KUBELET_KUBECONFIG_PATH } from "./paths";
import { isTcpPort } from "../tcpPort";

/** The ECDHE+AEAD suites CIS 4.2.12 accepts; Go negotiates TLS 1.3 suites on its own. */
export const STRONG_TLS_CIPHER_SUITES = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
];

export interface KubeletConfigArgs {
  /** Cluster DNS service IP (the CoreDNS Service's clusterIP). */
  clusterDnsIp: string;
  /** DNS domain, e.g. cluster.local. */
  clusterDomain: string;
  /** Pods per node (default 110; the per-node pod CIDR must hold it). */
  maxPods?: number;
  /** Serving certificate from a CSR signed by the cluster CA (default true: CIS 4.2.11). */
  serverTLSBootstrap?: boolean;
  /** Static pod directory; control-plane nodes only (workers run none). */
  staticPodPath?: string;
  /**
   * resolv.conf handed to pods using dnsPolicy Default and to CoreDNS's upstream (default
   * /etc/resolv.conf: Debian 12 AMIs run no systemd-resolved). On hosts with systemd-resolved use
   * /run/systemd/resolve/resolv.conf, or CoreDNS forwards to the 127.0.0.53 stub and loops.
   */
  resolvConf?: string;
  /** Extra top-level KubeletConfiguration fields; the security-relevant ones are refused. */
  extra?: Record<string, unknown>;
}

/** Fields `extra` may not replace: each one carries a CIS control or the runtime contract. */
const PROTECTED_FIELDS = [
  "apiVersion",
  "kind",
  "authentication",
  "authorization",
  "readOnlyPort",
  "cgroupDriver",
  "containerRuntimeEndpoint",
  "protectKernelDefaults",
  "makeIPTablesUtilChains",
  "rotateCertificates",
  "serverTLSBootstrap",
  "tlsCipherSuites",
  "tlsMinVersion",
  "streamingConnectionIdleTimeout",
  "eventRecordQPS",
  "podPidsLimit",
  "seccompDefault",
];

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function buildKubeletConfig(a: KubeletConfigArgs): Record<string, unknown> {
  const problems: string[] = [];
  if (!IPV4.test(a.clusterDnsIp))
    problems.push(`clusterDnsIp must be an IPv4 address (got ${JSON.stringify(a.clusterDnsIp)}): use the service CIDR + 10`);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(a.clusterDomain)) {
    problems.push(`clusterDomain must be a DNS name (got ${JSON.stringify(a.clusterDomain)}): use cluster.local`);
  }
  const maxPods = a.maxPods ?? 110;
  if (!Number.isInteger(maxPods) || maxPods < 1 || maxPods > 250) {
    problems.push(`maxPods must be an integer 1-250 (got ${JSON.stringify(a.maxPods)}): keep it within what the node's pod CIDR holds`);
  }
  for (const key of Object.keys(a.extra ?? {})) {
    if (PROTECTED_FIELDS.includes(key)) {
      problems.push(
        `extra.${key} must not override a hardened kubelet field (got ${JSON.stringify(a.extra?.[key])}): remove it from extra`,
      );
    }
  }
  if (problems.length > 0) throw new Error(`kubelet config: ${problems.join("; ")}`);

  const config: Record<string, unknown> = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: "0.0.0.0",
    port: 10250,
    // The unauthenticated read-only API leaks pod specs; the seed's 10255 is closed.
    readOnlyPort: 0,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true, cacheTTL: "2m0s" },
      x509: { clientCAFile: CLUSTER_CA_PATH },
    },
    authorization: {
      mode: "Webhook",
      webhook: { cacheAuthorizedTTL: "5m0s", cacheUnauthorizedTTL: "30s" },
    },
    cgroupDriver: "systemd",
    containerRuntimeEndpoint: CONTAINERD_SOCKET,
    clusterDNS: [a.clusterDnsIp],
    clusterDomain: a.clusterDomain,
    resolvConf: a.resolvConf ?? "/etc/resolv.conf",
    maxPods,
    podPidsLimit: 4096,
    // RuntimeDefault seccomp for every pod that does not ask otherwise (CIS 4.2.14).
    seccompDefault: true,
    rotateCertificates: true,
    serverTLSBootstrap: a.serverTLSBootstrap ?? true,
    tlsMinVersion: "VersionTLS12",
    tlsCipherSuites: STRONG_TLS_CIPHER_SUITES,
    // The kubelet checks, rather than sets, the kernel tunables (system.ts writes them).
    protectKernelDefaults: true,
    makeIPTablesUtilChains: true,
    eventRecordQPS: 50,
    eventBurst: 100,
    streamingConnectionIdleTimeout: "4h0m0s",
    healthzBindAddress: "127.0.0.1",
    healthzPort: 10248,
    // Nodes run without swap; a node that grows swap would under-count memory, so refuse it.
    failSwapOn: true,
    serializeImagePulls: false,
    registryPullQPS: 5,
    registryBurst: 10,
    imageGCHighThresholdPercent: 85,
    imageGCLowThresholdPercent: 80,
    containerLogMaxSize: "10Mi",
    containerLogMaxFiles: 5,
    evictionHard: {
      "memory.available": "200Mi",
      "nodefs.available": "10%",
      "nodefs.inodesFree": "5%",
      "imagefs.available": "15%",
      "imagefs.inodesFree": "5%",
    },
    evictionPressureTransitionPeriod: "5m0s",
    // Reserved for the OS and for kubelet+containerd, so pods cannot starve either.
    kubeReserved: { cpu: "100m", memory: "512Mi", "ephemeral-storage": "1Gi" },
    systemReserved: { cpu: "100m", memory: "256Mi", "ephemeral-storage": "1Gi" },
    // Spot interruptions and ASG scale-in shut nodes down; give pods time to stop cleanly.
    shutdownGracePeriod: "30s",
    shutdownGracePeriodCriticalPods: "10s",
    nodeStatusUpdateFrequency: "10s",
    runtimeRequestTimeout: "2m0s",
  };
  if (a.staticPodPath !== undefined) config.staticPodPath = a.staticPodPath;
  for (const [k, v] of Object.entries(a.extra ?? {})) config[k] = v;
  return config;
}

export function renderKubeletConfig(a: KubeletConfigArgs): string {
  return stringify(buildKubeletConfig(a));
}

export interface KubeletServiceArgs {
  /** Labels the kubelet registers with; only those NodeRestriction lets a kubelet set. */
  nodeLabels: Record<string, string>;
  /** Taints registered with the Node (e.g. a dedicated pool, the control plane). */
  nodeTaints: Taint[];
  /** More flags, keys without "--"; for settings that have no config-file field. */
  extraArgs?: Record<string, string>;
  /**
   * Join with the bootstrap kubeconfig (TLS bootstrapping; default true). false for control-plane
   * nodes, whose kubelet.conf is signed locally before the kubelet starts: they never hold the token.
   */
  bootstrapKubeconfig?: boolean;
}

/** Flags refused in extraArgs: removed from the kubelet, or a CIS 4.2 failure. */
const REFUSED_FLAGS: Record<string, string> = {
  "hostname-override": "CIS 4.2.7: the node name must be the host name the AWS CCM looks up",
  "container-runtime": "removed in Kubernetes 1.27; containerd is reached through containerRuntimeEndpoint",
  "node-ip": "the kubelet picks the primary interface address; the CCM sets the node's addresses",
  "anonymous-auth": "CIS 4.2.1: set in the config file, never weakened",
  "authorization-mode": "CIS 4.2.2: set in the config file, never weakened",
  "read-only-port": "CIS 4.2.4: the read-only port stays closed",
  // The kubelet takes the last copy of a flag and extraArgs come last: each of these would
  // override what the hardened config file or the stack's own flags set.
  config: "the hardened config file is the stack's",
  kubeconfig: "the node's credentials are the stack's",
  "bootstrap-kubeconfig": "the node's credentials are the stack's",
  "node-labels": "set labels in the pool's labels, where they are validated",
  "register-with-taints": "set taints in the pool's taints, where they are validated",
  "feature-gates": "set in the config file",
  "rotate-certificates": "CIS 4.2.10: client certificates rotate",
  "rotate-server-certificates": "CIS 4.2.11: the serving certificate is requested from the cluster CA",
  "protect-kernel-defaults": "set in the config file",
  "seccomp-default": "CIS 4.2.14: set in the config file",
  "make-iptables-util-chains": "CIS 4.2.6: set in the config file",
  "tls-cipher-suites": "CIS 4.2.12: only strong cipher suites, set in the config file",
  "tls-min-version": "set in the config file",
  "streaming-connection-idle-timeout": "CIS 4.2.5: set in the config file",
  "pod-max-pids": "CIS 4.2.13: set in the config file",
  "event-qps": "CIS 4.2.8: set in the config file",
};

export function kubeletFlags(a: KubeletServiceArgs): string[] {
  const problems = [...nodeLabelProblems(a.nodeLabels), ...nodeTaintProblems(a.nodeTaints)].map(formatProblem);
  for (const [k, v] of Object.entries(a.extraArgs ?? {})) {
    if (k in REFUSED_FLAGS) problems.push(`extraArgs.${k} is refused (got ${JSON.stringify(v)}): ${REFUSED_FLAGS[k]}`);
    if (!/^[a-z0-9][a-z0-9-]*$/.test(k)) problems.push(`extraArgs key ${JSON.stringify(k)} must be a flag name without "--": fix the key`);
    // systemd splits ExecStart= on whitespace and interprets quotes and '$'.
    if (/[\s"'\\$%;]/.test(v))
      problems.push(`extraArgs.${k} must not contain spaces, quotes, '$', '%', ';' or '\\' (got ${JSON.stringify(v)}): simplify the value`);
  }
  if (problems.length > 0) throw new Error(`kubelet service: ${problems.length} problem(s):\n  - ${problems.join("\n  - ")}`);

  const flags = [
    `--config=${KUBELET_CONFIG_PATH}`,
    `--kubeconfig=${KUBELET_KUBECONFIG_PATH}`,
    // The kubelet reads the bootstrap kubeconfig only while kubelet.conf holds no valid client
    // certificate, so the boot script deletes it once the node has joined (bootstrapCleanup.ts).
    ...(a.bootstrapKubeconfig === false ? [] : [`--bootstrap-kubeconfig=${BOOTSTRAP_KUBECONFIG_PATH}`]),
    // The AWS cloud-controller-manager initialises the node (addresses, providerID, zone labels).
    "--cloud-provider=external",
  ];
  const labels = Object.keys(a.nodeLabels)
    .sort()
    .map((k) => `${k}=${a.nodeLabels[k]}`);
  if (labels.length > 0) flags.push(`--node-labels=${labels.join(",")}`);
  if (a.nodeTaints.length > 0) flags.push(`--register-with-taints=${a.nodeTaints.map(formatTaint).join(",")}`);
  for (const k of Object.keys(a.extraArgs ?? {}).sort()) flags.push(`--${k}=${a.extraArgs?.[k]}`);
  return flags;
}

export function renderKubeletService(a: KubeletServiceArgs): string {
  return renderUnit({
    Unit: {
      Description: "kubelet: The Kubernetes Node Agent",
      Documentation: "https://kubernetes.io/docs/reference/command-line-tools-reference/kubelet/",
      Wants: "network-online.target",
      After: ["network-online.target", "containerd.service"],
      Requires: "containerd.service",
      // Keep retrying forever: the kubelet waits on its bootstrap kubeconfig and the API.
      StartLimitIntervalSec: "0",
    },
    Service: {
      ExecStart: [BIN.kubelet, ...kubeletFlags(a)].join(" "),
      Restart: "always",
      RestartSec: "10",
    },
    Install: { WantedBy: "multi-user.target" },
  });
}

export interface BootstrapKubeconfigArgs {
  /** API endpoint, e.g. https://<nlb-dns>:6443. */
  server: string;
  /** CA bundle path on the node, normally /etc/kubernetes/pki/ca.crt. */
  caPath: string;
  /** Bootstrap token <id>.<secret>: [a-z0-9]{6}.[a-z0-9]{16}. */
  token: string;
}

/**
 * The kubeconfig the kubelet uses once, to request its client certificate. It holds the bootstrap
 * token, so it is a SecretFile: the caller stores this text in SSM, never in user data.
 */
export function renderBootstrapKubeconfig(a: BootstrapKubeconfigArgs): string {
  const problems: string[] = [];
  const port = /^https:\/\/[^\s/:@?#[\]]+:(\d{1,5})\/?$/.exec(a.server)?.[1];
  if (port === undefined || !isTcpPort(Number(port)))
    problems.push(
      `server must be an https://host:port URL (got ${JSON.stringify(a.server)}): use the API load balancer's https://<dns>:6443`,
    );
  if (!a.caPath.startsWith("/")) problems.push(`caPath must be an absolute path (got ${JSON.stringify(a.caPath)}): use ${CLUSTER_CA_PATH}`);
  // Not echoed: the token is a credential.
  if (!/^[a-z0-9]{6}\.[a-z0-9]{16}$/.test(a.token))
    problems.push("token must match [a-z0-9]{6}.[a-z0-9]{16} (value not shown): generate a bootstrap token of that form");
  if (problems.length > 0) throw new Error(`bootstrap kubeconfig: ${problems.join("; ")}`);
  return renderKubeconfig({ cluster: "kubernetes", server: a.server, caPath: a.caPath, user: "kubelet-bootstrap", token: a.token });
}
