/**
 * Monthly cost estimate of a planned stack, from the resources the plan holds and the dated price
 * table in lib/prices.ts. On-demand list prices, 730 hours a month; traffic-dependent items (NAT
 * data, NLB capacity units, KMS requests, S3 storage) use stated assumptions. Anything without a
 * price becomes a line that says so, never a crash and never a guess.
 */
import { launchTemplateOf } from "./plan/launchTemplate";
import { type Plan, type PlanResource } from "./plan/types";
import {
  GP3_FREE_IOPS,
  GP3_FREE_THROUGHPUT_MIBPS,
  HOURS_PER_MONTH,
  PRICES_AS_OF,
  instanceHourly,
  isChecked,
  regionPrices,
  type RegionPrices,
} from "./prices";

export interface CostAssumptions {
  /** Hours billed per month (default 730). */
  hoursPerMonth: number;
  /** GB stored in each S3 bucket (default 50: etcd snapshots of a large cluster, 14 days kept). */
  s3StorageGbPerBucket: number;
  /** GB processed by each NAT gateway per month (default 100: images, packages, AWS APIs). */
  natProcessedGbPerGateway: number;
  /** Average NLB capacity units per hour (default 1: API traffic is small). */
  nlbLcuPerHour: number;
  /** KMS requests per key per month (default 100,000); the 20,000 free requests are ignored. */
  kmsRequestsPerKey: number;
}

export const DEFAULT_ASSUMPTIONS: CostAssumptions = {
  hoursPerMonth: HOURS_PER_MONTH,
  s3StorageGbPerBucket: 50,
  natProcessedGbPerGateway: 100,
  nlbLcuPerHour: 1,
  kmsRequestsPerKey: 100_000,
};

export interface CostLine {
  item: string;
  quantity: number;
  /** What one unit of `quantity` is, e.g. "instance-month", "GB-month". */
  unit: string;
  /** USD per unit; undefined when the table has no price (monthly is then 0). */
  unitPrice: number | undefined;
  monthly: number;
  note?: string;
  /** false when the unit price was recalled, not confirmed against a source (lib/prices.ts `checked`). */
  checked?: boolean;
}

export interface CostEstimate {
  region: string;
  pricesAsOf: string;
  lines: CostLine[];
  total: number;
  /** false when some line has no price: the total is then a lower bound. */
  complete: boolean;
  assumptions: CostAssumptions;
  notes: string[];
}

const T = {
  asg: "aws:autoscaling/group:Group",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  volume: "aws:ebs/volume:Volume",
  natGateway: "aws:ec2/natGateway:NatGateway",
  eip: "aws:ec2/eip:Eip",
  kmsKey: "aws:kms/key:Key",
  lbs: ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"],
  buckets: ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
  flowLog: "aws:ec2/flowLog:FlowLog",
};

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {};
}
function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The instance type an ASG launches: its launch template's, else the first mixed-instances override. */
export function asgInstanceType(plan: Plan, asg: PlanResource): string | undefined {
  return instanceTypeOf(asg, launchTemplateOf(plan, asg));
}

/** Every instance type an ASG may launch: the mixed-instances overrides, else its launch template's. */
export function asgInstanceTypes(plan: Plan, asg: PlanResource): string[] {
  const overrides = obj(obj(asg.inputs.mixedInstancesPolicy).launchTemplate).overrides;
  const fromOverrides = Array.isArray(overrides) ? overrides.map((o) => str(obj(o).instanceType)).filter((t): t is string => !!t) : [];
  if (fromOverrides.length > 0) return fromOverrides;
  const one = asgInstanceType(plan, asg);
  return one ? [one] : [];
}

function instanceTypeOf(asg: PlanResource, lt: PlanResource | undefined): string | undefined {
  const fromLt = lt ? str(lt.inputs.instanceType) : undefined;
  if (fromLt) return fromLt;
  const overrides = obj(obj(asg.inputs.mixedInstancesPolicy).launchTemplate).overrides;
  return Array.isArray(overrides) ? str(obj(overrides[0]).instanceType) : undefined;
}

interface Ctx {
  region: string;
  prices: RegionPrices | undefined;
  a: CostAssumptions;
  lines: CostLine[];
}

function unpriced(what: string, c: Ctx): string {
  return c.prices
    ? `no price for ${what} in ${c.region} in lib/prices.ts (prices as of ${PRICES_AS_OF}): add it`
    : `no prices for region ${c.region} in lib/prices.ts (prices as of ${PRICES_AS_OF}): add the region`;
}

