/**
 * Capacity limits beyond addresses: can the control plane, etcd, the boot path and the account
 * carry `maxNodes`? Each row names the published guidance it is measured against (`source`), so a
 * reader can check the number instead of trusting it. Pure arithmetic on the config.
 *
 * Rows marked `advisory` are account quotas: the plan cannot see the account, so they show what
 * the deploy needs against AWS's default and never fail the plan.
 */
import type { ClusterConfig } from "./config/types";
import { instanceTypeInfo } from "./aws/instanceTypes";
import type { CapacityRow } from "./capacity";

type Rows = { rows: CapacityRow[]; problems: string[] };

const GIB = 1024 ** 3;
const KIB = 1024;

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

// ---- control plane -------------------------------------------------------------------------

export const K8S_LARGE_CLUSTERS_SOURCE =
  "kubernetes.io Considerations for large clusters, AWS control-plane sizes (https://kubernetes.io/docs/setup/best-practices/cluster-large/)";

export interface SizeTier {
  /** Largest node count the tier serves (Infinity for the last). */
  upToNodes: number;
  /** The instance type upstream names for the tier. */
  example: string;
  vcpus: number;
  memoryGiB: number;
}

/**
 * Upstream's AWS control-plane sizes by node count, as the vCPUs and memory of the types it names
 * (m3 and c4 are retired, so we compare resources, not names).
 */
export const CONTROL_PLANE_TIERS: readonly SizeTier[] = [
  { upToNodes: 5, example: "m3.medium", vcpus: 1, memoryGiB: 3.75 },
  { upToNodes: 10, example: "m3.large", vcpus: 2, memoryGiB: 7.5 },
  { upToNodes: 100, example: "m3.xlarge", vcpus: 4, memoryGiB: 15 },
  { upToNodes: 250, example: "m3.2xlarge", vcpus: 8, memoryGiB: 30 },
  { upToNodes: 500, example: "c4.4xlarge", vcpus: 16, memoryGiB: 30 },
  { upToNodes: Infinity, example: "c4.8xlarge", vcpus: 36, memoryGiB: 60 },
];

export function controlPlaneTier(nodes: number): SizeTier {
  return CONTROL_PLANE_TIERS.find((t) => nodes <= t.upToNodes) ?? CONTROL_PLANE_TIERS[CONTROL_PLANE_TIERS.length - 1];
}

/** One vCPU row and one memory row for `instanceType` against `tier`. */
type Size = Pick<SizeTier, "example" | "vcpus" | "memoryGiB">;

function sizeRows(what: string, key: string, instanceType: string, tier: Size, why: string, source: string): Rows {
  const info = instanceTypeInfo(instanceType);
  if (!info) {
    return {
      rows: [{ name: `${what} vCPUs`, value: 0, limit: tier.vcpus, ok: false, detail: `unknown instance type ${instanceType}`, source }],
      problems: [`${key} ${instanceType} is not a known instance type, so its size cannot be checked: use one with ≥ ${tier.vcpus} vCPUs`],
    };
  }
  const cpuOk = info.vcpus >= tier.vcpus;
  const memOk = info.memoryGiB >= tier.memoryGiB;
  const rows: CapacityRow[] = [
    { name: `${what} vCPUs`, value: info.vcpus, limit: tier.vcpus, ok: cpuOk, detail: `${instanceType}; ${why} (${tier.example})`, source },
    {
      name: `${what} memory GiB`,
      value: info.memoryGiB,
      limit: tier.memoryGiB,
      ok: memOk,
      detail: `${instanceType}; ${why} (${tier.example})`,
      source,
    },
  ];
  const problems =
    cpuOk && memOk
      ? []
      : [
          `${key} ${instanceType} has ${info.vcpus} vCPUs and ${info.memoryGiB} GiB, below the ${tier.vcpus} vCPUs and ${tier.memoryGiB} GiB ${why}: ` +
            `use a type with at least that (e.g. one the size of ${tier.example}) or lower kubestead:maxNodes`,
        ];
  return { rows, problems };
}

