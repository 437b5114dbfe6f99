/**
 * The kubestead-ha policies: thin adapters from the policy SDK's arguments to the pure rules in
 * ./rules. index.ts wraps them in a PolicyPack; policy/runner.ts runs the same objects in-process
 * on an offline plan. Importing this file loads nothing of @pulumi/policy at run time (its types only).
 *
 * How resources are recognised (the components must produce exactly this):
 * - Role by tag: every AWS resource has `tags` with `kubestead.io/role` = etcd | controlplane |
 *   worker | api-lb | network | backup | logs; worker ASGs also `kubestead.io/pool`, etcd ASGs, launch
 *   templates and volumes also `kubestead.io/member` = <i>. ASG `tags` is a list of
 *   `{ key, value, propagateAtLaunch }`; every other resource has a `tags` map.
 * - aws:autoscaling/group:Group: one per etcd member (maxSize 1), one for the control plane, one
 *   per worker pool; `vpcZoneIdentifiers` = subnet IDs, `targetGroupArns` (control plane: the API
 *   target group's ARN), `minSize`, `name`, `instanceRefresh.preferences.minHealthyPercentage`.
 * - aws:autoscaling/lifecycleHook:LifecycleHook: `autoscalingGroupName` is its group's `name` (or,
 *   unknown in preview, a property dependency on the group), `lifecycleTransition`, `heartbeatTimeout`.
 * - Zones: aws:ec2/subnet:Subnet resources of the stack, matched by outputs `id`, zone from
 *   `availabilityZone`. While an ID is unknown (preview) the ASG's/LB's propertyDependencies on
 *   the property stand in. Subnets adopted from outside the stack cannot be placed in a zone.
 * - aws:ebs/volume:Volume role etcd: `encrypted`, and `protect: true` or the tag
 *   `kubestead.io/retain-on-delete=true` (the engine does not show policies retainOnDelete).
 * - aws:lb/loadBalancer:LoadBalancer role api-lb; aws:lb/targetGroup:TargetGroup role api-lb on
 *   port 6443 (protocol TCP, `healthCheck`); aws:lb/listener:Listener whose `loadBalancerArn` is
 *   the LB's `arn` and whose `defaultActions` forward (`targetGroupArn` or
 *   `forward.targetGroups[].arn`) to that target group.
 * - aws:ec2/launchTemplate:LaunchTemplate / aws:ec2/instance:Instance: `metadataOptions.httpTokens`,
 *   `blockDeviceMappings[].ebs.encrypted` ("true"), role etcd/controlplane templates
 *   `networkInterfaces[].associatePublicIpAddress` "false"; etcd templates' tags map carries
 *   `kubestead.io/backup-interval-minutes` > 0.
 * - Ingress: aws:vpc/securityGroupIngressRule, aws:ec2/securityGroupRule (type ingress) and
 *   aws:ec2/securityGroup inline `ingress`; VPC ranges from aws:ec2/vpc:Vpc `cidrBlock` and the
 *   Network component's `vpcCidrs`; a rule's `prefixListId(s)` naming an
 *   aws:ec2/managedPrefixList:ManagedPrefixList `id` counts as that list's `entries[].cidr`.
 * - Backups: aws:s3/bucket:Bucket role backup; BucketVersioning / BucketServerSideEncryptionConfiguration
 *   / BucketLifecycleConfiguration / BucketObjectLockConfiguration / BucketLogging whose `bucket` is
 *   the bucket's `id` (or `bucket`); BucketLogging `targetBucket` names the log bucket (role logs),
 *   whose BucketPolicy `policy` is JSON.
 * - Flow logs: aws:ec2/flowLog:FlowLog `vpcId` is a Vpc's `id` (or an adopted VPC's ID, as security
 *   groups' `vpcId`); `logDestination` is an aws:cloudwatch/logGroup:LogGroup `arn`.
 * - Egress: aws:vpc/securityGroupEgressRule, aws:ec2/securityGroupRule (type egress) and
 *   aws:ec2/securityGroup inline `egress`; a separate rule's `securityGroupId` is its group's `id`.
 * - Certificates: tls SelfSignedCert / LocallySignedCert outputs `validityEndTime`, and
 *   `validityPeriodHours` / `earlyRenewalHours` (a certificate living shorter than the window is
 *   judged by its own early-renewal window). tls CertRequest `subject` { commonName, organization },
 *   its key the tls PrivateKey in `propertyDependencies.privateKeyPem`, whose consumers are the
 *   resources with a property dependency on it; kubeconfigs are strings holding
 *   `client-certificate-data` in any resource's props.
 * - Certificate refresh: LaunchTemplate tags carry `kubestead.io/cert-refresh-hours`; the leaves
 *   nodes refresh are the LocallySignedCerts in an aws:ssm/parameter:Parameter's
 *   `propertyDependencies.value`, judged by their `earlyRenewalHours`.
 * - Admission: a role controlplane LaunchTemplate's `userData` writes
 *   /etc/kubernetes/manifests/kube-apiserver.yaml and the admission config its
 *   --admission-control-config-file names.
 * - Boot prerequisites: an ASG's launch template is among its dependencies; its `userData` is
 *   base64 (gzipped or not) cloud-config whose write_files hold /etc/kubestead/secrets.tsv;
 *   `iamInstanceProfile.arn` names an aws:iam/instanceProfile:InstanceProfile whose `role` is an
 *   aws:iam/role:Role `name`; aws:ssm/parameter:Parameter `name`, aws:iam/rolePolicy:RolePolicy
 *   and aws:iam/rolePolicyAttachment:RolePolicyAttachment `role`; aws:route53/record:Record `name`.
 *
 * Stack policies read outputs (what the engine passes them); resource policies read inputs.
 */
