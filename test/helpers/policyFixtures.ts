/**
 * A small valid prod cluster as an offline Plan, for the policy tests: 3 etcd members (ASG,
 * launch template, volume) in 3 zones, a control-plane ASG behind an internal NLB with an `api.`
 * DNS name, one worker pool, each role's IAM identity and the SSM parameters its boot reads,
 * security-group rules, the backup bucket with versioning/SSE/lifecycle, and certificates.
 * Shapes are what policy/policies.ts documents; outputs echo inputs plus computed ids/ARNs, as
 * the offline mocks do. Each call returns a fresh copy: tests change one field and run.
 */
import { gzipSync } from "node:zlib";
import { BOOT_SCRIPT_PATH } from "../../bootstrap/bootScript";
import { renderCloudConfig } from "../../bootstrap/cloudInit";
import { renderAdmissionConfig } from "../../bootstrap/controlPlane/admissionConfig";
import { renderApiServerManifest } from "../../bootstrap/controlPlane/apiserver";
import { CONFIG, MANIFEST } from "../../bootstrap/controlPlane/paths";
import type { PodSecurityConfig } from "../../lib/config/types";
import type { Plan, PlanResource, PlanResourceOptions } from "../../lib/plan/types";
import { EC2_ASSUME_ROLE, PolicyDocument, controlPlanePolicy, etcdPolicy, nodeBaselinePolicy, workerPolicy } from "../../lib/iam";
import { Graph, makeGraph } from "../../policy/rules/graph";
import { stringify } from "yaml";

import { CLUSTER, NOW, UNKNOWN, asgTags, daysFromNow, tags } from "./fixtureValues";

export { NOW, UNKNOWN, asgTags, daysFromNow, tags };