export function controlPlaneRows(c: ClusterConfig): Rows {
  const tier = controlPlaneTier(c.maxNodes);
  const why = `upstream sizes for ${tier.upToNodes === Infinity ? "more than 500" : `up to ${fmt(tier.upToNodes)}`} nodes`;
  return sizeRows(
    "control-plane",
    "kubestead:controlPlane.instanceType",
    c.controlPlane.instanceType,
    tier,
    why,
    K8S_LARGE_CLUSTERS_SOURCE,
  );
}

// ---- etcd ----------------------------------------------------------------------------------

export const ETCD_HARDWARE_SOURCE =
  "etcd.io Hardware recommendations, example AWS configurations (https://etcd.io/docs/v3.6/op-guide/hardware/)";
export const ETCD_LIMITS_SOURCE = "etcd.io System limits, storage size limit (https://etcd.io/docs/v3.6/dev-guide/limit/)";

/**
 * Estimated etcd data per Kubernetes node, bytes. Basis: a Node object with its status (up to 50
 * image entries) ~16 KiB; its Lease ~1 KiB; SIG Scalability's 5,000-node limits allow 150,000 pods,
 * i.e. 30 pods per node at ~3 KiB each (~90 KiB); the pods' owners, endpoint slices, services,
 * secrets and config maps ~21 KiB. An estimate, not a measurement: busier clusters store more.
 */
export const ETCD_BYTES_PER_NODE = 128 * KIB;
/**
 * The backend file holds more than the live data: revisions kept until the apiserver compacts
 * (every 5 minutes) and free pages until a defrag. We budget twice the live data.
 */
export const ETCD_DB_OVERHEAD = 2;
/** The quota kubestead's etcd units set (bootstrap/etcdSpec.ts ETCD_DEFAULT_QUOTA_BYTES): etcd's suggested maximum. */
export const ETCD_QUOTA_BYTES = 8 * GIB;
/** WAL segments (5 × 64 MB kept) and .snap files, rounded up. */
export const ETCD_WAL_GIB = 1;

export interface EtcdTier {
  name: string;
  /** Largest live data size of the tier, bytes. */
  upToBytes: number;
  example: string;
  vcpus: number;
  memoryGiB: number;
  /**
   * Sequential IOPS the guide asks for: 50 typically, 500 for heavily loaded clusters (we count
   * the large and xlarge examples as heavily loaded).
   */
  sequentialIops: number;
}

/** The guide: published (concurrent) IOPS can be ten times the sequential IOPS etcd gets. */
export const ETCD_CONCURRENT_PER_SEQUENTIAL = 10;

/**
 * etcd's example AWS configurations by cluster size. The guide sizes by clients, requests per
 * second and data; behind kube-apiserver the data grows with the node count, so we pick by the
 * data estimate (100 MB / 500 MB / 1 GB bounds).
 */
export const ETCD_TIERS: readonly EtcdTier[] = [
  { name: "small", upToBytes: 100e6, example: "m4.large", vcpus: 2, memoryGiB: 8, sequentialIops: 50 },
  { name: "medium", upToBytes: 500e6, example: "m4.xlarge", vcpus: 4, memoryGiB: 16, sequentialIops: 50 },
  { name: "large", upToBytes: 1e9, example: "m4.2xlarge", vcpus: 8, memoryGiB: 32, sequentialIops: 500 },
  { name: "xlarge", upToBytes: Infinity, example: "m4.4xlarge", vcpus: 16, memoryGiB: 64, sequentialIops: 500 },
];

export function etcdLiveBytes(nodes: number): number {
  return nodes * ETCD_BYTES_PER_NODE;
}

export function etcdTier(nodes: number): EtcdTier {
  const bytes = etcdLiveBytes(nodes);
  return ETCD_TIERS.find((t) => bytes <= t.upToBytes) ?? ETCD_TIERS[ETCD_TIERS.length - 1];
}