function push(
  c: Ctx,
  item: string,
  quantity: number,
  unit: string,
  unitPrice: number | undefined,
  note?: string,
  checkedKey?: string,
): void {
  const line: CostLine = { item, quantity, unit, unitPrice, monthly: unitPrice === undefined ? 0 : round2(quantity * unitPrice) };
  if (note) line.note = note;
  if (unitPrice !== undefined && checkedKey && !isChecked(c.region, checkedKey)) line.checked = false;
  c.lines.push(line);
}

function ebsLines(c: Ctx, label: string, count: number, ebs: Obj): void {
  const size = num(ebs.volumeSize) ?? num(ebs.size) ?? 8;
  const type = str(ebs.volumeType) ?? str(ebs.type) ?? "gp3";
  const p = c.prices?.ebs;
  if (type === "gp3") {
    push(
      c,
      `EBS gp3 ${label} (${count} × ${size} GB)`,
      count * size,
      "GB-month",
      p?.gp3GbMonth,
      p ? undefined : unpriced("EBS gp3", c),
      "ebs.gp3",
    );
    const iops = num(ebs.iops) ?? GP3_FREE_IOPS;
    if (iops > GP3_FREE_IOPS) {
      push(
        c,
        `EBS gp3 IOPS above ${GP3_FREE_IOPS} ${label}`,
        count * (iops - GP3_FREE_IOPS),
        "IOPS-month",
        p?.gp3IopsMonth,
        undefined,
        "ebs.gp3",
      );
    }
    const tp = num(ebs.throughput) ?? GP3_FREE_THROUGHPUT_MIBPS;
    if (tp > GP3_FREE_THROUGHPUT_MIBPS) {
      push(
        c,
        `EBS gp3 throughput above ${GP3_FREE_THROUGHPUT_MIBPS} MiB/s ${label}`,
        count * (tp - GP3_FREE_THROUGHPUT_MIBPS),
        "MiB/s-month",
        p?.gp3ThroughputMonth,
        undefined,
        "ebs.gp3",
      );
    }
  } else if (type === "gp2") {
    push(c, `EBS gp2 ${label} (${count} × ${size} GB)`, count * size, "GB-month", p?.gp2GbMonth, undefined, "ebs.gp2");
  } else {
    push(c, `EBS ${type} ${label} (${count} × ${size} GB)`, count * size, "GB-month", undefined, unpriced(`EBS volume type ${type}`, c));
  }
}

function asgLines(plan: Plan, c: Ctx): void {
  for (const asg of plan.resources.filter((r) => r.type === T.asg)) {
    const count = num(asg.inputs.desiredCapacity) ?? num(asg.inputs.minSize) ?? 0;
    const lt = launchTemplateOf(plan, asg);
    const type = instanceTypeOf(asg, lt);
    if (!type) {
      push(
        c,
        `EC2 instances (${asg.name})`,
        count,
        "instance-month",
        undefined,
        "instance type unknown: the launch template was not found in the plan",
      );
    } else {
      const hourly = instanceHourly(c.region, type);
      const dist = obj(obj(asg.inputs.mixedInstancesPolicy).instancesDistribution);
      const pct = num(dist.onDemandPercentageAboveBaseCapacity);
      const spot = pct !== undefined && pct < 100 ? "spot capacity priced at on-demand (upper bound)" : undefined;
      push(
        c,
        `EC2 ${type} (${asg.name})`,
        count,
        "instance-month",
        hourly === undefined ? undefined : hourly * c.a.hoursPerMonth,
        hourly === undefined ? unpriced(`instance type ${type}`, c) : spot,
        `ec2Hourly.${type}`,
      );
    }
    const mappings = lt && Array.isArray(lt.inputs.blockDeviceMappings) ? lt.inputs.blockDeviceMappings : [];
    for (const m of mappings) {
      const ebs = obj(obj(m).ebs);
      if (Object.keys(ebs).length === 0) continue;
      ebsLines(c, `root volumes (${asg.name})`, count, ebs);
    }
  }
}

function volumeLines(plan: Plan, c: Ctx): void {
  for (const v of plan.resources.filter((r) => r.type === T.volume)) {
    ebsLines(c, `volume ${v.name}`, 1, v.inputs);
  }
}

