import * as pulumi from "@pulumi/pulumi";
import { bootstrapKubeconfigParameter } from "../bootstrap/node/files";
import { renderBootstrapKubeconfig } from "../bootstrap/node/kubelet";
import { ClusterConfig } from "../lib/config/types";
import { workerPolicy } from "../lib/iam";
import { roleTags } from "../lib/tags";
import { nodeIdentity, secureParameter } from "./nodeCommon";

export interface WorkerIdentityArgs {
  config: ClusterConfig;
  /** The API's stable name (api.<cluster>.kubestead.internal): where kubelets bootstrap. */
  apiHost: string;
  /** Bootstrap token <id>.<secret> (secret). */
  bootstrapToken: pulumi.Output<string>;
  kmsKeyArn: pulumi.Output<string>;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

/**
 * What every worker pool shares: the IAM role and instance profile, and the bootstrap
 * kubeconfig (it holds the join token, so it lives in SSM under the worker path).
 */
export class WorkerIdentity extends pulumi.ComponentResource {
  public readonly instanceProfileArn: pulumi.Output<string>;
  /** The bootstrap kubeconfig parameter, the role, its policies and the instance profile: every worker pool's group depends on them. */
  public readonly bootPrerequisites: pulumi.Resource[];

  constructor(name: string, args: WorkerIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:WorkerIdentity", name, {}, opts);
    const c = args.config;
    const tags = roleTags(c, "worker");
    const identity = nodeIdentity(
      `${name}-node`,
      pulumi
        .all([args.partition, args.accountId, args.kmsKeyArn])
        .apply(([partition, accountId, kmsKeyArn]) => workerPolicy({ partition, accountId, region: c.region, cluster: c.name, kmsKeyArn })),
      tags,
      args.partition,
      this,
      { sessionManager: c.sessionManager !== undefined },
    );
    const bootstrapKubeconfig = secureParameter(
      `${name}-bootstrap-kubeconfig`,
      bootstrapKubeconfigParameter(c.name, "worker"),
      pulumi
        .all([args.bootstrapToken])
        .apply(([token]) =>
          renderBootstrapKubeconfig({ server: `https://${args.apiHost}:6443`, caPath: "/etc/kubernetes/pki/ca.crt", token }),
        ),
      args.kmsKeyArn,
      tags,
      this,
    );
    this.instanceProfileArn = identity.instanceProfile.arn;
    this.bootPrerequisites = [bootstrapKubeconfig, ...identity.bootPrerequisites];
    this.registerOutputs({ instanceProfileArn: this.instanceProfileArn });
  }
}