import type {
  PolicyConfigSchema,
  PolicyResource,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { apiLoadBalancerProblems } from "./rules/apiLoadBalancer";
import { bootPrerequisiteProblems } from "./rules/bootPrerequisites";
import { certExpiryProblem } from "./rules/certificates";
import { certRefreshWindowProblems, refreshHours } from "./rules/certRefresh";
import { controlPlaneGroups, controlPlaneProblems } from "./rules/controlPlane";
import { backupScheduleProblems, etcdBackupBucketProblems, hasEtcd } from "./rules/etcdBackup";
import { etcdMembers, etcdQuorumProblems } from "./rules/etcdQuorum";
import { etcdVolumeProblems } from "./rules/etcdVolume";
import type { Finding } from "./rules/finding";
import { Graph, makeGraph, NETWORK_COMPONENT, roleOf, T, withRole } from "./rules/graph";
import { imdsProblems } from "./rules/nodeMetadata";
import { PRIVATE_ROLES, publicIpProblems } from "./rules/nodePublicIp";
import { rootVolumeProblems } from "./rules/nodeVolumes";
import { IAM_T, nodeRoleBoundaryProblems } from "./rules/nodeRoleBoundaries";
import { apiserverIngressProblems, etcdPortProblems, ingressRules } from "./rules/securityGroups";
import { withPrefixListEntries } from "./rules/prefixLists";
import { asList, isUnknown } from "./rules/unknown";
import { workerPoolProblems } from "./rules/workerPools";
import { alwaysPullImagesProblems, podSecurityProblems, StoredObject } from "./rules/admission";
import { ADMIN_T, adminCredentialProblems } from "./rules/adminCredentials";
import { apiCidrShareProblems, DEFAULT_MAX_SHARE } from "./rules/apiCidrs";
import { BOOTSTRAP_TOKEN_COMPONENT, bootstrapTokenProblems } from "./rules/bootstrapToken";
import { backupAccessLogProblems, backupObjectLockProblems } from "./rules/backupHardening";
import { clusterVpcs, flowLogProblems } from "./rules/flowLogs";
import { EGRESS_TYPES, restrictedEgressProblems } from "./rules/egress";
import { hopLimitProblems } from "./rules/imdsHopLimit";
import { irsaRoleProblems, oidcProviders } from "./rules/irsaRoles";
import { InstanceRefreshConfig, instanceRefreshProblems, TerminationHookConfig, terminationHookProblems } from "./rules/nodeDrains";

type Props = Record<string, unknown>;

export const PACK_NAME = "kubestead-ha";
/** The pack's default; policies set their own "advisory" too, and prod config raises them. */
export const PACK_ENFORCEMENT_LEVEL = "advisory" as const;
export type KubesteadPolicy = ResourceValidationPolicy | StackValidationPolicy;

/**
 * A resource validation for one type token, built the way the SDK's validateResourceOfType builds
 * one from a class: other types are not applicable, and the function carries the token as
 * `__pulumiType`, which the analyzer reads to skip other types. From a token rather than a class, so
 * the pack needs no @pulumi/aws, and written here rather than imported, so loading the pack does not
 * load the SDK's analyzer server (gRPC and the engine's protobufs, about 1.5 s per test file).
 * test/policy checks the tokens against the real classes.
 */
export function ofType(
  type: string,
  validate: (props: Props, args: ResourceValidationArgs, report: ReportViolation) => void,
): ResourceValidation {
  const fn = (args: ResourceValidationArgs, report: ReportViolation) =>
    args.type === type ? validate(args.props, args, report) : args.notApplicable(`Policy only applies to resources of type '${type}'`);
  return Object.assign(fn, { __pulumiType: type });
}

/**
 * The engine wraps props in a proxy that throws on any unknown value. The rules want to see
 * unknowns and skip just that check, so they read the object behind the proxy (the key is the
 * one @pulumi/policy's proxy.js answers with its target); a plain object passes through.
 */
const PROXY_TARGET = "__getSpecialProxyTarget";
export function plainProps(props: unknown): Props {
  const p = props as Props;
  const target = p[PROXY_TARGET];
  return (target !== null && typeof target === "object" ? target : p) as Props;
}

export function graphOf(resources: PolicyResource[]): Graph {
  return makeGraph(
    resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      props: plainProps(r.props),
      protect: r.opts?.protect === true,
      dependencies: r.dependencies.map((d) => d.urn),
      propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map((d) => d.urn)])),
    })),
  );
}

