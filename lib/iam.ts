/**
 * IAM policy documents as plain data, one function a node role. Each role reads only its own
 * secret path and decrypts with the cluster key; nothing here grants more than its node needs.
 */
import {
  CLUSTER_TAG_PREFIX,
  ETCD_DATA_ACTIONS,
  ETCD_METRIC_NAMESPACE,
  encryptionAtRestContext,
  etcdStatePrefix,
  secretPathPrefix,
} from "./iamNames";

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

/** ARN pattern of every parameter under /kubestead/<cluster>/<role>/. */
export function ownParameterArns(s: Omit<AccountScope, "kmsKeyArn">, role: string): string {
  return `arn:${s.partition}:ssm:${s.region}:${s.accountId}:parameter${secretPathPrefix(s.cluster, role)}*`;
}

/**
 * Read (and decrypt) the SecureStrings under /kubestead/<cluster>/<role>/ and nothing else. Both
 * layers hold on their own: GetParameter names the path, and the key only decrypts through SSM for
 * a parameter on that path (SSM passes the parameter's ARN as the encryption context
 * PARAMETER_ARN), so a grant of GetParameter elsewhere still yields only ciphertext.
 */
export function readOwnSecrets(s: AccountScope, role: string): Statement[] {
  return [
    {
      Sid: "ReadOwnSecrets",
      Effect: "Allow",
      Action: ["ssm:GetParameter", "ssm:GetParameters"],
      Resource: ownParameterArns(s, role),
    },
    {
      Sid: "DecryptWithClusterKey",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: s.kmsKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": `ssm.${s.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:PARAMETER_ARN": ownParameterArns(s, role) },
      },
    },
  ];
}

/**
 * The encryption context S3 passes to KMS for objects under `prefixes` of a bucket. With an S3
 * Bucket Key (both of our buckets enable it) the context is the bucket's ARN, not the object's
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/configuring-bucket-key.html), so the
 * prefix cannot be told apart here: the s3:GetObject/PutObject statements scope the prefix, this
 * keeps the key to this bucket. The object ARNs cover objects written without a bucket key.
 */
