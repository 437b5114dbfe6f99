/** An adopted VPC gets flow logs too; here to S3, through a private log bucket the log delivery service may write to. */
import { Plan } from "../../lib/plan/types";
import { ACCOUNT_ID } from "../../tools/offline/aws";
import { runProgram } from "../../tools/offline/runtime";
import { stackConfig } from "../../tools/offline/stackFile";
import { ancestors, ofType, ROOT, tagsOf } from "../helpers/plannedStack";

const VPC = "vpc-0a1b2c3d4e5f60718";

let plan: Plan;
beforeAll(async () => {
  const file = stackConfig(ROOT, "dev");
  const network = {
    ...JSON.parse(file.config["kubestead:network"]),
    existing: {
      vpcId: VPC,
      publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
      privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
    },
    flowLogs: { enabled: true, destination: "s3", retentionDays: 30 },
  };
  delete network.natGateways;
  const stackFile = { ...file, config: { ...file.config, "kubestead:network": JSON.stringify(network) } };
  plan = (await runProgram({ stack: "adopt-s3-flow-logs", root: ROOT, stackFile })).plan;
}, 120_000);

const ofBucket = (type: string, bucketId: string | undefined) => ofType(plan, type).filter((r) => r.inputs.bucket === bucketId);

test("the adopted VPC's flow log goes to a log bucket, no role needed", () => {
  const [flow] = ofType(plan, "aws:ec2/flowLog:FlowLog");
  expect(flow.inputs).toMatchObject({ vpcId: VPC, logDestinationType: "s3", trafficType: "ALL" });
  expect(flow.inputs.iamRoleArn).toBeUndefined();
  expect(ofType(plan, "aws:cloudwatch/logGroup:LogGroup")).toEqual([]);
  const bucket = ofType(plan, "aws:s3/bucket:Bucket").find((b) => b.outputs.arn === flow.inputs.logDestination)!;
  expect(tagsOf(bucket)).toMatchObject({ "kubestead.io/role": "logs", "kubestead.io/logs-of": "network" });
  expect(
    (ofBucket("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", bucket.id)[0].inputs.rules as any)[0].expiration,
  ).toEqual({
    days: 30,
  });
  const [policy] = ofBucket("aws:s3/bucketPolicy:BucketPolicy", bucket.id);
  const [write] = JSON.parse(String(policy.inputs.policy)).Statement;
  expect(write).toMatchObject({
    Principal: { Service: "delivery.logs.amazonaws.com" },
    Resource: `${bucket.outputs.arn}/AWSLogs/${ACCOUNT_ID}/*`,
  });
  // The bucket policy exists before the flow log, so AWS does not append a statement of its own.
  expect(flow.dependencies).toContain(policy.urn);
  for (const r of [flow, bucket]) expect(ancestors(plan, r).pop()?.type).toBe("kubestead:components:Network");
});

test("vpc-flow-logs sees the adopted VPC (through its security groups) and passes", () => {
  const r = require("../../policy/runner").runPolicies(plan, require("../../policy/prod.json"), { preview: false });
  expect(r.violations.filter((v: { policy: string }) => v.policy === "vpc-flow-logs")).toEqual([]);
  expect(r.evaluated["vpc-flow-logs"]).toBe(1);
  const without: Plan = structuredClone(plan);
  without.resources = without.resources.filter((x) => x.type !== "aws:ec2/flowLog:FlowLog");
  const v = require("../../policy/runner").runPolicies(without, require("../../policy/prod.json"), { preview: false });
  expect(v.violations.filter((x: { policy: string }) => x.policy === "vpc-flow-logs").map((x: { message: string }) => x.message)).toEqual([
    expect.stringMatching(new RegExp(`^adopted VPC ${VPC} has no flow log`)),
  ]);
});
