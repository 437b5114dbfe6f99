/**
 * Raw stack config → validated ClusterConfig, or a ConfigError listing every problem.
 * Pure: `stacks/config.ts` reads pulumi.Config and calls this; tests call it directly.
 */
import {
  awsUsableAddresses,
  Cidr,
  contains,
  containsIp,
  formatCidr,
  hostAddress,
  isIpv4,
  overlaps,
  parseCidr,
  planSubnets,
  unionSize,
} from "../cidr";
import { checksumKeysFor, knownEtcdVersion, SUPPORTED_KUBERNETES_MINORS } from "../releases";
import { DESTRUCTIVE_CHANGE_IDS } from "../plan/diff";
import { DEFAULTS } from "./defaults";
import { ConfigError, Problem } from "./problems";
import { Raw, Reader } from "./reader";
import {
  AddonsConfig,
  ApiLoadBalancerConfig,
  ClusterConfig,
  ControlPlaneConfig,
  EtcdConfig,
  ExistingNetwork,
  FlowLogsConfig,
  KubernetesConfig,
  NetworkConfig,
  OidcConfig,
  PkiConfig,
  Taint,
  TaintEffect,
  WorkerPoolConfig,
} from "./types";

export const NAMESPACE = "kubestead";

/** Top-level keys under the `kubestead:` namespace. */
export const TOP_LEVEL_KEYS = [
  "clusterName",
  "zones",
  "network",
  "kubernetes",
  "etcd",
  "controlPlane",
  "workers",
  "pki",
  "addons",
  "maxNodes",
  "protect",
  "enforcement",
  "tags",
  "checksums",
  "acknowledge",
] as const;

export interface RawStackConfig {
  stack: string;
  /** aws:region */
  region?: string;
  /** Values under the kubestead namespace, keyed without the namespace, JSON already decoded. */
  values: Raw;
}

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
const SEMVER = /^\d+\.\d+\.\d+$/;
const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const TAINT_EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export function parseClusterConfig(raw: RawStackConfig): ClusterConfig {
  const r = new Reader(NAMESPACE);
  const v = raw.values;
  r.unknownKeys(v, "", [...TOP_LEVEL_KEYS]);

  const name = r.string(v, "clusterName", "", undefined, {
    re: DNS_LABEL,
    rule: "must be a lowercase DNS label of at most 32 characters",
    fix: "use lowercase letters, digits and dashes, starting with a letter, e.g. acme-prod",
  });

  const region = raw.region ?? "";
  if (!REGION.test(region)) {
    r.problems.push({
      key: "aws:region",
      rule: "must be an AWS region name",
      got: raw.region,
      fix: "run `pulumi config set aws:region us-east-1` (or set it in Pulumi.<stack>.yaml)",
    });
  }

  const zones = readZones(r, v, region);
  // Flow logs default on where policies are mandatory (prod); the raw value is enough for a default.
  const network = readNetwork(r, r.object(v.network, "network"), zones, v.enforcement === "mandatory");
  const kubernetes = readKubernetes(r, r.object(v.kubernetes, "kubernetes"));
  const etcd = readEtcd(r, r.object(v.etcd, "etcd"), zones);
  const controlPlane = readControlPlane(r, r.object(v.controlPlane, "controlPlane"), zones, raw.stack);
  const workers = readWorkers(r, v.workers, zones);
  const pki = readPki(r, r.object(v.pki, "pki"));
  const addons = readAddons(r, r.object(v.addons, "addons"), kubernetes.version);
  const maxNodes = r.int(v, "maxNodes", "", DEFAULTS.maxNodes, 1, 100000);
  const protect = r.bool(v, "protect", "", false);
  const enforcement = r.oneOf(v, "enforcement", "", "advisory", ["advisory", "mandatory"] as const);
  const tags = r.stringMap(v, "tags", "");
  const checksums = r.stringMap(v, "checksums", "");
  const acknowledge = r.stringList(v, "acknowledge", "", []);
  acknowledge.forEach((id, i) => {
    if (!(DESTRUCTIVE_CHANGE_IDS as readonly string[]).includes(id))
      r.problem(
        `acknowledge[${i}]`,
        "must name a destructive change `npm run plan -- --base` reports",
        id,
        `use one of: ${DESTRUCTIVE_CHANGE_IDS.join(", ")}`,
      );
  });

  crossChecks(r, { network, kubernetes, workers, controlPlane, maxNodes, zones });
  const resolvedChecksums = resolveChecksums(r, kubernetes, checksums);

  if (r.problems.length > 0) throw new ConfigError(raw.stack, r.problems);
  return {
    stack: raw.stack,
    name,
    region,
    zones,
    network,
    kubernetes,
    etcd,
    controlPlane,
    workers,
    pki,
    addons,
    maxNodes,
    protect,
    enforcement,
    tags,
    checksums: resolvedChecksums,
    acknowledge,
  };
}

function readZones(r: Reader, v: Raw, region: string): string[] {
  const zones = r.stringList(v, "zones", "", region ? ["a", "b", "c"].map((s) => `${region}${s}`) : []);
  for (const z of zones) {
    if (region && !(z.startsWith(region) && /^[a-z]$/.test(z.slice(region.length)))) {
      r.problem("zones", `must be zones of ${region}`, z, `use zone names like ${region}a, ${region}b, ${region}c`);
    }
  }
  if (new Set(zones).size !== zones.length) {
    r.problem("zones", "must not repeat a zone", zones, "list each availability zone once");
  }
  if (zones.length < 3) {
    r.problem(
      "zones",
      "must list at least 3 availability zones for an HA control plane and etcd",
      zones,
      "list three zones of the region, e.g. us-east-1a, us-east-1b, us-east-1c",
    );
  }
  return zones;
}