export function etcdRows(c: ClusterConfig): Rows {
  const tier = etcdTier(c.maxNodes);
  const live = etcdLiveBytes(c.maxNodes);
  const liveMb = Math.ceil(live / 1e6);
  const why = `etcd's ${tier.name} cluster (~${fmt(liveMb)} MB of data for ${fmt(c.maxNodes)} nodes)`;
  const out = sizeRows("etcd", "kubestead:etcd.instanceType", c.etcd.instanceType, tier, why, ETCD_HARDWARE_SOURCE);

  const iops = tier.sequentialIops * ETCD_CONCURRENT_PER_SEQUENTIAL;
  const iopsOk = c.etcd.volumeIops >= iops;
  out.rows.push({
    name: "etcd volume IOPS",
    value: c.etcd.volumeIops,
    limit: iops,
    ok: iopsOk,
    detail:
      `gp3 provisioned IOPS; ${tier.sequentialIops} sequential IOPS for a ${tier.name} cluster ` +
      `(${tier.sequentialIops === 500 ? "heavily loaded" : "typical"}) × ${ETCD_CONCURRENT_PER_SEQUENTIAL}, the guide's concurrent-to-sequential ratio`,
    source: ETCD_HARDWARE_SOURCE,
  });
  if (!iopsOk)
    out.problems.push(`kubestead:etcd.volumeIops ${fmt(c.etcd.volumeIops)} is below the ${fmt(iops)} of ${why}: set volumeIops: ${iops}`);

  const db = live * ETCD_DB_OVERHEAD;
  const quotaOk = db <= ETCD_QUOTA_BYTES;
  out.rows.push({
    name: "etcd backend MB (estimate) within the quota",
    value: Math.ceil(db / 1e6),
    limit: Math.floor(ETCD_QUOTA_BYTES / 1e6),
    ok: quotaOk,
    detail: `${fmt(c.maxNodes)} nodes × ${ETCD_BYTES_PER_NODE / KIB} KiB × ${ETCD_DB_OVERHEAD} (history, free pages) against --quota-backend-bytes 8 GiB (etcd's default is 2 GiB; 8 GiB its suggested maximum)`,
    source: ETCD_LIMITS_SOURCE,
  });
  if (!quotaOk)
    out.problems.push(
      `kubestead:maxNodes ${fmt(c.maxNodes)}: the etcd backend estimate (${fmt(Math.ceil(db / 1e6))} MB) exceeds the 8 GiB quota, etcd's suggested maximum: ` +
        `store events in a separate etcd or lower maxNodes`,
    );

  // A defrag rewrites the database into a new file, so the volume needs the quota twice, plus the WAL.
  const neededGiB = (2 * ETCD_QUOTA_BYTES) / GIB + ETCD_WAL_GIB;
  const volOk = c.etcd.volumeSizeGiB >= neededGiB;
  out.rows.push({
    name: "etcd volume GiB",
    value: c.etcd.volumeSizeGiB,
    limit: neededGiB,
    ok: volOk,
    detail: `twice the 8 GiB quota (a defrag writes a new copy) + ${ETCD_WAL_GIB} GiB WAL and snapshots`,
    source: ETCD_LIMITS_SOURCE,
  });
  if (!volOk)
    out.problems.push(
      `kubestead:etcd.volumeSizeGiB ${c.etcd.volumeSizeGiB} is below the ${neededGiB} GiB a full 8 GiB backend needs to defragment: set volumeSizeGiB: ${neededGiB}`,
    );
  return out;
}

// ---- boot-time API budget ------------------------------------------------------------------

export const SSM_THROUGHPUT_SOURCE =
  "AWS Systems Manager quotas, Parameter Store max throughput (https://docs.aws.amazon.com/general/latest/gr/ssm.html)";