const STACK = "prod";
const PROJECT = "kubestead";
export const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const urnOf = (type: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
const PROVIDER_URN = urnOf("pulumi:providers:aws", "default");
const STACK_URN = urnOf("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`);

interface Spec {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** Computed outputs added to the echoed inputs. */
  computed?: Record<string, unknown>;
  /** Only outputs (certificates' validityEndTime). */
  outputsOnly?: Record<string, unknown>;
  /** Property → names of the resources its value came from. */
  deps?: Record<string, string[]>;
  /** Names of resources depended on through no property (the dependsOn option). */
  dependsOn?: string[];
  options?: Partial<PlanResourceOptions>;
  /** Name of the parent resource (default: the stack). */
  parent?: string;
  /** A component resource: no provider, no ID. */
  component?: boolean;
}

const clone = <X>(x: X): X => JSON.parse(JSON.stringify(x)) as X;

function build(specs: Spec[]): PlanResource[] {
  const urns = new Map(specs.map((s) => [s.name, urnOf(s.type, s.name)]));
  const urnFor = (n: string) => {
    const u = urns.get(n);
    if (!u) throw new Error(`fixture: no resource named ${n}`);
    return u;
  };
  const roots: PlanResource[] = [
    {
      urn: STACK_URN,
      type: "pulumi:pulumi:Stack",
      name: `${PROJECT}-${STACK}`,
      custom: false,
      dependencies: [],
      propertyDependencies: {},
      inputs: {},
      outputs: {},
      options: opts({}),
      secretPaths: [],
    },
    {
      urn: PROVIDER_URN,
      type: "pulumi:providers:aws",
      name: "default",
      custom: true,
      id: "prov-1",
      parent: STACK_URN,
      dependencies: [],
      propertyDependencies: {},
      inputs: { region: "us-east-1" },
      outputs: { region: "us-east-1" },
      options: opts({}),
      secretPaths: [],
    },
  ];
  return [
    ...roots,
    ...specs.map((s) => {
      const propertyDependencies = Object.fromEntries(Object.entries(s.deps ?? {}).map(([k, v]) => [k, v.map(urnFor)]));
      const id = (s.computed?.id as string | undefined) ?? `${s.name}-id`;
      return {
        urn: urnFor(s.name),
        type: s.type,
        name: s.name,
        custom: !s.component,
        id: s.component ? undefined : id,
        parent: s.parent ? urnFor(s.parent) : STACK_URN,
        provider: s.component ? undefined : `${PROVIDER_URN}::prov-1`,
        dependencies: [...new Set([...Object.values(propertyDependencies).flat(), ...(s.dependsOn ?? []).map(urnFor)])],
        propertyDependencies,
        inputs: clone(s.inputs),
        outputs: { ...clone(s.inputs), id, ...clone(s.computed ?? {}), ...clone(s.outputsOnly ?? {}) },
        options: opts(s.options ?? {}),
        secretPaths: [],
      };
    }),
  ];
}

function opts(o: Partial<PlanResourceOptions>): PlanResourceOptions {
  return {
    protect: false,
    ignoreChanges: [],
    retainOnDelete: false,
    deleteBeforeReplace: false,
    additionalSecretOutputs: [],
    aliases: [],
    ...o,
  };
}

const subnetName = (i: number) => `${CLUSTER}-private-${ZONES[i]}`;
const subnetId = (i: number) => `subnet-${ZONES[i]}`;
const arn = (kind: string, name: string) => `arn:aws:elasticloadbalancing:us-east-1:111122223333:${kind}/${name}`;
export const TG_ARN = arn("targetgroup", `${CLUSTER}-api/0123`);
export const LB_ARN = arn("loadbalancer", `net/${CLUSTER}-api/4567`);

/** Node roles with an IAM identity (role, its policy, the baseline policy, instance profile). */
const IDENTITIES = ["etcd", "controlplane", "worker"] as const;
type NodeRole = (typeof IDENTITIES)[number];
export const identityNames = (role: NodeRole) => ({
  role: `${CLUSTER}-${role}-role`,
  policy: `${CLUSTER}-${role}-policy`,
  baseline: `${CLUSTER}-${role}-baseline`,
  profile: `${CLUSTER}-${role}-profile`,
});
const profileArn = (role: NodeRole) => `arn:aws:iam::111122223333:instance-profile/${identityNames(role).profile}`;

/** SSM parameters the nodes read at boot: resource name → parameter name. */
export const BOOT_PARAMETERS: Record<string, string> = {
  [`${CLUSTER}-etcd-backup-key`]: `/kubestead/${CLUSTER}/etcd/backup.key`,
  ...Object.fromEntries([0, 1, 2].map((i) => [`${CLUSTER}-etcd-${i}-server-key`, `/kubestead/${CLUSTER}/etcd/etcd-${i}/server.key`])),
  [`${CLUSTER}-controlplane-ca-key`]: `/kubestead/${CLUSTER}/controlplane/ca.key`,
  [`${CLUSTER}-controlplane-bootstrap-kubeconfig`]: `/kubestead/${CLUSTER}/controlplane/bootstrap-kubelet.conf`,
  [`${CLUSTER}-workers-bootstrap-kubeconfig`]: `/kubestead/${CLUSTER}/worker/bootstrap-kubelet.conf`,
};

/** What each launch template's boot reads (resource names of BOOT_PARAMETERS). */
const BOOT_READS: Record<string, string[]> = {
  ...Object.fromEntries([0, 1, 2].map((i) => [`${CLUSTER}-etcd-${i}`, [`${CLUSTER}-etcd-${i}-server-key`, `${CLUSTER}-etcd-backup-key`]])),
  [`${CLUSTER}-controlplane`]: [`${CLUSTER}-controlplane-ca-key`, `${CLUSTER}-controlplane-bootstrap-kubeconfig`],
  [`${CLUSTER}-general`]: [`${CLUSTER}-workers-bootstrap-kubeconfig`],
};

/** Where worker nodes reach the API: the listener and the `api.` record. */
export const API_ENDPOINT = [`${CLUSTER}-api-6443`, `${CLUSTER}-api-name`];

/** Cloud-config user data as the components send it: gzipped, base64, with the secrets manifest. */
export function bootUserData(parameters: string[], files: { path: string; content: string }[] = []): string {
  const doc = renderCloudConfig({
    files: [{ path: BOOT_SCRIPT_PATH, mode: "0755", content: "#!/usr/bin/env bash\n" }, ...files.map((f) => ({ ...f, mode: "0600" }))],
    secrets: parameters.map((parameter, i) => ({ parameter, path: `/etc/kubestead/fixture/${i}.pem`, mode: "0600" })),
    bootScriptPath: BOOT_SCRIPT_PATH,
  });
  return gzipSync(doc).toString("base64");
}

/** The cluster key and the backup bucket every identity's policy names. */
export const KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/k1";
export const BACKUP_BUCKET_ARN = `arn:aws:s3:::${CLUSTER}-etcd-backups`;
const SCOPE = { partition: "aws", region: "us-east-1", accountId: "111122223333", cluster: CLUSTER, kmsKeyArn: KEY_ARN };
/** Each node role's own policy document, as the components render it (lib/iam.ts). */
export function rolePolicyDocument(role: NodeRole): PolicyDocument {
  if (role === "etcd") return etcdPolicy(SCOPE, BACKUP_BUCKET_ARN);
  return role === "controlplane" ? controlPlanePolicy(SCOPE) : workerPolicy(SCOPE);
}

function identity(role: NodeRole): Spec[] {
  const n = identityNames(role);
  const roleArn = `arn:aws:iam::111122223333:role/${n.role}`;
  return [
    {
      type: "aws:iam/role:Role",
      name: n.role,
      inputs: { assumeRolePolicy: EC2_ASSUME_ROLE, tags: tags(role) },
      computed: { id: n.role, name: n.role, arn: roleArn },
    },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: n.policy,
      inputs: { role: n.role, policy: JSON.stringify(rolePolicyDocument(role)) },
      deps: { role: [n.role] },
    },
    {
      type: "aws:iam/rolePolicy:RolePolicy",
      name: n.baseline,
      inputs: { role: n.role, policy: JSON.stringify(nodeBaselinePolicy("aws", role)) },
      deps: { role: [n.role] },
    },
    {
      type: "aws:iam/instanceProfile:InstanceProfile",
      name: n.profile,
      inputs: { role: n.role, tags: tags(role) },
      computed: { id: n.profile, name: n.profile, arn: profileArn(role) },
      deps: { role: [n.role] },
    },
  ];
}

function parameter(name: string): Spec {
  const role = BOOT_PARAMETERS[name].split("/")[3]; // /kubestead/<cluster>/<role>/…
  return {
    type: "aws:ssm/parameter:Parameter",
    name,
    inputs: { name: BOOT_PARAMETERS[name], type: "SecureString", value: "secret", keyId: KEY_ARN, tags: tags(role) },
    computed: { arn: `arn:aws:ssm:us-east-1:111122223333:parameter${BOOT_PARAMETERS[name]}` },
  };
}

/** What a group must depend on: its template's parameters, its identity, and for workers the API endpoint. */
function bootPrerequisites(lt: string, role: NodeRole): string[] {
  const n = identityNames(role);
  return [...BOOT_READS[lt], n.policy, n.baseline, n.profile, ...(role === "worker" ? API_ENDPOINT : [])];
}

function launchTemplate(name: string, t: Record<string, string>, sg: string, role: NodeRole): Spec {
  return {
    type: "aws:ec2/launchTemplate:LaunchTemplate",
    name,
    inputs: {
      namePrefix: `${name}-`,
      imageId: "ami-0debian12",
      instanceType: "m7i.large",
      metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1, httpEndpoint: "enabled" },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { encrypted: "true", volumeType: "gp3", volumeSize: 30, kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k1" },
        },
      ],
      networkInterfaces: [{ associatePublicIpAddress: "false", securityGroups: [sg], deleteOnTermination: "true" }],
      tags: t,
      tagSpecifications: [{ resourceType: "instance", tags: t }],
      iamInstanceProfile: { arn: profileArn(role) },
      userData: bootUserData(
        BOOT_READS[name].map((p) => BOOT_PARAMETERS[p]),
        role === "controlplane" ? controlPlaneAdmissionFiles() : [],
      ),
    },
    computed: { arn: `arn:aws:ec2:us-east-1:111122223333:launch-template/lt-${name}`, latestVersion: 1 },
    deps: { iamInstanceProfile: [identityNames(role).profile] },
  };
}

