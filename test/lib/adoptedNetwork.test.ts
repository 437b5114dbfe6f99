import {
  adoptedNetworkProblems,
  adoptedSubnetProblems,
  clusterRangeProblems,
  impliedNetworkFacts,
  MAX_VPC_CIDR_BLOCKS,
  networkFactsFromAwsCli,
  SubnetFacts,
  vpcCidrBlocks,
} from "../../lib/adoptedNetwork";
import { formatProblem } from "../../lib/config/problems";

const zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const existing = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
  privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
};
const kubernetes = { podCidr: "10.128.0.0/11", serviceCidr: "10.96.0.0/12" };
const facts = () => Object.values(impliedNetworkFacts(existing, zones, "10.0.0.0/16").subnets);
const problems = (change: (s: SubnetFacts[]) => SubnetFacts[] | void, blocks = ["10.0.0.0/16"]) => {
  const s = facts();
  const changed = change(s) ?? s;
  return adoptedSubnetProblems(existing, zones, blocks, changed).map(formatProblem);
};
const all = (a: Partial<Parameters<typeof adoptedNetworkProblems>[0]>) =>
  adoptedNetworkProblems({ existing, zones, vpc: { cidrBlocks: ["10.0.0.0/16"] }, subnets: facts(), kubernetes, ...a }).map(formatProblem);

test("the layout the config implies passes its own check", () => {
  expect(all({})).toEqual([]);
});

test("a subnet of another VPC", () => {
  expect(problems((s) => void (s.find((x) => x.id === "subnet-0000000000000000b")!.vpcId = "vpc-0fffffffffffffff0"))).toEqual([
    'kubestead:network.existing.publicSubnetIds[1] must be a subnet of kubestead:network.existing.vpcId (vpc-0a1b2c3d4e5f60718); it is in vpc-0fffffffffffffff0 (got "subnet-0000000000000000b"): list subnets of the adopted VPC',
  ]);
});

test("a subnet in a zone the cluster doesn't list", () => {
  expect(problems((s) => void (s.find((x) => x.id === "subnet-1000000000000000c")!.availabilityZone = "eu-west-1d"))).toEqual([
    'kubestead:network.existing.privateSubnetIds[2] must be in eu-west-1c, the zone at position 2 of kubestead:zones; it is in eu-west-1d (got "subnet-1000000000000000c"): pick a subnet in eu-west-1c, or add eu-west-1d to kubestead:zones',
  ]);
});

test("a subnet DescribeSubnets doesn't return is reported at its key, not as the provider's NotFound", () => {
  expect(problems((s) => s.filter((x) => x.id !== "subnet-1000000000000000b"))).toEqual([
    "kubestead:network.existing.privateSubnetIds[1] must name a subnet this account sees in the stack's region; DescribeSubnets returns none with this ID (got \"subnet-1000000000000000b\"): check the ID for a typo or a deleted subnet (aws ec2 describe-subnets --subnet-ids …), and that the stack deploys to the VPC's account and region",
  ]);
});

test("every missing subnet is named, the others still checked", () => {
  const out = problems((s) => {
    s.find((x) => x.id === "subnet-0000000000000000a")!.availabilityZone = "eu-west-1b";
    return s.filter((x) => x.id !== "subnet-1000000000000000a" && x.id !== "subnet-0000000000000000c");
  });
  expect(out.map((p) => p.slice(0, p.indexOf(" ")))).toEqual([
    "kubestead:network.existing.privateSubnetIds[0]",
    "kubestead:network.existing.publicSubnetIds[0]",
    "kubestead:network.existing.publicSubnetIds[2]",
  ]);
  expect(out[1]).toContain("must be in eu-west-1a");
});

test("a subnet in the VPC's secondary block is accepted", () => {
  const out = problems(
    (s) => void (s.find((x) => x.id === "subnet-1000000000000000a")!.cidrBlock = "100.64.0.0/19"),
    ["10.0.0.0/16", "100.64.0.0/16"],
  );
  expect(out).toEqual([]);
});