/** Config schema per configurable policy; the defaults are what an unconfigured pack enforces. */
export const policyConfigSchema: Record<string, PolicyConfigSchema> = {
  "control-plane-ha": {
    properties: {
      minControlPlaneNodes: { type: "integer", minimum: 1, default: 3, description: "Fewest control-plane nodes (sum of ASG minSize)." },
      minZones: { type: "integer", minimum: 1, default: 3, description: "Fewest availability zones the control plane spans." },
    },
  },
  "api-load-balancer": {
    properties: { minZones: { type: "integer", minimum: 1, default: 3, description: "Fewest zones with an NLB subnet." } },
  },
  "worker-pool-spread": {
    properties: {
      minZones: { type: "integer", minimum: 1, default: 2, description: "Fewest zones each worker pool spans." },
      minSize: { type: "integer", minimum: 0, default: 1, description: "Smallest allowed worker pool minSize." },
    },
  },
  "apiserver-ingress-restricted": {
    properties: {
      allowedApiCidrs: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "CIDRs that may reach TCP 6443 besides the VPC and security groups.",
      },
    },
  },
  "certificate-expiry": {
    properties: {
      failWithinDays: { type: "integer", minimum: 0, default: 30, description: "Fail when a certificate expires within this many days." },
      warnWithinDays: { type: "integer", minimum: 0, default: 90, description: "Warn (certificate-expiry-warning) within this many days." },
    },
  },
  "pod-security-admission": {
    properties: {
      allowedExemptNamespaces: {
        type: "array",
        items: { type: "string" },
        default: ["kube-system"],
        description: "Namespaces Pod Security Admission may exempt (kube-system: the add-ons run there with host access).",
      },
    },
  },
  "api-cidrs-bounded": {
    properties: {
      maxAllowedShare: {
        type: "number",
        minimum: 0,
        default: DEFAULT_MAX_SHARE,
        description: "Largest share of the IPv4 (and of the IPv6) space that may reach TCP 6443, all rules together.",
      },
    },
  },
  "node-drain-hooks": {
    properties: {
      minHeartbeatSeconds: {
        type: "integer",
        minimum: 30,
        default: 120,
        description: "Fewest seconds a terminating node waits for its drain (the lifecycle hook's heartbeatTimeout).",
      },
    },
  },
  "instance-refresh-safe": {
    properties: {
      minControlPlaneHealthyPercentage: {
        type: "integer",
        minimum: 0,
        maximum: 100,
        default: 66,
        description: "Lowest minHealthyPercentage of a control-plane instance refresh (66: one node of three at a time).",
      },
    },
  },
  "certificate-expiry-warning": {
    properties: {
      failWithinDays: {
        type: "integer",
        minimum: 0,
        default: 30,
        description: "Certificates inside this window are left to certificate-expiry.",
      },
      warnWithinDays: { type: "integer", minimum: 0, default: 90, description: "Warn when a certificate expires within this many days." },
    },
  },
};

