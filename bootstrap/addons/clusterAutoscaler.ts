/**
 * Cluster Autoscaler (Helm chart kubernetes.github.io/autoscaler; image
 * registry.k8s.io/autoscaling/cluster-autoscaler). It finds the worker ASGs by tag, so the lead
 * tags each pool's ASG with clusterAutoscalerAsgTags(cluster).
 *
 * Credentials: it runs on control-plane nodes and uses their instance role, which carries
 * clusterAutoscalerPolicy(cluster). Its pods are not on the host network, so the control-plane
 * launch template needs an IMDS hop limit of 2 (workers keep 1: their pods get no credentials).
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 */
import { CONTROL_PLANE_SELECTOR, CONTROL_PLANE_TOLERATION, HelmChartRef, KUBE_SYSTEM, requireClusterName, requireVersion } from "./objects";

export interface ClusterAutoscalerArgs {
  chartVersion: string;
  /** Autoscaler release matching the Kubernetes minor, e.g. "1.33.0". */
  imageVersion: string;
  clusterName: string;
  region: string;
}

export const AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";
export const autoscalerClusterTag = (cluster: string): string => `k8s.io/cluster-autoscaler/${cluster}`;

/** Tags on every worker ASG the autoscaler may scale ("owned" is what the IAM condition checks). */
export function clusterAutoscalerAsgTags(cluster: string): Record<string, string> {
  requireClusterName(cluster);
  return { [AUTOSCALER_ENABLED_TAG]: "true", [autoscalerClusterTag(cluster)]: "owned" };
}

export function clusterAutoscalerChart(a: Pick<ClusterAutoscalerArgs, "chartVersion">): HelmChartRef {
  requireVersion("cluster-autoscaler chart", a.chartVersion);
  return { chart: "cluster-autoscaler", repo: "https://kubernetes.github.io/autoscaler", version: a.chartVersion, namespace: KUBE_SYSTEM };
}

export function clusterAutoscalerValues(a: ClusterAutoscalerArgs): Record<string, unknown> {
  requireVersion("cluster-autoscaler", a.imageVersion);
  requireClusterName(a.clusterName);
  return {
    cloudProvider: "aws",
    awsRegion: a.region,
    autoDiscovery: { clusterName: a.clusterName, tags: [AUTOSCALER_ENABLED_TAG, autoscalerClusterTag(a.clusterName)] },
    image: { repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: `v${a.imageVersion}` },
    extraArgs: {
      // Pools of the same shape in different zones scale together, keeping zones balanced.
      "balance-similar-node-groups": true,
      expander: "least-waste",
      "skip-nodes-with-system-pods": false,
      "skip-nodes-with-local-storage": false,
    },
    nodeSelector: CONTROL_PLANE_SELECTOR,
    tolerations: [CONTROL_PLANE_TOLERATION],
    priorityClassName: "system-cluster-critical",
    replicaCount: 1,
    containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
  };
}

/** IAM policy for the control-plane role: describe everywhere, scale only this cluster's ASGs. */
export function clusterAutoscalerPolicy(cluster: string): Record<string, unknown> {
  requireClusterName(cluster);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Describe",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ],
        Resource: "*",
      },
      {
        Sid: "ScaleOwnGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/${autoscalerClusterTag(cluster)}`]: "owned" } },
      },
    ],
  };
}
