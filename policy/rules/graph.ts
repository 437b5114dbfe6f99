/**
 * The stack as plain data for the stack rules: every resource with its props (outputs, as the
 * engine gives stack policies), `protect`, and dependencies as URNs. policies.ts builds it from
 * StackValidationArgs; tests build it from a Plan. No @pulumi imports.
 */
import { asList, asRecord, isUnknown } from "./unknown";

export interface GraphResource {
  urn: string;
  type: string;
  name: string;
  props: Record<string, unknown>;
  protect: boolean;
  dependencies: string[];
  /** Property name → URNs its value came from; lets a rule follow a reference that is unknown in preview. */
  propertyDependencies: Record<string, string[]>;
}

export interface Graph {
  resources: GraphResource[];
  byUrn: Map<string, GraphResource>;
}

export function makeGraph(resources: GraphResource[]): Graph {
  return { resources, byUrn: new Map(resources.map((r) => [r.urn, r])) };
}

/**
 * The Network component: its outputs carry the VPC's primary CIDR (`vpcCidr`), every IPv4 block of
 * it (`vpcCidrs`) and, for an adopted VPC, the subnets' zones.
 */
export const NETWORK_COMPONENT = "kubestead:components:Network";

/** Type tokens the policies read; identical to the `__pulumiType` of the @pulumi/aws and @pulumi/tls classes. */
export const T = {
  asg: "aws:autoscaling/group:Group",
  subnet: "aws:ec2/subnet:Subnet",
  vpc: "aws:ec2/vpc:Vpc",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
  instance: "aws:ec2/instance:Instance",
  volume: "aws:ebs/volume:Volume",
  loadBalancer: "aws:lb/loadBalancer:LoadBalancer",
  targetGroup: "aws:lb/targetGroup:TargetGroup",
  listener: "aws:lb/listener:Listener",
  securityGroup: "aws:ec2/securityGroup:SecurityGroup",
  securityGroupRule: "aws:ec2/securityGroupRule:SecurityGroupRule",
  prefixList: "aws:ec2/managedPrefixList:ManagedPrefixList",
  ingressRule: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  bucket: "aws:s3/bucket:Bucket",
  bucketVersioning: "aws:s3/bucketVersioning:BucketVersioning",
  bucketSse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketObjectLock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  bucketLogging: "aws:s3/bucketLogging:BucketLogging",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  egressRule: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  selfSignedCert: "tls:index/selfSignedCert:SelfSignedCert",
  locallySignedCert: "tls:index/locallySignedCert:LocallySignedCert",
} as const;

export const TAG = {
  cluster: "kubestead.io/cluster",
  role: "kubestead.io/role",
  pool: "kubestead.io/pool",
  member: "kubestead.io/member",
  /** "true" on a resource registered with retainOnDelete (the engine does not show policies that option). */
  retain: "kubestead.io/retain-on-delete",
  /** On etcd launch templates: minutes between etcd snapshots uploaded to the backup bucket. */
  backupInterval: "kubestead.io/backup-interval-minutes",
} as const;

/** Tags as a map, whether the resource has a `tags` map or an ASG's `[{ key, value }]` list. */
export function tagsOf(props: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const t = props.tags;
  if (Array.isArray(t)) {
    for (const item of t) {
      const rec = asRecord(item);
      if (rec && typeof rec.key === "string" && typeof rec.value === "string") out[rec.key] = rec.value;
    }
    return out;
  }
  const rec = asRecord(t);
  for (const [k, v] of Object.entries(rec ?? {})) if (typeof v === "string" && !isUnknown(v)) out[k] = v;
  return out;
}

export function roleOf(props: Record<string, unknown>): string | undefined {
  return tagsOf(props)[TAG.role];
}

/** Whether `r`'s property `prop` takes its value from the resource `urn` (Pulumi's property dependencies). */
export function dependsThrough(r: GraphResource, prop: string, urn: string): boolean {
  return r.propertyDependencies[prop]?.includes(urn) === true;
}

export function withRole(g: Graph, type: string, role: string): GraphResource[] {
  return g.resources.filter((r) => r.type === type && roleOf(r.props) === role);
}

export interface Resolution {
  targets: GraphResource[];
  /** Known values that match no resource of the target type in the stack. */
  unresolved: string[];
  /** Some value is unknown (preview) and propertyDependencies could not stand in for it. */
  unknown: boolean;
}

