/**
 * A five-member etcd cluster, planned: kubestead:etcd.members is honoured end to end — five
 * members in five zones, each with its own ENI, data volume and single-zone group, each naming all
 * five peers in its initial cluster, and every policy satisfied.
 */
import { decodeUserData } from "../../bootstrap/cloudInit";
import { parseClusterConfig } from "../../lib/config/parse";
import { Plan } from "../../lib/plan/types";
import { analysePlan, policyConfigFor } from "../../tools/analyse";
import { runProgram } from "../../tools/offline/runtime";
import { rawStackConfig, stackConfig, StackFile } from "../../tools/offline/stackFile";
import { ofType, ROOT, subnetZone, withRole } from "../helpers/plannedStack";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e"];
let plan: Plan;
let stackFile: StackFile;
beforeAll(async () => {
  const file = stackConfig(ROOT, "prod");
  const etcd = { ...JSON.parse(file.config["kubestead:etcd"]), members: 5 };
  stackFile = { ...file, config: { ...file.config, "kubestead:zones": JSON.stringify(ZONES), "kubestead:etcd": JSON.stringify(etcd) } };
  plan = (await runProgram({ stack: "prod", root: ROOT, stackFile })).plan;
}, 300_000);

test("five members, one per zone: ENI, data volume and a single-zone group each", () => {
  const enis = withRole(plan, "aws:ec2/networkInterface:NetworkInterface", "etcd");
  const volumes = withRole(plan, "aws:ebs/volume:Volume", "etcd");
  const groups = withRole(plan, "aws:autoscaling/group:Group", "etcd");
  expect([enis.length, volumes.length, groups.length]).toEqual([5, 5, 5]);
  expect(volumes.map((v) => v.inputs.availabilityZone).sort()).toEqual(ZONES);
  expect(enis.map((e) => subnetZone(plan, String(e.inputs.subnetId))).sort()).toEqual(ZONES);
  for (const g of groups) expect((g.inputs.vpcZoneIdentifiers as string[]).length).toBe(1);
});

test("every member's initial cluster names all five peers", () => {
  const templates = withRole(plan, "aws:ec2/launchTemplate:LaunchTemplate", "etcd");
  expect(templates).toHaveLength(5);
  for (const lt of templates) {
    const userData = decodeUserData(String(lt.inputs.userData));
    const line = /ETCD_INITIAL_CLUSTER=(\S+)/.exec(userData)?.[1] ?? "";
    expect(line.split(",")).toHaveLength(5);
  }
});

test("the policy pack, the capacity check and the bring-up all pass", () => {
  const config = parseClusterConfig(rawStackConfig(stackFile, "prod"));
  expect(config.etcd.members).toBe(5);
  const analysis = analysePlan(plan, config, policyConfigFor(ROOT, "prod", config).config);
  expect(analysis.policy.violations.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  expect(analysis.capacity.ok).toBe(true);
  expect(analysis.bringup.converged).toBe(true);
  expect(ofType(plan, "aws:ec2/subnet:Subnet")).toHaveLength(10);
});

test.each(["etcd", "controlplane", "worker"])("IMDS on every %s launch template: v2 only, hop limit 1", (role) => {
  const templates = withRole(plan, "aws:ec2/launchTemplate:LaunchTemplate", role);
  expect(templates.length).toBeGreaterThan(0);
  for (const lt of templates) {
    expect(lt.inputs.metadataOptions).toMatchObject({ httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
  }
});
