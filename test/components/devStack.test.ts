/** The dev stack: the same program as prod with cheaper values. */
import { Plan } from "../../lib/plan/types";
import { ofType, planStack, withRole } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack("dev");
}, 120_000);

test("one NAT gateway for the whole VPC", () => {
  expect(ofType(plan, "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
  const routes = ofType(plan, "aws:ec2/routeTable:RouteTable")
    .flatMap((rt) => (rt.inputs.routes as any[]).map((r) => r.natGatewayId))
    .filter(Boolean);
  expect(new Set(routes).size).toBe(1);
  expect(routes).toHaveLength(3);
});

test("three etcd members even in dev, one control-plane node", () => {
  expect(withRole(plan, "aws:autoscaling/group:Group", "etcd")).toHaveLength(3);
  const [cp] = withRole(plan, "aws:autoscaling/group:Group", "controlplane");
  expect(cp.inputs.desiredCapacity).toBe(1);
});

test("nothing is protected in dev, so a scratch cluster can be destroyed", () => {
  for (const r of plan.resources) expect(r.options.protect).toBe(false);
  const [bucket] = ofType(plan, "aws:s3/bucket:Bucket");
  expect(bucket.inputs.forceDestroy).toBe(true);
});

test("optional add-ons follow config: metrics-server and the node termination handler on, autoscaler and EBS CSI off", () => {
  const addons = ofType(plan, "aws:s3/bucketObjectv2:BucketObjectv2")
    .map((r) => (r.inputs.metadata as Record<string, string>).addon)
    .filter(Boolean);
  expect(addons).toEqual([
    "node-bootstrap",
    "cluster-admins",
    "cloud-controller-manager",
    "kube-proxy",
    "cilium",
    "coredns",
    "csr-approver",
    "metrics-server",
    "node-termination",
  ]);
});

test("the policy pack on the dev graph: only advisory findings (a 1-node control plane, unprotected volumes, no flow logs)", () => {
  const { runPolicies } = require("../../policy/runner");
  const cfg = JSON.parse(require("node:fs").readFileSync(require("node:path").join(__dirname, "../../policy/dev.json"), "utf8"));
  const report = runPolicies(plan, cfg, { preview: false });
  expect(report.mandatoryCount).toBe(0);
  const policies = new Set(report.violations.map((v: { policy: string }) => v.policy));
  // Flow logs default to off where enforcement is advisory (network.flowLogs.enabled).
  expect(policies).toEqual(new Set(["control-plane-ha", "etcd-volume-protection", "vpc-flow-logs"]));
});