function readNetwork(r: Reader, n: Raw, zones: string[], mandatory: boolean): NetworkConfig {
  r.unknownKeys(n, "network", ["vpcCidr", "natGateways", "privateSubnetPrefix", "publicSubnetPrefix", "existing", "flowLogs"]);
  const vpcCidr = r.string(n, "vpcCidr", "network", DEFAULTS.vpcCidr);
  const natGateways = r.oneOf(n, "natGateways", "network", "perAz", ["single", "perAz"] as const);
  const privateSubnetPrefix = r.int(n, "privateSubnetPrefix", "network", 19, 16, 28);
  const publicSubnetPrefix = r.int(n, "publicSubnetPrefix", "network", 24, 16, 28);
  const vpc = parseCidr(vpcCidr);
  if (!vpc) {
    r.problem("network.vpcCidr", "must be an IPv4 CIDR with a clean network address", vpcCidr, "use a private range such as 10.0.0.0/16");
  } else if (vpc.prefix < 16 || vpc.prefix > 24) {
    r.problem("network.vpcCidr", "must have a prefix from /16 to /24 (AWS VPC limits)", vpcCidr, "use a /16 such as 10.0.0.0/16");
  } else if (zones.length > 0 && n.existing === undefined) {
    try {
      planSubnets(vpcCidr, zones, privateSubnetPrefix, publicSubnetPrefix);
    } catch {
      r.problem(
        "network.privateSubnetPrefix",
        `must leave room for ${zones.length} private /${privateSubnetPrefix} and ${zones.length} public /${publicSubnetPrefix} subnets inside ${vpcCidr}`,
        privateSubnetPrefix,
        "use a larger VPC CIDR or longer subnet prefixes",
      );
    }
  }
  let existing: ExistingNetwork | undefined;
  if (n.existing !== undefined) {
    const e = r.object(n.existing, "network.existing");
    r.unknownKeys(e, "network.existing", ["vpcId", "publicSubnetIds", "privateSubnetIds"]);
    const vpcId = r.string(e, "vpcId", "network.existing", undefined, {
      re: /^vpc-[0-9a-f]{8,17}$/,
      rule: "must be a VPC ID",
      fix: "use the vpc-… ID of the VPC to adopt",
    });
    const publicSubnetIds = r.stringList(e, "publicSubnetIds", "network.existing");
    const privateSubnetIds = r.stringList(e, "privateSubnetIds", "network.existing");
    for (const [field, ids] of [
      ["publicSubnetIds", publicSubnetIds],
      ["privateSubnetIds", privateSubnetIds],
    ] as const) {
      if (ids.length !== zones.length) {
        r.problem(
          `network.existing.${field}`,
          `must list one subnet per zone (${zones.length})`,
          ids,
          "list one subnet ID per zone, in the order of kubestead:zones",
        );
      }
      for (const id of ids) {
        if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) r.problem(`network.existing.${field}`, "must hold subnet IDs", id, "use subnet-… IDs");
      }
    }
    existing = { vpcId, publicSubnetIds, privateSubnetIds };
  }
  const flowLogs = readFlowLogs(r, r.object(n.flowLogs, "network.flowLogs"), mandatory);
  return { vpcCidr, natGateways, privateSubnetPrefix, publicSubnetPrefix, existing, flowLogs };
}

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

function readFlowLogs(r: Reader, f: Raw, mandatory: boolean): FlowLogsConfig {
  const p = "network.flowLogs";
  r.unknownKeys(f, p, ["enabled", "destination", "retentionDays", "trafficType"]);
  const enabled = r.bool(f, "enabled", p, mandatory);
  const destination = r.oneOf(f, "destination", p, "cloudwatch", ["cloudwatch", "s3"] as const);
  const retentionDays = r.int(f, "retentionDays", p, 90, 1, 3653);
  const trafficType = r.oneOf(f, "trafficType", p, "ALL", ["ALL", "ACCEPT", "REJECT"] as const);
  if (destination === "cloudwatch" && !CLOUDWATCH_RETENTION_DAYS.includes(retentionDays)) {
    const next = CLOUDWATCH_RETENTION_DAYS.find((d) => d >= retentionDays) ?? 3653;
    r.problem(
      `${p}.retentionDays`,
      `must be a retention CloudWatch Logs accepts (${CLOUDWATCH_RETENTION_DAYS.join(", ")})`,
      retentionDays,
      `use ${next}, or set ${NAMESPACE}:${p}.destination to s3`,
    );
  }
  return { enabled, destination, retentionDays, trafficType };
}

