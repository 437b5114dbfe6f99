/**
 * The architecture as a Mermaid flowchart, drawn from the planned resources rather than kept by
 * hand, so the picture in a PR comment is the cluster that PR would build: VPC → one subgraph per
 * availability zone with its etcd members (and their data volumes), control plane, worker pools
 * and NAT gateways; the API NLB in front of the control plane; control plane → etcd.
 *
 * A multi-zone ASG is drawn once per zone it spans (that is where its instances run). Node ids
 * are sanitised resource names; the output is sorted, so it is byte-stable for a given plan.
 */
import { instanceTypeInfo } from "../../lib/aws/instanceTypes";
import { asgInstanceType } from "../../lib/cost";
import type { Plan, PlanResource } from "../../lib/plan/types";
import { compareResources, subnetZones, tagsOf } from "./graph";

type Kind = "etcd" | "volume" | "controlplane" | "worker" | "asg" | "nat";
const KIND_ORDER: Kind[] = ["etcd", "volume", "controlplane", "worker", "asg", "nat"];

interface Node {
  id: string;
  /** Label lines, joined with <br/> after escaping. */
  lines: string[];
  kind: Kind;
  /** Zone, or undefined when the plan does not say (drawn in the VPC, outside the zones). */
  zone?: string;
  /** For etcd volumes: the member index, to draw member — volume. */
  member?: string;
}

/** Mermaid ids: letters, digits and underscores, never starting with a digit. */
export function sanitiseId(s: string): string {
  const id = s.replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z]/.test(id) ? id : `n_${id}`;
}

