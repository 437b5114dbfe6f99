/**
 * Instance types against the zones that offer them. A region can have a type that one of its
 * zones does not (EC2 DescribeInstanceTypeOfferings, location type availability-zone); a node
 * group would then fail at launch in that zone, long after the plan looked clean. The program
 * asks EC2 which zones offer the cluster's types and refuses the stack with these problems.
 *
 * Every type of a pool must be offered in every zone of the pool, mixed-instances pools too: the
 * Auto Scaling API reference for LaunchTemplateOverrides asks for an instance type "supported in
 * your requested Region and Availability Zones", and its user guide warns that overrides with
 * types not available may make the whole request fail
 * (https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_LaunchTemplateOverrides.html,
 * https://docs.aws.amazon.com/autoscaling/ec2/userguide/mixed-instances-groups-set-up-overview.html).
 * One type per zone would do only if the group skipped the others there, which AWS does not
 * promise; the stricter rule costs a config edit, the looser one a failed scale-up.
 */
import { INSTANCE_TYPES, instanceTypeInfo } from "./aws/instanceTypes";
import type { Problem } from "./config/problems";
import type { ClusterConfig } from "./config/types";

export interface Offering {
  instanceType: string;
  /** Availability zone name, e.g. eu-west-1a. */
  zone: string;
}

/** One configured instance type and the zones its node group launches in. */
export interface TypePlacement {
  /** Config key of the type, e.g. kubestead:workers[1].instanceTypes[0]. */
  key: string;
  type: string;
  zones: string[];
  /** What the zones are, to finish "must be offered in …". */
  where: string;
  /** How to change the zones instead, given the missing ones. */
  moveZones: (missing: string[]) => string;
}

type Placed = Pick<ClusterConfig, "zones" | "etcd" | "controlPlane" | "workers">;

/** Where each configured type runs: etcd member i in zone i, the control plane in every zone, pools in theirs. */
export function typePlacements(c: Placed): TypePlacement[] {
  const etcdZones = c.zones.slice(0, c.etcd.members);
  const out: TypePlacement[] = [
    {
      key: "kubestead:etcd.instanceType",
      type: c.etcd.instanceType,
      zones: etcdZones,
      where: `every zone that holds an etcd member (the first ${etcdZones.length} of kubestead:zones)`,
      moveZones: () => "or put zones that offer it first in kubestead:zones",
    },
    {
      key: "kubestead:controlPlane.instanceType",
      type: c.controlPlane.instanceType,
      zones: c.zones,
      where: "every zone of kubestead:zones (the control plane spans them all)",
      moveZones: (missing) => `or replace ${missing.join(", ")} in kubestead:zones`,
    },
  ];
  c.workers.forEach((p, i) =>
    p.instanceTypes.forEach((type, j) =>
      out.push({
        key: `kubestead:workers[${i}].instanceTypes[${j}]`,
        type,
        zones: p.zones,
        where: `every zone of the pool ${p.name}`,
        moveZones: (missing) => `or leave ${missing.join(", ")} out of kubestead:workers[${i}].zones`,
      }),
    ),
  );
  return out;
}

const generation = (type: string) => Number(/^[a-z]+(\d+)/.exec(type)?.[1] ?? 0);

/**
 * Known types like `type`, the replacements a fix can name: same architecture, vCPUs, memory and
 * burstability; newest generation first.
 */
export function peerTypes(type: string): string[] {
  const info = instanceTypeInfo(type);
  if (!info) return [];
  return Object.entries(INSTANCE_TYPES)
    .filter(([name, t]) => name !== type && t.arch === info.arch && t.vcpus === info.vcpus && t.memoryGiB === info.memoryGiB)
    .filter(([, t]) => Boolean(t.burstable) === Boolean(info.burstable))
    .map(([name]) => name)
    .sort((a, b) => generation(b) - generation(a) || a.localeCompare(b));
}

/**
 * What to ask EC2: the cluster's types and their peers (so a fix can name offered alternatives),
 * in the cluster's zones. Sorted, so the query is the same on every run.
 */
export function offeringQuery(c: Placed): { types: string[]; zones: string[] } {
  const types = new Set<string>();
  for (const p of typePlacements(c)) {
    types.add(p.type);
    for (const peer of peerTypes(p.type)) types.add(peer);
  }
  return { types: [...types].sort(), zones: [...c.zones] };
}

/** Each placed type missing from a zone it launches in, one problem per key, naming every such zone. */
export function offeringProblems(placements: TypePlacement[], offerings: Offering[]): Problem[] {
  const offered = new Set(offerings.map((o) => `${o.instanceType}@${o.zone}`));
  const isOffered = (type: string, zone: string) => offered.has(`${type}@${zone}`);
  const problems: Problem[] = [];
  for (const p of placements) {
    const missing = p.zones.filter((z) => !isOffered(p.type, z));
    if (missing.length === 0) continue;
    const everywhere = peerTypes(p.type).filter((t) => p.zones.every((z) => isOffered(t, z)));
    const alternatives = everywhere.length > 0 ? ` (e.g. ${everywhere.slice(0, 3).join(", ")})` : "";
    problems.push({
      key: p.key,
      rule: `must be offered in ${p.where}; EC2 does not offer it in ${missing.join(", ")}`,
      got: p.type,
      fix: `pick a type offered in all of ${p.zones.join(", ")}${alternatives}, ${p.moveZones(missing)}`,
    });
  }
  return problems;
}

/**
 * Offerings from the AWS CLI's JSON: `aws ec2 describe-instance-type-offerings --location-type
 * availability-zone` ({"InstanceTypeOfferings": [...]}), one object or a list of pages. Entries of
 * another location type are refused: a region offering says nothing about its zones.
 */
export function offeringsFromAwsCli(json: unknown): Offering[] {
  const docs = Array.isArray(json) ? json : [json];
  const out: Offering[] = [];
  for (const doc of docs) {
    const list = (doc as { InstanceTypeOfferings?: unknown } | null)?.InstanceTypeOfferings;
    if (!Array.isArray(list)) throw new Error('expected {"InstanceTypeOfferings": [...]}');
    for (const o of list as { InstanceType?: string; LocationType?: string; Location?: string }[]) {
      if (o.LocationType !== "availability-zone") {
        throw new Error(
          `an offering of location type ${String(o.LocationType)} (${String(o.InstanceType)}): run describe-instance-type-offerings with --location-type availability-zone`,
        );
      }
      out.push({ instanceType: String(o.InstanceType), zone: String(o.Location) });
    }
  }
  return out;
}

/** Offerings from the getInstanceTypeOfferings data source's parallel lists. */
export function offeringsFromDataSource(r: { instanceTypes: string[]; locations: string[] }): Offering[] {
  return r.instanceTypes.map((instanceType, i) => ({ instanceType, zone: r.locations[i] }));
}