function asg(
  name: string,
  t: Record<string, string>,
  size: number,
  zoneIdx: number[],
  lt: string,
  targetGroups: boolean,
  role: NodeRole,
): Spec {
  return {
    type: "aws:autoscaling/group:Group",
    name,
    inputs: {
      minSize: size,
      maxSize: size,
      desiredCapacity: size,
      vpcZoneIdentifiers: zoneIdx.map(subnetId),
      ...(targetGroups ? { targetGroupArns: [TG_ARN] } : {}),
      launchTemplate: { id: `${lt}-id`, version: "$Latest" },
      tags: asgTags(t),
    },
    computed: { arn: `arn:aws:autoscaling:us-east-1:111122223333:autoScalingGroup:${name}` },
    deps: {
      vpcZoneIdentifiers: zoneIdx.map(subnetName),
      launchTemplate: [lt],
      ...(targetGroups ? { targetGroupArns: [`${CLUSTER}-api-tg`] } : {}),
    },
    dependsOn: bootPrerequisites(lt, role),
  };
}

/** The terminating lifecycle hook of `group`, attached through its name (the ASG's `name` output). */
export function terminatingHook(group: string, heartbeatTimeout = 300): Spec {
  return {
    type: "aws:autoscaling/lifecycleHook:LifecycleHook",
    name: `${group}-drain`,
    inputs: {
      autoscalingGroupName: group,
      name: "kubestead-drain",
      lifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING",
      defaultResult: "CONTINUE",
      heartbeatTimeout,
    },
    deps: { autoscalingGroupName: [group] },
  };
}