function readKubernetes(r: Reader, k: Raw): KubernetesConfig {
  const p = "kubernetes";
  r.unknownKeys(k, p, [
    "version",
    "podCidr",
    "nodeCidrMaskSize",
    "serviceCidr",
    "clusterDnsIp",
    "clusterDomain",
    "containerdVersion",
    "runcVersion",
    "cniPluginsVersion",
    "pauseVersion",
    "proxyMode",
  ]);
  const version = r.string(k, "version", p, DEFAULTS.kubernetesVersion, {
    re: SEMVER,
    rule: "must be a Kubernetes release like 1.35.0 (no leading v)",
    fix: `pin a supported release, e.g. ${DEFAULTS.kubernetesVersion}`,
  });
  const minor = SEMVER.test(version) ? Number(version.split(".")[1]) : undefined;
  if (minor !== undefined && (version.split(".")[0] !== "1" || !SUPPORTED_KUBERNETES_MINORS.includes(minor))) {
    r.problem(
      `${p}.version`,
      `must be a supported Kubernetes minor (1.${SUPPORTED_KUBERNETES_MINORS.join(", 1.")})`,
      version,
      `pin a supported release, e.g. ${DEFAULTS.kubernetesVersion}`,
    );
  }
  const podCidr = r.string(k, "podCidr", p, DEFAULTS.podCidr);
  const nodeCidrMaskSize = r.int(k, "nodeCidrMaskSize", p, 24, 16, 28);
  const serviceCidr = r.string(k, "serviceCidr", p, DEFAULTS.serviceCidr);
  const svc = parseCidr(serviceCidr);
  let defaultDns = "";
  if (svc && svc.prefix <= 28) defaultDns = hostAddress(svc, 10);
  const clusterDnsIp = r.string(k, "clusterDnsIp", p, defaultDns || undefined);
  const clusterDomain = r.string(k, "clusterDomain", p, "cluster.local", {
    re: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/,
    rule: "must be a DNS domain",
    fix: "use cluster.local unless you have a reason not to",
  });
  const ver = (field: string, def: string) =>
    r.string(k, field, p, def, { re: SEMVER, rule: "must be a release like 1.2.3 (no leading v)", fix: `pin a release, e.g. ${def}` });
  const containerdVersion = ver("containerdVersion", DEFAULTS.containerdVersion);
  const runcVersion = ver("runcVersion", DEFAULTS.runcVersion);
  const cniPluginsVersion = ver("cniPluginsVersion", DEFAULTS.cniPluginsVersion);
  const pauseVersion = r.string(k, "pauseVersion", p, DEFAULTS.pauseVersion, {
    re: /^\d+\.\d+(\.\d+)?$/,
    rule: "must be a pause image tag like 3.10",
    fix: `use ${DEFAULTS.pauseVersion}`,
  });
  const proxyMode = r.oneOf(k, "proxyMode", p, "iptables", ["iptables", "ipvs"] as const);

  const pod = parseCidr(podCidr);
  if (!pod) r.problem(`${p}.podCidr`, "must be an IPv4 CIDR with a clean network address", podCidr, "use e.g. 10.128.0.0/11");
  else if (nodeCidrMaskSize <= pod.prefix) {
    r.problem(
      `${p}.nodeCidrMaskSize`,
      `must be longer than the pod CIDR prefix /${pod.prefix}`,
      nodeCidrMaskSize,
      "use 24 (256 addresses, 110 pods per node)",
    );
  }
  if (!svc) r.problem(`${p}.serviceCidr`, "must be an IPv4 CIDR with a clean network address", serviceCidr, "use e.g. 10.96.0.0/12");
  else if (svc.prefix < 12 || svc.prefix > 24) {
    r.problem(
      `${p}.serviceCidr`,
      "must have a prefix from /12 to /24 (the apiserver refuses larger service ranges)",
      serviceCidr,
      "use 10.96.0.0/12",
    );
  }
  if (!isIpv4(clusterDnsIp)) {
    r.problem(`${p}.clusterDnsIp`, "must be an IPv4 address", clusterDnsIp, "leave it unset to use the service CIDR's 10th address");
  } else if (svc && !containsIp(svc, clusterDnsIp)) {
    r.problem(
      `${p}.clusterDnsIp`,
      `must lie inside the service CIDR ${serviceCidr} (kubelets point pods at it and the DNS Service takes it)`,
      clusterDnsIp,
      `use ${svc.prefix <= 28 ? hostAddress(svc, 10) : "an address of the service CIDR"} or leave it unset`,
    );
  } else if (svc && (clusterDnsIp === hostAddress(svc, 0) || clusterDnsIp === hostAddress(svc, 1))) {
    r.problem(
      `${p}.clusterDnsIp`,
      "must not be the service CIDR's network address or its first address (the kubernetes Service takes it)",
      clusterDnsIp,
      `use ${hostAddress(svc, 10)}`,
    );
  }
  return {
    version,
    podCidr,
    nodeCidrMaskSize,
    serviceCidr,
    clusterDnsIp,
    clusterDomain,
    containerdVersion,
    runcVersion,
    cniPluginsVersion,
    pauseVersion,
    proxyMode,
  };
}