/** Config with schema defaults filled in (the engine may or may not apply them; this works either way). */
function configOf<C>(policy: string, args: { getConfig<X extends object>(): X }): C {
  const defaults: Props = {};
  for (const [k, s] of Object.entries(policyConfigSchema[policy]?.properties ?? {})) {
    if (typeof s === "object" && s.default !== undefined) defaults[k] = s.default;
  }
  return { ...defaults, ...args.getConfig<Props>() } as C;
}

function reportAll(report: ReportViolation, findings: Finding[]): void {
  for (const f of findings) report(f.message, f.urn);
}

/** Node files kept in the add-on store: S3 objects whose metadata names the path on the node. */
function storedObjectsOf(g: Graph): StoredObject[] {
  return g.resources
    .filter((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2")
    .flatMap((r) => {
      const path = (r.props.metadata as Record<string, unknown> | undefined)?.path;
      return typeof path === "string" ? [{ path, content: r.props.content as string }] : [];
    });
}

function stackPolicy(
  name: string,
  description: string,
  validate: (g: Graph, args: StackValidationArgs) => Finding[],
): StackValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "advisory",
    configSchema: policyConfigSchema[name],
    validateStack: (args, report) => reportAll(report, validate(graphOf(args.resources), args)),
  };
}

/** A resource policy over several types, or over one role of a type. */
function resourcePolicy(
  name: string,
  description: string,
  types: string[],
  validate: (props: Props, args: ResourceValidationArgs) => string[],
): ResourceValidationPolicy {
  return {
    name,
    description,
    enforcementLevel: "advisory",
    validateResource: (args, report) => {
      if (!types.includes(args.type)) args.notApplicable(`Policy only applies to ${types.join(", ")}`);
      for (const m of validate(plainProps(args.props), args)) report(m);
    },
  };
}

const NODE_TYPES: string[] = [T.launchTemplate, T.instance];
const INGRESS_TYPES: string[] = [T.securityGroup, T.securityGroupRule, T.ingressRule];
const CERT_TYPES: string[] = [T.selfSignedCert, T.locallySignedCert];

/** The VPC's own ranges: a created VPC's blocks, and every block the Network component registered (an adopted VPC's secondary ones included). */
function vpcCidrs(g: Graph): string[] {
  return g.resources
    .filter((r) => r.type === T.vpc || r.type === NETWORK_COMPONENT)
    .flatMap((r) => (r.type === T.vpc ? [r.props.cidrBlock, r.props.ipv6CidrBlock] : [r.props.vpcCidr, ...asList(r.props.vpcCidrs)]))
    .filter((c): c is string => typeof c === "string" && c !== "" && !isUnknown(c));
}

interface CertConfig {
  failWithinDays: number;
  warnWithinDays: number;
}

export interface PolicyOptions {
  /** The clock certificate policies compare against (tests inject a fixed one). */
  now?: () => Date;
}

