/**
 * A production stack adopting a VPC plans as cleanly as one that creates it: every mandatory
 * policy passes (the zone policies read the adopted subnets' zones from the Network component),
 * the capacity check counts the adopted private subnets, and the cluster brings itself up.
 */
import { parseClusterConfig } from "../../lib/config/parse";
import { Plan } from "../../lib/plan/types";
import { analysePlan, Analysis, policyConfigFor } from "../../tools/analyse";
import { runProgram } from "../../tools/offline/runtime";
import { rawStackConfig, stackConfig, StackFile } from "../../tools/offline/stackFile";
import { ROOT } from "../helpers/plannedStack";

const existing = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
  privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
};

let plan: Plan;
let analysis: Analysis;
beforeAll(async () => {
  const file = stackConfig(ROOT, "prod");
  const network = { ...JSON.parse(file.config["kubestead:network"]), existing };
  delete network.natGateways;
  const stackFile: StackFile = { ...file, config: { ...file.config, "kubestead:network": JSON.stringify(network) } };
  plan = (await runProgram({ stack: "prod", root: ROOT, stackFile })).plan;
  const config = parseClusterConfig(rawStackConfig(stackFile, "prod"));
  analysis = analysePlan(plan, config, policyConfigFor(ROOT, "prod", config).config);
}, 300_000);

test("no policy finds anything, mandatory or advisory", () => {
  expect(analysis.policy.violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  // The zone policies ran on the adopted subnets rather than stepping aside.
  for (const name of ["etcd-quorum", "control-plane-ha", "api-load-balancer", "worker-pool-spread"]) {
    expect(analysis.policy.evaluated[name]).toBeGreaterThan(0);
  }
});

test("the Network component registers each adopted subnet's zone, in kubestead:zones order", () => {
  const network = plan.resources.find((r) => r.type === "kubestead:components:Network")!;
  const zones = network.outputs.subnetZones as Record<string, string>;
  expect(existing.privateSubnetIds.map((id) => zones[id])).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
  expect(existing.publicSubnetIds.map((id) => zones[id])).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
});

test("capacity counts the adopted private subnets and holds maxNodes", () => {
  expect(analysis.capacity.problems).toEqual([]);
  expect(analysis.capacity.ok).toBe(true);
});

test("the cluster brings itself up", () => {
  expect(analysis.bringup.converged).toBe(true);
  expect(analysis.mandatoryViolations).toBe(0);
});
