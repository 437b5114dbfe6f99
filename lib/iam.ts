/**
 * IAM policy documents as plain data, one function a node role. Each role reads only its own
 * secret path and decrypts with the cluster key; nothing here grants more than its node needs.
 */
export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  /** Only in resource policies (the KMS key policy); identity policies never carry one. */
  Principal?: { AWS: string | string[] };
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

/**
 * A node whose boot fails marks itself Unhealthy (bootstrap/bootScript.ts), so its auto scaling
 * group replaces it even with EC2 health checks, which only see a running instance. Only groups of
 * this cluster and role: the call names an instance, not a group, so IAM checks the instance's group.
 */
export function reportOwnHealth(s: AccountScope, role: string): Statement {
  return {
    Sid: "ReportOwnHealth",
    Effect: "Allow",
    Action: ["autoscaling:SetInstanceHealth"],
    Resource: `arn:${s.partition}:autoscaling:${s.region}:${s.accountId}:autoScalingGroup:*:autoScalingGroupName/${s.cluster}-*`,
    Condition: { StringEquals: { "aws:ResourceTag/kubestead.io/cluster": s.cluster, "aws:ResourceTag/kubestead.io/role": role } },
  };
}

/** etcd members: their secrets, re-attaching their own ENI and volume, and writing backups. */
export function etcdPolicy(s: AccountScope, backupBucketArn: string): PolicyDocument {
  const etcdTagged = { "aws:ResourceTag/kubestead.io/cluster": s.cluster, "aws:ResourceTag/kubestead.io/role": "etcd" };
  return doc(
    ...readOwnSecrets(s, "etcd"),
    {
      // describe-network-interfaces / describe-volumes and the `aws ec2 wait` pollers built on them
      // (bootstrap/etcdBootStep.ts). Describe* supports no resource-level permissions.
      Sid: "Describe",
      Effect: "Allow",
      Action: ["ec2:DescribeVolumes", "ec2:DescribeNetworkInterfaces"],
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
      Condition: { StringEquals: etcdTagged },
    },
    {
      // Only onto etcd instances (their launch template tags them role=etcd at launch), so a member's
      // volume or address can never be pulled onto another role's node.
      Sid: "AttachToOwnInstances",
      Effect: "Allow",
      Action: ["ec2:AttachVolume", "ec2:AttachNetworkInterface"],
      Resource: `arn:${s.partition}:ec2:${s.region}:${s.accountId}:instance/*`,
      Condition: { StringEquals: etcdTagged },
    },
    {
      // The data volumes are encrypted with the cluster key: attaching one makes EC2 create a KMS
      // grant for the instance with the caller's permissions, so AttachVolume alone is refused
      // (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html).
      Sid: "AttachEncryptedVolumes",
      Effect: "Allow",
      Action: ["kms:CreateGrant", "kms:Decrypt", "kms:DescribeKey"],
      Resource: s.kmsKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": `ec2.${s.region}.amazonaws.com` },
        Bool: { "kms:GrantIsForAWSResource": "true" },
      },
    },
    { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject"], Resource: `${backupBucketArn}/${s.cluster}/*` },
    {
      // The restore runbook (README) fetches a snapshot on the members themselves.
      Sid: "ReadBackups",
      Effect: "Allow",
      Action: ["s3:GetObject"],
      Resource: `${backupBucketArn}/${s.cluster}/*`,
    },
    { Sid: "ListBackups", Effect: "Allow", Action: ["s3:ListBucket"], Resource: backupBucketArn },
    {
      // `aws s3 cp --sse aws:kms` uploads snapshots above 8 MiB in parts; completing a multipart
      // upload under SSE-KMS needs kms:Decrypt as well as GenerateDataKey. S3 never calls Encrypt.
      Sid: "EncryptBackups",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: s.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${s.region}.amazonaws.com` } },
    },
    reportOwnHealth(s, "etcd"),
  );
}

/**
 * Control-plane nodes: their secrets plus what the AWS cloud-controller-manager calls (it runs on
 * these nodes with the instance role). Actions from the provider-aws documentation of the
 * controller's permissions.
 */
export function controlPlanePolicy(s: AccountScope): PolicyDocument {
  return doc(
    ...readOwnSecrets(s, "controlplane"),
    {
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
    },
    reportOwnHealth(s, "controlplane"),
  );
}

/**
 * Workers: their bootstrap token, nothing else. The kubelet runs with an external cloud provider
 * (no EC2 calls), no kubelet image credential provider is configured (no ECR pulls; images come
 * from registry.k8s.io and public.ecr.aws, which need no AWS credentials), and Cilium runs VXLAN,
 * not ENI mode. Add statements here when a worker-side component starts calling AWS.
 */
export function workerPolicy(s: AccountScope): PolicyDocument {
  return doc(...readOwnSecrets(s, "worker"), reportOwnHealth(s, "worker"));
}

/**
 * The cluster key's policy. The account root statement is the default key policy (IAM policies in
 * the account may grant use of the key: the deployer, the node roles above). The two statements
 * for the auto scaling service-linked role are the ones AWS documents for launching instances with
 * volumes encrypted under a customer managed key
 * (https://docs.aws.amazon.com/autoscaling/ec2/userguide/key-policy-requirements-EBS-encryption.html).
 */
export function clusterKeyPolicy(partition: string, accountId: string, autoscalingRoleArn: string): PolicyDocument {
  const autoscaling = { AWS: autoscalingRoleArn };
  return doc(
    {
      Sid: "EnableIamPolicies",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: ["kms:*"],
      Resource: "*",
    },
    {
      Sid: "AutoScalingUseOfTheKey",
      Effect: "Allow",
      Principal: autoscaling,
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
    },
    {
      Sid: "AutoScalingAttachmentOfPersistentResources",
      Effect: "Allow",
      Principal: autoscaling,
      Action: ["kms:CreateGrant"],
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
  );
}

/**
 * Control-plane nodes read the add-on manifests and their stored node files (and nothing else) from
 * the add-on store: list those prefixes, get their objects, decrypt them with the cluster key
 * through S3.
 */
export function addonStorePolicy(s: Pick<AccountScope, "region" | "kmsKeyArn">, bucketArn: string, prefixes: string[]): PolicyDocument {
  return doc(
    {
      Sid: "ListAddonManifests",
      Effect: "Allow",
      Action: ["s3:ListBucket"],
      Resource: bucketArn,
      Condition: { StringLike: { "s3:prefix": prefixes.map((p) => `${p}*`) } },
    },
    { Sid: "ReadAddonManifests", Effect: "Allow", Action: ["s3:GetObject"], Resource: prefixes.map((p) => `${bucketArn}/${p}*`) },
    {
      Sid: "DecryptAddonManifests",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: s.kmsKeyArn,
      Condition: { StringEquals: { "kms:ViaService": `s3.${s.region}.amazonaws.com` } },
    },
  );
}
