import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { roleTags } from "../lib/tags";

export interface BackupBucketArgs {
  config: ClusterConfig;
  kmsKeyArn: pulumi.Input<string>;
}

/**
 * Where etcd snapshots go: versioned (an overwrite or delete keeps the old snapshot), encrypted
 * with the cluster key, private, TLS-only, and expired after the configured retention.
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
        tags: roleTags(c, "backup", `${c.name}-etcd-backups`),
      },
      { parent: this, protect: c.protect, retainOnDelete: c.protect },
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
    new s3.BucketVersioning(
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
    const days = c.etcd.backup.retentionDays;
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
        policy: bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ],
          }),
        ),
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