/** Parameter Store's default throughput, shared by GetParameter, GetParameters and GetParametersByPath (per account and region). */
export const SSM_DEFAULT_TPS = 40;
/**
 * SSM parameters each role fetches at boot (secrets.tsv): a worker its bootstrap kubeconfig
 * (bootstrap/node/files.ts); a control-plane node its 10 private keys, the encryption config and
 * the add-on token (bootstrap/controlPlane/files.ts, components/controlPlane.ts). Tests check
 * these against the renderers.
 */
export const SSM_FETCHES_PER_WORKER = 1;
export const SSM_FETCHES_PER_CONTROL_PLANE_NODE = 12;
/** bootstrap/bootScript.ts fetch_secret: `retry 9 3`, doubling to RETRY_MAX_DELAY 60 s, plus up to a quarter jitter. */
export const BOOT_RETRY_ATTEMPTS = 9;
export const BOOT_RETRY_FIRST_DELAY = 3;
export const BOOT_RETRY_MAX_DELAY = 60;

/** Seconds from a fetch's first attempt to its last, without jitter (jitter only lengthens it). */
export function retryWindowSeconds(attempts = BOOT_RETRY_ATTEMPTS, first = BOOT_RETRY_FIRST_DELAY, max = BOOT_RETRY_MAX_DELAY): number {
  let total = 0;
  let delay = Math.min(first, max);
  for (let n = 1; n < attempts; n++) {
    total += delay;
    delay = Math.min(delay * 2, max);
  }
  return total;
}

/** The pool whose scale-up from desiredCapacity to maxSize boots the most nodes at once. */
export function largestScaleUp(c: ClusterConfig): { pool: string; nodes: number } {
  let best = { pool: "", nodes: 0 };
  for (const w of c.workers) {
    const step = w.maxSize - w.desiredCapacity;
    if (step > best.nodes) best = { pool: w.name, nodes: step };
  }
  return best;
}

export function bootBudgetRows(c: ClusterConfig, tps = SSM_DEFAULT_TPS): Rows {
  const step = largestScaleUp(c);
  const calls = step.nodes * SSM_FETCHES_PER_WORKER;
  // Throttled calls are refused, not queued: the account serves `tps` a second, so the last of the
  // burst is served after calls / tps seconds, and each node keeps retrying for the retry window.
  const seconds = Math.ceil(calls / tps);
  const window = retryWindowSeconds();
  const ok = seconds <= window;
  const rows: CapacityRow[] = [
    {
      name: "seconds to serve the largest scale-up's SSM fetches",
      value: seconds,
      limit: window,
      ok,
      detail:
        `pool ${step.pool || "-"} +${fmt(step.nodes)} nodes × ${SSM_FETCHES_PER_WORKER} GetParameter (control plane: ${SSM_FETCHES_PER_CONTROL_PLANE_NODE} each) ` +
        `at ${tps} TPS (the default; higher throughput is a paid account setting); limit = boot script retry window ` +
        `(${BOOT_RETRY_ATTEMPTS} attempts from ${BOOT_RETRY_FIRST_DELAY} s doubling to ${BOOT_RETRY_MAX_DELAY} s, + ≤ 25 % jitter)`,
      source: SSM_THROUGHPUT_SOURCE,
    },
  ];
  const problems = ok
    ? []
    : [
        `kubestead:workers ${step.pool}: a scale-up of ${fmt(step.nodes)} nodes makes ${fmt(calls)} SSM GetParameter calls, ${seconds} s at ${tps} TPS, ` +
          `longer than the boot script's ${window} s retry window: nodes would give up: lower the pool's maxSize - desiredCapacity step ` +
          `or enable Parameter Store higher throughput and account for it`,
      ];
  return { rows, problems };
}

// ---- account quotas (advisory) -------------------------------------------------------------

export const EIP_QUOTA_SOURCE =
  "Amazon VPC quotas, Elastic IP addresses per Region, default 5, code L-0263D0A3 (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html)";
export const NAT_QUOTA_SOURCE =
  "Amazon VPC quotas, NAT gateways per Availability Zone, default 5, code L-FE5A380F (https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html)";
