/**
 * The validated, typed shape of one cluster's configuration. `stacks/config.ts` reads
 * `pulumi.Config` and hands the raw values to `parseClusterConfig` (lib/config/parse.ts), which
 * returns this object or throws a ConfigError listing every problem.
 *
 * Everything here is a plain value: counts, zones, versions and CIDRs are known before any
 * resource exists, so validation is synchronous and renderers never see a Pulumi Output.
 */

export type NatMode = "single" | "perAz";
export type LoadBalancerScheme = "internal" | "internet-facing";
export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";
export type ProxyMode = "iptables" | "ipvs";
export type Enforcement = "advisory" | "mandatory";

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
}

export interface EtcdConfig {
  /** Member count: odd, 3 or 5 (default 3). */
  members: number;
  /** etcd release without the leading v, e.g. "3.5.21". */
  version: string;
  /** sha256 of etcd-v<version>-linux-amd64.tar.gz, verified at boot. */
  sha256: string;
  instanceType: string;
  /** Size of each member's data volume, GiB (default 20). */
  volumeSizeGiB: number;
  /** Provisioned IOPS of the gp3 data volume (default 3000). */
  volumeIops: number;
  /** etcd --snapshot-count (default 10000). */
  snapshotCount: number;
  backup: EtcdBackupConfig;
}

export interface ApiLoadBalancerConfig {
  scheme: LoadBalancerScheme;
  /** CIDRs allowed to reach TCP 6443 on the load balancer. Required when internet-facing. */
  allowedCidrs: string[];
}

export interface ControlPlaneConfig {
  nodes: number;
  instanceType: string;
  rootVolumeGiB: number;
  apiLoadBalancer: ApiLoadBalancerConfig;
  /** Audit log retention: days kept and files kept. */
  auditLogMaxAgeDays: number;
  auditLogMaxBackups: number;
  auditLogMaxSizeMiB: number;
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
}

export interface PkiConfig {
  /** Validity of the CAs, hours (default 87600 = 10 years). */
  caValidityHours: number;
  /** Validity of leaf certificates, hours (default 8760 = 1 year). */
  leafValidityHours: number;
  /** Renew leaf certificates this many hours before expiry (default 720 = 30 days). */
  earlyRenewalHours: number;
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
}

export interface ClusterConfig {
  /** Stack name (dev, prod, …). */
  stack: string;
  /** Cluster name: lowercase DNS label, used in every cloud resource name. */
  name: string;
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
  /** sha256 of every node artifact (kubelet, containerd, runc, cni-plugins), by artifact key. */
  checksums: Record<string, string>;
}
