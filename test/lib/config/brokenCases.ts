/**
 * Broken stack configs as a new user writes them, one mistake each (brokenConfigs.test.ts holds
 * the exact messages). Each change is applied to a shipped stack file's values.
 */
import type { RawStackConfig } from "../../../lib/config/parse";
import { rawOf, withChange } from "../../helpers/stackValues";

export interface BrokenCase {
  title: string;
  raw: () => RawStackConfig;
}

const dev = (title: string, change: (v: Record<string, any>) => void): BrokenCase => ({ title, raw: () => withChange("dev", change) });
const prod = (title: string, change: (v: Record<string, any>) => void): BrokenCase => ({ title, raw: () => withChange("prod", change) });
const rawCase = (title: string, change: (r: RawStackConfig) => RawStackConfig): BrokenCase => ({ title, raw: () => change(rawOf("dev")) });
const taint = (t: Record<string, unknown>) => (v: Record<string, any>) => (v.workers[0].taints = [t]);
const label = (k: string, value: unknown) => (v: Record<string, any>) => (v.workers[0].labels = { [k]: value });
const publicApi = (allowedCidrs: string[]) => (v: Record<string, any>) =>
  (v.controlPlane.apiLoadBalancer = { scheme: "internet-facing", allowedCidrs });

export const BROKEN_CASES: BrokenCase[] = [
  // aws:region and zones
  rawCase("a misspelt region", (r) => ({ ...r, region: "us-est-1" })),
  rawCase("no region", (r) => ({ ...r, region: undefined })),
  rawCase("a region that offers one account two zones", (r) => ({
    ...r,
    region: "us-west-1",
    values: { ...r.values, zones: ["us-west-1a", "us-west-1b", "us-west-1c"] },
  })),
  dev("a zone letter the region doesn't have", (v) => (v.zones = ["us-east-1a", "us-east-1b", "us-east-1x"])),
  dev("a zone of another region", (v) => (v.zones = ["us-east-1a", "us-east-1b", "us-west-2c"])),
  dev("too few zones", (v) => (v.zones = ["us-east-1a", "us-east-1b"])),
  dev("a zone twice", (v) => (v.zones = ["us-east-1a", "us-east-1b", "us-east-1a"])),
  dev("an instance type in capitals", (v) => (v.controlPlane.instanceType = "M7i.large")),
  rawCase("a prod stack that doesn't say it is production", (r) => {
    const values = { ...r.values };
    delete values.environment;
    return { ...r, stack: "prod", values };
  }),
  prod("an amd64 etcd checksum kept after moving etcd to Graviton", (v) => {
    v.etcd.instanceType = "m7g.large";
    v.etcd.sha256 = "ffe840ff9295808e88cce2794a18a5ac87f12a5203c8314d0bf6aa119b41bac5";
  }),
  // top level
  dev("a misspelt top-level key", (v) => (v.zone = v.zones)),
  rawCase("a misspelt namespace", (r) => ({ ...r, otherKeys: ["aws:region", "kubestaed:tags"] })),
  dev("an uppercase cluster name", (v) => (v.clusterName = "Acme-Dev")),
  dev("an unknown environment", (v) => (v.environment = "prod")),
  prod("production with advisory policies", (v) => (v.enforcement = "advisory")),
  prod("production with one NAT gateway", (v) => (v.network.natGateways = "single")),
  dev("an unknown destructive-change id", (v) => (v.acknowledge = ["etcd-replace"])),
  dev("maxNodes below the pools' maxima", (v) => (v.maxNodes = 2)),
  // tags
  dev("a tag key in AWS's namespace", (v) => (v.tags = { "aws:team": "platform" })),
  dev("a tag key over 128 characters", (v) => (v.tags = { ["k".repeat(129)]: "x" })),
  dev("a tag the program sets itself", (v) => (v.tags = { "kubernetes.io/cluster/other": "owned" })),
  dev("a tag value over 256 characters", (v) => (v.tags = { team: "v".repeat(257) })),
  // checksums
  dev("a misspelt checksum key", (v) => (v.checksums = { kubeleet: "a".repeat(64) })),
  dev("a checksum that isn't a sha256", (v) => (v.checksums = { runc: "sha256:abc" })),
  dev("a containerd release without a known checksum", (v) => (v.kubernetes.containerdVersion = "2.4.0")),
  // network
  dev("a VPC CIDR with host bits", (v) => (v.network.vpcCidr = "10.0.0.1/16")),
  dev("a VPC CIDR wider than AWS allows", (v) => (v.network.vpcCidr = "10.0.0.0/12")),
  dev("subnets that don't fit the VPC", (v) => (v.network.privateSubnetPrefix = 17)),
  dev("an unknown NAT mode", (v) => (v.network.natGateways = "none")),
  dev("a flow-log retention CloudWatch refuses", (v) => (v.network.flowLogs = { enabled: true, retentionDays: 10 })),
  dev("a misspelt flow-log key", (v) => (v.network.flowLogs = { enable: true })),
  dev("an adopted VPC with two subnets for three zones", (v) => {
    v.network = {
      existing: {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
        privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b"],
      },
    };
  }),
  dev("an adopted VPC with a subnet in both lists", (v) => {
    v.network = {
      existing: {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
        privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-0000000000000000c"],
      },
    };
  }),
  dev("an adopted VPC with a subnet name instead of an ID", (v) => {
    v.network = {
      existing: {
        vpcId: "vpc-0a1b2c3d4e5f60718",
        publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
        privateSubnetIds: ["private-a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
      },
    };
  }),
  // kubernetes
  dev("an end-of-life Kubernetes", (v) => (v.kubernetes.version = "1.28.0")),
  dev("a Kubernetes version with a leading v", (v) => (v.kubernetes.version = "v1.35.8")),
  dev("overlapping pod and VPC CIDRs", (v) => (v.kubernetes.podCidr = "10.10.0.0/16")),
  dev("a service CIDR with host bits", (v) => (v.kubernetes.serviceCidr = "10.96.0.0/8")),
  dev("a service CIDR wider than the apiserver allows", (v) => (v.kubernetes.serviceCidr = "100.64.0.0/10")),
  dev("cluster DNS outside the service CIDR", (v) => (v.kubernetes.clusterDnsIp = "10.200.0.10")),
  dev("cluster DNS on the kubernetes Service's address", (v) => (v.kubernetes.clusterDnsIp = "10.96.0.1")),
  dev("a node CIDR mask outside 16–28", (v) => (v.kubernetes.nodeCidrMaskSize = 11)),
  dev("a node CIDR mask no longer than the pod CIDR", (v) => {
    v.kubernetes.podCidr = "10.128.0.0/16";
    v.kubernetes.nodeCidrMaskSize = 16;
  }),
  dev("an unknown proxy mode", (v) => (v.kubernetes.proxyMode = "nftables")),
  prod("a pod CIDR too small for maxNodes", (v) => (v.kubernetes.podCidr = "10.128.0.0/16")),
  // etcd
  dev("even etcd members", (v) => (v.etcd.members = 2)),
  dev("seven etcd members", (v) => (v.etcd.members = 7)),
  dev("five etcd members in three zones", (v) => (v.etcd.members = 5)),
  dev("a misspelt etcd key", (v) => (v.etcd.member = 3)),
  dev("an etcd version with a leading v", (v) => (v.etcd.version = "v3.6.14")),
  dev("etcd 3.4", (v) => (v.etcd.version = "3.4.34")),
  dev("an etcd release without a known checksum", (v) => (v.etcd.version = "3.6.99")),
  dev("a misspelt etcd instance type", (v) => (v.etcd.instanceType = "m7i.lrage")),
  prod("Graviton etcd on a release without a known arm64 checksum", (v) => {
    v.etcd.instanceType = "m7g.large";
    v.etcd.version = "3.5.26";
  }),
  dev("etcd IOPS below gp3's baseline", (v) => (v.etcd.volumeIops = 2000)),
  dev("backups locked longer than kept", (v) => (v.etcd.backup = { retentionDays: 7, objectLockDays: 30 })),
  // control plane
  prod("two control-plane nodes in production", (v) => (v.controlPlane.nodes = 2)),
  dev("two control-plane nodes in development", (v) => (v.controlPlane.nodes = 2)),
  dev("an unknown control-plane instance type", (v) => (v.controlPlane.instanceType = "m9z.large")),
  dev("a public API without allowed CIDRs", publicApi([])),
  dev("a public API open to the internet", publicApi(["0.0.0.0/0"])),
  dev("the internet in two halves", publicApi(["0.0.0.0/1", "128.0.0.0/1"])),
  prod("allowed API CIDRs one /7 wide", (v) => (v.controlPlane.apiLoadBalancer.allowedCidrs = ["10.0.0.0/7"])),
  dev("an allowed CIDR that isn't one", publicApi(["203.0.113.7"])),
  prod("a share above the whole address space", (v) => (v.controlPlane.apiLoadBalancer.maxAllowedShare = "2/1")),
  prod("an unknown Pod Security level", (v) => (v.controlPlane.podSecurity = { enforce: "strict" })),
  prod("Pod Security exemptions without kube-system", (v) => (v.controlPlane.podSecurity = { exemptNamespaces: ["monitoring"] })),
  prod("an OIDC group prefix in system:", (v) => {
    v.controlPlane.oidc = { issuerUrl: "https://login.example.com", clientId: "kubectl", groupsClaim: "groups", groupsPrefix: "system:" };
  }),
  prod("an OIDC issuer over plain HTTP", (v) => (v.controlPlane.oidc = { issuerUrl: "http://login.example.com", clientId: "kubectl" })),
  prod("an OIDC issuer without a client ID", (v) => (v.controlPlane.oidc = { issuerUrl: "https://login.example.com" })),
  // workers
  dev("inverted pool sizes", (v) => Object.assign(v.workers[0], { minSize: 5, maxSize: 2 })),
  dev("a negative pool size", (v) => (v.workers[0].minSize = -1)),
  dev("desired capacity outside [min, max]", (v) => (v.workers[0].desiredCapacity = 9)),
  dev("two pools with one name", (v) => v.workers.push({ ...v.workers[0] })),
  dev("a pool named like an etcd member", (v) => (v.workers[0].name = "etcd-0")),
  dev("a pool name with capitals", (v) => (v.workers[0].name = "General")),
  dev("a pool with zero zones", (v) => (v.workers[0].zones = [])),
  dev("a pool zone outside the cluster's", (v) => (v.workers[0].zones = ["us-east-1d"])),
  dev("a pool whose pods would reach IMDS", (v) => (v.workers[0].metadataHopLimit = 2)),
  dev("a misspelt pool instance type", (v) => (v.workers[0].instanceTypes = ["m7i.large", "c7i.xlarg"])),
  dev("a pool mixing architectures", (v) => (v.workers[0].instanceTypes = ["m7i.large", "m7g.large"])),
  prod("a Graviton pool on a Kubernetes release without arm64 kubelet checksums", (v) => (v.workers[0].instanceTypes = ["c7g.large"])),
  dev("a Graviton pool with an x86 type listed second", (v) => (v.workers[1].instanceTypes = ["m7g.large", "m7i.large"])),
  dev("an unknown taint effect", taint({ key: "a", effect: "NoWay" })),
  dev("a taint value with a space", taint({ key: "dedicated", value: "gpu jobs", effect: "NoSchedule" })),
  dev("a taint key with two slashes", taint({ key: "example.com/a/b", effect: "NoSchedule" })),
  dev("a taint without a key", taint({ value: "x", effect: "NoSchedule" })),
  dev("the same taint key and effect twice", (v) => {
    v.workers[0].taints = [
      { key: "dedicated", value: "a", effect: "NoSchedule" },
      { key: "dedicated", value: "b", effect: "NoSchedule" },
    ];
  }),
  dev("a label value with a space", label("example.com/team", "data science")),
  dev("a label the kubelet may not set", label("node-role.kubernetes.io/worker", "")),
  dev("kubestead's own role label", label("kubestead.io/node-role", "gpu")),
  dev("a label key with an underscore prefix", label("Bad_Prefix/tier", "a")),
  // pki
  prod(
    "an exported admin credential outliving the leaves",
    (v) => (v.pki = { ...v.pki, leafValidityHours: 1440, adminValidityHours: 2000 }),
  ),
  prod("leaves outliving the CA", (v) => (v.pki = { ...v.pki, caValidityHours: 8760, leafValidityHours: 17520 })),
  prod(
    "renewal no earlier than expiry",
    (v) => (v.pki = { ...v.pki, leafValidityHours: 720, earlyRenewalHours: 720, adminValidityHours: 168 }),
  ),
  prod("a bootstrap token window of a year", (v) => (v.pki = { ...v.pki, bootstrapTokenMaxAgeDays: 365 })),
  // add-ons
  prod("an autoscaler release of another Kubernetes minor", (v) => (v.addons.clusterAutoscalerVersion = "1.34.2")),
  prod("a cloud-controller-manager of another Kubernetes minor", (v) => (v.addons.cloudControllerManagerVersion = "1.33.0")),
  prod("a Kubernetes release without known checksums", (v) => (v.kubernetes.version = "1.36.5")),
  dev("a Kubernetes release without known checksums for either architecture", (v) => (v.kubernetes.version = "1.36.5")),
  prod("an add-on release with a leading v", (v) => (v.addons.metricsServerVersion = "v0.7.2")),
  prod("a Helm-era chart key", (v) => (v.addons.metricsServerChartVersion = "3.12.2")),
  prod("a misspelt add-on switch", (v) => (v.addons.metricServer = true)),
  // sessionManager
  dev("Session Manager without the checksum of the arm64 pool's package", (v) => {
    v.sessionManager = { version: "3.3.1802.0", sha256: { amd64: "b".repeat(64) } };
  }),
  prod("a Session Manager version that is not a release", (v) => {
    v.sessionManager = { version: "latest", sha256: { amd64: "b".repeat(64) } };
  }),
  prod("a Session Manager checksum under EC2's name for the architecture", (v) => {
    v.sessionManager = { version: "3.3.1802.0", sha256: { x86_64: "b".repeat(64) } };
  }),
  dev("a Session Manager setting it does not have", (v) => {
    v.sessionManager = { version: "3.3.1802.0", sha256: { amd64: "b".repeat(64), arm64: "c".repeat(64) }, region: "us-east-1" };
  }),
  prod("a Session Manager checksum copied with its prefix", (v) => {
    v.sessionManager = { version: "3.3.1802.0", sha256: { amd64: `sha256:${"b".repeat(64)}` } };
  }),
  // upgrades: per-pool kubelet releases and the skew rules (lib/versionSkew.ts)
  prod("a pool pinned newer than the control plane", (v) => (v.workers[0].kubernetesVersion = "1.36.2")),
  dev("a pool four minors behind the control plane", (v) => (v.workers[0].kubernetesVersion = "1.32.0")),
  prod("a pool pinned to a release without a known kubelet checksum", (v) => (v.workers[0].kubernetesVersion = "1.35.5")),
  prod("a pool kubelet checksum without a pinned release", (v) => (v.workers[0].kubeletSha256 = "a".repeat(64))),
  dev("a pool release with a leading v", (v) => (v.workers[0].kubernetesVersion = "v1.36.2")),
  prod("a drainer release with a leading v", (v) => (v.addons.nodeTerminationHandlerVersion = "v1.25.3")),
];