export const VCPU_QUOTA_SOURCE =
  "Amazon EC2 service quotas, Running On-Demand Standard instances (vCPUs), code L-1216C47A, per account (https://docs.aws.amazon.com/ec2/latest/instancetypes/ec2-instance-quotas.html)";
export const DEFAULT_EIP_QUOTA = 5;
export const DEFAULT_NAT_PER_AZ_QUOTA = 5;
/**
 * No single default: AWS sets it per account from its history, and new accounts often start very
 * low. We compare with 5 so the row always says "ask for this"; the real value is in Service Quotas.
 */
export const ASSUMED_ON_DEMAND_VCPU_QUOTA = 5;

function vcpusOf(type: string): number {
  return instanceTypeInfo(type)?.vcpus ?? 0;
}

export function quotaRows(c: ClusterConfig): Rows {
  const nats = c.network.existing ? 0 : c.network.natGateways === "perAz" ? c.zones.length : 1;
  // Every pool counted at its largest type and all on demand: spot capacity has its own quota, but
  // a pool may run on demand when spot is scarce, so this is the conservative ask.
  const workerVcpus = c.workers.reduce((a, w) => a + w.maxSize * Math.max(0, ...w.instanceTypes.map(vcpusOf)), 0);
  const vcpus = workerVcpus + c.controlPlane.nodes * vcpusOf(c.controlPlane.instanceType) + c.etcd.members * vcpusOf(c.etcd.instanceType);
  const note = "advisory: per-account quota, the plan cannot see it";
  const rows: CapacityRow[] = [
    {
      name: "Elastic IPs (one per NAT gateway)",
      value: nats,
      limit: DEFAULT_EIP_QUOTA,
      ok: nats <= DEFAULT_EIP_QUOTA,
      advisory: true,
      detail: `${nats} NAT gateway(s) against the default ${DEFAULT_EIP_QUOTA} per region, shared with the account's other EIPs; ${note}`,
      source: EIP_QUOTA_SOURCE,
    },
    {
      name: "NAT gateways per zone",
      value: nats > 0 ? 1 : 0,
      limit: DEFAULT_NAT_PER_AZ_QUOTA,
      ok: DEFAULT_NAT_PER_AZ_QUOTA >= 1,
      advisory: true,
      detail: `kubestead puts at most one in each zone; default ${DEFAULT_NAT_PER_AZ_QUOTA}; ${note}`,
      source: NAT_QUOTA_SOURCE,
    },
    {
      name: "On-Demand Standard vCPUs at maxSize",
      value: vcpus,
      limit: ASSUMED_ON_DEMAND_VCPU_QUOTA,
      ok: vcpus <= ASSUMED_ON_DEMAND_VCPU_QUOTA,
      advisory: true,
      detail:
        `workers ${fmt(workerVcpus)} (each pool's maxSize × its largest type) + control plane + etcd; compared with ${ASSUMED_ON_DEMAND_VCPU_QUOTA}, ` +
        `a low new-account value (AWS sets it per account): request at least ${fmt(vcpus)}; ${note}`,
      source: VCPU_QUOTA_SOURCE,
    },
  ];
  return { rows, problems: [] };
}

/** Rows shown as advisory with their problems dropped: a development cluster is sized to be cheap, not to hold maxNodes. */
function advisory(r: Rows): Rows {
  return { rows: r.rows.map((row) => ({ ...row, advisory: true })), problems: [] };
}

/**
 * Every limit above, in report order. Instance and volume sizes bind `environment: production`;
 * elsewhere they are advisory. The boot-time budget binds everywhere: nodes that give up never join.
 */
export function capacityLimitRows(c: ClusterConfig): Rows {
  const sized = (r: Rows) => (c.environment === "production" ? r : advisory(r));
  const parts = [sized(controlPlaneRows(c)), sized(etcdRows(c)), bootBudgetRows(c), quotaRows(c)];
  return { rows: parts.flatMap((p) => p.rows), problems: parts.flatMap((p) => p.problems) };
}