function readEtcd(r: Reader, e: Raw, zones: string[]): EtcdConfig {
  const p = "etcd";
  r.unknownKeys(e, p, ["members", "version", "sha256", "instanceType", "volumeSizeGiB", "volumeIops", "snapshotCount", "backup"]);
  const members = r.int(e, "members", p, 3, 1, 7);
  if (members % 2 === 0 || members < 3) {
    r.problem(`${p}.members`, "must be odd and ≥ 3", members, "set it to 3 or 5");
  } else if (members > 5) {
    r.problem(
      `${p}.members`,
      "must be 3 or 5 (more members slow every write and add no useful fault tolerance here)",
      members,
      "set it to 3 or 5",
    );
  }
  if (zones.length > 0 && members > zones.length) {
    r.problem(
      `${p}.members`,
      `must not exceed the number of zones (${zones.length}): each member needs its own zone`,
      members,
      `add zones to kubestead:zones or set ${NAMESPACE}:etcd.members to ${zones.length % 2 === 1 ? zones.length : zones.length - 1}`,
    );
  }
  const version = r.string(e, "version", p, DEFAULTS.etcdVersion, {
    re: SEMVER,
    rule: "must be an etcd release like 3.6.14 (no leading v)",
    fix: `pin an etcd 3.5 or 3.6 release, e.g. ${DEFAULTS.etcdVersion}`,
  });
  if (SEMVER.test(version) && !/^3\.[56]\./.test(version)) {
    r.problem(
      `${p}.version`,
      "must be an etcd 3.5 or 3.6 release (what supported Kubernetes releases are tested against)",
      version,
      `use ${DEFAULTS.etcdVersion}`,
    );
  }
  const sha256 = r.string(e, "sha256", p, knownEtcdVersion(version) ?? "", undefined);
  if (SEMVER.test(version) && /^3\.[56]\./.test(version) && !/^[0-9a-f]{64}$/.test(sha256)) {
    r.problem(
      `${p}.sha256`,
      `must be the sha256 of etcd-v${version}-linux-amd64.tar.gz (no checksum is known for this release)`,
      sha256 || undefined,
      `set ${NAMESPACE}:etcd.sha256 from the release's SHA256SUMS, or pin ${DEFAULTS.etcdVersion}`,
    );
  }
  const instanceType = r.string(e, "instanceType", p, "m7i.large", INSTANCE_TYPE);
  const volumeSizeGiB = r.int(e, "volumeSizeGiB", p, 20, 8, 1024);
  const volumeIops = r.int(e, "volumeIops", p, 3000, 3000, 16000);
  const snapshotCount = r.int(e, "snapshotCount", p, 10000, 100, 1000000);
  const b = r.object(e.backup, `${p}.backup`);
  r.unknownKeys(b, `${p}.backup`, ["intervalMinutes", "retentionDays", "objectLockMode", "objectLockDays", "accessLogRetentionDays"]);
  const intervalMinutes = r.int(b, "intervalMinutes", `${p}.backup`, 60, 5, 1440);
  const retentionDays = r.int(b, "retentionDays", `${p}.backup`, 14, 1, 3650);
  const objectLockMode = r.oneOf(b, "objectLockMode", `${p}.backup`, "governance", ["governance", "compliance"] as const);
  const objectLockDays = r.int(b, "objectLockDays", `${p}.backup`, retentionDays, 1, 3650);
  if (objectLockDays > retentionDays) {
    // The lifecycle rule expires snapshots after retentionDays; S3 would keep retrying to delete
    // versions still under lock, and the retention setting would not mean what it says.
    r.problem(
      `${p}.backup.objectLockDays`,
      `must not exceed ${NAMESPACE}:${p}.backup.retentionDays (${retentionDays}): snapshots would expire while still locked`,
      objectLockDays,
      `lower objectLockDays to at most ${retentionDays}, or raise retentionDays`,
    );
  }
  const accessLogRetentionDays = r.int(b, "accessLogRetentionDays", `${p}.backup`, 365, 1, 3650);
  return {
    members,
    version,
    sha256,
    instanceType,
    volumeSizeGiB,
    volumeIops,
    snapshotCount,
    backup: { intervalMinutes, retentionDays, objectLockMode, objectLockDays, accessLogRetentionDays },
  };
}

const INSTANCE_TYPE = {
  re: /^[a-z][a-z0-9-]*\.[a-z0-9]+$/,
  rule: "must be an EC2 instance type like m7i.large",
  fix: "use an instance type name such as m7i.large",
};

function readControlPlane(r: Reader, c: Raw, zones: string[], stack: string): ControlPlaneConfig {
  const p = "controlPlane";
  r.unknownKeys(c, p, [
    "nodes",
    "instanceType",
    "rootVolumeGiB",
    "apiLoadBalancer",
    "auditLogMaxAgeDays",
    "auditLogMaxBackups",
    "auditLogMaxSizeMiB",
    "podSecurity",
    "alwaysPullImages",
    "oidc",
    "clusterAdminsBinding",
  ]);
  const nodes = r.int(c, "nodes", p, 3, 1, 9);
  if (stack === "prod" && nodes < 3) {
    r.problem(`${p}.nodes`, "must be ≥ 3 in prod (one per zone, so a zone outage leaves a working control plane)", nodes, "set it to 3");
  }
  if (nodes > 1 && zones.length > 0 && nodes < Math.min(3, zones.length)) {
    r.problem(`${p}.nodes`, "must be 1 (dev) or at least one per zone", nodes, "set it to 1 for a throwaway cluster or 3 for HA");
  }
  const instanceType = r.string(c, "instanceType", p, "m7i.large", INSTANCE_TYPE);
  const rootVolumeGiB = r.int(c, "rootVolumeGiB", p, 50, 20, 1024);
  const lb = r.object(c.apiLoadBalancer, `${p}.apiLoadBalancer`);
  r.unknownKeys(lb, `${p}.apiLoadBalancer`, ["scheme", "allowedCidrs", "maxAllowedShare"]);
  const scheme = r.oneOf(lb, "scheme", `${p}.apiLoadBalancer`, "internal", ["internal", "internet-facing"] as const);
  const allowedCidrs = r.stringList(lb, "allowedCidrs", `${p}.apiLoadBalancer`, []);
  for (const cidr of allowedCidrs) {
    if (!parseCidr(cidr)) r.problem(`${p}.apiLoadBalancer.allowedCidrs`, "must hold IPv4 CIDRs", cidr, "write each as a.b.c.d/n");
  }
  if (scheme === "internet-facing" && allowedCidrs.length === 0) {
    r.problem(
      `${p}.apiLoadBalancer.allowedCidrs`,
      "must list the client CIDRs allowed to reach a public API endpoint",
      allowedCidrs,
      "list your office/VPN egress CIDRs, or set controlPlane.apiLoadBalancer.scheme to internal",
    );
  }
  if (scheme === "internet-facing" && allowedCidrs.includes("0.0.0.0/0")) {
    r.problem(
      `${p}.apiLoadBalancer.allowedCidrs`,
      "must not open a public API endpoint to the whole internet",
      "0.0.0.0/0",
      "list the client CIDRs that need the API",
    );
  }
  const maxAllowedShare = readAllowedShare(r, lb, allowedCidrs);
  const apiLoadBalancer: ApiLoadBalancerConfig = { scheme, allowedCidrs, maxAllowedShare };
  const auditLogMaxAgeDays = r.int(c, "auditLogMaxAgeDays", p, 30, 1, 3650);
  const auditLogMaxBackups = r.int(c, "auditLogMaxBackups", p, 10, 1, 1000);
  const auditLogMaxSizeMiB = r.int(c, "auditLogMaxSizeMiB", p, 100, 1, 10000);
  return {
    nodes,
    instanceType,
    rootVolumeGiB,
    apiLoadBalancer,
    auditLogMaxAgeDays,
    auditLogMaxBackups,
    auditLogMaxSizeMiB,
    ...readControlPlaneAccess(r, c),
  };
}