export function makePolicies(opts: PolicyOptions = {}): KubesteadPolicy[] {
  const now = opts.now ?? (() => new Date());

  const certFindings = (g: Graph, args: StackValidationArgs, policy: string, warning: boolean): Finding[] => {
    const certs = g.resources.filter((r) => CERT_TYPES.includes(r.type));
    if (certs.length === 0) args.notApplicable("no tls certificates in the stack");
    const cfg = configOf<CertConfig>(policy, args);
    const window = warning ? { withinDays: cfg.warnWithinDays, notWithinDays: cfg.failWithinDays } : { withinDays: cfg.failWithinDays };
    const at = now();
    return certs.flatMap((c) => {
      const { validityEndTime, validityPeriodHours, earlyRenewalHours } = c.props;
      const m = certExpiryProblem({ name: c.name, validityEndTime, validityPeriodHours, earlyRenewalHours }, at, window);
      return m ? [{ urn: c.urn, message: m }] : [];
    });
  };

  return [
    stackPolicy("etcd-quorum", "etcd runs an odd number of members, at least three, in at least three availability zones.", (g, args) => {
      const members = etcdMembers(g);
      if (members.length === 0) args.notApplicable("no etcd ASGs (kubestead.io/role=etcd)");
      return etcdQuorumProblems(members);
    }),
    {
      name: "etcd-volume-protection",
      description: "etcd data volumes are encrypted and protected or retained on delete.",
      enforcementLevel: "advisory",
      validateResource: ofType(T.volume, (props, args, report) => {
        const p = plainProps(props);
        if (roleOf(p) !== "etcd") args.notApplicable("not an etcd volume");
        for (const m of etcdVolumeProblems(p, args.opts.protect === true)) report(m);
      }),
    },
    stackPolicy(
      "control-plane-ha",
      "The control plane has enough nodes across enough zones, all behind the API load balancer.",
      (g, args) => {
        const groups = controlPlaneGroups(g);
        if (groups.length === 0) args.notApplicable("no control-plane ASGs (kubestead.io/role=controlplane)");
        return controlPlaneProblems(groups, configOf("control-plane-ha", args));
      },
    ),
    stackPolicy(
      "api-load-balancer",
      "The API endpoint is a cross-zone network load balancer with a TCP 6443 listener and a health-checked target group.",
      (g, args) => {
        if (withRole(g, T.loadBalancer, "api-lb").length === 0 && withRole(g, T.asg, "controlplane").length === 0) {
          args.notApplicable("no API load balancer and no control plane");
        }
        return apiLoadBalancerProblems(g, configOf("api-load-balancer", args));
      },
    ),
    stackPolicy("worker-pool-spread", "Every worker pool spans enough availability zones and keeps a minimum size.", (g, args) => {
      if (withRole(g, T.asg, "worker").length === 0) args.notApplicable("no worker ASGs (kubestead.io/role=worker)");
      return workerPoolProblems(g, configOf("worker-pool-spread", args));
    }),
    resourcePolicy("imdsv2-required", "Launch templates and instances require IMDSv2 session tokens.", NODE_TYPES, (p) => imdsProblems(p)),
    resourcePolicy(
      "root-volume-encrypted",
      "Launch templates and instances encrypt every EBS volume, the root volume included.",
      NODE_TYPES,
      (p, args) => rootVolumeProblems(args.type, p),
    ),
    resourcePolicy("control-plane-no-public-ip", "Control-plane and etcd nodes never get a public IP address.", NODE_TYPES, (p, args) => {
      const role = roleOf(p);
      if (role === undefined || !PRIVATE_ROLES.has(role)) return args.notApplicable("not a control-plane or etcd node");
      return publicIpProblems(args.type, role, p);
    }),
    resourcePolicy("etcd-ports-not-public", "etcd ports 2379 and 2380 are never open to 0.0.0.0/0 or ::/0.", INGRESS_TYPES, (p, args) =>
      etcdPortProblems(ingressRules(args.type, p)),
    ),
    stackPolicy(
      "apiserver-ingress-restricted",
      "The apiserver port 6443 is reachable only from allowed CIDRs, the VPC and security groups.",
      (g, args) => {
        const sgs = g.resources.filter((r) => INGRESS_TYPES.includes(r.type));
        if (sgs.length === 0) args.notApplicable("no security groups or ingress rules");
        const { allowedApiCidrs } = configOf<{ allowedApiCidrs: string[] }>("apiserver-ingress-restricted", args);
        const allowed = [...allowedApiCidrs, ...vpcCidrs(g)];
        return sgs.flatMap((r) =>
          // A prefix list of the stack (the VPC's blocks) is judged by the CIDRs it holds.
          apiserverIngressProblems(withPrefixListEntries(g, r, "ingress", ingressRules(r.type, r.props)), allowed).map((message) => ({
            urn: r.urn,
            message,
          })),
        );
      },
    ),
    stackPolicy("etcd-backup-bucket", "The etcd backup bucket is versioned, KMS-encrypted and has an expiry lifecycle.", (g, args) => {
      if (hasEtcd(g).length === 0 && withRole(g, T.bucket, "backup").length === 0) args.notApplicable("no etcd and no backup bucket");
      return etcdBackupBucketProblems(g);
    }),
    {
      name: "etcd-backup-schedule",
      description: "etcd launch templates carry a positive backup interval.",
      enforcementLevel: "advisory",
      validateResource: ofType(T.launchTemplate, (props, args, report) => {
        const p = plainProps(props);
        if (roleOf(p) !== "etcd") args.notApplicable("not an etcd launch template");
        for (const m of backupScheduleProblems(p)) report(m);
      }),
    },
    stackPolicy(
      "boot-prerequisites",
      "Every auto scaling group depends on what its nodes read at boot: SSM parameters, IAM role policies and the API endpoint.",
      (g, args) => {
        if (g.resources.every((r) => r.type !== T.asg)) args.notApplicable("no auto scaling groups");
        const parents = new Map(args.resources.flatMap((r) => (r.parent ? [[r.urn, r.parent.urn] as const] : [])));
        return bootPrerequisiteProblems(g, parents);
      },
    ),
    stackPolicy("certificate-expiry", "No certificate expires within failWithinDays days.", (g, args) =>
      certFindings(g, args, "certificate-expiry", false),
    ),
    stackPolicy("certificate-expiry-warning", "Certificates expiring within warnWithinDays days are flagged for renewal.", (g, args) =>
      certFindings(g, args, "certificate-expiry-warning", true),
    ),
    stackPolicy(
      "cert-refresh-window",
      "Certificates on nodes are renewed early enough for the nodes' refresh timer to install them before the old ones expire.",
      (g, args) => {
        if (refreshHours(g) === undefined)
          args.notApplicable("no launch template refreshes certificates (kubestead.io/cert-refresh-hours)");
        return certRefreshWindowProblems(g);
      },
    ),
    stackPolicy(
      "admin-credential-revocable",
      "Only the control plane's break-glass certificate is in system:masters, and no kubeconfig in the stack embeds one.",
      (g, args) => {
        if (g.resources.every((r) => r.type !== ADMIN_T.certRequest)) args.notApplicable("no tls certificate requests");
        return adminCredentialProblems(g);
      },
    ),
    // Stack policies: the apiserver's static pod reaches the node through the add-on store, pinned by
    // sha256 in user data, so the launch template alone doesn't show it.
    stackPolicy(
      "pod-security-admission",
      "Control-plane nodes boot an apiserver whose Pod Security Admission enforces at least baseline outside kube-system.",
      (g, args) => {
        const lts = withRole(g, T.launchTemplate, "controlplane");
        if (lts.length === 0) args.notApplicable("no control-plane launch template");
        const { allowedExemptNamespaces } = configOf<{ allowedExemptNamespaces: string[] }>("pod-security-admission", args);
        const stored = storedObjectsOf(g);
        return lts.flatMap((lt) =>
          podSecurityProblems(lt.props.userData, allowedExemptNamespaces, stored).map((message) => ({ message, urn: lt.urn })),
        );
      },
    ),
    stackPolicy(
      "always-pull-images",
      "Control-plane nodes boot an apiserver with the AlwaysPullImages admission plugin (CIS 1.2.11).",
      (g, args) => {
        const lts = withRole(g, T.launchTemplate, "controlplane");
        if (lts.length === 0) args.notApplicable("no control-plane launch template");
        const stored = storedObjectsOf(g);
        return lts.flatMap((lt) => alwaysPullImagesProblems(lt.props.userData, stored).map((message) => ({ message, urn: lt.urn })));
      },
    ),
    stackPolicy(
      "api-cidrs-bounded",
      "All ingress to the apiserver port together covers at most maxAllowedShare of the address space.",
      (g, args) => {
        const sources = g.resources.filter((r) => INGRESS_TYPES.includes(r.type));
        if (sources.length === 0) args.notApplicable("no security groups or ingress rules");
        return apiCidrShareProblems(g, sources, configOf<{ maxAllowedShare: number }>("api-cidrs-bounded", args).maxAllowedShare);
      },
    ),
    resourcePolicy(
      "imds-hop-limit",
      "Launch templates and instances keep IMDS one hop away, so pods cannot act as the node's role.",
      NODE_TYPES,
      (p) => hopLimitProblems(p),
    ),
    stackPolicy(
      "irsa-roles-scoped",
      "Every role trusting the cluster's OIDC provider is limited to one service account and the STS audience.",
      (g, args) => {
        if (oidcProviders(g).length === 0) args.notApplicable("no IAM OIDC provider in the stack");
        return irsaRoleProblems(g);
      },
    ),
    stackPolicy(
      "node-role-boundaries",
      "By IAM evaluation of the plan: each node role reads only its own secrets, and no role can destroy or read etcd volumes or backups.",
      (g, args) => {
        if (g.resources.every((r) => r.type !== IAM_T.role)) args.notApplicable("no IAM roles");
        return nodeRoleBoundaryProblems(g);
      },
    ),
    stackPolicy(
      "backup-bucket-object-lock",
      "The etcd backup bucket locks every snapshot version with an S3 Object Lock default retention no lifecycle rule undercuts.",
      (g, args) => {
        if (withRole(g, T.bucket, "backup").length === 0) args.notApplicable("no backup bucket (kubestead.io/role=backup)");
        return backupObjectLockProblems(g);
      },
    ),
    stackPolicy(
      "backup-bucket-access-logs",
      "The etcd backup bucket logs every request to a separate bucket S3 server access logging can deliver to.",
      (g, args) => {
        if (withRole(g, T.bucket, "backup").length === 0) args.notApplicable("no backup bucket (kubestead.io/role=backup)");
        return backupAccessLogProblems(g);
      },
    ),
    stackPolicy(
      "vpc-flow-logs",
      "Every VPC the cluster runs in has flow logs, to a KMS-encrypted log group with a retention.",
      (g, args) => {
        if (clusterVpcs(g).length === 0) args.notApplicable("no VPC and no security group in the stack");
        return flowLogProblems(g);
      },
    ),
    stackPolicy(
      "egress-restricted",
      "etcd, control-plane and API load balancer security groups allow no all-traffic egress and reach the internet only on TCP 443.",
      (g, args) => {
        if (g.resources.every((r) => !EGRESS_TYPES.includes(r.type))) args.notApplicable("no security groups or egress rules");
        return restrictedEgressProblems(g);
      },
    ),
    stackPolicy(
      "node-drain-hooks",
      "Every auto scaling group of Kubernetes nodes has a terminating lifecycle hook, so nodes are drained before they go.",
      (g, args) => {
        if (withRole(g, T.asg, "controlplane").length + withRole(g, T.asg, "worker").length === 0)
          args.notApplicable("no control-plane or worker ASGs");
        return terminationHookProblems(g, configOf<TerminationHookConfig>("node-drain-hooks", args));
      },
    ),
    stackPolicy(
      "instance-refresh-safe",
      "Instance refreshes replace at most one etcd member at a time and keep enough control-plane nodes in service.",
      (g, args) => {
        if (withRole(g, T.asg, "controlplane").length + withRole(g, T.asg, "etcd").length === 0)
          args.notApplicable("no etcd or control-plane ASGs");
        return instanceRefreshProblems(g, configOf<InstanceRefreshConfig>("instance-refresh-safe", args));
      },
    ),
    stackPolicy(
      "bootstrap-token-secret",
      "The bootstrap token's random resources keep their results secret and carry an expiry.",
      (_g, args) => {
        const tokens = args.resources.filter((r) => r.type === BOOTSTRAP_TOKEN_COMPONENT);
        if (tokens.length === 0) args.notApplicable("no BootstrapToken component in the stack");
        return bootstrapTokenProblems(
          tokens.map((t) => ({
            urn: t.urn,
            name: t.name,
            parts: args.resources
              .filter((r) => r.parent?.urn === t.urn && r.type.startsWith("random:"))
              .map((r) => ({
                urn: r.urn,
                name: r.name,
                type: r.type,
                additionalSecretOutputs: r.opts?.additionalSecretOutputs ?? [],
                keepers: plainProps(r.props).keepers,
              })),
          })),
          now(),
        );
      },
    ),
  ];
}

/** The pack's policies with the real clock. */
export const policies: KubesteadPolicy[] = makePolicies();
