/**
 * The validated, typed shape of one cluster's configuration. `stacks/config.ts` reads
 * `pulumi.Config` and hands the raw values to `parseClusterConfig` (lib/config/parse.ts), which
 * returns this object or throws a ConfigError listing every problem.
 *
 * Everything here is a plain value: counts, zones, versions and CIDRs are known before any
 * resource exists, so validation is synchronous and renderers never see a Pulumi Output.
 */

import type { Arch } from "../arch";
import type { Checksums } from "./checksums";
import type { EncryptionAtRestConfig } from "./encryption";
import type { EtcdLifecycleConfig } from "./etcdLifecycle";
import type { SessionManagerConfig } from "./sessionManager";

export type NatMode = "single" | "perAz";
export type LoadBalancerScheme = "internal" | "internet-facing";
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";
export type ProxyMode = "iptables" | "ipvs";
export type Enforcement = "advisory" | "mandatory";
/** `production` turns on the HA and safety rules (three control-plane nodes, mandatory policies, …). */
export type Environment = "development" | "production";
/** S3 Object Lock retention mode of the etcd backups (AWS's GOVERNANCE / COMPLIANCE). */
export type ObjectLockMode = "governance" | "compliance";
export type FlowLogDestination = "cloudwatch" | "s3";
export type FlowLogTraffic = "ALL" | "ACCEPT" | "REJECT";

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface ExistingNetwork {
  /** ID of a VPC to adopt instead of creating one. */
  vpcId: string;
  /** One public subnet ID per availability zone, in `zones` order. */
  publicSubnetIds: string[];
  /** One private subnet ID per availability zone, in `zones` order. */
  privateSubnetIds: string[];
}

export interface NetworkConfig {
  /** VPC CIDR, e.g. 10.0.0.0/16. Ignored when `existing` is set. */
  vpcCidr: string;
  /** `single` (one NAT gateway, cheap, dev) or `perAz` (one per zone, prod). */
  natGateways: NatMode;
  /** Prefix length of each private subnet (default 19). */
  privateSubnetPrefix: number;
  /** Prefix length of each public subnet (default 24). */
  publicSubnetPrefix: number;
  existing?: ExistingNetwork;
  flowLogs: FlowLogsConfig;
}

export interface FlowLogsConfig {
  /** VPC flow logs on the cluster's VPC, created or adopted (default: on when enforcement is mandatory). */
  enabled: boolean;
  /** `cloudwatch` (a KMS-encrypted log group, default) or `s3` (a private SSE-S3 log bucket: cheaper per GB). */
  destination: FlowLogDestination;
  /** Days flow log records are kept (default 90); for CloudWatch one of the retention values it accepts. */
  retentionDays: number;
  /** Which flows are recorded (default ALL). */
  trafficType: FlowLogTraffic;
}

export interface KubernetesConfig {
  /** Kubernetes release without the leading v, e.g. "1.33.4". */
  version: string;
  /** Pod network, e.g. 10.244.0.0/16. Must not overlap the VPC or the service CIDR. */
  podCidr: string;
  /** Per-node pod CIDR mask size (default 24). */
  nodeCidrMaskSize: number;
  /** Service network, e.g. 10.96.0.0/12. */
  serviceCidr: string;
  /** Cluster DNS service IP, service CIDR + 10 by default. */
  clusterDnsIp: string;
  /** DNS domain of the cluster (default cluster.local). */
  clusterDomain: string;
  /** containerd release, e.g. "2.1.4". */
  containerdVersion: string;
  /** runc release, e.g. "1.3.0". */
  runcVersion: string;
  /** CNI plugins release, e.g. "1.7.1". */
  cniPluginsVersion: string;
  /** The pause image version used as containerd's sandbox image. */
  pauseVersion: string;
  /** kube-proxy mode. */
  proxyMode: ProxyMode;
}

export interface EtcdBackupConfig {
  /** systemd OnCalendar expression or interval in minutes; we store minutes (default 60). */
  intervalMinutes: number;
  /** Days an object version is kept in the backup bucket (default 14). */
  retentionDays: number;
  /** S3 Object Lock default retention mode (default governance; compliance: not even the account root can delete early). */
  objectLockMode: ObjectLockMode;
  /** Days each snapshot is locked (default retentionDays; at most retentionDays, so expiry never precedes the lock). */
  objectLockDays: number;
  /** Days the backup bucket's server access logs are kept (default 365). */
  accessLogRetentionDays: number;
}