/**
 * Default 1/256 of the IPv4 space: one /8, so a private network such as 10.0.0.0/8 (what prod
 * lists) passes, while anything wider — for a public endpoint, tens of millions of internet
 * addresses, or "the internet in two halves" (0.0.0.0/1 + 128.0.0.0/1) — is refused. Overlapping
 * CIDRs count once. A team that really needs more raises the share, visibly, in the stack file.
 */
export const DEFAULT_MAX_ALLOWED_SHARE = 1 / 256;

/** "1/256" for a unit fraction, else a decimal: how a share reads in messages. */
export function formatShare(share: number): string {
  const inverse = 1 / share;
  return Number.isInteger(inverse) ? `1/${inverse}` : String(share);
}

function readAllowedShare(r: Reader, lb: Raw, allowedCidrs: string[]): number {
  const p = "controlPlane.apiLoadBalancer";
  const raw = lb.maxAllowedShare;
  let share = DEFAULT_MAX_ALLOWED_SHARE;
  if (raw !== undefined && raw !== null) {
    const m = typeof raw === "string" ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw) : null;
    const n = typeof raw === "number" ? raw : m ? Number(m[1]) / Number(m[2]) : typeof raw === "string" ? Number(raw) : NaN;
    if (!(n > 0 && n <= 1)) {
      r.problem(
        `${p}.maxAllowedShare`,
        "must be a share of the IPv4 address space above 0 and at most 1",
        raw,
        `write it as a fraction such as "1/256" (a /8) or "1/4096" (a /12)`,
      );
    } else share = n;
  }
  const cidrs = allowedCidrs.map(parseCidr).filter((x): x is Cidr => x !== undefined);
  const covered = unionSize(cidrs) / 2 ** 32;
  if (covered > share) {
    r.problem(
      `${p}.allowedCidrs`,
      `must together cover at most ${formatShare(share)} of the IPv4 address space (${NAMESPACE}:${p}.maxAllowedShare); they cover ${Number((covered * 100).toPrecision(3))}%`,
      allowedCidrs,
      `list only the networks that need the API, or raise ${NAMESPACE}:${p}.maxAllowedShare`,
    );
  }
  return share;
}

const PSA_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** Who may reach the API and what the apiserver admits: PSA, AlwaysPullImages, OIDC, the cluster-admins binding. */
function readControlPlaneAccess(
  r: Reader,
  c: Raw,
): Pick<ControlPlaneConfig, "podSecurity" | "alwaysPullImages" | "oidc" | "clusterAdminsBinding"> {
  const ps = r.object(c.podSecurity, "controlPlane.podSecurity");
  const pp = "controlPlane.podSecurity";
  r.unknownKeys(ps, pp, ["enforce", "warn", "audit", "exemptNamespaces"]);
  const exemptNamespaces = r.stringList(ps, "exemptNamespaces", pp, ["kube-system"]);
  for (const ns of exemptNamespaces) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))
      r.problem(`${pp}.exemptNamespaces`, "must hold namespace names", ns, "use lowercase DNS labels, e.g. kube-system");
  }
  if (!exemptNamespaces.includes("kube-system")) {
    r.problem(
      `${pp}.exemptNamespaces`,
      "must include kube-system: the add-ons run there with host networking, host paths and privileged containers, which baseline rejects",
      exemptNamespaces,
      "add kube-system to the list",
    );
  }
  const podSecurity = {
    enforce: r.oneOf(ps, "enforce", pp, "baseline", PSA_LEVELS),
    warn: r.oneOf(ps, "warn", pp, "restricted", PSA_LEVELS),
    audit: r.oneOf(ps, "audit", pp, "restricted", PSA_LEVELS),
    exemptNamespaces,
  };
  const alwaysPullImages = r.bool(c, "alwaysPullImages", "controlPlane", true);
  const clusterAdminsBinding = r.bool(c, "clusterAdminsBinding", "controlPlane", true);
  return { podSecurity, alwaysPullImages, oidc: readOidc(r, c.oidc), clusterAdminsBinding };
}

function readOidc(r: Reader, raw: unknown): OidcConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const p = "controlPlane.oidc";
  const o = r.object(raw, p);
  r.unknownKeys(o, p, ["issuerUrl", "clientId", "usernameClaim", "usernamePrefix", "groupsClaim", "groupsPrefix"]);
  const issuerUrl = r.string(o, "issuerUrl", p, undefined, {
    re: /^https:\/\/[^\s?#]+$/,
    rule: "must be an https:// URL without query or fragment",
    fix: "use the issuer exactly as its tokens' iss claim spells it, e.g. https://login.example.com",
  });
  const clientId = r.string(o, "clientId", p);
  const claim = { re: /^[A-Za-z0-9_.:\/-]+$/, rule: "must be a JWT claim name", fix: "use e.g. sub, email or groups" };
  const usernameClaim = r.string(o, "usernameClaim", p, "sub", claim);
  const groupsClaim = o.groupsClaim === undefined ? undefined : r.string(o, "groupsClaim", p, undefined, claim);
  const prefix = (field: string): string => {
    const v = typeof o[field] === "string" ? (o[field] as string) : r.string(o, field, p, "oidc:");
    if (v.startsWith("system:")) {
      r.problem(
        `${p}.${field}`,
        "must not start with system: (names there are Kubernetes' own: system:masters, system:nodes, ...)",
        v,
        'use a prefix of your own, e.g. "oidc:"',
      );
    }
    return v;
  };
  return {
    issuerUrl,
    clientId,
    usernameClaim,
    usernamePrefix: prefix("usernamePrefix"),
    groupsClaim,
    groupsPrefix: prefix("groupsPrefix"),
  };
}