function ingress(
  name: string,
  role: string,
  port: [number, number],
  from: { cidrIpv4?: string; cidrIpv6?: string; referencedSecurityGroupId?: string },
): Spec {
  return {
    type: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    name,
    inputs: { securityGroupId: `sg-${role}`, ipProtocol: "tcp", fromPort: port[0], toPort: port[1], ...from, tags: tags(role) },
  };
}

function specs(): Spec[] {
  const s: Spec[] = [];
  for (const role of IDENTITIES) s.push(...identity(role));
  for (const name of Object.keys(BOOT_PARAMETERS)) s.push(parameter(name));
  s.push({
    type: "aws:ec2/vpc:Vpc",
    name: `${CLUSTER}-vpc`,
    inputs: { cidrBlock: "10.0.0.0/16", tags: tags("network") },
    computed: { id: "vpc-1" },
  });
  ZONES.forEach((z, i) =>
    s.push({
      type: "aws:ec2/subnet:Subnet",
      name: subnetName(i),
      inputs: { vpcId: "vpc-1", cidrBlock: `10.0.${i * 32}.0/19`, availabilityZone: z, mapPublicIpOnLaunch: false, tags: tags("network") },
      computed: { id: subnetId(i) },
      deps: { vpcId: [`${CLUSTER}-vpc`] },
    }),
  );
  for (const role of ["etcd", "controlplane", "worker", "api-lb"]) {
    s.push({
      type: "aws:ec2/securityGroup:SecurityGroup",
      name: `${CLUSTER}-sg-${role}`,
      inputs: { vpcId: "vpc-1", description: role, tags: tags(role) },
      computed: { id: `sg-${role}` },
    });
  }
  s.push(ingress(`${CLUSTER}-etcd-peers`, "etcd", [2379, 2380], { referencedSecurityGroupId: "sg-etcd" }));
  s.push(ingress(`${CLUSTER}-etcd-from-cp`, "etcd", [2379, 2379], { referencedSecurityGroupId: "sg-controlplane" }));
  s.push(ingress(`${CLUSTER}-cp-api-from-vpc`, "controlplane", [6443, 6443], { cidrIpv4: "10.0.0.0/16" }));
  s.push(ingress(`${CLUSTER}-lb-api-from-admins`, "api-lb", [6443, 6443], { cidrIpv4: "10.20.0.0/16" }));
  s.push({
    type: "aws:ec2/securityGroupRule:SecurityGroupRule",
    name: `${CLUSTER}-worker-kubelet`,
    inputs: {
      type: "ingress",
      securityGroupId: "sg-worker",
      protocol: "tcp",
      fromPort: 10250,
      toPort: 10250,
      sourceSecurityGroupId: "sg-controlplane",
    },
  });
  s.push({
    type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    name: `${CLUSTER}-etcd-egress`,
    inputs: { securityGroupId: "sg-etcd", ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0", tags: tags("etcd") },
  });

  for (let i = 0; i < 3; i++) {
    const t = tags("etcd", {
      "kubestead.io/member": String(i),
      "kubestead.io/backup-interval-minutes": "30",
      // The certificate refresh timer's longest delay (bootstrap/certRefresh.ts), for cert-refresh-window.
      "kubestead.io/cert-refresh-hours": "7",
    });
    s.push(launchTemplate(`${CLUSTER}-etcd-${i}`, t, "sg-etcd", "etcd"));
    s.push({
      type: "aws:ebs/volume:Volume",
      name: `${CLUSTER}-etcd-${i}-data`,
      inputs: {
        availabilityZone: ZONES[i],
        size: 50,
        type: "gp3",
        iops: 6000,
        encrypted: true,
        kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k1",
        tags: tags("etcd", { "kubestead.io/member": String(i) }),
      },
      computed: { arn: `arn:aws:ec2:us-east-1:111122223333:volume/vol-${i}` },
      options: { protect: true, retainOnDelete: true },
    });
    s.push(
      asg(`${CLUSTER}-etcd-${i}-asg`, tags("etcd", { "kubestead.io/member": String(i) }), 1, [i], `${CLUSTER}-etcd-${i}`, false, "etcd"),
    );
  }

  s.push(launchTemplate(`${CLUSTER}-controlplane`, tags("controlplane"), "sg-controlplane", "controlplane"));
  s.push({
    type: "aws:lb/targetGroup:TargetGroup",
    name: `${CLUSTER}-api-tg`,
    inputs: {
      port: 6443,
      protocol: "TCP",
      targetType: "instance",
      vpcId: "vpc-1",
      healthCheck: { enabled: true, protocol: "HTTPS", path: "/readyz", port: "traffic-port" },
      tags: tags("api-lb"),
    },
    computed: { arn: TG_ARN, id: TG_ARN },
  });
  s.push(asg(`${CLUSTER}-controlplane-asg`, tags("controlplane"), 3, [0, 1, 2], `${CLUSTER}-controlplane`, true, "controlplane"));
  s.push({
    type: "aws:lb/loadBalancer:LoadBalancer",
    name: `${CLUSTER}-api`,
    inputs: {
      loadBalancerType: "network",
      internal: true,
      subnets: [0, 1, 2].map(subnetId),
      enableCrossZoneLoadBalancing: true,
      securityGroups: ["sg-api-lb"],
      tags: tags("api-lb"),
    },
    computed: { arn: LB_ARN, id: LB_ARN, dnsName: `${CLUSTER}-api.elb.amazonaws.com` },
    deps: { subnets: [0, 1, 2].map(subnetName) },
  });
  s.push({
    type: "aws:lb/listener:Listener",
    name: `${CLUSTER}-api-6443`,
    inputs: {
      loadBalancerArn: LB_ARN,
      port: 6443,
      protocol: "TCP",
      defaultActions: [{ type: "forward", targetGroupArn: TG_ARN }],
      tags: tags("api-lb"),
    },
    computed: { arn: arn("listener", `net/${CLUSTER}-api/89`) },
    deps: { loadBalancerArn: [`${CLUSTER}-api`], defaultActions: [`${CLUSTER}-api-tg`] },
  });
  s.push({
    type: "aws:route53/record:Record",
    name: `${CLUSTER}-api-name`,
    inputs: {
      zoneId: "Z0123",
      name: `api.${CLUSTER}.kubestead.internal`,
      type: "A",
      aliases: [{ name: `${CLUSTER}-api.elb.amazonaws.com` }],
    },
    deps: { aliases: [`${CLUSTER}-api`] },
  });

  const pool = tags("worker", { "kubestead.io/pool": "general" });
  s.push(launchTemplate(`${CLUSTER}-general`, pool, "sg-worker", "worker"));
  s.push(asg(`${CLUSTER}-general-asg`, pool, 3, [0, 1, 2], `${CLUSTER}-general`, false, "worker"));
  // Drained before termination: a terminating hook on every Kubernetes node group (policy node-drain-hooks).
  for (const group of [`${CLUSTER}-controlplane-asg`, `${CLUSTER}-general-asg`]) s.push(terminatingHook(group));

  const bucket = `${CLUSTER}-etcd-backups`;
  s.push({
    type: "aws:s3/bucket:Bucket",
    name: bucket,
    inputs: { bucket, objectLockEnabled: true, tags: tags("backup") },
    computed: { id: bucket, arn: `arn:aws:s3:::${bucket}` },
    options: { protect: true, retainOnDelete: true },
  });
  s.push({
    type: "aws:s3/bucketVersioning:BucketVersioning",
    name: `${bucket}-versioning`,
    inputs: { bucket, versioningConfiguration: { status: "Enabled" } },
    deps: { bucket: [bucket] },
  });
  s.push({
    type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    name: `${bucket}-sse`,
    inputs: {
      bucket,
      rules: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:111122223333:key/k1" },
          bucketKeyEnabled: true,
        },
      ],
    },
    deps: { bucket: [bucket] },
  });
  s.push({
    type: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    name: `${bucket}-lifecycle`,
    inputs: {
      bucket,
      rules: [
        {
          id: "expire-old-snapshots",
          status: "Enabled",
          expiration: { expiredObjectDeleteMarker: true },
          noncurrentVersionExpiration: { noncurrentDays: 30 },
        },
      ],
    },
    deps: { bucket: [bucket] },
  });

  s.push({
    type: "tls:index/selfSignedCert:SelfSignedCert",
    name: `${CLUSTER}-ca`,
    inputs: { validityPeriodHours: 87600, isCaCertificate: true },
    outputsOnly: { validityEndTime: daysFromNow(3000) },
  });
  s.push({
    type: "tls:index/locallySignedCert:LocallySignedCert",
    name: `${CLUSTER}-apiserver-cert`,
    inputs: { validityPeriodHours: 8760, earlyRenewalHours: 720 },
    outputsOnly: { validityEndTime: daysFromNow(300) },
  });
  // The certificate as the nodes' refresh timer reads it: a String parameter whose value is the cert's output.
  s.push({
    type: "aws:ssm/parameter:Parameter",
    name: `${CLUSTER}-controlplane-apiserver-crt`,
    inputs: {
      name: `/kubestead/${CLUSTER}/controlplane/apiserver.crt`,
      type: "String",
      value: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
      tags: tags("controlplane"),
    },
    computed: { arn: `arn:aws:ssm:us-east-1:111122223333:parameter/kubestead/${CLUSTER}/controlplane/apiserver.crt` },
    deps: { value: [`${CLUSTER}-apiserver-cert`] },
  });
  s.push(...adminCredentials());
  s.push(...podIdentity());
  s.push(...auditLogsAndEgress());
  s.push(...bootstrapToken());
  return s;
}