export interface EtcdConfig {
  /** Member count: odd, 3 or 5 (default 3). */
  members: number;
  /** etcd release without the leading v, e.g. "3.5.21". */
  version: string;
  /** sha256 of etcd-v<version>-linux-<arch>.tar.gz, verified at boot. */
  sha256: string;
  instanceType: string;
  /** CPU architecture of the members, from the instance type. */
  arch: Arch;
  /** Size of each member's data volume, GiB (default 20). */
  volumeSizeGiB: number;
  /** Provisioned IOPS of the gp3 data volume (default 3000). */
  volumeIops: number;
  /** etcd --snapshot-count (default 10000). */
  snapshotCount: number;
  backup: EtcdBackupConfig;
  /** Defragmentation timer and the backup-freshness alarm (lib/config/etcdLifecycle.ts). */
  lifecycle: EtcdLifecycleConfig;
}

export interface ApiLoadBalancerConfig {
  scheme: LoadBalancerScheme;
  /** CIDRs allowed to reach TCP 6443 on the load balancer. Required when internet-facing. */
  allowedCidrs: string[];
  /**
   * Largest share of the IPv4 address space allowedCidrs may cover together, 0 < share ≤ 1
   * (default 1/256: one /8, e.g. all of 10.0.0.0/8).
   */
  maxAllowedShare: number;
}

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Cluster-wide Pod Security Admission defaults (namespaces may still set their own labels). */
export interface PodSecurityConfig {
  /** Pods violating this level are rejected (default baseline). */
  enforce: PodSecurityLevel;
  /** Violations of this level are returned to the client as warnings (default restricted). */
  warn: PodSecurityLevel;
  /** Violations of this level are annotated in the audit log (default restricted). */
  audit: PodSecurityLevel;
  /** Namespaces PSA does not check; must include kube-system, where the add-ons run (default [kube-system]). */
  exemptNamespaces: string[];
}

/** An OpenID Connect issuer humans authenticate with (a `jwt` authenticator of the apiserver). */
export interface OidcConfig {
  /** https URL of the issuer; must equal the tokens' `iss` and serve /.well-known/openid-configuration. */
  issuerUrl: string;
  /** The audience tokens must carry (the OIDC client ID kubectl logs in with). */
  clientId: string;
  /** Claim used as the username (default sub). */
  usernameClaim: string;
  /** Prepended to every username (default "oidc:"), so no token can claim a built-in name. */
  usernamePrefix: string;
  /** Claim holding the groups; absent = no groups from tokens. */
  groupsClaim?: string;
  /** Prepended to every group (default "oidc:"). */
  groupsPrefix: string;
}

export interface ControlPlaneConfig {
  nodes: number;
  instanceType: string;
  /** CPU architecture of the control-plane nodes, from the instance type. */
  arch: Arch;
  rootVolumeGiB: number;
  /** Encryption at rest: the stage of the move from secretbox to KMS v2, and the plugin image. */
  encryption: EncryptionAtRestConfig;
  apiLoadBalancer: ApiLoadBalancerConfig;
  /** Audit log retention: days kept and files kept. */
  auditLogMaxAgeDays: number;
  auditLogMaxBackups: number;
  auditLogMaxSizeMiB: number;
  /** Pod Security Admission defaults in the apiserver's AdmissionConfiguration. */
  podSecurity: PodSecurityConfig;
  /** The AlwaysPullImages admission plugin (CIS 1.2.11; default true). */
  alwaysPullImages: boolean;
  /** Human access through an OIDC issuer; absent = none. */
  oidc?: OidcConfig;
  /**
   * The ClusterRoleBinding kubeadm:cluster-admins → cluster-admin the control plane applies
   * (default true). false revokes every kubeadm:cluster-admins certificate, the exported
   * adminKubeconfig included; the break-glass super-admin.conf on control-plane nodes keeps working.
   */
  clusterAdminsBinding: boolean;
}

export interface SpotConfig {
  /** Number of on-demand instances before any spot capacity is used. */
  onDemandBase: number;
  /** Percentage of on-demand above the base (0 = all spot above base). */
  onDemandPercentageAboveBase: number;
}