function readWorkers(r: Reader, raw: unknown, zones: string[]): WorkerPoolConfig[] {
  if (raw === undefined) raw = [{ name: "general" }];
  if (!Array.isArray(raw)) {
    r.problem("workers", "must be a list of worker pools", raw, "write kubestead:workers as a YAML list of pools, each with a name");
    return [];
  }
  const names = new Set<string>();
  return raw.map((item, i) => {
    const p = `workers[${i}]`;
    const w = r.object(item, p);
    r.unknownKeys(w, p, [
      "name",
      "minSize",
      "maxSize",
      "desiredCapacity",
      "instanceTypes",
      "rootVolumeGiB",
      "spot",
      "labels",
      "taints",
      "zones",
      "minHealthyPercentage",
      "metadataHopLimit",
    ]);
    const name = r.string(w, "name", p, undefined, {
      re: /^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/,
      rule: "must be a lowercase DNS label of at most 22 characters",
      fix: "use lowercase letters, digits and dashes, e.g. general",
    });
    if (names.has(name)) r.problem(`${p}.name`, "must be unique among pools", name, "give each pool its own name");
    // Pool ASGs are named <cluster>-<pool>, beside <cluster>-controlplane and <cluster>-etcd-<i>.
    if (["etcd", "controlplane", "workers"].includes(name) || /^etcd-\d+$/.test(name)) {
      r.problem(
        `${p}.name`,
        "must not be a node-role name (etcd, etcd-<i>, controlplane, workers)",
        name,
        "pick another name, e.g. general",
      );
    }
    names.add(name);
    const minSize = r.int(w, "minSize", p, 1, 0, 5000);
    const maxSize = r.int(w, "maxSize", p, Math.max(3, minSize), 0, 5000);
    const desiredCapacity = r.int(w, "desiredCapacity", p, minSize, 0, 5000);
    if (minSize > maxSize) {
      r.problem(`${p}.minSize`, `must not exceed maxSize (${maxSize})`, minSize, "lower minSize or raise maxSize");
    } else if (desiredCapacity < minSize || desiredCapacity > maxSize) {
      r.problem(
        `${p}.desiredCapacity`,
        `must lie within [minSize, maxSize] = [${minSize}, ${maxSize}]`,
        desiredCapacity,
        "set desiredCapacity between minSize and maxSize",
      );
    }
    const instanceTypes = r.stringList(w, "instanceTypes", p, ["m7i.large"]);
    if (instanceTypes.length === 0)
      r.problem(`${p}.instanceTypes`, "must list at least one instance type", instanceTypes, "list e.g. [m7i.large]");
    for (const t of instanceTypes) if (!INSTANCE_TYPE.re.test(t)) r.problem(`${p}.instanceTypes`, INSTANCE_TYPE.rule, t, INSTANCE_TYPE.fix);
    const rootVolumeGiB = r.int(w, "rootVolumeGiB", p, 50, 20, 16384);
    let spot;
    if (w.spot !== undefined) {
      const s = r.object(w.spot, `${p}.spot`);
      r.unknownKeys(s, `${p}.spot`, ["onDemandBase", "onDemandPercentageAboveBase"]);
      spot = {
        onDemandBase: r.int(s, "onDemandBase", `${p}.spot`, 0, 0, 5000),
        onDemandPercentageAboveBase: r.int(s, "onDemandPercentageAboveBase", `${p}.spot`, 0, 0, 100),
      };
    }
    const labels = r.stringMap(w, "labels", p);
    for (const k of Object.keys(labels)) {
      if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/.test(k)) {
        r.problem(
          `${p}.labels`,
          "must use valid Kubernetes label keys",
          k,
          "use [prefix/]name with letters, digits, dashes, dots and underscores",
        );
      }
      if (k.startsWith("node-role.kubernetes.io/") || k.startsWith("kubernetes.io/") || k.startsWith("k8s.io/")) {
        if (!k.startsWith("node.kubernetes.io/")) {
          r.problem(
            `${p}.labels`,
            "must not use the kubernetes.io / k8s.io prefixes the NodeRestriction admission plugin forbids kubelets to set",
            k,
            "use your own prefix, e.g. example.com/pool, or node.kubernetes.io/…",
          );
        }
      }
    }
    const taints = readTaints(r, w.taints, `${p}.taints`);
    const poolZones = r.stringList(w, "zones", p, zones);
    if (poolZones.length === 0)
      r.problem(`${p}.zones`, "must list at least one zone", poolZones, "leave it unset to span every cluster zone");
    for (const z of poolZones)
      if (zones.length && !zones.includes(z))
        r.problem(`${p}.zones`, `must be among kubestead:zones (${zones.join(", ")})`, z, "pick zones from kubestead:zones");
    const minHealthyPercentage = r.int(w, "minHealthyPercentage", p, 90, 0, 100);
    const metadataHopLimit = r.int(w, "metadataHopLimit", p, 1, 1, 64);
    if (metadataHopLimit > 1 && metadataHopLimit <= 64) {
      r.problem(
        `${p}.metadataHopLimit`,
        "must be 1: above 1, every pod on the pool's nodes reaches IMDS and acts as the worker node role",
        metadataHopLimit,
        "remove it; pods that need AWS get their own IAM role through the cluster's service-account issuer (README: Pods and AWS credentials)",
      );
    }
    return {
      name,
      minSize,
      maxSize,
      desiredCapacity,
      instanceTypes,
      rootVolumeGiB,
      spot,
      labels,
      taints,
      zones: poolZones,
      minHealthyPercentage,
      metadataHopLimit,
    };
  });
}

