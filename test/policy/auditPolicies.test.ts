/**
 * backup-bucket-object-lock, backup-bucket-access-logs, vpc-flow-logs and egress-restricted beyond
 * the one-violation table in policies.test.ts: what they skip in a preview, and the shapes they read.
 */
import type { Plan } from "../../lib/plan/types";
import type { PolicyPackConfigFile } from "../../policy/runner";
import { egressProblems, egressRulesOf } from "../../policy/rules/egress";
import { T } from "../../policy/rules/graph";
import prodConfig from "../../policy/prod.json";
import { UNKNOWN, addResource, find, happyPlan, setProp } from "../helpers/policyFixtures";
import { runOnly } from "../helpers/runOnly";

const NEW = ["backup-bucket-object-lock", "backup-bucket-access-logs", "vpc-flow-logs", "egress-restricted"];
const run = (plan: Plan) => runOnly(plan, NEW, prodConfig as PolicyPackConfigFile).violations;

/** Makes `prop` of `name` unknown, as in a preview, keeping the propertyDependencies the engine knows. */
function unknown(plan: Plan, name: string, prop: string): Plan {
  return setProp(plan, name, prop, UNKNOWN);
}

describe("preview: unknown values are skipped, not reported", () => {
  test.each([
    ["the lock's bucket", "kc-etcd-backups-lock", "bucket"],
    ["the lock rule", "kc-etcd-backups-lock", "rule"],
    ["the logging target", "kc-etcd-backups-logging", "targetBucket"],
    ["the log bucket policy", "kc-backup-logs-policy", "policy"],
    ["the flow log's VPC", "kc-flow-logs", "vpcId"],
    ["the flow log's destination", "kc-flow-logs", "logDestination"],
    ["the log group's key", "kc-flow-logs-group", "kmsKeyId"],
    ["an egress rule's group", "kc-etcd-egress", "securityGroupId"],
    ["an egress rule's protocol", "kc-etcd-egress", "ipProtocol"],
  ])("%s", (_what, name, prop) => {
    expect(run(unknown(happyPlan(), name, prop))).toEqual([]);
  });

  test("an unknown flow-log VPC still counts for the VPC it depends on", () => {
    const plan = unknown(happyPlan(), "kc-flow-logs", "vpcId");
    expect(find(plan, "kc-flow-logs").propertyDependencies.vpcId).toEqual([find(plan, "kc-vpc").urn]);
    expect(run(plan)).toEqual([]);
  });
});

describe("shapes", () => {
  test("egress from the three ways to write it", () => {
    expect(
      egressRulesOf(T.securityGroup, { egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] }),
    ).toHaveLength(1);
    expect(egressRulesOf(T.securityGroupRule, { type: "ingress", protocol: "-1" })).toEqual([]);
    expect(egressRulesOf(T.securityGroupRule, { type: "egress", protocol: "-1", cidrBlocks: ["0.0.0.0/0"] })).toHaveLength(1);
    expect(egressRulesOf(T.egressRule, { ipProtocol: "udp", fromPort: 123, toPort: 123, cidrIpv6: "::/0" })[0].cidrs).toEqual(["::/0"]);
  });

  test.each([
    [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrs: ["0.0.0.0/0"] }, []],
    [{ protocol: "6", fromPort: 443, toPort: 443, cidrs: ["::/0"] }, []],
    [{ protocol: "tcp", fromPort: 2379, toPort: 2380, cidrs: [] }, []],
    [{ protocol: "tcp", fromPort: 0, toPort: 65535, cidrs: ["10.0.0.0/16"] }, []],
    [
      { protocol: "udp", fromPort: 123, toPort: 123, cidrs: ["0.0.0.0/0"] },
      ["opens udp port 123 to 0.0.0.0/0; only TCP 443 may go to the internet."],
    ],
    [
      { protocol: "tcp", fromPort: 80, toPort: 443, cidrs: ["0.0.0.0/0"] },
      ["opens tcp ports 80-443 to 0.0.0.0/0; only TCP 443 may go to the internet."],
    ],
    [
      { protocol: "all", fromPort: 0, toPort: 0, cidrs: [] },
      ["allows all traffic out (protocol -1); list the ports and peers the role needs."],
    ],
  ])("%j → %j", (rule, want) => {
    expect(egressProblems(rule)).toEqual(want);
  });

  test("workers may keep all egress; a separate rule of an etcd group is found through its securityGroupId", () => {
    const plan = happyPlan();
    addResource(plan, {
      type: "aws:ec2/securityGroupRule:SecurityGroupRule",
      name: "kc-etcd-ssh-out",
      inputs: { type: "egress", securityGroupId: "sg-etcd", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
    });
    expect(run(plan).map((v) => [v.policy, v.name, v.message])).toEqual([
      [
        "egress-restricted",
        "kc-etcd-ssh-out",
        "etcd egress kc-etcd-ssh-out opens tcp port 22 to 0.0.0.0/0; only TCP 443 may go to the internet.",
      ],
    ]);
  });

  test("a lock in years counts 365 days a year against the lifecycle", () => {
    const plan = happyPlan();
    setProp(plan, "kc-etcd-backups-lock", "rule.defaultRetention", { mode: "COMPLIANCE", years: 1 });
    expect(run(plan).map((v) => v.message)).toEqual([
      expect.stringMatching(/expires snapshot versions after 30 day\(s\), before their 365-day lock ends/),
    ]);
  });

  test("a log bucket with a default retention cannot receive access logs", () => {
    const plan = happyPlan();
    addResource(plan, {
      type: T.bucketObjectLock,
      name: "kc-backup-logs-lock",
      inputs: { bucket: "kc-backup-logs", rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } } },
    });
    expect(run(plan).map((v) => v.message)).toEqual([
      expect.stringMatching(/log bucket kc-backup-logs has an Object Lock default retention/),
    ]);
  });
});