/** The kubelet bootstrap token: a BootstrapToken component and its two secret, expiring halves. */
export const BOOTSTRAP_TOKEN = `${CLUSTER}-bootstrap-token`;
function bootstrapToken(): Spec[] {
  const keepers = { window: daysFromNow(-10), expiration: daysFromNow(50) };
  const part = (half: string, length: number, result: string): Spec => ({
    type: "random:index/randomPassword:RandomPassword",
    name: `${BOOTSTRAP_TOKEN}-${half}`,
    parent: BOOTSTRAP_TOKEN,
    inputs: { length, lower: true, upper: false, numeric: true, special: false, keepers },
    computed: { id: "none", result },
    options: { additionalSecretOutputs: ["bcryptHash", "result"] },
  });
  return [
    { type: "kubestead:components:BootstrapToken", name: BOOTSTRAP_TOKEN, component: true, inputs: {} },
    part("id", 6, "abc123"),
    part("secret", 16, "0123456789abcdef"),
  ];
}

/** The public service-account issuer's OIDC provider and one pod role trusting it (IRSA). */
export const OIDC_HOST = `${CLUSTER}-oidc-111122223333-us-east-1.s3.us-east-1.amazonaws.com`;
export const OIDC_PROVIDER_ARN = `arn:aws:iam::111122223333:oidc-provider/${OIDC_HOST}`;
export const POD_ROLE = `${CLUSTER}-us-east-1-cluster-autoscaler`;
export function podRoleTrust(condition: Record<string, unknown>): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: OIDC_PROVIDER_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: condition,
      },
    ],
  });
}
function podIdentity(): Spec[] {
  const provider = `${CLUSTER}-sa-issuer-provider`;
  return [
    {
      type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      name: provider,
      inputs: { url: `https://${OIDC_HOST}`, clientIdLists: ["sts.amazonaws.com"], tags: tags("pod-identity") },
      computed: { id: OIDC_PROVIDER_ARN, arn: OIDC_PROVIDER_ARN },
    },
    {
      type: "aws:iam/role:Role",
      name: POD_ROLE,
      inputs: {
        name: POD_ROLE,
        assumeRolePolicy: podRoleTrust({
          StringEquals: {
            [`${OIDC_HOST}:sub`]: "system:serviceaccount:kube-system:cluster-autoscaler",
            [`${OIDC_HOST}:aud`]: "sts.amazonaws.com",
          },
        }),
        tags: tags("pod-identity"),
      },
      computed: { id: POD_ROLE, arn: `arn:aws:iam::111122223333:role/${POD_ROLE}` },
      deps: { assumeRolePolicy: [provider] },
    },
  ];
}

