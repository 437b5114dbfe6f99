/** The audit-log policy documents: who may write, under which conditions. */
import {
  flowLogAssumeRolePolicy,
  flowLogDeliveryPolicy,
  flowLogGroupPrefix,
  flowLogKeyPolicy,
  logBucketPolicy,
  logBucketPrefix,
} from "../../lib/logDelivery";

const ACCOUNT = "123456789012";
const LOGS = "arn:aws:s3:::kc-backup-logs-abc";

/** IAM ArnLike: `*` matches any run of characters. */
const arnLike = (pattern: string, arn: string) =>
  new RegExp(
    `^${pattern
      .split("*")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*")}$`,
  ).test(arn);

test("server access logs: only the S3 logging service, for the backup bucket of this account, under the prefix; TLS only", () => {
  const doc = logBucketPolicy(LOGS, {
    kind: "s3-access-logs",
    sourceBucketArn: "arn:aws:s3:::kc-etcd-backups-x",
    accountId: ACCOUNT,
    prefix: "etcd-backups/",
  });
  expect(doc.Statement).toEqual([
    {
      Sid: "S3ServerAccessLogsPolicy",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${LOGS}/etcd-backups/*`,
      Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::kc-etcd-backups-x" }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
    },
    expect.objectContaining({ Sid: "DenyInsecureTransport", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
  ]);
});

test("flow logs to S3: the log delivery service writes under AWSLogs/<account>/ with bucket-owner-full-control and checks the ACL", () => {
  const doc = logBucketPolicy(LOGS, { kind: "vpc-flow-logs", accountId: ACCOUNT, region: "us-east-1", partition: "aws" });
  const [write, acl] = doc.Statement;
  expect(write).toMatchObject({
    Principal: { Service: "delivery.logs.amazonaws.com" },
    Action: "s3:PutObject",
    Resource: `${LOGS}/AWSLogs/${ACCOUNT}/*`,
    Condition: {
      StringEquals: { "aws:SourceAccount": ACCOUNT, "s3:x-amz-acl": "bucket-owner-full-control" },
      ArnLike: { "aws:SourceArn": `arn:aws:logs:us-east-1:${ACCOUNT}:*` },
    },
  });
  expect(acl).toMatchObject({ Action: ["s3:GetBucketAcl", "s3:ListBucket"], Resource: LOGS });
});

test("the flow-log key admits CloudWatch Logs only for this cluster's flow-log groups", () => {
  const doc = flowLogKeyPolicy("aws", ACCOUNT, "us-east-1", "kc");
  const logs = doc.Statement.find((s) => s.Sid === "CloudWatchLogsForFlowLogGroups")!;
  expect(logs.Principal).toEqual({ Service: "logs.us-east-1.amazonaws.com" });
  const pattern = (logs.Condition as any).ArnLike["kms:EncryptionContext:aws:logs:arn"] as string;
  expect(arnLike(pattern, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:${flowLogGroupPrefix("kc")}a1b2c3d`)).toBe(true);
  expect(arnLike(pattern, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/kubestead/other/vpc-flow-logs-a1b2c3d`)).toBe(false);
  expect(arnLike(pattern, `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/lambda/x`)).toBe(false);
});

test("only this account's flow logs assume the delivery role, which writes to its one log group", () => {
  expect(flowLogAssumeRolePolicy("aws", ACCOUNT, "us-east-1").Statement[0]).toMatchObject({
    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
    Condition: {
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/*` },
    },
  });
  const group = `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/kubestead/kc/vpc-flow-logs-a1b2c3d`;
  const [write, find] = flowLogDeliveryPolicy(group).Statement;
  expect(write.Resource).toEqual([group, `${group}:*`]);
  expect(find).toMatchObject({ Action: "logs:DescribeLogGroups", Resource: `arn:aws:logs:us-east-1:${ACCOUNT}:log-group:*` });
});

test("log bucket prefixes fit S3's 37 characters, descriptive when they can be", () => {
  const long = `kubestead-${"x".repeat(22)}`;
  expect(logBucketPrefix("kc", "backup-logs")).toBe("kc-backup-logs-");
  for (const purpose of ["backup-logs", "flow-logs"]) expect(logBucketPrefix(long, purpose).length).toBeLessThanOrEqual(37);
});