function readTaints(r: Reader, raw: unknown, p: string): Taint[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    r.problem(p, "must be a list of {key, value, effect}", raw, "write taints as a YAML list");
    return [];
  }
  return raw.map((t, i) => {
    const o = r.object(t, `${p}[${i}]`);
    r.unknownKeys(o, `${p}[${i}]`, ["key", "value", "effect"]);
    const key = r.string(o, "key", `${p}[${i}]`);
    const value = typeof o.value === "string" ? o.value : undefined;
    const effect = r.oneOf(o, "effect", `${p}[${i}]`, "NoSchedule", TAINT_EFFECTS);
    return value === undefined ? { key, effect } : { key, value, effect };
  });
}

function readPki(r: Reader, k: Raw): PkiConfig {
  const p = "pki";
  r.unknownKeys(k, p, ["caValidityHours", "leafValidityHours", "earlyRenewalHours", "bootstrapTokenMaxAgeDays", "adminValidityHours"]);
  const caValidityHours = r.int(k, "caValidityHours", p, 87600, 720, 262800);
  const leafValidityHours = r.int(k, "leafValidityHours", p, 8760, 24, 87600);
  const earlyRenewalHours = r.int(k, "earlyRenewalHours", p, 720, 0, 8760);
  // At most 90 days: a token lives up to twice this (its window, then one more as grace).
  const bootstrapTokenMaxAgeDays = r.int(k, "bootstrapTokenMaxAgeDays", p, 30, 1, 90);
  if (leafValidityHours > caValidityHours) {
    r.problem(
      `${p}.leafValidityHours`,
      `must not exceed caValidityHours (${caValidityHours})`,
      leafValidityHours,
      "shorten leaf certificates or lengthen the CAs",
    );
  }
  if (earlyRenewalHours >= leafValidityHours) {
    r.problem(
      `${p}.earlyRenewalHours`,
      `must be shorter than leafValidityHours (${leafValidityHours})`,
      earlyRenewalHours,
      "renew e.g. 720 hours (30 days) before expiry",
    );
  }
  // A week: a leaked exported kubeconfig works for days, not a year, while a team that runs
  // `pulumi up` weekly (re-issued after half the validity) never finds it expired.
  const adminValidityHours = r.int(k, "adminValidityHours", p, 168, 2, 8760);
  if (adminValidityHours > leafValidityHours) {
    r.problem(
      `${p}.adminValidityHours`,
      `must not exceed leafValidityHours (${leafValidityHours})`,
      adminValidityHours,
      "keep the exported admin credential short-lived, e.g. 168 hours (7 days)",
    );
  }
  return { caValidityHours, leafValidityHours, earlyRenewalHours, bootstrapTokenMaxAgeDays, adminValidityHours };
}

function readAddons(r: Reader, a: Raw, kubernetesVersion: string): AddonsConfig {
  const p = "addons";
  r.unknownKeys(a, p, [
    "clusterAutoscaler",
    "metricsServer",
    "ebsCsiDriver",
    "ciliumVersion",
    "corednsVersion",
    "cloudControllerManagerVersion",
    "clusterAutoscalerVersion",
    "csrApproverVersion",
    "metricsServerVersion",
    "ebsCsiDriverVersion",
    ...Object.keys(RENAMED_ADDON_KEYS),
  ]);
  for (const [old, now] of Object.entries(RENAMED_ADDON_KEYS)) {
    if (a[old] !== undefined) {
      r.problem(
        `${p}.${old}`,
        "is gone: add-ons are rendered as manifests here and applied by the control plane, not installed from Helm charts",
        a[old],
        now ? `set ${NAMESPACE}:${p}.${now} to the add-on's release (image tag without v) instead` : "drop it",
      );
    }
  }
  const ver = (field: string, def: string) =>
    r.string(a, field, p, def, { re: SEMVER, rule: "must be a release like 1.2.3 (no leading v)", fix: `pin a release, e.g. ${def}` });
  // Cluster Autoscaler releases track Kubernetes minors (1.35.x for 1.35) and support only their own.
  const k8sMinor = SEMVER.test(kubernetesVersion) ? kubernetesVersion.split(".").slice(0, 2).join(".") : undefined;
  const autoscalerDefault = k8sMinor ? `${k8sMinor}.0` : "";
  const clusterAutoscalerVersion = ver("clusterAutoscalerVersion", autoscalerDefault);
  if (k8sMinor && SEMVER.test(clusterAutoscalerVersion) && !clusterAutoscalerVersion.startsWith(`${k8sMinor}.`)) {
    r.problem(
      `${p}.clusterAutoscalerVersion`,
      `must be a release of the Kubernetes minor (${k8sMinor}), which is the only one it supports`,
      clusterAutoscalerVersion,
      `use a ${k8sMinor}.x release, e.g. ${autoscalerDefault}, or leave it out`,
    );
  }
  return {
    clusterAutoscaler: r.bool(a, "clusterAutoscaler", p, false),
    metricsServer: r.bool(a, "metricsServer", p, true),
    ebsCsiDriver: r.bool(a, "ebsCsiDriver", p, false),
    ciliumVersion: ver("ciliumVersion", DEFAULTS.ciliumVersion),
    corednsVersion: ver("corednsVersion", DEFAULTS.corednsVersion),
    cloudControllerManagerVersion: ver("cloudControllerManagerVersion", DEFAULTS.cloudControllerManagerVersion),
    clusterAutoscalerVersion,
    csrApproverVersion: ver("csrApproverVersion", DEFAULTS.csrApproverVersion),
    metricsServerVersion: ver("metricsServerVersion", DEFAULTS.metricsServerVersion),
    ebsCsiDriverVersion: ver("ebsCsiDriverVersion", DEFAULTS.ebsCsiDriverVersion),
  };
}