/** Mermaid label text inside double quotes: quotes and angle brackets as entities, lines joined by <br/>. */
function label(...lines: string[]): string {
  return lines.map((s) => s.replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;")).join("<br/>");
}

function shape(n: Node): string {
  const text = `"${label(...n.lines)}"`;
  switch (n.kind) {
    case "volume":
      return `${n.id}[(${text})]`;
    case "nat":
      return `${n.id}{{${text}}}`;
    case "etcd":
    case "controlplane":
    case "worker":
    case "asg":
      return `${n.id}[${text}]`;
    default: {
      const never: never = n.kind;
      return never;
    }
  }
}

function zonesOfAsg(asg: PlanResource, zones: Map<string, string>): string[] {
  const ids = asg.inputs.vpcZoneIdentifiers;
  const out = new Set<string>();
  if (Array.isArray(ids)) for (const id of ids) if (typeof id === "string" && zones.has(id)) out.add(zones.get(id) as string);
  const azs = asg.inputs.availabilityZones;
  if (Array.isArray(azs)) for (const z of azs) if (typeof z === "string") out.add(z);
  return [...out].sort();
}

function asgNodes(plan: Plan, zones: Map<string, string>): Node[] {
  const nodes: Node[] = [];
  const asgs = plan.resources.filter((r) => r.type === "aws:autoscaling/group:Group").sort(compareResources);
  for (const asg of asgs) {
    const t = tagsOf(asg);
    const role = t["kubestead.io/role"];
    const type = asgInstanceType(plan, asg);
    const kind: Kind = role === "etcd" ? "etcd" : role === "controlplane" ? "controlplane" : role === "worker" ? "worker" : "asg";
    const title =
      kind === "etcd"
        ? `etcd-${t["kubestead.io/member"] ?? "?"}`
        : kind === "controlplane"
          ? "control plane"
          : kind === "worker"
            ? `workers: ${t["kubestead.io/pool"] ?? asg.name}`
            : asg.name;
    const min = asg.inputs.minSize ?? "?";
    const max = asg.inputs.maxSize ?? "?";
    const size = min === max ? `ASG ${min}` : `ASG ${min}–${max}`;
    const arch = type ? instanceTypeInfo(type)?.arch : undefined;
    const lines = [
      title,
      asg.name,
      [type ? `${type}${arch ? ` (${arch})` : ""}` : "type unknown", kind === "etcd" ? undefined : size].filter(Boolean).join(", "),
    ];
    const azs = zonesOfAsg(asg, zones);
    const base = sanitiseId(kind === "etcd" ? `etcd_${t["kubestead.io/member"] ?? asg.name}` : asg.name);
    if (azs.length <= 1) nodes.push({ id: base, lines, kind, zone: azs[0] });
    else for (const z of azs) nodes.push({ id: sanitiseId(`${base}_${z}`), lines, kind, zone: z });
  }
  return nodes;
}

function otherNodes(plan: Plan, zones: Map<string, string>): Node[] {
  const nodes: Node[] = [];
  for (const r of [...plan.resources].sort(compareResources)) {
    const t = tagsOf(r);
    if (r.type === "aws:ebs/volume:Volume" && t["kubestead.io/role"] === "etcd") {
      const az = typeof r.inputs.availabilityZone === "string" ? r.inputs.availabilityZone : undefined;
      const member = t["kubestead.io/member"];
      nodes.push({
        id: sanitiseId(`vol_${r.name}`),
        lines: [`etcd-${member ?? "?"} data`, `${r.inputs.size ?? "?"} GiB ${r.inputs.type ?? ""}`.trim()],
        kind: "volume",
        zone: az,
        member,
      });
    } else if (r.type === "aws:ec2/natGateway:NatGateway") {
      const subnet = r.inputs.subnetId;
      nodes.push({
        id: sanitiseId(r.name),
        lines: ["NAT", r.name],
        kind: "nat",
        zone: typeof subnet === "string" ? zones.get(subnet) : undefined,
      });
    }
  }
  return nodes;
}

function byKindThenId(a: Node, b: Node): number {
  const k = KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind);
  return k !== 0 ? k : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Makes ids unique in sorted order, so a collision resolves the same way every time. */
function dedupe(nodes: Node[]): Node[] {
  const used = new Set<string>(["vpc", "api_lb", "internet"]);
  return nodes.map((n) => {
    let id = n.id;
    for (let i = 2; used.has(id); i++) id = `${n.id}_${i}`;
    used.add(id);
    return { ...n, id };
  });
}

export function architectureDiagram(plan: Plan): string {
  const zones = subnetZones(plan);
  const nodes = dedupe([...asgNodes(plan, zones), ...otherNodes(plan, zones)].sort(byKindThenId));
  const vpc = plan.resources.find((r) => r.type === "aws:ec2/vpc:Vpc");
  const vpcLabel = vpc ? `VPC ${vpc.name}${typeof vpc.inputs.cidrBlock === "string" ? ` ${vpc.inputs.cidrBlock}` : ""}` : "VPC (adopted)";
  const lbs = plan.resources
    .filter(
      (r) =>
        (r.type === "aws:lb/loadBalancer:LoadBalancer" || r.type === "aws:alb/loadBalancer:LoadBalancer") &&
        r.inputs.loadBalancerType === "network",
    )
    .sort(compareResources);
  const buckets = plan.resources
    .filter(
      (r) => (r.type === "aws:s3/bucketV2:BucketV2" || r.type === "aws:s3/bucket:Bucket") && tagsOf(r)["kubestead.io/role"] === "backup",
    )
    .sort(compareResources);

  const out: string[] = ["flowchart TB"];
  const lbIds = lbs.map((lb, i) => (i === 0 ? "api_lb" : sanitiseId(`api_lb_${lb.name}`)));
  const publicLb = lbs.some((lb) => lb.inputs.internal !== true);
  if (publicLb) out.push(`  internet(("clients"))`);
  out.push(`  subgraph vpc["${label(vpcLabel)}"]`, "    direction TB");
  lbs.forEach((lb, i) =>
    out.push(
      `    ${lbIds[i]}[/"${label(`API NLB ${lb.name}`, `${lb.inputs.internal === true ? "internal" : "internet-facing"}, TCP 6443`)}"\\]`,
    ),
  );
  const zoneNames = [...new Set(nodes.map((n) => n.zone).filter((z): z is string => !!z))].sort();
  for (const z of zoneNames) {
    out.push(`    subgraph ${sanitiseId(`az_${z}`)}["${label(z)}"]`, "      direction TB");
    for (const n of nodes.filter((x) => x.zone === z)) out.push(`      ${shape(n)}`);
    out.push("    end");
  }
  for (const n of nodes.filter((x) => !x.zone)) out.push(`    ${shape(n)}`);
  out.push("  end");
  for (const b of buckets) out.push(`  ${sanitiseId(`s3_${b.name}`)}[("${label(`S3 ${b.name}`, "etcd snapshots")}")]`);

  const cps = nodes.filter((n) => n.kind === "controlplane");
  const etcds = nodes.filter((n) => n.kind === "etcd");
  lbs.forEach((lb, i) => {
    if (lb.inputs.internal !== true) out.push(`  internet --> ${lbIds[i]}`);
  });
  for (const id of lbIds) for (const cp of cps) out.push(`  ${id} -->|6443| ${cp.id}`);
  for (const cp of cps) for (const e of etcds) out.push(`  ${cp.id} -->|2379| ${e.id}`);
  for (const v of nodes.filter((n) => n.kind === "volume")) {
    const member = etcds.find((e) => e.id === sanitiseId(`etcd_${v.member}`));
    if (member) out.push(`  ${member.id} --- ${v.id}`);
  }
  for (const b of buckets) for (const e of etcds) out.push(`  ${e.id} -.->|snapshots| ${sanitiseId(`s3_${b.name}`)}`);
  return `${out.join("\n")}\n`;
}
