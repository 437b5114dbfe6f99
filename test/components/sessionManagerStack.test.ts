/**
 * kubestead:sessionManager, planned: the dev stack (amd64 nodes and an arm64 pool) with Session
 * Manager on. Every node boots the agent of its own architecture, verified; every node role may
 * register and carry sessions, decided by IAM evaluation of the planned policies; user data keeps
 * its headroom. The dev and prod matrices (test/lib/iamEval) show the shipped stacks, where it is
 * off, granting none of it.
 */
import { decodeUserData } from "../../bootstrap/cloudInit";
import { parseClusterConfig } from "../../lib/config/parse";
import { evaluateRequest } from "../../lib/iamEval/evaluate";
import { Plan } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";
import { rawStackConfig, stackConfig, StackFile } from "../../tools/offline/stackFile";
import { graphOfPlan } from "../helpers/policyFixtures";
import { boundaryInput } from "../../policy/rules/nodeRoleBoundaries";
import { ofType, ROOT, tagsOf } from "../helpers/plannedStack";

const SHA = { amd64: "1".repeat(64), arm64: "2".repeat(64) };
const VERSION = "3.3.1802.0";
let plan: Plan;
let stackFile: StackFile;
beforeAll(async () => {
  const file = stackConfig(ROOT, "dev");
  stackFile = { ...file, config: { ...file.config, "kubestead:sessionManager": JSON.stringify({ version: VERSION, sha256: SHA }) } };
  plan = (await runProgram({ stack: "dev", root: ROOT, stackFile })).plan;
}, 300_000);

test("the config holds the section", () => {
  expect(parseClusterConfig(rawStackConfig(stackFile, "dev")).sessionManager).toEqual({ version: VERSION, sha256: SHA });
});

test("every launch template installs the agent of its nodes' architecture first, then starts it, with 2 KiB of user data to spare", () => {
  const templates = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate");
  const roles = new Set(templates.map((lt) => tagsOf(lt)["kubestead.io/role"]));
  expect([...roles].sort()).toEqual(["controlplane", "etcd", "worker"]);
  const seen = new Set<string>();
  for (const lt of templates) {
    const userData = String(lt.inputs.userData);
    expect({ name: lt.name, fits: Buffer.from(userData, "base64").length <= 16 * 1024 - 2048 }).toEqual({ name: lt.name, fits: true });
    const boot = decodeUserData(userData);
    // Invocations only (the helper's definition and comments name it too); the boot script is a
    // block in the cloud-config, indented.
    const installs = [...boot.matchAll(/^\s*install_release '([^']+)' '([0-9a-f]{64})'/gm)];
    const agent = installs.findIndex((m) => m[1].startsWith("https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/"));
    // The first download of the boot.
    expect({ name: lt.name, at: agent }).toEqual({ name: lt.name, at: 0 });
    const [, url, sha] = installs[agent];
    expect(url).toMatch(new RegExp(`/SSMAgent/${VERSION.replaceAll(".", "\\.")}/debian_(amd64|arm64)/amazon-ssm-agent\\.deb$`));
    const arch = /debian_(amd64|arm64)\//.exec(url)![1] as "amd64" | "arm64";
    seen.add(arch);
    expect(sha).toBe(SHA[arch]);
    // The instance type's architecture decides: an arm64 pool gets the arm64 package.
    const family = String(lt.inputs.instanceType).split(".")[0];
    expect({ name: lt.name, arch }).toEqual({ name: lt.name, arch: /\dg[a-z]*$/.test(family) ? "arm64" : "amd64" });
    expect(boot).toContain("systemctl enable --now amazon-ssm-agent.service");
  }
  expect([...seen].sort()).toEqual(["amd64", "arm64"]);
});

test("every node role may register with Systems Manager and open session channels; other Systems Manager calls stay refused", () => {
  const { graph } = graphOfPlan(plan);
  const b = boundaryInput(graph);
  expect(b.findings).toEqual([]);
  const nodeRoles = b.input!.roles.filter((r) => r.nodeRole);
  expect(nodeRoles.map((r) => r.nodeRole).sort()).toEqual(["controlplane", "etcd", "worker"]);
  const ask = (role: (typeof nodeRoles)[number], action: string, resource = "*") =>
    evaluateRequest(
      { principal: role.arn, action, resource, resourceAccount: role.arn.split(":")[4], context: { "aws:RequestedRegion": "us-east-1" } },
      role.policies,
    ).decision;
  for (const role of nodeRoles) {
    for (const action of ["ssm:UpdateInstanceInformation", "ssmmessages:OpenDataChannel", "ec2messages:GetMessages"]) {
      expect({ role: role.name, action, decision: ask(role, action) }).toEqual({ role: role.name, action, decision: "Allowed" });
    }
    for (const action of ["ssm:SendCommand", "ssm:PutInventory", "ssm:GetDocument"]) {
      expect({ role: role.name, action, decision: ask(role, action) }).toEqual({ role: role.name, action, decision: "ImplicitlyDenied" });
    }
  }
});