export function happyPlan(): Plan {
  return { project: PROJECT, stack: STACK, createdAt: NOW.toISOString(), resources: build(specs()), outputs: {}, secretOutputs: [] };
}

export function find(plan: Plan, name: string): PlanResource {
  const r = plan.resources.find((x) => x.name === name);
  if (!r) throw new Error(`fixture: no resource named ${name}`);
  return r;
}

/**
 * Sets a dotted path (`metadataOptions.httpTokens`, `rules.0.status`) or a key list (for keys
 * with dots, like tags) in inputs and outputs; undefined deletes.
 */
export function setProp(
  plan: Plan,
  name: string,
  path: string | string[],
  value: unknown,
  where: ("inputs" | "outputs")[] = ["inputs", "outputs"],
): Plan {
  const r = find(plan, name);
  for (const w of where) {
    const keys = Array.isArray(path) ? path : path.split(".");
    let obj = r[w] as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) obj = obj[k] as Record<string, unknown>;
    const last = keys[keys.length - 1];
    if (value === undefined) delete obj[last];
    else obj[last] = clone(value);
  }
  return plan;
}

/** Sets an ASG's subnets by zone index, keeping propertyDependencies consistent. */
export function setAsgZones(plan: Plan, name: string, zoneIdx: number[]): Plan {
  setProp(plan, name, "vpcZoneIdentifiers", zoneIdx.map(subnetId));
  find(plan, name).propertyDependencies.vpcZoneIdentifiers = zoneIdx.map((i) => find(plan, subnetName(i)).urn);
  return plan;
}

