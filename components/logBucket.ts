import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { LogWriter, logBucketPolicy, logBucketPrefix } from "../lib/logDelivery";
import { Role, roleTags } from "../lib/tags";

export interface LogBucketArgs {
  /** The validated cluster config: name, tags and `protect`. */
  config: ClusterConfig;
  /** Role tag of the logs' owner, e.g. "backup" for the backup bucket's access logs. */
  ownerRole: Role;
  /** Short purpose in the bucket name and Name tag, e.g. "access-logs". */
  purpose: string;
  /** Days log objects are kept. */
  retentionDays: number;
  /** Who writes into the bucket (its bucket policy); Outputs resolved by the caller. */
  writer: pulumi.Input<LogWriter>;
}

/**
 * A bucket audit logs are delivered to: private, ACLs off, encrypted with SSE-S3 (server access
 * logging refuses SSE-KMS destinations), TLS-only, versioned so an overwrite or delete keeps the
 * record for 30 days, and expired after the retention. No Object Lock default retention: S3 does
 * not deliver server access logs to a bucket that has one
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html).
 */
export class LogBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: LogBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:LogBucket", name, {}, opts);
    const c = args.config;
    const parent = { parent: this };
    const bucket = new s3.Bucket(
      `${name}-bucket`,
      {
        bucketPrefix: logBucketPrefix(c.name, args.purpose),
        forceDestroy: !c.protect,
        // The owner's role is in kubestead.io/logs-of; the bucket itself is a log bucket.
        tags: roleTags(c, "logs", `${c.name}-${args.purpose}`, { "kubestead.io/logs-of": args.ownerRole }),
      },
      { parent: this, protect: c.protect, retainOnDelete: c.protect },
    );
    const publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-private`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
    const versioning = new s3.BucketVersioning(
      `${name}-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      parent,
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      parent,
    );
    new s3.BucketLifecycleConfiguration(
      `${name}-retention`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-logs",
            status: "Enabled",
            filter: {},
            expiration: { days: args.retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 30 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      { parent: this, dependsOn: [versioning] },
    );
    new s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, args.writer]).apply(([arn, writer]) => JSON.stringify(logBucketPolicy(arn, writer))),
      },
      // S3 rejects concurrent changes to a bucket's policy and its public access block.
      { parent: this, dependsOn: [publicAccessBlock] },
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}
