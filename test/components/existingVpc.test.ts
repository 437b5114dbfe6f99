/** Adopting an existing VPC: no network is created, the given subnets are used zone by zone. */
import { Plan } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";
import { stackConfig } from "../../tools/offline/stackFile";
import { ofType, ROOT, withRole } from "../helpers/plannedStack";

const existing = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
  privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
};

let plan: Plan;
beforeAll(async () => {
  const file = stackConfig(ROOT, "dev");
  const network = { ...JSON.parse(file.config["kubestead:network"]), existing };
  delete network.natGateways;
  const stackFile = { ...file, config: { ...file.config, "kubestead:network": JSON.stringify(network) } };
  plan = (await runProgram({ stack: "adopt", root: ROOT, stackFile })).plan;
}, 120_000);

test("creates no VPC, subnet, gateway or route table", () => {
  for (const type of [
    "aws:ec2/vpc:Vpc",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/routeTable:RouteTable",
  ]) {
    expect(ofType(plan, type)).toEqual([]);
  }
});

test("places etcd members, control plane and workers in the given private subnets, zone by zone", () => {
  const enis = ofType(plan, "aws:ec2/networkInterface:NetworkInterface");
  expect(enis.map((e) => e.inputs.subnetId)).toEqual(existing.privateSubnetIds);
  const [cp] = withRole(plan, "aws:autoscaling/group:Group", "controlplane");
  expect(cp.inputs.vpcZoneIdentifiers).toEqual(existing.privateSubnetIds);
  for (const sg of ofType(plan, "aws:ec2/securityGroup:SecurityGroup")) expect(sg.inputs.vpcId).toBe(existing.vpcId);
});