export function removeResource(plan: Plan, name: string): Plan {
  const urn = find(plan, name).urn;
  plan.resources = plan.resources.filter((r) => r.urn !== urn);
  return plan;
}

export function addResource(plan: Plan, spec: Spec): Plan {
  const [, , r] = build([spec]);
  plan.resources.push(r);
  return plan;
}

/** Drops every dependency (explicit and through properties) of `from` on `on`. */
export function dropDependency(plan: Plan, from: string, on: string): Plan {
  const r = find(plan, from);
  const urn = find(plan, on).urn;
  r.dependencies = r.dependencies.filter((u) => u !== urn);
  for (const [k, v] of Object.entries(r.propertyDependencies)) r.propertyDependencies[k] = v.filter((u) => u !== urn);
  return plan;
}

/** The plan as the stack rules see it (outputs as props, as stack policies get), and its parents. */
export function graphOfPlan(plan: Plan): { graph: Graph; parents: Map<string, string> } {
  const graph = makeGraph(
    plan.resources.map((r) => ({
      urn: r.urn,
      type: r.type,
      name: r.name,
      props: r.outputs,
      protect: r.options.protect,
      dependencies: r.dependencies,
      propertyDependencies: r.propertyDependencies,
    })),
  );
  return { graph, parents: new Map(plan.resources.flatMap((r) => (r.parent ? [[r.urn, r.parent] as [string, string]] : []))) };
}

export const CLUSTER_NAME = CLUSTER;

/**
 * Backup Object Lock and access logs (to a log bucket S3 can deliver to), the VPC's flow log into
 * a KMS-encrypted log group, and egress: workers open, the control plane HTTPS only.
 */
