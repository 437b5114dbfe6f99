/** The dev graph (advisory enforcement): backups locked and logged all the same, no flow logs by default, workers' egress open. */
import { Plan } from "../../lib/plan/types";
import { ANYWHERE, clusterRules, egressRules } from "../../lib/securityRules";
import { ofType, planStack, tagsOf, withRole } from "../helpers/plannedStack";

let dev: Plan;
beforeAll(async () => {
  dev = await planStack("dev");
}, 120_000);

const NEW = ["backup-bucket-object-lock", "backup-bucket-access-logs", "vpc-flow-logs", "egress-restricted"];

test("backups: locked for the 3-day retention and logged, but destroyable", () => {
  const [bucket] = withRole(dev, "aws:s3/bucket:Bucket", "backup");
  const [lock] = ofType(dev, "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration").filter(
    (r) => r.inputs.bucket === bucket.id,
  );
  expect(lock.inputs.rule).toEqual({ defaultRetention: { mode: "GOVERNANCE", days: 3 } });
  expect(ofType(dev, "aws:s3/bucketLogging:BucketLogging").filter((r) => r.inputs.bucket === bucket.id)).toHaveLength(1);
  for (const b of ofType(dev, "aws:s3/bucket:Bucket")) expect([b.name, b.inputs.forceDestroy]).toEqual([b.name, true]);
});

test("no flow logs unless configured (network.flowLogs.enabled defaults to mandatory enforcement)", () => {
  expect(ofType(dev, "aws:ec2/flowLog:FlowLog")).toEqual([]);
  expect(ofType(dev, "aws:cloudwatch/logGroup:LogGroup")).toEqual([]);
});

test("workers keep all egress", () => {
  const roles = new Map(ofType(dev, "aws:ec2/securityGroup:SecurityGroup").map((g) => [g.id, tagsOf(g)["kubestead.io/role"]]));
  const worker = ofType(dev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter(
    (r) => roles.get(String(r.inputs.securityGroupId)) === "worker",
  );
  expect(worker.map((r) => [r.inputs.ipProtocol, r.inputs.cidrIpv4])).toEqual([["-1", ANYWHERE]]);
});

test("a created VPC: one prefix list holding its CIDR, and every rule from or to the VPC references it", () => {
  const [vpc] = ofType(dev, "aws:ec2/vpc:Vpc");
  const lists = ofType(dev, "aws:ec2/managedPrefixList:ManagedPrefixList");
  expect(lists).toHaveLength(1);
  const [list] = lists;
  expect(list.inputs).toMatchObject({ addressFamily: "IPv4", maxEntries: 5, entries: [{ cidr: vpc.inputs.cidrBlock }] });
  expect(tagsOf(list)["kubestead.io/role"]).toBe("network");
  const rules = [
    ...ofType(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
    ...ofType(dev, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
  ];
  const viaList = rules.filter((r) => r.inputs.prefixListId === list.id).map((r) => r.name.replace(/^kubestead-dev-sg-/, ""));
  const fromTable = [
    ...clusterRules({ controlPlane: { apiLoadBalancer: { allowedCidrs: [] } } } as never).filter(
      (r) => "cidr" in r.from && r.from.cidr === "vpc",
    ),
    ...egressRules().filter((r) => "cidr" in r.to && r.to.cidr === "vpc"),
  ].map((r) => r.name);
  expect(fromTable).toEqual(expect.arrayContaining(["api-lb-from-vpc", "nodeports-from-vpc", "etcd-dns-udp-to-vpc"]));
  expect(viaList.sort()).toEqual(fromTable.sort());
  // No rule names the VPC's CIDR itself any more.
  expect(rules.filter((r) => r.inputs.cidrIpv4 === vpc.inputs.cidrBlock).map((r) => r.name)).toEqual([]);
});

test("the policy pack: of the four, only the flow-log finding, advisory", () => {
  const r = require("../../policy/runner").runPolicies(dev, require("../../policy/dev.json"), { preview: false });
  const mine = r.violations.filter((v: { policy: string }) => NEW.includes(v.policy));
  expect(mine.map((v: { policy: string; enforcementLevel: string }) => [v.policy, v.enforcementLevel])).toEqual([
    ["vpc-flow-logs", "advisory"],
  ]);
});
