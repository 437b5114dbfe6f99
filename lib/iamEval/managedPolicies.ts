/**
 * AWS managed policies written down as data, with the version their document is from: the
 * evaluation cannot read a managed policy from AWS, so an attachment is evaluated against the
 * document here, and an attachment of a managed policy not listed here is refused by the
 * node-role-boundaries policy (its permissions would be unknown). When AWS publishes a new version,
 * add it here with its version id and date; the matrix then shows what it changes.
 *
 * kubestead attaches none of these today (node roles get Session Manager inline: lib/iam.ts
 * nodeBaselinePolicy). AmazonSSMManagedInstanceCore stays as the fact that test/lib/iamEval checks
 * that decision against: attached to a worker, it reads the control plane's parameter path.
 */

export interface ManagedPolicyFact {
  name: string;
  /** IAM path of the policy ("/" for most, "/service-role/" for some). */
  path: string;
  /** The policy version the document is from, e.g. "v2". */
  versionId: string;
  /** When AWS published that version (YYYY-MM-DD). */
  versionDate: string;
  document: { Version: "2012-10-17"; Statement: Record<string, unknown>[] };
}

export const AMAZON_SSM_MANAGED_INSTANCE_CORE: ManagedPolicyFact = {
  name: "AmazonSSMManagedInstanceCore",
  path: "/",
  versionId: "v2",
  versionDate: "2019-05-23",
  document: {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "ssm:DescribeAssociation",
          "ssm:GetDeployablePatchSnapshotForInstance",
          "ssm:GetDocument",
          "ssm:DescribeDocument",
          "ssm:GetManifest",
          "ssm:GetParameter",
          "ssm:GetParameters",
          "ssm:ListAssociations",
          "ssm:ListInstanceAssociations",
          "ssm:PutInventory",
          "ssm:PutComplianceItems",
          "ssm:PutConfigurePackageResult",
          "ssm:UpdateAssociationStatus",
          "ssm:UpdateInstanceAssociationStatus",
          "ssm:UpdateInstanceInformation",
        ],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: [
          "ec2messages:AcknowledgeMessage",
          "ec2messages:DeleteMessage",
          "ec2messages:FailMessage",
          "ec2messages:GetEndpoint",
          "ec2messages:GetMessages",
          "ec2messages:SendReply",
        ],
        Resource: "*",
      },
    ],
  },
};

export const MANAGED_POLICIES: readonly ManagedPolicyFact[] = [AMAZON_SSM_MANAGED_INSTANCE_CORE];

/** arn:<partition>:iam::aws:policy<path><name> */
export function managedPolicyArn(partition: string, fact: ManagedPolicyFact): string {
  return `arn:${partition}:iam::aws:policy${fact.path}${fact.name}`;
}

const AWS_MANAGED = /^arn:[a-z-]+:iam::aws:policy(\/(?:[^/]+\/)*)([^/]+)$/;

/** True for an AWS managed policy ARN (account "aws"), in any partition. */
export function isAwsManagedPolicyArn(arn: string): boolean {
  return AWS_MANAGED.test(arn);
}

/** The fact for an AWS managed policy ARN; undefined when it is not written down here. */
export function resolveManagedPolicy(arn: string): ManagedPolicyFact | undefined {
  const m = AWS_MANAGED.exec(arn);
  if (!m) return undefined;
  return MANAGED_POLICIES.find((f) => f.path === m[1] && f.name === m[2]);
}
