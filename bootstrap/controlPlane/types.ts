/**
 * Inputs of the control-plane renderers. Plain values only: the caller resolves Pulumi Outputs
 * (certificates, the encryption key) with `pulumi.all(...).apply(...)` before rendering.
 */

/** Audit log retention (CIS 1.2.17–1.2.19 want ≥ 30 days, ≥ 10 files, ≥ 100 MiB). */
export interface AuditRetention {
  /** --audit-log-maxage, days. */
  maxAgeDays: number;
  /** --audit-log-maxbackup, files. */
  maxBackups: number;
  /** --audit-log-maxsize, MiB. */
  maxSizeMiB: number;
}

/** Flags added to, or overriding, a component's rendered flags; keys without the leading "--". */
export type ExtraArgs = Record<string, string>;

export interface ApiServerSpec {
  /** Kubernetes release without the leading v, e.g. "1.34.2" (≥ 1.32). */
  kubernetesVersion: string;
  /** External etcd client URLs, https only, e.g. ["https://10.0.1.10:2379", ...]. */
  etcdServers: string[];
  /** Service network, e.g. 10.96.0.0/12. */
  serviceCidr: string;
  /** --service-account-issuer, an https URL, e.g. https://kubernetes.default.svc.cluster.local. */
  serviceAccountIssuer: string;
  audit: AuditRetention;
  /** Overrides/extends the flags (e.g. { "v": "2" }); "anonymous-auth" is refused (see apiserver.ts). */
  extraArgs?: ExtraArgs;
}

export interface ControllerManagerSpec {
  kubernetesVersion: string;
  /** Cluster name: --cluster-name, used by controllers to tag cloud resources. */
  cluster: string;
  serviceCidr: string;
  /** Pod network the node IPAM controller carves per-node ranges from, e.g. 10.244.0.0/16. */
  podCidr: string;
  /** Prefix length of each node's pod range (e.g. 24). */
  nodeCidrMaskSize: number;
  /** --terminated-pod-gc-threshold (default 1000). */
  terminatedPodGcThreshold?: number;
  extraArgs?: ExtraArgs;
}

export interface SchedulerSpec {
  kubernetesVersion: string;
  extraArgs?: ExtraArgs;
}

/** One encryption-at-rest key. The first key of the list encrypts; all of them decrypt. */
export interface EncryptionKey {
  /** Key name stored with every encrypted value, e.g. "key-2025-01"; unique. */
  name: string;
  /** base64 of exactly 32 random bytes. */
  secret: string;
}

/** PEM text of every certificate (and the service-account public key) a control-plane node holds. */
export interface ControlPlaneCerts {
  ca: string;
  apiServer: string;
  apiServerKubeletClient: string;
  apiServerEtcdClient: string;
  frontProxyCa: string;
  /** Must carry CN front-proxy-client (--requestheader-allowed-names). */
  frontProxyClient: string;
  /** CA of the etcd cluster's client certificates. */
  etcdCa: string;
  /** Client cert, CN system:kube-controller-manager. */
  controllerManager: string;
  /** Client cert, CN system:kube-scheduler. */
  scheduler: string;
  /** Client cert for on-node admin use, O kubeadm:cluster-admins or system:masters. */
  admin: string;
  /** Service-account public key, PEM "PUBLIC KEY" (ECDSA P-256). */
  serviceAccountPublic: string;
}

/** SSM parameter names of the private keys; the PKI component creates these parameters. */
export interface ControlPlaneKeyParameters {
  ca: string;
  apiServer: string;
  apiServerKubeletClient: string;
  apiServerEtcdClient: string;
  frontProxyClient: string;
  controllerManager: string;
  scheduler: string;
  admin: string;
  serviceAccount: string;
}

/** Everything a control-plane node's disk is rendered from. */
export interface ControlPlaneSpec {
  /** Cluster name (DNS label); SSM parameters live under /kubestead/<cluster>/controlplane/. */
  cluster: string;
  kubernetesVersion: string;
  etcdServers: string[];
  serviceCidr: string;
  podCidr: string;
  nodeCidrMaskSize: number;
  serviceAccountIssuer: string;
  audit: AuditRetention;
  /** Secrets encryption keys, newest first; at least one. */
  encryptionKeys: EncryptionKey[];
  certs: ControlPlaneCerts;
  keyParameters: ControlPlaneKeyParameters;
  terminatedPodGcThreshold?: number;
  extraArgs?: { apiServer?: ExtraArgs; controllerManager?: ExtraArgs; scheduler?: ExtraArgs };
}
