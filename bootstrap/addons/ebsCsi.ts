/**
 * AWS EBS CSI driver (Helm chart kubernetes-sigs.github.io/aws-ebs-csi-driver; images from
 * public.ecr.aws, not registry.k8s.io). The controller runs on control-plane nodes and uses their
 * instance role, which carries ebsCsiPolicy() (IMDS hop limit 2 there, as for the autoscaler).
 * Volumes it creates are tagged ebs.csi.aws.com/cluster=true and the policy only deletes those.
 * https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/install.md
 */
import { CONTROL_PLANE_SELECTOR, CONTROL_PLANE_TOLERATION, HelmChartRef, KUBE_SYSTEM, requireClusterName, requireVersion } from "./objects";

export function ebsCsiChart(chartVersion: string): HelmChartRef {
  requireVersion("aws-ebs-csi-driver chart", chartVersion);
  return {
    chart: "aws-ebs-csi-driver",
    repo: "https://kubernetes-sigs.github.io/aws-ebs-csi-driver",
    version: chartVersion,
    namespace: KUBE_SYSTEM,
  };
}

export function ebsCsiValues(a: { clusterName: string; region: string }): Record<string, unknown> {
  requireClusterName(a.clusterName);
  return {
    controller: {
      region: a.region,
      k8sTagClusterId: a.clusterName,
      replicaCount: 2,
      nodeSelector: CONTROL_PLANE_SELECTOR,
      tolerations: [CONTROL_PLANE_TOLERATION, { key: "CriticalAddonsOnly", operator: "Exists" }],
    },
    node: { tolerateAllTaints: true },
    storageClasses: [
      {
        name: "gp3",
        annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
        parameters: { type: "gp3", encrypted: "true" },
      },
    ],
  };
}

const VOLUME = "arn:aws:ec2:*:*:volume/*";
const SNAPSHOT = "arn:aws:ec2:*:*:snapshot/*";

/** IAM policy: read broadly, create only tagged volumes and snapshots, delete only those. */
export function ebsCsiPolicy(): Record<string, unknown> {
  const tagged = (key: string, value = "true") => ({ StringLike: { [`aws:RequestTag/${key}`]: value } });
  const ownedBy = (key: string, value = "true") => ({ StringLike: { [`ec2:ResourceTag/${key}`]: value } });
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Describe",
        Effect: "Allow",
        Action: [
          "ec2:DescribeAvailabilityZones",
          "ec2:DescribeInstances",
          "ec2:DescribeSnapshots",
          "ec2:DescribeTags",
          "ec2:DescribeVolumes",
          "ec2:DescribeVolumesModifications",
          "ec2:DescribeVolumeStatus",
        ],
        Resource: "*",
      },
      {
        Sid: "AttachDetach",
        Effect: "Allow",
        Action: ["ec2:AttachVolume", "ec2:DetachVolume"],
        Resource: [VOLUME, "arn:aws:ec2:*:*:instance/*"],
      },
      { Sid: "ModifyAndSnapshotVolumes", Effect: "Allow", Action: ["ec2:CreateSnapshot", "ec2:ModifyVolume"], Resource: VOLUME },
      { Sid: "CreateFromSnapshot", Effect: "Allow", Action: ["ec2:CreateVolume"], Resource: SNAPSHOT },
      {
        Sid: "CreateTaggedVolumes",
        Effect: "Allow",
        Action: ["ec2:CreateVolume"],
        Resource: VOLUME,
        Condition: tagged("ebs.csi.aws.com/cluster"),
      },
      {
        Sid: "CreateTaggedSnapshots",
        Effect: "Allow",
        Action: ["ec2:CreateSnapshot"],
        Resource: SNAPSHOT,
        Condition: tagged("ebs.csi.aws.com/cluster"),
      },
      {
        Sid: "TagOnCreate",
        Effect: "Allow",
        Action: ["ec2:CreateTags"],
        Resource: [VOLUME, SNAPSHOT],
        Condition: { StringEquals: { "ec2:CreateAction": ["CreateVolume", "CreateSnapshot"] } },
      },
      { Sid: "Untag", Effect: "Allow", Action: ["ec2:DeleteTags"], Resource: [VOLUME, SNAPSHOT] },
      {
        Sid: "DeleteOwnVolumes",
        Effect: "Allow",
        Action: ["ec2:DeleteVolume"],
        Resource: VOLUME,
        Condition: ownedBy("ebs.csi.aws.com/cluster"),
      },
      {
        Sid: "DeleteOwnSnapshots",
        Effect: "Allow",
        Action: ["ec2:DeleteSnapshot"],
        Resource: SNAPSHOT,
        Condition: ownedBy("ebs.csi.aws.com/cluster"),
      },
    ],
  };
}
