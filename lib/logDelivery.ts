/**
 * Policy documents for the audit logs the cluster writes: S3 server access logs of the backup
 * bucket and VPC flow logs (to a KMS-encrypted CloudWatch log group, or to S3). Pure builders;
 * the components in components/logBucket.ts and components/network.ts attach them.
 */

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Record<string, unknown>[];
}

/** Where a log bucket's objects come from; decides its bucket policy. */
export type LogWriter =
  | {
      kind: "s3-access-logs";
      /** ARN of the bucket whose requests are logged. */
      sourceBucketArn: string;
      accountId: string;
      /** Key prefix the logs land under, ending in "/". */
      prefix: string;
    }
  | { kind: "vpc-flow-logs"; accountId: string; region: string; partition: string };

/** Refuses every request over plain HTTP: the statement each of our buckets carries. */
export function denyInsecureTransport(bucketArn: string): Record<string, unknown> {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * The log bucket's policy. Server access logs: the logging service principal may put objects
 * under the prefix, only for the source bucket of this account, as AWS documents for buckets
 * with ACLs disabled (https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html).
 * Flow logs: the log delivery principal's write and ACL check, as CloudWatch vended logs require
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-V2-S3.html).
 * Writing the statements ourselves keeps AWS from appending them to a policy Pulumi owns.
 */
export function logBucketPolicy(bucketArn: string, writer: LogWriter): PolicyDocument {
  const statements: Record<string, unknown>[] = [];
  switch (writer.kind) {
    case "s3-access-logs":
      statements.push({
        Sid: "S3ServerAccessLogsPolicy",
        Effect: "Allow",
        Principal: { Service: "logging.s3.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `${bucketArn}/${writer.prefix}*`,
        Condition: {
          ArnLike: { "aws:SourceArn": writer.sourceBucketArn },
          StringEquals: { "aws:SourceAccount": writer.accountId },
        },
      });
      break;
    case "vpc-flow-logs": {
      const source = {
        StringEquals: { "aws:SourceAccount": writer.accountId },
        ArnLike: { "aws:SourceArn": `arn:${writer.partition}:logs:${writer.region}:${writer.accountId}:*` },
      };
      statements.push(
        {
          Sid: "AWSLogDeliveryWrite",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${bucketArn}/AWSLogs/${writer.accountId}/*`,
          Condition: { ...source, StringEquals: { ...source.StringEquals, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
        {
          Sid: "AWSLogDeliveryAclCheck",
          Effect: "Allow",
          Principal: { Service: "delivery.logs.amazonaws.com" },
          Action: ["s3:GetBucketAcl", "s3:ListBucket"],
          Resource: bucketArn,
          Condition: source,
        },
      );
      break;
    }
    default: {
      const never: never = writer;
      throw new Error(`unknown log writer ${JSON.stringify(never)}`);
    }
  }
  statements.push(denyInsecureTransport(bucketArn));
  return { Version: "2012-10-17", Statement: statements };
}

/** Name prefix of the flow-log group; the provider appends a unique suffix. */
export function flowLogGroupPrefix(cluster: string): string {
  return `/kubestead/${cluster}/vpc-flow-logs-`;
}

/**
 * The flow-log key: the account administers it through IAM; CloudWatch Logs in this region may
 * use it only for this cluster's flow-log groups (the encryption context CloudWatch Logs sends),
 * as https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html describes.
 * A key of its own: whoever reads flow logs needs no access to the key that guards cluster secrets.
 */
export function flowLogKeyPolicy(partition: string, accountId: string, region: string, cluster: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsForFlowLogGroups",
        Effect: "Allow",
        Principal: { Service: `logs.${region}.amazonaws.com` },
        Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: {
          ArnLike: {
            "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:${flowLogGroupPrefix(cluster)}*`,
          },
        },
      },
    ],
  };
}

/**
 * Who may assume the flow-log delivery role: the flow logs service, for this account's flow logs
 * only (confused-deputy conditions, https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html).
 */
export function flowLogAssumeRolePolicy(partition: string, accountId: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "vpc-flow-logs.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*` },
        },
      },
    ],
  };
}

/** What the delivery role may do: write streams of the one log group (describe calls are read-only metadata). */
export function flowLogDeliveryPolicy(logGroupArn: string): PolicyDocument {
  const accountLogGroups = logGroupArn.replace(/:log-group:.*$/, ":log-group:*");
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "WriteFlowLogStreams",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
        Resource: [logGroupArn, `${logGroupArn}:*`],
      },
      { Sid: "FindLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: accountLogGroups },
    ],
  };
}

/**
 * S3 allows a bucket prefix of at most 37 characters (the provider appends a 26-character unique
 * suffix to reach the 63-character limit): the descriptive prefix when it fits, else the cluster name.
 */
export function logBucketPrefix(cluster: string, purpose: string): string {
  const descriptive = `${cluster}-${purpose}-`;
  return descriptive.length <= 37 ? descriptive : `${cluster}-`;
}
