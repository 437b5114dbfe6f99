/**
 * The add-ons that call AWS, each with the one service account whose pods may assume its IAM role
 * and the policy that role carries. stacks/cluster.ts creates the roles (components/
 * serviceAccountIssuer.ts) and passes their ARNs to the manifests (clusterAddons podRoleArns).
 *
 * Not here: the cloud-controller-manager. It must run before the pod network (it initialises the
 * nodes the CNI waits for) and before anything else, so it is a host-network pod on control-plane
 * nodes; host-network pods reach IMDS at hop limit 1, and it uses the control-plane node role's
 * CCM statement.
 */
import type { AddonsConfig } from "../../lib/config/types";
import type { ServiceAccountRef } from "../../lib/oidc";
import { CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, clusterAutoscalerPolicy } from "./clusterAutoscaler";
import { EBS_CSI_CONTROLLER_SERVICE_ACCOUNT, ebsCsiPolicy } from "./ebsCsi";
import { nodeTerminationHandlerPolicy } from "../../lib/nodeTermination";
import { NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT } from "./nodeTerminationHandler";
import { KUBE_SYSTEM } from "./objects";

export interface PodRoleSpec {
  /** The add-on's name (bootstrap/addons/manifests.ts), also the last part of the role's name. */
  addon: string;
  serviceAccount: ServiceAccountRef;
  /**
   * Identity policy of the role; a function when it names the account's own resources (the
   * handler's queue), called with the partition and account the stack deploys to.
   */
  policy: Record<string, unknown> | ((aws: { partition: string; accountId: string; clusterKeyArn: string }) => Record<string, unknown>);
}

/** The pod roles this config needs, in add-on order. */
export function addonPodRoles(cluster: string, x: AddonsConfig, region: string): PodRoleSpec[] {
  return [
    ...(x.clusterAutoscaler
      ? [
          {
            addon: "cluster-autoscaler",
            serviceAccount: { namespace: KUBE_SYSTEM, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT },
            policy: clusterAutoscalerPolicy(cluster),
          },
        ]
      : []),
    ...(x.ebsCsiDriver
      ? [
          {
            addon: "ebs-csi-driver",
            serviceAccount: { namespace: KUBE_SYSTEM, name: EBS_CSI_CONTROLLER_SERVICE_ACCOUNT },
            // Its volumes are encrypted with the cluster key (the StorageClass's kmsKeyId).
            policy: (aws: { clusterKeyArn: string }) => ebsCsiPolicy(cluster, { arn: aws.clusterKeyArn, region }),
          },
        ]
      : []),
    ...(x.nodeTerminationHandler
      ? [
          {
            addon: "node-termination",
            serviceAccount: { namespace: KUBE_SYSTEM, name: NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT },
            policy: (aws: { partition: string; accountId: string }) =>
              nodeTerminationHandlerPolicy(aws.partition, region, aws.accountId, cluster),
          },
        ]
      : []),
  ];
}