function lbLines(plan: Plan, c: Ctx): void {
  const h = c.a.hoursPerMonth;
  for (const lb of plan.resources.filter((r) => T.lbs.includes(r.type))) {
    const kind = str(lb.inputs.loadBalancerType) ?? "application";
    if (kind !== "network") {
      push(c, `${kind} load balancer ${lb.name}`, 1, "LB-month", undefined, unpriced(`${kind} load balancers`, c));
      continue;
    }
    const p = c.prices?.nlb;
    push(c, `NLB ${lb.name}`, 1, "LB-month", p ? p.hourly * h : undefined, p ? undefined : unpriced("NLB", c), "nlb");
    push(
      c,
      `NLB capacity units ${lb.name} (assumed ${c.a.nlbLcuPerHour}/h)`,
      c.a.nlbLcuPerHour * h,
      "NLCU-hour",
      p?.nlcuHourly,
      undefined,
      "nlb",
    );
    if (lb.inputs.internal !== true) {
      // An internet-facing NLB holds one public IPv4 address per subnet it spans.
      const n = Array.isArray(lb.inputs.subnetMappings)
        ? lb.inputs.subnetMappings.length
        : Array.isArray(lb.inputs.subnets)
          ? lb.inputs.subnets.length
          : 0;
      if (n > 0) {
        const ip = c.prices?.publicIpv4Hourly;
        push(c, `public IPv4 of NLB ${lb.name}`, n, "address-month", ip === undefined ? undefined : ip * h, undefined, "publicIpv4Hourly");
      }
    }
  }
}

function countLines(plan: Plan, c: Ctx): void {
  const h = c.a.hoursPerMonth;
  const p = c.prices;
  const nats = plan.resources.filter((r) => r.type === T.natGateway).length;
  if (nats > 0) {
    push(c, "NAT gateways", nats, "gateway-month", p ? p.nat.hourly * h : undefined, p ? undefined : unpriced("NAT gateways", c), "nat");
    push(
      c,
      `NAT data processed (assumed ${c.a.natProcessedGbPerGateway} GB per gateway)`,
      nats * c.a.natProcessedGbPerGateway,
      "GB",
      p?.nat.perGb,
      undefined,
      "nat",
    );
  }
  const eips = plan.resources.filter((r) => r.type === T.eip).length;
  if (eips > 0)
    push(c, "Elastic IPs (public IPv4)", eips, "address-month", p ? p.publicIpv4Hourly * h : undefined, undefined, "publicIpv4Hourly");
  const keys = plan.resources.filter((r) => r.type === T.kmsKey).length;
  if (keys > 0) {
    push(c, "KMS keys", keys, "key-month", p?.kms.keyMonth, undefined, "kms");
    push(
      c,
      `KMS requests (assumed ${c.a.kmsRequestsPerKey.toLocaleString("en-US")} per key)`,
      (keys * c.a.kmsRequestsPerKey) / 10_000,
      "10k requests",
      p?.kms.per10kRequests,
      undefined,
      "kms",
    );
  }
  const buckets = plan.resources.filter((r) => T.buckets.includes(r.type)).length;
  if (buckets > 0) {
    push(
      c,
      `S3 Standard (assumed ${c.a.s3StorageGbPerBucket} GB per bucket)`,
      buckets * c.a.s3StorageGbPerBucket,
      "GB-month",
      p?.s3.standardGbMonth,
      undefined,
      "s3",
    );
  }
}

/**
 * VPC flow logs are billed per GB delivered (CloudWatch Logs vended-log ingestion and storage, or
 * S3 delivery), which depends on the cluster's traffic: no price here, a line that says so.
 */
function flowLogLines(plan: Plan, c: Ctx): void {
  const flows = plan.resources.filter((r) => r.type === T.flowLog);
  if (flows.length === 0) return;
  const s3 = flows.filter((f) => f.inputs.logDestinationType === "s3").length;
  push(
    c,
    `VPC flow logs (${flows.length - s3} to CloudWatch Logs, ${s3} to S3)`,
    flows.length,
    "flow log",
    undefined,
    "traffic-dependent: billed per GB of log data delivered and stored; not priced in lib/prices.ts",
  );
}

export function estimateMonthlyCost(plan: Plan, region: string, assumptions: Partial<CostAssumptions> = {}): CostEstimate {
  const a: CostAssumptions = { ...DEFAULT_ASSUMPTIONS, ...assumptions };
  const c: Ctx = { region, prices: regionPrices(region), a, lines: [] };
  asgLines(plan, c);
  volumeLines(plan, c);
  lbLines(plan, c);
  countLines(plan, c);
  flowLogLines(plan, c);
  const total = round2(c.lines.reduce((s, l) => s + l.monthly, 0));
  const complete = c.lines.every((l) => l.unitPrice !== undefined);
  const notes = [
    `On-demand list prices in USD as of ${PRICES_AS_OF}, ${a.hoursPerMonth} hours a month; no taxes, free tiers, savings plans or data transfer.`,
  ];
  if (!complete) notes.push("Some items have no price in lib/prices.ts: the total is a lower bound.");
  if (c.lines.some((l) => l.checked === false)) {
    notes.push(
      "Unit prices marked † were recalled from the AWS price list, not confirmed against a source when lib/prices.ts was written: check them before budgeting.",
    );
  }
  return { region, pricesAsOf: PRICES_AS_OF, lines: c.lines, total, complete, assumptions: a, notes };
}
