/**
 * IAM policy documents as plain data, one function a node role. Each role reads only its own
 * secret path and decrypts with the cluster key; nothing here grants more than its node needs.
 */
export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Statement[];
}

export function doc(...statements: Statement[]): PolicyDocument {
  return { Version: "2012-10-17", Statement: statements };
}

export const EC2_ASSUME_ROLE: string = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

export interface AccountScope {
  partition: string;
  region: string;
  accountId: string;
  cluster: string;
  kmsKeyArn: string;
}

export function secretPathPrefix(cluster: string, role: string): string {
  return `/kubestead/${cluster}/${role}/`;
}

/** Read (and decrypt) the SecureStrings under /kubestead/<cluster>/<role>/ and nothing else. */
export function readOwnSecrets(s: AccountScope, role: string): Statement[] {
  return [
    {
      Sid: "ReadOwnSecrets",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters"],
      Resource: `arn:${s.partition}:ssm:${s.region}:${s.accountId}:parameter${secretPathPrefix(s.cluster, role)}*`,
    },
    {
      Sid: "DecryptWithClusterKey",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: s.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `ssm.${s.region}.amazonaws.com` } },
    },
  ];
}

/** etcd members: their secrets, re-attaching their own ENI and volume, and writing backups. */
export function etcdPolicy(s: AccountScope, backupBucketArn: string): PolicyDocument {
  return doc(
    ...readOwnSecrets(s, "etcd"),
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: ["ec2:DescribeVolumes", "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstances"],
      Resource: "*",
    },
    {
      Sid: "AttachOwnVolumeAndInterface",
      Effect: "Allow",
      Action: ["ec2:AttachVolume", "ec2:AttachNetworkInterface"],
      Resource: [
        `arn:${s.partition}:ec2:${s.region}:${s.accountId}:volume/*`,
        `arn:${s.partition}:ec2:${s.region}:${s.accountId}:network-interface/*`,
      ],
      Condition: { StringEquals: { "aws:ResourceTag/kubestead.io/cluster": s.cluster, "aws:ResourceTag/kubestead.io/role": "etcd" } },
    },
    {
      Sid: "AttachToOwnInstances",
      Effect: "Allow",
      Action: ["ec2:AttachVolume", "ec2:AttachNetworkInterface"],
      Resource: `arn:${s.partition}:ec2:${s.region}:${s.accountId}:instance/*`,
      Condition: { StringEquals: { "aws:ResourceTag/kubestead.io/cluster": s.cluster } },
    },
    { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject"], Resource: `${backupBucketArn}/${s.cluster}/*` },
    { Sid: "ListBackups", Effect: "Allow", Action: ["s3:ListBucket"], Resource: backupBucketArn },
    {
      Sid: "EncryptBackups",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Encrypt"],
      Resource: s.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${s.region}.amazonaws.com` } },
    },
  );
}

/**
 * Control-plane nodes: their secrets plus what the AWS cloud-controller-manager calls (it runs on
 * these nodes with the instance role). Actions from the provider-aws documentation of the
 * controller's permissions.
 */
export function controlPlanePolicy(s: AccountScope): PolicyDocument {
  return doc(...readOwnSecrets(s, "controlplane"), {
    Sid: "CloudControllerManager",
    Effect: "Allow",
    Action: [
      "autoscaling:DescribeAutoScalingGroups",
      "autoscaling:DescribeLaunchConfigurations",
      "autoscaling:DescribeTags",
      "ec2:DescribeInstances",
      "ec2:DescribeRegions",
      "ec2:DescribeRouteTables",
      "ec2:DescribeSecurityGroups",
      "ec2:DescribeSubnets",
      "ec2:DescribeVolumes",
      "ec2:DescribeAvailabilityZones",
      "ec2:DescribeVpcs",
      "ec2:DescribeInstanceTopology",
      "ec2:CreateSecurityGroup",
      "ec2:CreateTags",
      "ec2:CreateRoute",
      "ec2:DeleteRoute",
      "ec2:DeleteSecurityGroup",
      "ec2:AuthorizeSecurityGroupIngress",
      "ec2:RevokeSecurityGroupIngress",
      "ec2:ModifyInstanceAttribute",
      "ec2:ModifyVolume",
      "elasticloadbalancing:AddTags",
      "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
      "elasticloadbalancing:AttachLoadBalancerToSubnets",
      "elasticloadbalancing:ConfigureHealthCheck",
      "elasticloadbalancing:CreateListener",
      "elasticloadbalancing:CreateLoadBalancer",
      "elasticloadbalancing:CreateLoadBalancerListeners",
      "elasticloadbalancing:CreateLoadBalancerPolicy",
      "elasticloadbalancing:CreateTargetGroup",
      "elasticloadbalancing:DeleteListener",
      "elasticloadbalancing:DeleteLoadBalancer",
      "elasticloadbalancing:DeleteLoadBalancerListeners",
      "elasticloadbalancing:DeleteTargetGroup",
      "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
      "elasticloadbalancing:DeregisterTargets",
      "elasticloadbalancing:DescribeListeners",
      "elasticloadbalancing:DescribeLoadBalancerAttributes",
      "elasticloadbalancing:DescribeLoadBalancerPolicies",
      "elasticloadbalancing:DescribeLoadBalancers",
      "elasticloadbalancing:DescribeTargetGroupAttributes",
      "elasticloadbalancing:DescribeTargetGroups",
      "elasticloadbalancing:DescribeTargetHealth",
      "elasticloadbalancing:DetachLoadBalancerFromSubnets",
      "elasticloadbalancing:ModifyListener",
      "elasticloadbalancing:ModifyLoadBalancerAttributes",
      "elasticloadbalancing:ModifyTargetGroup",
      "elasticloadbalancing:ModifyTargetGroupAttributes",
      "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
      "elasticloadbalancing:RegisterTargets",
      "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
      "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
      "iam:CreateServiceLinkedRole",
      "kms:DescribeKey",
    ],
    Resource: "*",
  });
}

/** Workers: their bootstrap token and what the kubelet's image pulls from ECR need. */
export function workerPolicy(s: AccountScope): PolicyDocument {
  return doc(
    ...readOwnSecrets(s, "worker"),
    {
      Sid: "DescribeSelf",
      Effect: "Allow",
      Action: ["ec2:DescribeInstances", "ec2:DescribeRegions"],
      Resource: "*",
    },
    {
      Sid: "PullFromEcr",
      Effect: "Allow",
      Action: ["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
      Resource: "*",
    },
  );
}