test("a subnet outside every block: the edge is the block's last address", () => {
  const blocks = ["10.0.0.0/16", "100.64.0.0/16"];
  // 100.64.224.0/19 ends at 100.64.255.255, the block's last address: inside.
  expect(problems((s) => void (s.find((x) => x.id === "subnet-1000000000000000a")!.cidrBlock = "100.64.224.0/19"), blocks)).toEqual([]);
  expect(problems((s) => void (s.find((x) => x.id === "subnet-1000000000000000a")!.cidrBlock = "100.65.0.0/19"), blocks)).toEqual([
    'kubestead:network.existing.privateSubnetIds[0] must lie inside one of the VPC\'s associated CIDR blocks (10.0.0.0/16, 100.64.0.0/16) (got "subnet-1000000000000000a (100.65.0.0/19)"): list subnets of the adopted VPC',
  ]);
});

test("a VPC DescribeVpcs doesn't return: one problem, naming the VPC the subnets are in", () => {
  const elsewhere = facts().map((s) => ({ ...s, vpcId: "vpc-0ccccccccccccccc0" }));
  expect(all({ vpc: undefined, subnets: elsewhere })).toEqual([
    'kubestead:network.existing.vpcId must name a VPC this account sees in the stack\'s region; DescribeVpcs returns none with this ID (got "vpc-0a1b2c3d4e5f60718"): the listed subnets are in vpc-0ccccccccccccccc0: use that ID, or check the ID, account and region',
  ]);
});

test("a missing VPC whose subnets are in several VPCs (or none found) gets the general fix", () => {
  const mixed = facts().map((s, i) => ({ ...s, vpcId: i === 0 ? "vpc-0ccccccccccccccc0" : "vpc-0ddddddddddddddd0" }));
  expect(all({ vpc: undefined, subnets: mixed })).toEqual([
    "kubestead:network.existing.vpcId must name a VPC this account sees in the stack's region; DescribeVpcs returns none with this ID (got \"vpc-0a1b2c3d4e5f60718\"): check the ID for a typo, and that the stack deploys to the VPC's account and region (aws ec2 describe-vpcs --vpc-ids …)",
  ]);
  expect(all({ vpc: undefined, subnets: [] })).toHaveLength(7);
});

test("at most MAX_VPC_CIDR_BLOCKS blocks (AWS's default quota, the prefix list's size): the sixth is refused at vpcId", () => {
  expect(MAX_VPC_CIDR_BLOCKS).toBe(5);
  const blocks = (n: number) => Array.from({ length: n }, (_, i) => `10.${i}.0.0/16`);
  expect(all({ vpc: { cidrBlocks: blocks(5) } })).toEqual([]);
  expect(all({ vpc: { cidrBlocks: blocks(6) } })).toEqual([
    `kubestead:network.existing.vpcId must have at most 5 associated IPv4 CIDR blocks (the size of the prefix list the security groups admit the VPC through); it has 6 (got "vpc-0a1b2c3d4e5f60718 (${blocks(6).join(", ")})"): disassociate the blocks that hold no cluster subnet, or adopt a VPC with at most 5 blocks`,
  ]);
});

test("the VPC's blocks: the primary first, then associated secondary blocks only", () => {
  expect(
    vpcCidrBlocks("10.0.0.0/16", [
      { cidrBlock: "10.0.0.0/16", state: "associated" },
      { cidrBlock: "100.64.0.0/16", state: "associated" },
      { cidrBlock: "10.1.0.0/16", state: "associating" },
      { cidrBlock: "10.2.0.0/16", state: "disassociated" },
    ]),
  ).toEqual(["10.0.0.0/16", "100.64.0.0/16"]);
  expect(vpcCidrBlocks("10.0.0.0/16", [])).toEqual(["10.0.0.0/16"]);
});

