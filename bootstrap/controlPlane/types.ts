/**
 * Inputs of the control-plane renderers. Plain values only: the caller resolves Pulumi Outputs
 * (certificates, the encryption key) with `pulumi.all(...).apply(...)` before rendering.
 */
import type { EncryptionStage } from "../../lib/config/encryption";
import type { OidcConfig, PodSecurityConfig } from "../../lib/config/types";

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
  /** More --service-account-issuer values, after the first: tokens they issued stay valid (new ones carry the first). */
  acceptedServiceAccountIssuers?: string[];
  /** --service-account-jwks-uri: where the discovery document says the keys are (https); unset = the apiserver's own. */
  serviceAccountJwksUri?: string;
  /** --api-audiences; unset = the first issuer (kube-apiserver's default). */
  apiAudiences?: string[];
  audit: AuditRetention;
  /** The AlwaysPullImages admission plugin (default true). */
  alwaysPullImages?: boolean;
  /**
   * Encryption at rest goes through the KMS plugin: mount its socket directory, and leave the
   * kms-providers check out of liveness (default false).
   */
  kms?: boolean;
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

/** How the apiserver encrypts at rest (lib/config/encryption.ts) and, with KMS, the plugin beside it. */
export interface EncryptionSpec {
  /** secretbox, kms-read, migrating or kms-only (lib/config/encryption.ts). */
  stage: EncryptionStage;
  /** Resources encrypted (default ["secrets"]). */
  resources?: string[];
  /** The AWS encryption provider; required unless the stage is secretbox. */
  kmsPlugin?: {
    /** Image repository without tag. */
    image: string;
    /** Image tag. */
    version: string;
    /** ARN of the encryption-at-rest key (not an alias). */
    keyArn: string;
    /** The key's region. */
    region: string;
  };
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
  /** Client cert of admin.conf, for operators on the node: O kubeadm:cluster-admins. */
  admin: string;
  /** Client cert of super-admin.conf, the break-glass the add-on applier uses: O system:masters. */
  superAdmin: string;
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
  superAdmin: string;
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
  /** The issuer new service-account tokens carry (https URL), e.g. the public issuer (lib/oidc.ts). */
  serviceAccountIssuer: string;
  /** Issuers whose earlier tokens stay valid, e.g. the in-cluster issuer before the public one. */
  acceptedServiceAccountIssuers?: string[];
  /** Where the JWKS is published (https), when not by the apiserver itself. */
  serviceAccountJwksUri?: string;
  /** Audiences a token must carry to be used against the API; unset = the first issuer. */
  apiAudiences?: string[];
  audit: AuditRetention;
  /** Secretbox keys, newest first; at least one unless the encryption stage is kms-only. */
  encryptionKeys: EncryptionKey[];
  /** Encryption at rest; default: the secretbox stage (no KMS plugin). */
  encryption?: EncryptionSpec;
  certs: ControlPlaneCerts;
  keyParameters: ControlPlaneKeyParameters;
  /** Pod Security Admission defaults (default: enforce baseline, warn/audit restricted, kube-system exempt). */
  podSecurity?: PodSecurityConfig;
  /** The AlwaysPullImages admission plugin (default true). */
  alwaysPullImages?: boolean;
  /** An OIDC issuer for human access (a jwt authenticator); absent = none. */
  oidc?: OidcConfig;
  terminatedPodGcThreshold?: number;
  extraArgs?: { apiServer?: ExtraArgs; controllerManager?: ExtraArgs; scheduler?: ExtraArgs };
}
