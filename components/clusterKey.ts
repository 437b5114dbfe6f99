import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { roleTags } from "../lib/tags";

export interface ClusterKeyArgs {
  config: ClusterConfig;
}

/**
 * The customer-managed KMS key that encrypts every node secret in SSM, the EBS volumes and the
 * etcd backups. Losing it loses the backups: protected and retained in prod.
 */
export class ClusterKey extends pulumi.ComponentResource {
  public readonly keyArn: pulumi.Output<string>;
  public readonly keyId: pulumi.Output<string>;

  constructor(name: string, args: ClusterKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:ClusterKey", name, {}, opts);
    const c = args.config;
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `kubestead ${c.name}: node secrets, volumes and etcd backups`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        tags: roleTags(c, "pki", `${c.name}-cluster-key`),
      },
      { parent: this, protect: c.protect, retainOnDelete: c.protect },
    );
    new aws.kms.Alias(`${name}-alias`, { name: `alias/kubestead/${c.name}`, targetKeyId: key.keyId }, { parent: this });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.registerOutputs({ keyArn: this.keyArn });
  }
}