export function s3EncryptionContext(bucketArn: string, prefixes: string[]): Record<string, Record<string, string[]>> {
  return { StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, ...prefixes.map((p) => `${bucketArn}/${p}*`)] } };
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
  const state = `arn:${s.partition}:ssm:${s.region}:${s.accountId}:parameter${etcdStatePrefix(s.cluster)}*`;
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
      // The grant is all the caller needs: EC2 then decrypts the volume's data key under it. KMS
      // sends kms:GrantIsForAWSResource only with the grant operations, so Decrypt or DescribeKey
      // under this condition would never be allowed, and outside it they are not needed.
      Action: ["kms:CreateGrant"],
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
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${s.region}.amazonaws.com` },
        ...s3EncryptionContext(backupBucketArn, [`${s.cluster}/`]),
      },
    },
    {
      // The founded marker is created once (a member, once the cluster answers) and never
      // overwritten: the baseline denies overwrites and deletes. The cluster token is rewritten by
      // each restore (etcd-restore.sh new-token). Nothing else in SSM is writable by a node.
      Sid: "WriteClusterState",
      Effect: "Allow",
      Action: ["ssm:PutParameter"],
      Resource: [`${state}/founded`, `${state}/cluster-token`],
    },
    {
      // Backup freshness (etcd-backup.sh after each upload); the stack's alarm fires when it stops.
      Sid: "PublishBackupMetrics",
      Effect: "Allow",
      Action: ["cloudwatch:PutMetricData"],
      Resource: "*",
      Condition: { StringEquals: { "cloudwatch:namespace": ETCD_METRIC_NAMESPACE } },
    },
    reportOwnHealth(s, "etcd"),
  );
}

/**
 * Control-plane nodes: their secrets plus what the AWS cloud-controller-manager calls (it runs on
 * these nodes with the instance role). Actions from the provider-aws documentation of the
 * controller's permissions, scoped the way kops scopes them for the same controller
 * (pkg/model/iam/iam_builder.go, AddCCMPermissions), with this cluster's tag: it changes only what
 * carries `kubernetes.io/cluster/<cluster>=owned` (its node groups' instances and security groups,
 * and what it created itself: it tags every load balancer, listener, target group and security
 * group it creates), and creates only what it tags so. No route actions (it runs with
 * --configure-cloud-routes=false) and no volume actions (the EBS CSI driver has its own policy).
 */
export function controlPlanePolicy(s: AccountScope): PolicyDocument {
  const owned = { [`aws:ResourceTag/${CLUSTER_TAG_PREFIX}${s.cluster}`]: "owned" };
  const taggedOnCreate = { [`aws:RequestTag/${CLUSTER_TAG_PREFIX}${s.cluster}`]: "owned" };
  const ec2 = (kind: string) => `arn:${s.partition}:ec2:${s.region}:${s.accountId}:${kind}/*`;
  return doc(
    ...readOwnSecrets(s, "controlplane"),
    {
      Sid: "CloudControllerManagerRead",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeTags",
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceTopology",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVolumes",
        "ec2:DescribeVpcs",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DescribeLoadBalancerPolicies",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeTargetGroupAttributes",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "kms:DescribeKey",
      ],
      Resource: "*",
    },
    {
      Sid: "CloudControllerManagerChangeOwned",
      Effect: "Allow",
      Action: [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "ec2:ModifyInstanceAttribute",
        "ec2:RevokeSecurityGroupIngress",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
        "elasticloadbalancing:AttachLoadBalancerToSubnets",
        "elasticloadbalancing:ConfigureHealthCheck",
        "elasticloadbalancing:CreateLoadBalancerListeners",
        "elasticloadbalancing:CreateLoadBalancerPolicy",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancerListeners",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:DetachLoadBalancerFromSubnets",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
        "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
      ],
      Resource: "*",
      Condition: { StringEquals: owned },
    },
    {
      Sid: "CloudControllerManagerCreateOwned",
      Effect: "Allow",
      Action: [
        "ec2:CreateSecurityGroup",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateTargetGroup",
      ],
      Resource: "*",
      Condition: { StringEquals: taggedOnCreate },
    },
    {
      // ELB authorizes the tags of a create call as AddTags on the new resource, which has no tags
      // yet: allowed only as part of those creates, with this cluster's owned tag.
      Sid: "CloudControllerManagerTagOnCreate",
      Effect: "Allow",
      Action: ["elasticloadbalancing:AddTags"],
      Resource: "*",
      Condition: {
        StringEquals: {
          ...taggedOnCreate,
          "elasticloadbalancing:CreateAction": ["CreateLoadBalancer", "CreateTargetGroup", "CreateListener"],
        },
      },
    },
    {
      // CreateSecurityGroup is authorized against the VPC too, which has no request tags (kops
      // grants it the same way).
      Sid: "CloudControllerManagerSecurityGroupVpc",
      Effect: "Allow",
      Action: ["ec2:CreateSecurityGroup"],
      Resource: ec2("vpc"),
    },
    {
      Sid: "CloudControllerManagerTagSecurityGroupOnCreate",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: ec2("security-group"),
      Condition: { StringEquals: { ...taggedOnCreate, "ec2:CreateAction": "CreateSecurityGroup" } },
    },
    {
      // Re-tag its own groups, never taking or giving away the cluster tag.
      Sid: "CloudControllerManagerRetagOwned",
      Effect: "Allow",
      Action: ["ec2:CreateTags", "ec2:DeleteTags"],
      Resource: ec2("security-group"),
      Condition: { StringEquals: owned, Null: { [`aws:RequestTag/${CLUSTER_TAG_PREFIX}${s.cluster}`]: "true" } },
    },
    {
      // The first load balancer of an account creates ELB's service-linked role; nothing else.
      Sid: "LoadBalancerServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: "*",
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
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
 * What every node role carries besides its own policy: the denies no other statement can
 * override, and Session Manager when the nodes run its agent (kubestead:sessionManager).
 *
 * Session Manager instead of SSH (no key pairs, no port 22). Only with `sessionManager`: Debian's
 * images ship no agent, and a role should not carry permissions nothing on its node uses (the
 * boot installs the pinned agent exactly when the config asks for it). Granted inline rather than
 * through AmazonSSMManagedInstanceCore: that policy also allows ssm:GetParameter(s) on every parameter of
 * the account (lib/iamEval/managedPolicies.ts has its v2 document; test/lib/iamEval shows a worker
 * reading the control plane's CA key path through it), plus Run Command, State Manager and
 * inventory, none of which a node here uses. An inline minimum also stays what this repository
 * says it is: AWS revises managed policies in place, and explicit denies added next to it would
 * have to anticipate each new version.
 *
 * The denies: no node role deletes or rewrites history in any bucket (backups are never deleted
 * by a node: the bucket's lifecycle rule expires them), and no role but etcd's detaches, deletes,
 * snapshots, resizes or retags anything of etcd's (its volumes, instances and network interfaces
 * carry kubestead.io/role=etcd): an etcd volume in the wrong hands is every secret of the cluster.
 * No role deletes etcd's runtime state in SSM or overwrites its founded marker (etcd's own
 * included), and no role but etcd's writes under etcd's SSM path or publishes its backup metrics.
 */
