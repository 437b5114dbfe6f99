/**
 * An adopted VPC (kubestead:network.existing) as AWS describes it: each listed subnet must be in
 * the VPC, in the zone at its position in kubestead:zones, with a CIDR inside the VPC's. The
 * program reads the subnets (ec2:DescribeSubnets, during preview too) and refuses the stack with
 * these problems before any node is placed; the offline plan reads them from a describe-subnets
 * file or, without one, from the layout the config implies.
 */
import { contains, parseCidr, planSubnets } from "./cidr";
import type { Problem } from "./config/problems";
import type { ExistingNetwork } from "./config/types";

export interface SubnetFacts {
  id: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
}

export interface NetworkFacts {
  vpcs: Record<string, { cidrBlock: string }>;
  subnets: Record<string, SubnetFacts>;
}

const KEY = "kubestead:network.existing";

export function adoptedSubnetProblems(existing: ExistingNetwork, zones: string[], vpcCidr: string, subnets: SubnetFacts[]): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const vpc = parseCidr(vpcCidr);
  for (const field of ["privateSubnetIds", "publicSubnetIds"] as const) {
    existing[field].forEach((id, i) => {
      const key = `${KEY}.${field}[${i}]`;
      // DescribeSubnets fails on an ID it doesn't know, before this check runs.
      const s = byId.get(id);
      if (!s) return;
      if (s.vpcId !== existing.vpcId) {
        problems.push({
          key,
          rule: `must be a subnet of ${KEY}.vpcId (${existing.vpcId}); it is in ${s.vpcId}`,
          got: id,
          fix: "list subnets of the adopted VPC",
        });
        return;
      }
      if (s.availabilityZone !== zones[i]) {
        const at = zones.indexOf(s.availabilityZone);
        problems.push({
          key,
          rule: `must be in ${zones[i]}, the zone at position ${i} of kubestead:zones; it is in ${s.availabilityZone}`,
          got: id,
          fix:
            at >= 0
              ? `list the subnets in the order of kubestead:zones (this one belongs at position ${at})`
              : `pick a subnet in ${zones[i]}, or add ${s.availabilityZone} to kubestead:zones`,
        });
      }
      const cidr = parseCidr(s.cidrBlock);
      if (vpc && cidr && !contains(vpc, cidr)) {
        problems.push({
          key,
          rule: `must lie inside the VPC's CIDR ${vpcCidr}`,
          got: `${id} (${s.cidrBlock})`,
          fix: "list subnets of the adopted VPC's primary CIDR",
        });
      }
    });
  }
  return problems;
}

/**
 * What the offline plan assumes of an adopted VPC without a describe-subnets file: the subnets
 * are where the config says (zone by position) and carved from the VPC CIDR as kubestead would.
 */
export function impliedNetworkFacts(existing: ExistingNetwork, zones: string[], vpcCidr: string): NetworkFacts {
  const layout = planSubnets(vpcCidr, zones, 19, 24);
  const subnets: Record<string, SubnetFacts> = {};
  zones.forEach((zone, i) => {
    const priv = existing.privateSubnetIds[i];
    const pub = existing.publicSubnetIds[i];
    if (priv) subnets[priv] = { id: priv, vpcId: existing.vpcId, availabilityZone: zone, cidrBlock: layout[i].privateCidr };
    if (pub) subnets[pub] = { id: pub, vpcId: existing.vpcId, availabilityZone: zone, cidrBlock: layout[i].publicCidr };
  });
  return { vpcs: { [existing.vpcId]: { cidrBlock: vpcCidr } }, subnets };
}

/**
 * Facts from the AWS CLI's JSON: `aws ec2 describe-subnets` ({"Subnets": [...]}) and
 * `aws ec2 describe-vpcs` ({"Vpcs": [...]}), in one object or as a list of both.
 */
export function networkFactsFromAwsCli(json: unknown): NetworkFacts {
  const docs = Array.isArray(json) ? json : [json];
  const facts: NetworkFacts = { vpcs: {}, subnets: {} };
  for (const doc of docs) {
    const d = (doc ?? {}) as { Subnets?: Record<string, string>[]; Vpcs?: Record<string, string>[] };
    for (const s of d.Subnets ?? []) {
      facts.subnets[s.SubnetId] = { id: s.SubnetId, vpcId: s.VpcId, availabilityZone: s.AvailabilityZone, cidrBlock: s.CidrBlock };
    }
    for (const v of d.Vpcs ?? []) facts.vpcs[v.VpcId] = { cidrBlock: v.CidrBlock };
  }
  return facts;
}
