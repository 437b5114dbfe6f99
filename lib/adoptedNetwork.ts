/**
 * An adopted VPC (kubestead:network.existing) as AWS describes it: the VPC must exist, each listed
 * subnet must exist, be in the VPC, in the zone at its position in kubestead:zones, with a CIDR
 * inside one of the VPC's associated IPv4 blocks (the primary or a secondary one), and the
 * cluster's pod and service ranges must stay clear of every such block. The program reads the VPC
 * and the subnets (ec2:DescribeVpcs, ec2:DescribeSubnets, during preview too) and refuses the
 * stack with these problems before any node is placed; the offline plan reads them from
 * describe-vpcs / describe-subnets output or, without it, from the layout the config implies.
 */
import { allocate, contains, formatCidr, mustParseCidr, parseCidr, planSubnets } from "./cidr";
import { overlappingRanges } from "./config/crossChecks";
import type { Problem } from "./config/problems";
import type { ExistingNetwork } from "./config/types";

export interface SubnetFacts {
  id: string;
  vpcId: string;
  availabilityZone: string;
  cidrBlock: string;
}

export interface VpcFacts {
  /** The primary IPv4 block. */
  cidrBlock: string;
  /** Every associated IPv4 block, the primary first (secondary blocks from CidrBlockAssociationSet). */
  cidrBlocks: string[];
}

/** What AWS knows: a VPC or subnet missing here is one DescribeVpcs / DescribeSubnets does not return. */
export interface NetworkFacts {
  vpcs: Record<string, VpcFacts>;
  subnets: Record<string, SubnetFacts>;
}

const NS = "kubestead";
const KEY = `${NS}:network.existing`;
const FIELDS = ["privateSubnetIds", "publicSubnetIds"] as const;

/**
 * The VPC's IPv4 blocks as the provider's getVpc describes them: the primary, then each block
 * whose association is `associated` (one being added or removed holds no subnets to check).
 */
export function vpcCidrBlocks(primary: string, associations: { cidrBlock: string; state: string }[]): string[] {
  const secondary = associations.filter((a) => a.state === "associated" && a.cidrBlock !== primary).map((a) => a.cidrBlock);
  return [primary, ...secondary];
}

export interface AdoptedNetworkInput {
  existing: ExistingNetwork;
  zones: string[];
  /** The VPC as DescribeVpcs returned it; undefined when it returned nothing for the ID. */
  vpc: { cidrBlocks: string[] } | undefined;
  /** The subnets DescribeSubnets returned for the listed IDs (an unknown ID returns none). */
  subnets: SubnetFacts[];
  /** kubestead:kubernetes ranges that must not overlap the VPC. */
  kubernetes: { podCidr: string; serviceCidr: string };
}

/**
 * The most IPv4 blocks a VPC may have for this stack: AWS's default quota of IPv4 CIDR blocks per
 * VPC, the primary included (https://docs.aws.amazon.com/general/latest/gr/vpc-service.html).
 * The security groups admit "the VPC" through a managed prefix list of its blocks sized to this
 * bound (components/securityGroups.ts): a fixed size, so no resource depends on what AWS returns,
 * and each rule that references it counts as this many rules against the group's quota.
 */
export const MAX_VPC_CIDR_BLOCKS = 5;

/** Every problem of an adopted network, in key order: the VPC, the subnets, then the cluster's ranges. */
export function adoptedNetworkProblems(a: AdoptedNetworkInput): Problem[] {
  const problems: Problem[] = [];
  if (!a.vpc) problems.push(missingVpcProblem(a.existing, a.subnets));
  else if (a.vpc.cidrBlocks.length > MAX_VPC_CIDR_BLOCKS) problems.push(tooManyBlocksProblem(a.existing, a.vpc.cidrBlocks));
  problems.push(...adoptedSubnetProblems(a.existing, a.zones, a.vpc?.cidrBlocks, a.subnets));
  if (a.vpc) problems.push(...clusterRangeProblems(a.existing.vpcId, a.vpc.cidrBlocks, a.kubernetes));
  return problems;
}

function tooManyBlocksProblem(existing: ExistingNetwork, blocks: string[]): Problem {
  return {
    key: `${KEY}.vpcId`,
    rule: `must have at most ${MAX_VPC_CIDR_BLOCKS} associated IPv4 CIDR blocks (the size of the prefix list the security groups admit the VPC through); it has ${blocks.length}`,
    got: `${existing.vpcId} (${blocks.join(", ")})`,
    fix: `disassociate the blocks that hold no cluster subnet, or adopt a VPC with at most ${MAX_VPC_CIDR_BLOCKS} blocks`,
  };
}

function missingVpcProblem(existing: ExistingNetwork, subnets: SubnetFacts[]): Problem {
  const holders = [...new Set(subnets.map((s) => s.vpcId))];
  return {
    key: `${KEY}.vpcId`,
    rule: "must name a VPC this account sees in the stack's region; DescribeVpcs returns none with this ID",
    got: existing.vpcId,
    fix:
      holders.length === 1
        ? `the listed subnets are in ${holders[0]}: use that ID, or check the ID, account and region`
        : "check the ID for a typo, and that the stack deploys to the VPC's account and region (aws ec2 describe-vpcs --vpc-ids …)",
  };
}

