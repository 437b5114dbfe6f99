/**
 * Pieces every node role shares: the OS image, the IAM identity, SecureString parameters for the
 * secrets a node fetches at boot, and the launch-template settings policy insists on.
 */
import * as autoscaling from "@pulumi/aws/autoscaling";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as ssm from "@pulumi/aws/ssm";
import * as pulumi from "@pulumi/pulumi";
import { Arch, ec2Architecture } from "../lib/arch";
import { EC2_ASSUME_ROLE, PolicyDocument, nodeBaselinePolicy } from "../lib/iam";
import { TERMINATING_HOOK } from "../lib/nodeTermination";

const TAG_ROLE = "kubestead.io/role";

/** Debian's official bookworm AMI (account 136693071363) for `arch`, newest of its series. */
export function debianAmi(parent: pulumi.Resource, arch: Arch): pulumi.Output<string> {
  return ec2
    .getAmiOutput(
      {
        owners: ["136693071363"],
        mostRecent: true,
        filters: [
          // debian-12-<arch>-<date>-<build>; the backports images (debian-12-backports-…) don't match.
          { name: "name", values: [`debian-12-${arch}-*`] },
          { name: "architecture", values: [ec2Architecture(arch)] },
          { name: "virtualization-type", values: ["hvm"] },
        ],
      },
      { parent },
    )
    .apply((a) => a.id);
}

export interface NodeIdentity {
  role: iam.Role;
  instanceProfile: iam.InstanceProfile;
  /**
   * The role, its policies and the instance profile: a node's auto scaling group depends on them,
   * so no instance boots before its permissions exist (policy boot-prerequisites).
   */
  bootPrerequisites: pulumi.Resource[];
}

export function nodeIdentity(
  name: string,
  policy: pulumi.Input<PolicyDocument>,
  tags: Record<string, string>,
  /** aws, aws-cn or aws-us-gov (ARNs in the baseline policy differ per partition). */
  partition: pulumi.Input<string>,
  parent: pulumi.Resource,
  /** sessionManager: the nodes run the SSM agent (kubestead:sessionManager), so the role carries its permissions. */
  opts: { sessionManager: boolean },
): NodeIdentity {
  const role = new iam.Role(`${name}-role`, { assumeRolePolicy: EC2_ASSUME_ROLE, tags }, { parent });
  const rolePolicy = new iam.RolePolicy(
    `${name}-policy`,
    {
      role: role.name,
      policy: pulumi.output(policy).apply((p) => JSON.stringify(p)),
    },
    { parent },
  );
  // The denies every node role carries, and Session Manager when its agent runs (lib/iam.ts nodeBaselinePolicy).
  const nodeRole = tags[TAG_ROLE];
  if (!nodeRole) throw new Error(`nodeIdentity ${name}: tags must name the node role (${TAG_ROLE})`);
  const baseline = new iam.RolePolicy(
    `${name}-baseline`,
    {
      role: role.name,
      policy: pulumi
        .output(partition)
        .apply((p) => JSON.stringify(nodeBaselinePolicy(p, nodeRole, { sessionManager: opts.sessionManager }))),
    },
    { parent },
  );
  const instanceProfile = new iam.InstanceProfile(`${name}-profile`, { role: role.name, tags }, { parent });
  return { role, instanceProfile, bootPrerequisites: [role, rolePolicy, baseline, instanceProfile] };
}

/** A secret a node fetches at boot: SecureString under the node role's path, encrypted with the cluster key. */
export function secureParameter(
  name: string,
  parameter: string,
  value: pulumi.Input<string>,
  kmsKeyId: pulumi.Input<string>,
  tags: Record<string, string>,
  parent: pulumi.Resource,
): ssm.Parameter {
  return new ssm.Parameter(
    name,
    {
      name: parameter,
      type: "SecureString",
      value: pulumi.secret(value),
      keyId: kmsKeyId,
      tier: "Standard",
      tags,
    },
    { parent },
  );
}

export interface NodeLaunchTemplateArgs {
  description: string;
  imageId: pulumi.Input<string>;
  instanceType: string;
  instanceProfileArn: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  /** Base64 user data (bootstrap/cloudInit.ts encodeUserData). */
  userData: pulumi.Input<string>;
  rootVolumeGiB: number;
  kmsKeyArn: pulumi.Input<string>;
  /** IMDSv2 hop limit (1 unless pods on the node must use the node role). */
  hopLimit: number;
  /** Tags of the template and of the instances and volumes it launches. */
  tags: Record<string, string>;
  /** Tags on the template only. */
  templateTags?: Record<string, string>;
}

/**
 * Every node role's launch template, so the settings the policy pack insists on live in one
 * place: IMDSv2 required, an encrypted root volume, no public IP.
 */
export function nodeLaunchTemplate(name: string, a: NodeLaunchTemplateArgs, parent: pulumi.Resource): ec2.LaunchTemplate {
  return new ec2.LaunchTemplate(
    name,
    {
      description: a.description,
      imageId: a.imageId,
      instanceType: a.instanceType,
      iamInstanceProfile: { arn: a.instanceProfileArn },
      metadataOptions: metadataOptions(a.hopLimit),
      blockDeviceMappings: [rootVolume(a.rootVolumeGiB, a.kmsKeyArn)],
      networkInterfaces: [
        { deviceIndex: 0, associatePublicIpAddress: "false", securityGroups: [a.securityGroupId], deleteOnTermination: "true" },
      ],
      userData: a.userData,
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: "instance", tags: a.tags },
        { resourceType: "volume", tags: a.tags },
      ],
      tags: { ...a.tags, ...a.templateTags },
    },
    { parent },
  );
}

/**
 * IMDSv2 only; hop limit 1 keeps pods from reaching the instance's credentials. Instance tags stay
 * out of IMDS: with them enabled EC2 refuses to launch an instance whose tag keys contain "/", and
 * every node carries kubestead.io/* and kubernetes.io/cluster/* keys
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/work-with-tags-in-IMDS.html). Nothing reads them.
 */
export function metadataOptions(hopLimit = 1) {
  return { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: hopLimit, instanceMetadataTags: "disabled" };
}

export function rootVolume(sizeGiB: number, kmsKeyArn: pulumi.Input<string>) {
  return {
    deviceName: "/dev/xvda",
    ebs: { volumeSize: sizeGiB, volumeType: "gp3", encrypted: "true", kmsKeyId: kmsKeyArn, deleteOnTermination: "true" },
  };
}

/**
 * The terminating lifecycle hook of a Kubernetes node group: an instance refresh, a scale-in or a
 * spot reclaim waits (Terminating:Wait) until the node termination handler has drained the node
 * and completed the action, or the heartbeat runs out (lib/nodeTermination.ts). A resource of its
 * own rather than the group's initialLifecycleHooks, which the provider applies only when it
 * creates a group: existing clusters get the hook on their next update.
 */
export function terminatingHook(
  name: string,
  autoscalingGroupName: pulumi.Input<string>,
  parent: pulumi.Resource,
): autoscaling.LifecycleHook {
  return new autoscaling.LifecycleHook(
    name,
    {
      autoscalingGroupName,
      name: TERMINATING_HOOK.name,
      lifecycleTransition: TERMINATING_HOOK.lifecycleTransition,
      defaultResult: TERMINATING_HOOK.defaultResult,
      heartbeatTimeout: TERMINATING_HOOK.heartbeatTimeout,
    },
    { parent },
  );
}
