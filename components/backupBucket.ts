import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { denyInsecureTransport } from "../lib/logDelivery";
import { roleTags } from "../lib/tags";
import { LogBucket } from "./logBucket";

export interface BackupBucketArgs {
  config: ClusterConfig;
  kmsKeyArn: pulumi.Input<string>;
  /** Account that owns the bucket: the only source account its access-log bucket accepts. */
  accountId: pulumi.Input<string>;
}

/** Where the backup bucket's server access logs land in its log bucket. */
export const ACCESS_LOG_PREFIX = "etcd-backups/";

/**
 * Where etcd snapshots go: versioned (an overwrite or delete keeps the old snapshot), locked
 * (S3 Object Lock: no one deletes a snapshot version before its retention ends — in governance
 * mode only a principal allowed s3:BypassGovernanceRetention, in compliance mode no one), encrypted
 * with the cluster key, private, TLS-only, expired after the configured retention, and every
 * request logged to a log bucket of its own (server access logs).
 *
 * Server access logs rather than CloudTrail data events: they cost nothing but storage, need no
 * trail (which an organization often owns centrally), and also record anonymous and denied
 * requests. Their delivery is best effort; an account that already runs a trail with S3 data
 * events can add the bucket to it for guaranteed delivery.
 */
export class BackupBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:BackupBucket", name, {}, opts);
    const c = args.config;
    const parent = { parent: this };
    const bucket = new s3.Bucket(
      `${name}-bucket`,
      {
        bucketPrefix: backupBucketPrefix(c.name),
        forceDestroy: !c.protect,
        // Object Lock is set when a bucket is created. On a bucket that predates it, a change of
        // objectLockEnabled would replace the bucket (the provider marks it force-new): ignored,
        // so the BucketObjectLockConfiguration below turns the lock on in place instead, which S3
        // allows on a versioned bucket (README, "Migrating an existing stack").
        objectLockEnabled: true,
        tags: roleTags(c, "backup", `${c.name}-etcd-backups`),
      },
      { parent: this, protect: c.protect, retainOnDelete: c.protect, ignoreChanges: ["objectLockEnabled"] },
    );
    const publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-private`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      parent,
    );
    new s3.BucketOwnershipControls(
      `${name}-ownership`,
      {
        bucket: bucket.id,
        rule: { objectOwnership: "BucketOwnerEnforced" },
      },
      parent,
    );
    const versioning = new s3.BucketVersioning(
      `${name}-versioning`,
      {
        bucket: bucket.id,
        versioningConfiguration: { status: "Enabled" },
      },
      parent,
    );
    new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true },
        ],
      },
      parent,
    );
    const b = c.etcd.backup;
    // Default retention: every new snapshot version is locked for objectLockDays (≤ retentionDays,
    // checked by the config), so the lifecycle below never expires a version still under lock.
    new s3.BucketObjectLockConfiguration(
      `${name}-object-lock`,
      {
        bucket: bucket.id,
        objectLockEnabled: "Enabled",
        rule: { defaultRetention: { mode: b.objectLockMode === "compliance" ? "COMPLIANCE" : "GOVERNANCE", days: b.objectLockDays } },
      },
      // Object Lock needs versioning on first (for a bucket that predates the lock).
      { parent: this, dependsOn: [versioning] },
    );
    const accessLogs = new LogBucket(
      `${name}-access-logs`,
      {
        config: c,
        ownerRole: "backup",
        purpose: "backup-logs",
        retentionDays: b.accessLogRetentionDays,
        writer: pulumi.all([bucket.arn, args.accountId]).apply(([sourceBucketArn, accountId]) => ({
          kind: "s3-access-logs" as const,
          sourceBucketArn,
          accountId,
          prefix: ACCESS_LOG_PREFIX,
        })),
      },
      parent,
    );
    new s3.BucketLogging(
      `${name}-access-logging`,
      {
        bucket: bucket.id,
        targetBucket: accessLogs.bucketName,
        targetPrefix: ACCESS_LOG_PREFIX,
        // Date-partitioned keys: logs of a day are one prefix to query (Athena) or to copy.
        targetObjectKeyFormat: { partitionedPrefix: { partitionDateSource: "EventTime" } },
      },
      parent,
    );
    const days = b.retentionDays;
    new s3.BucketLifecycleConfiguration(
      `${name}-retention`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-snapshots",
            status: "Enabled",
            filter: { prefix: `${c.name}/` },
            expiration: { days },
            noncurrentVersionExpiration: { noncurrentDays: days },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
          },
        ],
      },
      parent,
    );
    new s3.BucketPolicy(
      `${name}-tls-only`,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [denyInsecureTransport(arn)] })),
      },
      // S3 rejects concurrent changes to a bucket's policy and its public access block
      // ("OperationAborted: A conflicting conditional operation is currently in progress").
      { parent: this, dependsOn: [publicAccessBlock] },
    );
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
  }
}

/**
 * S3 allows a bucket prefix of at most 37 characters (the provider appends a 26-character unique
 * suffix to reach the 63-character bucket name limit). Cluster names go up to 32 characters, so the
 * descriptive prefix is used when it fits and the bare cluster name otherwise.
 */
export function backupBucketPrefix(cluster: string): string {
  const descriptive = `${cluster}-etcd-backups-`;
  return descriptive.length <= 37 ? descriptive : `${cluster}-`;
}