export const LOG_BUCKET = `${CLUSTER}-backup-logs`;
export const FLOW_LOG_GROUP_ARN = `arn:aws:logs:us-east-1:111122223333:log-group:/kubestead/${CLUSTER}/vpc-flow-logs`;
function auditLogsAndEgress(): Spec[] {
  const bucket = `${CLUSTER}-etcd-backups`;
  const logGroup = `${CLUSTER}-flow-logs-group`;
  const logArn = `arn:aws:s3:::${LOG_BUCKET}`;
  return [
    {
      type: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
      name: `${bucket}-lock`,
      inputs: { bucket, objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } },
      deps: { bucket: [bucket] },
    },
    {
      type: "aws:s3/bucket:Bucket",
      name: LOG_BUCKET,
      inputs: { bucket: LOG_BUCKET, tags: tags("logs", { "kubestead.io/logs-of": "backup" }) },
      computed: { id: LOG_BUCKET, arn: logArn },
    },
    {
      type: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
      name: `${LOG_BUCKET}-sse`,
      inputs: { bucket: LOG_BUCKET, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      deps: { bucket: [LOG_BUCKET] },
    },
    {
      type: "aws:s3/bucketPolicy:BucketPolicy",
      name: `${LOG_BUCKET}-policy`,
      inputs: {
        bucket: LOG_BUCKET,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "logging.s3.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: `${logArn}/etcd-backups/*`,
              Condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:::${bucket}` } },
            },
          ],
        }),
      },
      deps: { bucket: [LOG_BUCKET] },
    },
    {
      type: "aws:s3/bucketLogging:BucketLogging",
      name: `${bucket}-logging`,
      inputs: { bucket, targetBucket: LOG_BUCKET, targetPrefix: "etcd-backups/" },
      deps: { bucket: [bucket], targetBucket: [LOG_BUCKET] },
    },
    {
      type: "aws:cloudwatch/logGroup:LogGroup",
      name: logGroup,
      inputs: {
        name: `/kubestead/${CLUSTER}/vpc-flow-logs`,
        retentionInDays: 90,
        kmsKeyId: "arn:aws:kms:us-east-1:111122223333:key/k2",
        tags: tags("network"),
      },
      computed: { arn: FLOW_LOG_GROUP_ARN },
    },
    {
      type: "aws:ec2/flowLog:FlowLog",
      name: `${CLUSTER}-flow-logs`,
      inputs: {
        vpcId: "vpc-1",
        trafficType: "ALL",
        logDestinationType: "cloud-watch-logs",
        logDestination: FLOW_LOG_GROUP_ARN,
        iamRoleArn: "arn:aws:iam::111122223333:role/kc-flow-logs",
        tags: tags("network"),
      },
      deps: { vpcId: [`${CLUSTER}-vpc`], logDestination: [logGroup] },
    },
    {
      type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
      name: `${CLUSTER}-cp-https-out`,
      inputs: {
        securityGroupId: "sg-controlplane",
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        cidrIpv4: "0.0.0.0/0",
        tags: tags("controlplane"),
      },
    },
    {
      type: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
      name: `${CLUSTER}-worker-egress`,
      inputs: { securityGroupId: "sg-worker", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0", tags: tags("worker") },
    },
  ];
}

/**
 * The control plane's admission settings as its launch template's user data carries them: the
 * rendered kube-apiserver manifest and admission config (policies pod-security-admission and
 * always-pull-images read them). `admissionConfig` replaces the rendered config's text.
 */
export function controlPlaneAdmissionFiles(
  over: { podSecurity?: PodSecurityConfig; alwaysPullImages?: boolean; admissionConfig?: string } = {},
): { path: string; content: string }[] {
  const apiServer = renderApiServerManifest({
    kubernetesVersion: "1.35.8",
    etcdServers: ["https://10.0.32.10:2379"],
    serviceCidr: "10.96.0.0/12",
    serviceAccountIssuer: "https://kubernetes.default.svc.cluster.local",
    audit: { maxAgeDays: 30, maxBackups: 10, maxSizeMiB: 100 },
    alwaysPullImages: over.alwaysPullImages,
  });
  return [
    { path: MANIFEST.apiServer, content: stringify(apiServer, { lineWidth: 0 }) },
    { path: CONFIG.admission, content: over.admissionConfig ?? renderAdmissionConfig(over.podSecurity) },
  ];
}

/** Re-renders the control-plane launch template's user data with other admission settings. */
export function setControlPlaneAdmission(plan: Plan, over: Parameters<typeof controlPlaneAdmissionFiles>[0]): Plan {
  const name = `${CLUSTER}-controlplane`;
  return setProp(
    plan,
    name,
    "userData",
    bootUserData(
      BOOT_READS[name].map((p) => BOOT_PARAMETERS[p]),
      controlPlaneAdmissionFiles(over),
    ),
  );
}

/**
 * The cluster's administrative certificates, as components/controlPlane.ts issues them: the
 * break-glass super-admin in system:masters (its key only in the control-plane SSM path), and the
 * exported admin kubeconfig's, in kubeadm:cluster-admins.
 */
export const SUPER_ADMIN_CSR = `${CLUSTER}-super-admin-csr`;
export const ADMIN_KUBECONFIG_CSR = `${CLUSTER}-admin-kubeconfig-csr`;
function adminCredentials(): Spec[] {
  const leaf = (id: string, commonName: string, organization: string, hours: number): Spec[] => [
    {
      type: "tls:index/privateKey:PrivateKey",
      name: `${CLUSTER}-${id}-key`,
      inputs: { algorithm: "ECDSA" },
      computed: { privateKeyPem: `${id}-key` },
    },
    {
      type: "tls:index/certRequest:CertRequest",
      name: `${CLUSTER}-${id}-csr`,
      inputs: { privateKeyPem: `${id}-key`, subject: { commonName, organization } },
      computed: { certRequestPem: `${id}-csr` },
      deps: { privateKeyPem: [`${CLUSTER}-${id}-key`] },
    },
    {
      type: "tls:index/locallySignedCert:LocallySignedCert",
      name: `${CLUSTER}-${id}-cert`,
      inputs: { certRequestPem: `${id}-csr`, validityPeriodHours: hours, earlyRenewalHours: Math.min(720, hours / 2) },
      // As fresh as the fixture's other leaves (300 days left), or 6 of its 7 days for the short one.
      outputsOnly: { validityEndTime: daysFromNow(Math.min(300, hours / 24 - 1)) },
      deps: { certRequestPem: [`${CLUSTER}-${id}-csr`] },
    },
  ];
  const parameterName = `/kubestead/${CLUSTER}/controlplane/super-admin.key`;
  return [
    ...leaf("super-admin", "kubernetes-super-admin", "system:masters", 8760),
    {
      type: "aws:ssm/parameter:Parameter",
      name: `${CLUSTER}-controlplane-super-admin-key`,
      inputs: { name: parameterName, type: "SecureString", value: "secret", keyId: KEY_ARN, tags: tags("controlplane") },
      computed: { arn: `arn:aws:ssm:us-east-1:111122223333:parameter${parameterName}` },
      deps: { value: [`${CLUSTER}-super-admin-key`] },
    },
    ...leaf("admin-kubeconfig", "kubestead-admin", "kubeadm:cluster-admins", 168),
  ];
}