export function nodeBaselinePolicy(partition: string, role: string, opts: { sessionManager?: boolean } = {}): PolicyDocument {
  const statements: Statement[] = [
    ...(opts.sessionManager ? [{ Sid: "SessionManager", Effect: "Allow" as const, Action: SESSION_MANAGER_ACTIONS, Resource: "*" }] : []),
    {
      Sid: "NeverDeleteObjectsOrBucketSettings",
      Effect: "Deny",
      Action: BUCKET_DESTRUCTIVE_ACTIONS,
      Resource: "*",
    },
  ];
  // The etcd cluster's founded marker and token (etcdStatePrefix): a deleted or rewritten marker
  // would let a member with an empty volume found a second cluster after a quorum loss.
  const etcdState = `arn:${partition}:ssm:*:*:parameter/kubestead/*/etcd/state/*`;
  statements.push(
    { Sid: "NeverDeleteEtcdState", Effect: "Deny", Action: ["ssm:DeleteParameter", "ssm:DeleteParameters"], Resource: etcdState },
    {
      Sid: "NeverOverwriteEtcdFoundedMarker",
      Effect: "Deny",
      Action: ["ssm:PutParameter"],
      Resource: `${etcdState}/founded`,
      Condition: { StringEquals: { "ssm:Overwrite": "true" } },
    },
  );
  if (role !== "etcd") {
    statements.push(
      {
        // etcd's state and the scripts its members fetch at boot (/kubestead/<c>/etcd/files/).
        Sid: "NeverWriteEtcdParameters",
        Effect: "Deny",
        Action: ["ssm:PutParameter"],
        Resource: `arn:${partition}:ssm:*:*:parameter/kubestead/*/etcd/*`,
      },
      {
        // A fake success would silence the backup alarm.
        Sid: "NeverPublishEtcdBackupMetrics",
        Effect: "Deny",
        Action: ["cloudwatch:PutMetricData"],
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": ETCD_METRIC_NAMESPACE } },
      },
    );
    statements.push({
      Sid: "NeverTouchEtcdData",
      Effect: "Deny",
      Action: ETCD_DATA_ACTIONS,
      Resource: ["volume", "snapshot", "instance", "network-interface"].map((kind) => `arn:${partition}:ec2:*:*:${kind}/*`),
      Condition: { StringEquals: { "aws:ResourceTag/kubestead.io/role": "etcd" } },
    });
  }
  return doc(...statements);
}