export interface WorkerPoolConfig {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  /** First type is the launch template's; more types turn on the mixed-instances policy. */
  instanceTypes: string[];
  /** CPU architecture of the pool, from its instance types (all of one architecture). */
  arch: Arch;
  rootVolumeGiB: number;
  /** Spot settings; absent = all on-demand. */
  spot?: SpotConfig;
  labels: Record<string, string>;
  taints: Taint[];
  /** Zones this pool spans; defaults to all cluster zones. */
  zones: string[];
  /** Minimum healthy percentage during instance refresh (default 90). */
  minHealthyPercentage: number;
  /** IMDS hop limit (default 1: pods cannot reach the instance's credentials). */
  metadataHopLimit: number;
  /**
   * The pool's kubelet release (default kubernetes.version): pinned older while the control plane
   * is upgraded first, never newer than it (lib/versionSkew.ts; README: Upgrades).
   */
  kubernetesVersion: string;
  /** sha256 of that kubelet for the pool's architecture, set only when it differs from kubernetes.version. */
  kubeletSha256?: string;
}

export interface PkiConfig {
  /** Validity of the CAs, hours (default 87600 = 10 years). */
  caValidityHours: number;
  /** Validity of leaf certificates, hours (default 8760 = 1 year). */
  leafValidityHours: number;
  /** Renew leaf certificates this many hours before expiry (default 720 = 30 days). */
  earlyRenewalHours: number;
  /**
   * Validity of the exported adminKubeconfig's client certificate, hours (default 168 = 7 days);
   * `pulumi up` re-issues it once half of that has passed.
   */
  adminValidityHours: number;
  /**
   * Days a kubelet bootstrap token is handed out before `pulumi up` replaces it (default 30: the
   * deploy cadence earlyRenewalHours already assumes). Each token expires one more such period
   * after its own, so a cluster keeps joining nodes between deploys.
   */
  bootstrapTokenMaxAgeDays: number;
}

export interface AddonsConfig {
  clusterAutoscaler: boolean;
  metricsServer: boolean;
  ebsCsiDriver: boolean;
  /** Cilium release used as the CNI, e.g. "1.17.6". */
  ciliumVersion: string;
  /** CoreDNS release, e.g. "1.12.1". */
  corednsVersion: string;
  /** AWS cloud-controller-manager release, e.g. "1.33.0". */
  cloudControllerManagerVersion: string;
  /** Cluster Autoscaler release (its image tag without the v); same minor as Kubernetes. */
  clusterAutoscalerVersion: string;
  /** kubelet-csr-approver release (ghcr.io/postfinance/kubelet-csr-approver tag without the v). */
  csrApproverVersion: string;
  /** metrics-server release (registry.k8s.io/metrics-server/metrics-server tag without the v). */
  metricsServerVersion: string;
  /** AWS EBS CSI driver release (aws-ebs-csi-driver image tag without the v). */
  ebsCsiDriverVersion: string;
  /**
   * aws-node-termination-handler in queue mode (default true): cordons and drains a node before
   * an instance refresh, a scale-in or a spot interruption terminates it.
   */
  nodeTerminationHandler: boolean;
  /** Its release (public.ecr.aws/aws-ec2/aws-node-termination-handler tag without the v). */
  nodeTerminationHandlerVersion: string;
}

export interface ClusterConfig {
  /** Stack name (dev, prod, …). */
  stack: string;
  /** Cluster name: lowercase DNS label, used in every cloud resource name. */
  name: string;
  /** kubestead:environment (default development); production rules follow it, not the stack's name. */
  environment: Environment;
  /** AWS region, from aws:region. */
  region: string;
  /** Availability zones, at least 3 for HA. */
  zones: string[];
  network: NetworkConfig;
  kubernetes: KubernetesConfig;
  etcd: EtcdConfig;
  controlPlane: ControlPlaneConfig;
  workers: WorkerPoolConfig[];
  pki: PkiConfig;
  addons: AddonsConfig;
  /** Upper bound on nodes this cluster must be able to hold; the capacity check proves it. */
  maxNodes: number;
  /** Protect stateful resources (etcd volumes, KMS key, backup bucket) from deletion. */
  protect: boolean;
  /** Policy enforcement for this environment. */
  enforcement: Enforcement;
  /** Tags on every taggable resource. */
  tags: Record<string, string>;
  /** sha256 of every node artifact (kubelet, kubectl, containerd, runc, cni-plugins), by architecture, then artifact key. */
  checksums: Checksums;
  /** Session Manager's agent on every node, and its permissions on every node role; undefined = neither (lib/config/sessionManager.ts). */
  sessionManager?: SessionManagerConfig;
  /**
   * Destructive changes (lib/plan/diff.ts ids) this stack's next update may make: with mandatory
   * enforcement, `npm run plan -- --base` refuses any other. Remove the entry after the update.
   */
  acknowledge: string[];
}
