import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { clusterKeyAlias, clusterKeyPolicy } from "../lib/iam";
import { roleTags } from "../lib/tags";

export interface ClusterKeyArgs {
  config: ClusterConfig;
  /** Account that owns the key (its root principal keeps administering it). */
  accountId: pulumi.Input<string>;
  /** AWS partition, e.g. "aws". */
  partition: pulumi.Input<string>;
}

/**
 * The customer-managed KMS key that encrypts every node secret in SSM, the EBS volumes and the
 * etcd backups. Losing it loses the backups: protected and retained in prod.
 *
 * Auto scaling launches every node with a root volume encrypted under this key, which only works
 * if the group's service-linked role may use the key: the role's managed permissions cover AWS
 * managed keys only, and without a key-policy grant launches fail with Client.InternalError
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 * The default AWSServiceRoleForAutoScaling may not exist yet in a fresh account (it is created
 * with the first group), and a key policy naming a missing principal is rejected, so the cluster
 * owns a custom-suffix role (AWSServiceRoleForAutoScaling_<cluster>) and every group uses it.
 */
export class ClusterKey extends pulumi.ComponentResource {
  public readonly keyArn: pulumi.Output<string>;
  public readonly keyId: pulumi.Output<string>;
  /** The auto scaling service-linked role the key policy admits: pass it as every group's serviceLinkedRoleArn. */
  public readonly autoscalingRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterKeyArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:ClusterKey", name, {}, opts);
    const c = args.config;
    const autoscalingRole = new iam.ServiceLinkedRole(
      `${name}-autoscaling`,
      {
        awsServiceName: "autoscaling.amazonaws.com",
        // Role names are ≤ 64 chars: "AWSServiceRoleForAutoScaling_" (29) + a cluster name (≤ 32).
        customSuffix: c.name,
        description: `kubestead ${c.name}: auto scaling groups launching nodes with volumes under the cluster key`,
      },
      { parent: this },
    );
    const key = new kms.Key(
      `${name}-key`,
      {
        description: `kubestead ${c.name}: node secrets, volumes and etcd backups`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi
          .all([args.partition, args.accountId, autoscalingRole.arn])
          .apply(([partition, accountId, roleArn]) => JSON.stringify(clusterKeyPolicy(partition, accountId, roleArn))),
        tags: roleTags(c, "pki", `${c.name}-cluster-key`),
      },
      { parent: this, protect: c.protect, retainOnDelete: c.protect },
    );
    new kms.Alias(`${name}-alias`, { name: clusterKeyAlias(c.name), targetKeyId: key.keyId }, { parent: this });
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.autoscalingRoleArn = autoscalingRole.arn;
    this.registerOutputs({ keyArn: this.keyArn, autoscalingRoleArn: this.autoscalingRoleArn });
  }
}