/**
 * What the SSM agent calls for Session Manager and nothing more: registering the instance
 * (UpdateInstanceInformation), the session channels (ssmmessages) and the message delivery
 * service the agent polls (ec2messages). None of them supports resource-level permissions.
 */
export const SESSION_MANAGER_ACTIONS = [
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
];

/** Actions that delete objects or versions, or loosen a bucket's protection (versioning, lifecycle, policy, lock). */
export const BUCKET_DESTRUCTIVE_ACTIONS = [
  "s3:BypassGovernanceRetention",
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketPolicy",
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutObjectRetention",
];

/** The cluster key's alias (components/clusterKey.ts). */
export function clusterKeyAlias(cluster: string): string {
  return `alias/kubestead/${cluster}`;
}

/** Its ARN: what the EBS CSI driver's StorageClass names, EC2 resolving it to the key. */
export function clusterKeyAliasArn(partition: string, region: string, accountId: string, cluster: string): string {
  return `arn:${partition}:kms:${region}:${accountId}:${clusterKeyAlias(cluster)}`;
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

const contextCondition = (cluster: string): Record<string, string> =>
  Object.fromEntries(Object.entries(encryptionAtRestContext(cluster)).map(([k, v]) => [`kms:EncryptionContext:${k}`, v]));

/**
 * What the control plane's KMS plugin calls on the encryption-at-rest key: KMS v2 wraps the
 * apiserver's locally generated data-key seed with kms:Encrypt and unwraps it with kms:Decrypt
 * (no GenerateDataKey), always with the context above, never through another service.
 */
export const ENCRYPTION_AT_REST_ACTIONS = ["kms:Encrypt", "kms:Decrypt"];

/** The control-plane role's grant on the encryption-at-rest key (its own RolePolicy, created after the key). */
export function encryptionAtRestPolicy(keyArn: string, cluster: string): PolicyDocument {
  return doc({
    Sid: "EncryptionAtRest",
    Effect: "Allow",
    Action: ENCRYPTION_AT_REST_ACTIONS,
    Resource: keyArn,
    Condition: { StringEquals: contextCondition(cluster) },
  });
}

/**
 * The encryption-at-rest key's policy. Unlike the cluster key it does not hand its use to the
 * account's IAM policies: the account keeps administering the key (and may change this policy),
 * but only the control-plane role may encrypt or decrypt with it, and only with the plugin's
 * encryption context. A grant of kms:* in some other identity policy of the account reaches no
 * Secret; neither does a node role of another kind, nor any AWS service on its behalf.
 */
export function encryptionAtRestKeyPolicy(
  partition: string,
  accountId: string,
  controlPlaneRoleArn: string,
  cluster: string,
): PolicyDocument {
  return doc(
    {
      Sid: "AccountAdministersTheKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
      Action: [
        "kms:CancelKeyDeletion",
        // Not kms:Create*: CreateGrant would let any principal the account allows it hand out use of the key.
        "kms:CreateAlias",
        "kms:Delete*",
        "kms:Describe*",
        "kms:Disable*",
        "kms:Enable*",
        "kms:Get*",
        "kms:List*",
        "kms:Put*",
        "kms:Revoke*",
        "kms:RotateKeyOnDemand",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:Update*",
      ],
      Resource: "*",
    },
    {
      Sid: "ControlPlaneEncryptsSecrets",
      Effect: "Allow",
      Principal: { AWS: controlPlaneRoleArn },
      Action: ENCRYPTION_AT_REST_ACTIONS,
      Resource: "*",
      Condition: { StringEquals: contextCondition(cluster) },
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
      Condition: { StringEquals: { "kms:ViaService": `s3.${s.region}.amazonaws.com` }, ...s3EncryptionContext(bucketArn, prefixes) },
    },
  );
}
