import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import { CHECKSUMS_FILE, INVENTORY_FILE, renderChecksums, renderInventory, sha256Hex, StoredManifest } from "../bootstrap/addons/manifests";
import { StoredNodeFile, storedNodeFileName } from "../bootstrap/storedFiles";
import { ClusterConfig } from "../lib/config/types";
import { roleTags } from "../lib/tags";

export interface AddonStoreArgs {
  config: ClusterConfig;
  kmsKeyArn: pulumi.Input<string>;
  /** The rendered manifests (bootstrap/addons/manifests.ts storedManifests); public, no secrets. */
  manifests: pulumi.Output<StoredManifest[]>;
  /** Add-on names, known before any resource exists (one stored object each). */
  addonNames: string[];
  /** Control-plane node files too large for user data, fetched and verified at boot (storedFiles.ts). */
  nodeFiles: StoredNodeFile[];
}

/** Add-on manifests live under this prefix, node files under NODE_FILE_PREFIX; nothing else is read. */
export const ADDON_PREFIX = "addons/";
export const NODE_FILE_PREFIX = "node/";

/**
 * Where the cluster's add-on manifests live: a private, versioned, KMS-encrypted, TLS-only bucket
 * that only the control-plane role reads (its policy names this bucket's prefix). Every `pulumi up`
 * writes the manifests it rendered; the control plane's applier picks them up on its next run.
 * Versioning keeps every manifest ever applied, so a bad add-on change can be read back and reverted.
 */
export class AddonStore extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  /** s3://<bucket>/addons/ */
  public readonly uri: pulumi.Output<string>;
  /** s3://<bucket>/node/ */
  public readonly nodeUri: pulumi.Output<string>;
  /** The stored objects: a node that applies from the store must boot after they exist. */
  public readonly objects: pulumi.Resource[];

  constructor(name: string, args: AddonStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:AddonStore", name, {}, opts);
    const c = args.config;
    const parent = { parent: this };
    const tags = roleTags(c, "addons", `${c.name}-addons`);
    const bucket = new s3.Bucket(`${name}-bucket`, { bucketPrefix: addonBucketPrefix(c.name), forceDestroy: true, tags }, parent);
    const publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-private`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
    new s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
    const encryption = new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      {
        bucket: bucket.id,
        rules: [
          { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true },
        ],
      },
      parent,
    );
    new s3.BucketLifecycleConfiguration(
      `${name}-history`,
      {
        bucket: bucket.id,
        rules: [
          {
            id: "expire-old-manifests",
            status: "Enabled",
            filter: { prefix: ADDON_PREFIX },
            noncurrentVersionExpiration: { noncurrentDays: 365 },
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
      // S3 rejects concurrent changes to a bucket's policy and its public access block.
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    const put = (id: string, key: pulumi.Input<string>, content: pulumi.Input<string>, metadata: Record<string, pulumi.Input<string>>) =>
      new s3.BucketObjectv2(
        `${name}-${id}`,
        {
          bucket: bucket.id,
          key: pulumi.interpolate`${ADDON_PREFIX}${key}`,
          content,
          contentType: "application/yaml",
          serverSideEncryption: "aws:kms",
          kmsKeyId: args.kmsKeyArn,
          metadata,
          tags,
        },
        // Written after the default encryption is in place, never before.
        { parent: this, dependsOn: [encryption] },
      );
    const byName = (addon: string) => args.manifests.apply((ms) => manifestOf(ms, addon));
    const objects = args.addonNames.map((addon) =>
      put(addon, byName(addon).file, byName(addon).content, {
        addon,
        version: byName(addon).version,
        sha256: byName(addon).sha256,
      }),
    );
    objects.push(put("inventory", INVENTORY_FILE, args.manifests.apply(renderInventory), { role: "inventory" }));
    for (const f of args.nodeFiles) {
      const fileName = storedNodeFileName(f);
      objects.push(
        new s3.BucketObjectv2(
          `${name}-node-${fileName}`,
          {
            bucket: bucket.id,
            key: `${NODE_FILE_PREFIX}${fileName}`,
            content: f.content,
            contentType: "text/plain",
            serverSideEncryption: "aws:kms",
            kmsKeyId: args.kmsKeyArn,
            metadata: { path: f.path, mode: f.mode, sha256: sha256Hex(f.content) },
            tags,
          },
          { parent: this, dependsOn: [encryption] },
        ),
      );
    }
    // Written last: until it is, a run sees the old checksums against new files and refuses them.
    objects.push(
      new s3.BucketObjectv2(
        `${name}-checksums`,
        {
          bucket: bucket.id,
          key: `${ADDON_PREFIX}${CHECKSUMS_FILE}`,
          content: args.manifests.apply(renderChecksums),
          contentType: "text/plain",
          serverSideEncryption: "aws:kms",
          kmsKeyId: args.kmsKeyArn,
          metadata: { role: "checksums" },
          tags,
        },
        { parent: this, dependsOn: [encryption, ...objects] },
      ),
    );

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.uri = pulumi.interpolate`s3://${bucket.bucket}/${ADDON_PREFIX}`;
    this.nodeUri = pulumi.interpolate`s3://${bucket.bucket}/${NODE_FILE_PREFIX}`;
    this.objects = objects;
    this.registerOutputs({ bucketName: this.bucketName, uri: this.uri });
  }
}

function manifestOf(ms: StoredManifest[], addon: string): StoredManifest {
  const m = ms.find((x) => x.addon === addon);
  if (m === undefined) throw new Error(`add-on ${addon} was not rendered: keep AddonStore's addonNames in step with clusterAddons()`);
  return m;
}

/** ≤ 37 characters (the provider appends a 26-character suffix to reach S3's 63). */
export function addonBucketPrefix(cluster: string): string {
  const descriptive = `${cluster}-addons-`;
  return descriptive.length <= 37 ? descriptive : `${cluster.slice(0, 36)}-`;
}