/**
 * Subnet problems at their keys. `vpcBlocks` undefined means the VPC is missing: that is reported
 * once at vpcId, and the checks that need the VPC are skipped rather than repeating it per subnet.
 */
export function adoptedSubnetProblems(
  existing: ExistingNetwork,
  zones: string[],
  vpcBlocks: string[] | undefined,
  subnets: SubnetFacts[],
): Problem[] {
  const problems: Problem[] = [];
  const byId = new Map(subnets.map((s) => [s.id, s]));
  const blocks = (vpcBlocks ?? []).map(parseCidr).filter((c) => c !== undefined);
  for (const field of FIELDS) {
    existing[field].forEach((id, i) => {
      const key = `${KEY}.${field}[${i}]`;
      const s = byId.get(id);
      if (!s) {
        problems.push({
          key,
          rule: "must name a subnet this account sees in the stack's region; DescribeSubnets returns none with this ID",
          got: id,
          fix: "check the ID for a typo or a deleted subnet (aws ec2 describe-subnets --subnet-ids …), and that the stack deploys to the VPC's account and region",
        });
        return;
      }
      if (vpcBlocks && s.vpcId !== existing.vpcId) {
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
      if (vpcBlocks && cidr && !blocks.some((b) => contains(b, cidr))) {
        problems.push({
          key,
          rule: `must lie inside one of the VPC's associated CIDR blocks (${vpcBlocks.join(", ")})`,
          got: `${id} (${s.cidrBlock})`,
          fix: "list subnets of the adopted VPC",
        });
      }
    });
  }
  return problems;
}

/**
 * The pod and service ranges against every block of the adopted VPC. Pods get addresses from
 * kubernetes.podCidr (Cilium's "kubernetes" IPAM, tunnelled), services from serviceCidr: a VPC
 * address inside either is unreachable from pods (routed into the tunnel or taken by kube-proxy).
 * The config checks the created VPC's CIDR the same way (lib/config/crossChecks.ts).
 */
export function clusterRangeProblems(vpcId: string, vpcBlocks: string[], k: { podCidr: string; serviceCidr: string }): Problem[] {
  const vpcKey = "network.existing.vpcId";
  const ranges = [
    ...vpcBlocks.map((cidr) => ({ key: vpcKey, cidr })),
    { key: "kubernetes.podCidr", cidr: k.podCidr },
    { key: "kubernetes.serviceCidr", cidr: k.serviceCidr },
  ];
  return overlappingRanges(ranges)
    .filter(({ other }) => other.key === vpcKey)
    .map(({ range, other }) => {
      const what = range.key === "kubernetes.podCidr" ? "pod" : "service";
      const free = freeRangeLike(range.cidr, [...vpcBlocks, k.podCidr, k.serviceCidr]);
      return {
        key: `${NS}:${range.key}`,
        rule: `must not overlap ${other.cidr}, a CIDR block of the VPC that ${NS}:${vpcKey} adopts (${vpcId})`,
        got: range.cidr,
        fix: `pick a ${what} range outside every block of the VPC (${vpcBlocks.join(", ")})${free ? `, e.g. ${free}` : ""}`,
      };
    });
}

/** A private range of the same size clear of `taken` (RFC 1918 first, then RFC 6598), if any. */
function freeRangeLike(cidr: string, taken: string[]): string | undefined {
  const prefix = parseCidr(cidr)?.prefix;
  if (prefix === undefined) return undefined;
  const used = taken.map(parseCidr).filter((c) => c !== undefined);
  for (const space of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"].map(mustParseCidr)) {
    if (prefix < space.prefix) continue;
    try {
      return formatCidr(allocate(space, [prefix], used)[0]);
    } catch {
      /* no room in this space */
    }
  }
  return undefined;
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
  return { vpcs: { [existing.vpcId]: { cidrBlock: vpcCidr, cidrBlocks: [vpcCidr] } }, subnets };
}

interface CliVpc {
  VpcId: string;
  CidrBlock: string;
  CidrBlockAssociationSet?: { CidrBlock: string; CidrBlockState?: { State?: string } }[];
}

/**
 * Facts from the AWS CLI's JSON: `aws ec2 describe-subnets` ({"Subnets": [...]}) and
 * `aws ec2 describe-vpcs` ({"Vpcs": [...]}, secondary blocks from each CidrBlockAssociationSet),
 * in one object or as a list of both. A subnet or VPC the files lack is one AWS does not know.
 */
export function networkFactsFromAwsCli(json: unknown): NetworkFacts {
  const docs = Array.isArray(json) ? json : [json];
  const facts: NetworkFacts = { vpcs: {}, subnets: {} };
  for (const doc of docs) {
    const d = (doc ?? {}) as { Subnets?: Record<string, string>[]; Vpcs?: CliVpc[] };
    for (const s of d.Subnets ?? []) {
      facts.subnets[s.SubnetId] = { id: s.SubnetId, vpcId: s.VpcId, availabilityZone: s.AvailabilityZone, cidrBlock: s.CidrBlock };
    }
    for (const v of d.Vpcs ?? []) {
      const associations = (v.CidrBlockAssociationSet ?? []).map((a) => ({ cidrBlock: a.CidrBlock, state: a.CidrBlockState?.State ?? "" }));
      facts.vpcs[v.VpcId] = { cidrBlock: v.CidrBlock, cidrBlocks: vpcCidrBlocks(v.CidrBlock, associations) };
    }
  }
  return facts;
}
