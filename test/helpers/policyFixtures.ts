/**
 * A small valid prod cluster as an offline Plan, for the policy tests: 3 etcd members (ASG,
 * launch template, volume) in 3 zones, a control-plane ASG behind an internal NLB, one worker
 * pool, security-group rules, the backup bucket with versioning/SSE/lifecycle, and certificates.
 * Shapes are what policy/policies.ts documents; outputs echo inputs plus computed ids/ARNs, as
 * the offline mocks do. Each call returns a fresh copy: tests change one field and run.
 */
import type { Plan, PlanResource, PlanResourceOptions } from "../../lib/plan/types";

export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const NOW = new Date("2026-03-01T00:00:00Z");
const DAY = 86_400_000;
export const daysFromNow = (d: number): string => new Date(NOW.getTime() + d * DAY).toISOString();

const STACK = "prod";
const PROJECT = "kubestead";
const CLUSTER = "kc";
export const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const urnOf = (type: string, name: string) => `urn:pulumi:${STACK}::${PROJECT}::${type}::${name}`;
const PROVIDER_URN = urnOf("pulumi:providers:aws", "default");
const STACK_URN = urnOf("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`);

export function tags(role: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "kubestead.io/cluster": CLUSTER, "kubestead.io/role": role, ...extra };
}

export function asgTags(t: Record<string, string>): { key: string; value: string; propagateAtLaunch: boolean }[] {
  return Object.entries(t).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
}

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
  options?: Partial<PlanResourceOptions>;
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
        custom: true,
        id,
        parent: STACK_URN,
        provider: `${PROVIDER_URN}::prov-1`,
        dependencies: [...new Set(Object.values(propertyDependencies).flat())],
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

function launchTemplate(name: string, t: Record<string, string>, sg: string): Spec {
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
      userData: "IyEvYmluL3NoCg==",
    },
    computed: { arn: `arn:aws:ec2:us-east-1:111122223333:launch-template/lt-${name}`, latestVersion: 1 },
  };
}

function asg(name: string, t: Record<string, string>, size: number, zoneIdx: number[], lt: string, targetGroups: boolean): Spec {
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
    inputs: { securityGroupId: "sg-etcd", ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" },
  });

  for (let i = 0; i < 3; i++) {
    const t = tags("etcd", { "kubestead.io/member": String(i), "kubestead.io/backup-interval-minutes": "30" });
    s.push(launchTemplate(`${CLUSTER}-etcd-${i}`, t, "sg-etcd"));
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
    s.push(asg(`${CLUSTER}-etcd-${i}-asg`, tags("etcd", { "kubestead.io/member": String(i) }), 1, [i], `${CLUSTER}-etcd-${i}`, false));
  }

  s.push(launchTemplate(`${CLUSTER}-controlplane`, tags("controlplane"), "sg-controlplane"));
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
  s.push(asg(`${CLUSTER}-controlplane-asg`, tags("controlplane"), 3, [0, 1, 2], `${CLUSTER}-controlplane`, true));
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

  const pool = tags("worker", { "kubestead.io/pool": "general" });
  s.push(launchTemplate(`${CLUSTER}-general`, pool, "sg-worker"));
  s.push(asg(`${CLUSTER}-general-asg`, pool, 3, [0, 1, 2], `${CLUSTER}-general`, false));

  const bucket = `${CLUSTER}-etcd-backups`;
  s.push({
    type: "aws:s3/bucket:Bucket",
    name: bucket,
    inputs: { bucket, tags: tags("backup") },
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
  return s;
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

export const CLUSTER_NAME = CLUSTER;