describe("pod and service ranges against every block of the adopted VPC", () => {
  const vpcId = existing.vpcId;
  test("clear of every block: nothing", () => {
    expect(clusterRangeProblems(vpcId, ["10.0.0.0/16", "100.64.0.0/16"], kubernetes)).toEqual([]);
  });

  test("adjacent ranges do not overlap (the edge)", () => {
    expect(clusterRangeProblems(vpcId, ["10.0.0.0/16"], { podCidr: "10.1.0.0/16", serviceCidr: "10.96.0.0/12" })).toEqual([]);
  });

  test("a pod range over a secondary block, a service range containing the primary: both named, with free ranges", () => {
    expect(
      clusterRangeProblems(vpcId, ["10.96.0.0/16", "100.64.0.0/16"], { podCidr: "100.64.128.0/17", serviceCidr: "10.96.0.0/12" }).map(
        formatProblem,
      ),
    ).toEqual([
      'kubestead:kubernetes.podCidr must not overlap 100.64.0.0/16, a CIDR block of the VPC that kubestead:network.existing.vpcId adopts (vpc-0a1b2c3d4e5f60718) (got "100.64.128.0/17"): pick a pod range outside every block of the VPC (10.96.0.0/16, 100.64.0.0/16), e.g. 10.0.0.0/17',
      'kubestead:kubernetes.serviceCidr must not overlap 10.96.0.0/16, a CIDR block of the VPC that kubestead:network.existing.vpcId adopts (vpc-0a1b2c3d4e5f60718) (got "10.96.0.0/12"): pick a service range outside every block of the VPC (10.96.0.0/16, 100.64.0.0/16), e.g. 10.0.0.0/12',
    ]);
  });

  test("a pod range over two blocks: one problem per block", () => {
    const out = clusterRangeProblems(vpcId, ["10.0.0.0/16", "10.1.0.0/16"], { podCidr: "10.0.0.0/15", serviceCidr: "10.96.0.0/12" });
    expect(out.map((p) => [p.key, p.rule.split(",")[0]])).toEqual([
      ["kubestead:kubernetes.podCidr", "must not overlap 10.0.0.0/16"],
      ["kubestead:kubernetes.podCidr", "must not overlap 10.1.0.0/16"],
    ]);
  });

  test("adoptedNetworkProblems checks the ranges after the subnets", () => {
    expect(all({ kubernetes: { podCidr: "10.0.0.0/16", serviceCidr: "10.96.0.0/12" } })).toEqual([
      'kubestead:kubernetes.podCidr must not overlap 10.0.0.0/16, a CIDR block of the VPC that kubestead:network.existing.vpcId adopts (vpc-0a1b2c3d4e5f60718) (got "10.0.0.0/16"): pick a pod range outside every block of the VPC (10.0.0.0/16), e.g. 10.1.0.0/16',
    ]);
  });
});

test("facts read from the AWS CLI's describe-subnets and describe-vpcs JSON, secondary blocks included", () => {
  const f = networkFactsFromAwsCli([
    { Subnets: [{ SubnetId: "subnet-1", VpcId: "vpc-1", AvailabilityZone: "eu-west-1a", CidrBlock: "10.0.0.0/19", State: "available" }] },
    {
      Vpcs: [
        {
          VpcId: "vpc-1",
          CidrBlock: "10.0.0.0/16",
          CidrBlockAssociationSet: [
            { AssociationId: "vpc-cidr-assoc-1", CidrBlock: "10.0.0.0/16", CidrBlockState: { State: "associated" } },
            { AssociationId: "vpc-cidr-assoc-2", CidrBlock: "100.64.0.0/16", CidrBlockState: { State: "associated" } },
          ],
        },
        { VpcId: "vpc-2", CidrBlock: "10.9.0.0/16" },
      ],
    },
  ]);
  expect(f).toEqual({
    vpcs: {
      "vpc-1": { cidrBlock: "10.0.0.0/16", cidrBlocks: ["10.0.0.0/16", "100.64.0.0/16"] },
      "vpc-2": { cidrBlock: "10.9.0.0/16", cidrBlocks: ["10.9.0.0/16"] },
    },
    subnets: { "subnet-1": { id: "subnet-1", vpcId: "vpc-1", availabilityZone: "eu-west-1a", cidrBlock: "10.0.0.0/19" } },
  });
});
