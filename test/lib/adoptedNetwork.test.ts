import { adoptedSubnetProblems, impliedNetworkFacts, networkFactsFromAwsCli, SubnetFacts } from "../../lib/adoptedNetwork";
import { formatProblem } from "../../lib/config/problems";

const zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
const existing = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
  privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
};
const facts = () => Object.values(impliedNetworkFacts(existing, zones, "10.0.0.0/16").subnets);
const problems = (change: (s: SubnetFacts[]) => void) => {
  const s = facts();
  change(s);
  return adoptedSubnetProblems(existing, zones, "10.0.0.0/16", s).map(formatProblem);
};

test("the layout the config implies passes its own check", () => {
  expect(adoptedSubnetProblems(existing, zones, "10.0.0.0/16", facts())).toEqual([]);
});

test("a subnet of another VPC", () => {
  expect(problems((s) => (s.find((x) => x.id === "subnet-0000000000000000b")!.vpcId = "vpc-0fffffffffffffff0"))).toEqual([
    'kubestead:network.existing.publicSubnetIds[1] must be a subnet of kubestead:network.existing.vpcId (vpc-0a1b2c3d4e5f60718); it is in vpc-0fffffffffffffff0 (got "subnet-0000000000000000b"): list subnets of the adopted VPC',
  ]);
});

test("a subnet in a zone the cluster doesn't list", () => {
  expect(problems((s) => (s.find((x) => x.id === "subnet-1000000000000000c")!.availabilityZone = "eu-west-1d"))).toEqual([
    'kubestead:network.existing.privateSubnetIds[2] must be in eu-west-1c, the zone at position 2 of kubestead:zones; it is in eu-west-1d (got "subnet-1000000000000000c"): pick a subnet in eu-west-1c, or add eu-west-1d to kubestead:zones',
  ]);
});

test("a subnet outside the VPC's CIDR (a secondary range)", () => {
  expect(problems((s) => (s.find((x) => x.id === "subnet-1000000000000000a")!.cidrBlock = "100.64.0.0/19"))).toEqual([
    "kubestead:network.existing.privateSubnetIds[0] must lie inside the VPC's CIDR 10.0.0.0/16 (got \"subnet-1000000000000000a (100.64.0.0/19)\"): list subnets of the adopted VPC's primary CIDR",
  ]);
});

test("facts read from the AWS CLI's describe-subnets and describe-vpcs JSON", () => {
  const f = networkFactsFromAwsCli([
    { Subnets: [{ SubnetId: "subnet-1", VpcId: "vpc-1", AvailabilityZone: "eu-west-1a", CidrBlock: "10.0.0.0/19", State: "available" }] },
    { Vpcs: [{ VpcId: "vpc-1", CidrBlock: "10.0.0.0/16" }] },
  ]);
  expect(f).toEqual({
    vpcs: { "vpc-1": { cidrBlock: "10.0.0.0/16" } },
    subnets: { "subnet-1": { id: "subnet-1", vpcId: "vpc-1", availabilityZone: "eu-west-1a", cidrBlock: "10.0.0.0/19" } },
  });
});