/** Keys of the Helm-chart era and what replaced them (undefined: nothing). */
const RENAMED_ADDON_KEYS: Record<string, string | undefined> = {
  csrApproverChartVersion: "csrApproverVersion",
  metricsServerChartVersion: "metricsServerVersion",
  clusterAutoscalerChartVersion: "clusterAutoscalerVersion",
  ebsCsiDriverChartVersion: "ebsCsiDriverVersion",
};

function crossChecks(
  r: Reader,
  c: {
    network: NetworkConfig;
    kubernetes: KubernetesConfig;
    workers: WorkerPoolConfig[];
    controlPlane: ControlPlaneConfig;
    maxNodes: number;
    zones: string[];
  },
): void {
  const named: [string, string][] = [
    ["kubernetes.podCidr", c.kubernetes.podCidr],
    ["kubernetes.serviceCidr", c.kubernetes.serviceCidr],
  ];
  if (!c.network.existing) named.unshift(["network.vpcCidr", c.network.vpcCidr]);
  for (let i = 0; i < named.length; i++) {
    for (let j = i + 1; j < named.length; j++) {
      const a = parseCidr(named[i][1]);
      const b = parseCidr(named[j][1]);
      if (a && b && overlaps(a, b)) {
        r.problem(
          named[j][0],
          `must not overlap ${NAMESPACE}:${named[i][0]} (${named[i][1]})`,
          named[j][1],
          "pick non-overlapping ranges, e.g. VPC 10.0.0.0/16, pods 10.128.0.0/11, services 10.96.0.0/12",
        );
      }
    }
  }
  // Capacity: the pod CIDR must hand every node its own range, the private subnets must hold them.
  const pod = parseCidr(c.kubernetes.podCidr);
  if (pod && c.kubernetes.nodeCidrMaskSize > pod.prefix) {
    const nodeRanges = 2 ** (c.kubernetes.nodeCidrMaskSize - pod.prefix);
    if (nodeRanges < c.maxNodes) {
      r.problem(
        "kubernetes.podCidr",
        `with nodeCidrMaskSize ${c.kubernetes.nodeCidrMaskSize} allows ${nodeRanges} nodes, fewer than maxNodes (${c.maxNodes})`,
        c.kubernetes.podCidr,
        `use a pod CIDR of /${c.kubernetes.nodeCidrMaskSize - Math.ceil(Math.log2(c.maxNodes))} or shorter, or lower ${NAMESPACE}:maxNodes`,
      );
    }
  }
  const workerMax = c.workers.reduce((s, w) => s + w.maxSize, 0);
  if (workerMax + c.controlPlane.nodes > c.maxNodes) {
    r.problem(
      "maxNodes",
      `must cover the pools' maxSize sum plus control-plane nodes (${workerMax + c.controlPlane.nodes})`,
      c.maxNodes,
      "raise maxNodes or lower the pools' maxSize",
    );
  }
  if (!c.network.existing && parseCidr(c.network.vpcCidr) && c.zones.length > 0) {
    try {
      const subnets = planSubnets(c.network.vpcCidr, c.zones, c.network.privateSubnetPrefix, c.network.publicSubnetPrefix);
      const ips = subnets.reduce((s, x) => s + awsUsableAddresses(parseCidr(x.privateCidr)!), 0);
      if (ips < c.maxNodes) {
        r.problem(
          "network.privateSubnetPrefix",
          `gives ${ips} node addresses in the private subnets, fewer than maxNodes (${c.maxNodes})`,
          c.network.privateSubnetPrefix,
          "use a shorter prefix (larger subnets) or a larger VPC",
        );
      }
      for (const cidr of c.controlPlane.apiLoadBalancer.allowedCidrs) {
        const a = parseCidr(cidr);
        const vpc = parseCidr(c.network.vpcCidr);
        if (a && vpc && contains(a, vpc) && a.prefix === 0) {
          r.problem(
            "controlPlane.apiLoadBalancer.allowedCidrs",
            "must not include 0.0.0.0/0",
            formatCidr(a),
            "list the client CIDRs that need the API",
          );
        }
      }
    } catch {
      /* reported by readNetwork */
    }
  }
}

function resolveChecksums(r: Reader, k: KubernetesConfig, overrides: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { key, artifact, known } of checksumKeysFor(k)) {
    const sha = overrides[key] ?? known;
    out[key] = sha ?? "";
    if (!sha || !/^[0-9a-f]{64}$/.test(sha)) {
      r.problem(
        `checksums.${key}`,
        `must be the sha256 of ${artifact} (no checksum is known for this release)`,
        sha,
        `set ${NAMESPACE}:checksums.${key} from the release's published checksum, or pin a release listed in lib/releases.ts`,
      );
    }
  }
  return out;
}

/** Problems without throwing: for tests and for the plan command's error report. */
export function configProblems(raw: RawStackConfig): Problem[] {
  try {
    parseClusterConfig(raw);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