/**
 * Follows references (`vpcZoneIdentifiers` → subnets, `targetGroupArns` → target groups): a known
 * value matches a target whose `attrs` (id, arn, …) equal it; an unknown one is resolved through
 * the holder's propertyDependencies on `prop`, which the engine knows even in preview.
 */
export function resolveRefs(
  g: Graph,
  holder: GraphResource,
  prop: string,
  values: unknown,
  targetType: string,
  attrs: string[],
): Resolution {
  const candidates = g.resources.filter((r) => r.type === targetType);
  const targets = new Set<GraphResource>();
  const unresolved: string[] = [];
  let unknownCount = 0;
  // A lone value (an unknown list, one ID) is a list of one; non-strings (undefined, no subnetId) are skipped below.
  const list = Array.isArray(values) ? values : [values];
  for (const v of list) {
    if (isUnknown(v)) {
      unknownCount++;
      continue;
    }
    if (typeof v !== "string") continue;
    const hit = candidates.find((c) => attrs.some((a) => c.props[a] === v));
    if (hit) targets.add(hit);
    else unresolved.push(v);
  }
  let unknown = false;
  if (unknownCount > 0) {
    const viaDeps = (holder.propertyDependencies[prop] ?? [])
      .map((u) => g.byUrn.get(u))
      .filter((r): r is GraphResource => r !== undefined && r.type === targetType);
    viaDeps.forEach((r) => targets.add(r));
    // Element unknowns need one target each; a whole-list unknown counts once, so any dependency covers it.
    unknown = viaDeps.length < unknownCount;
  }
  return { targets: [...targets], unresolved, unknown };
}

export interface ZoneSet {
  zones: string[];
  unknown: boolean;
  /** Subnet IDs that are not Subnet resources of this stack (so their zone cannot be read). */
  unresolved: string[];
}

/** Availability zones of the subnets `prop` of `holder` refers to. */
export function subnetZones(g: Graph, holder: GraphResource, prop: string, values: unknown): ZoneSet {
  const res = resolveRefs(g, holder, prop, values, T.subnet, ["id"]);
  const zones = new Set<string>();
  let unknown = res.unknown;
  for (const s of res.targets) {
    const z = s.props.availabilityZone;
    if (typeof z === "string" && !isUnknown(z)) zones.add(z);
    else unknown = true;
  }
  // Adopted subnets are no resources of the stack: the program read their zones and registered
  // them on the Network component (policy packs never see data-source reads).
  const adopted = adoptedSubnetZones(g);
  const unresolved: string[] = [];
  for (const id of res.unresolved) {
    const z = adopted.get(id);
    if (z) zones.add(z);
    else unresolved.push(id);
  }
  return { zones: [...zones].sort(), unknown, unresolved };
}

export function adoptedSubnetZones(g: Graph): Map<string, string> {
  const out = new Map<string, string>();
  for (const n of g.resources.filter((r) => r.type === NETWORK_COMPONENT)) {
    const map = n.props.subnetZones;
    if (!map || typeof map !== "object" || isUnknown(map)) continue;
    for (const [id, z] of Object.entries(map as Record<string, unknown>)) if (typeof z === "string" && !isUnknown(z)) out.set(id, z);
  }
  return out;
}

/** Problem when fewer than `min` zones are proven; silent while unknown values could still add zones. */
export function zoneCountProblem(what: string, zs: ZoneSet, min: number): string | undefined {
  if (zs.zones.length >= min || zs.unknown) return undefined;
  const seen = zs.zones.length === 0 ? "no known availability zone" : `${zs.zones.length} availability zone(s) (${zs.zones.join(", ")})`;
  const extra =
    zs.unresolved.length > 0
      ? `; subnets ${zs.unresolved.join(", ")} are not Subnet resources of this stack, so their zones are unknown to the policy`
      : "";
  return `${what} spans ${seen}, needs at least ${min}${extra}.`;
}

/** Subnet IDs of a load balancer: `subnets` or `subnetMappings[].subnetId`. */
export function lbSubnetValues(props: Record<string, unknown>): { prop: string; values: unknown } {
  if (isUnknown(props.subnetMappings)) return { prop: "subnetMappings", values: props.subnetMappings };
  if (asList(props.subnetMappings).length > 0) {
    return { prop: "subnetMappings", values: asList(props.subnetMappings).map((m) => asRecord(m)?.subnetId) };
  }
  return { prop: "subnets", values: props.subnets };
}
