/**
 * What a change does to a running cluster: the planned graph of the base branch against the head,
 * as a reviewer needs it in a PR — which resources are created, updated, replaced or deleted, which
 * node groups roll and in what order, and which changes destroy something a cluster can't get back
 * (its CA, its service-account key, its encryption key, its network, an etcd member's identity).
 *
 * Both plans are masked plan JSON (`npm run plan -- --json`). The offline runtime makes real keys
 * and certificates, new ones each run, so PEM blocks are compared as their kind only: a replaced key
 * shows as a changed input of the key resource itself (its algorithm, its name), never as new bytes.
 */
import { decodeUserData } from "../../bootstrap/cloudInit";
import { controlPlaneStepProblem } from "../versionSkew";
import { launchTemplateOf } from "./launchTemplate";
import type { Plan, PlanResource } from "./types";

export type ChangeKind = "create" | "update" | "replace" | "delete";

/** Every destructive change the diff can name; `kubestead:acknowledge` takes these ids. */
export const DESTRUCTIVE_CHANGE_IDS = [
  "ca-replaced",
  "service-account-key-replaced",
  "encryption-key-changed",
  "etcd-volume-replaced",
  "etcd-eni-replaced",
  "etcd-members-changed-together",
  "control-plane-and-workers-together",
  "cluster-name-changed",
  "service-cidr-changed",
  "pod-cidr-changed",
  "protection-lifted",
] as const;
export type DestructiveChangeId = (typeof DESTRUCTIVE_CHANGE_IDS)[number];

export interface ResourceChange {
  urn: string;
  type: string;
  name: string;
  kind: ChangeKind;
  /** Input properties whose value changed (create/delete: none). */
  properties: string[];
}

export interface GroupRoll {
  /** Auto scaling group name. */
  group: string;
  role: "etcd" | "controlplane" | "worker";
  /** What changed in what its instances boot with. */
  because: string[];
}

export interface DestructiveChange {
  /** Stable id, also what `kubestead:acknowledge` lists to let the change through. */
  id: DestructiveChangeId;
  message: string;
}

/** A version change Kubernetes or etcd does not support in one step: refused, whatever is acknowledged. */
export interface RefusedChange {
  /** The config key that moves too far. */
  key: string;
  message: string;
}

/** A release that moves, and which stage of an upgrade it is (README: Upgrades). */
export interface VersionChange {
  key: string;
  from: string;
  to: string;
  stage: "etcd" | "control plane" | "workers";
}

export interface PlanDiff {
  changes: ResourceChange[];
  /** Node groups whose instances are replaced, in the order kubestead rolls them. */
  rolls: GroupRoll[];
  destructive: DestructiveChange[];
  /** Releases that move, in upgrade order: etcd, the control plane, then the pools. */
  versions: VersionChange[];
  refused: RefusedChange[];
}

/** The cluster-wide settings a plan JSON carries beside its resources (`config` in plan.json). */
export interface PlanSettings {
  name?: string;
  kubernetes?: { podCidr?: string; serviceCidr?: string; clusterDomain?: string; version?: string; containerdVersion?: string };
  etcd?: { version?: string };
  workers?: { name: string; kubernetesVersion?: string }[];
}

/**
 * Inputs whose change makes the provider replace the resource (ForceNew in the provider schemas),
 * for the types kubestead creates. Every input of tls and random resources forces replacement.
 */
const REPLACED_BY: Record<string, string[]> = {
  "aws:ebs/volume:Volume": ["availabilityZone", "snapshotId", "encrypted", "kmsKeyId", "outpostArn"],
  "aws:ec2/networkInterface:NetworkInterface": ["subnetId", "privateIp", "privateIps", "privateIpList"],
  "aws:ec2/vpc:Vpc": ["cidrBlock", "instanceTenancy"],
  "aws:ec2/subnet:Subnet": ["cidrBlock", "availabilityZone", "availabilityZoneId", "vpcId"],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
  "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType"],
  "aws:lb/targetGroup:TargetGroup": ["name", "namePrefix", "port", "protocol", "vpcId", "targetType"],
  "aws:route53/zone:Zone": ["name"],
  "aws:autoscaling/group:Group": ["name", "namePrefix"],
  "aws:iam/role:Role": ["name", "namePrefix", "path"],
  "aws:iam/instanceProfile:InstanceProfile": ["name", "namePrefix", "path"],
  "aws:ssm/parameter:Parameter": ["name"],
  "aws:kms/key:Key": ["customerMasterKeySpec", "keyUsage"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "vpcId", "description"],
};
const ALWAYS_REPLACED = ["tls:", "random:"];

/** PEM blocks (new bytes every offline run) as their kind only; user data decoded first. */
export function normalise(value: unknown): unknown {
  if (typeof value === "string") return value.replace(/-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g, "⟨PEM $1⟩");
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, normalise(v)]),
    );
  }
  return value;
}

function comparableInputs(r: PlanResource): Record<string, unknown> {
  const inputs: Record<string, unknown> = { ...r.inputs };
  if (r.type === "aws:ec2/launchTemplate:LaunchTemplate" && typeof inputs.userData === "string") {
    inputs.userData = decodeUserData(inputs.userData);
  }
  // Tags carry no behaviour and change with unrelated config (e.g. an environment tag).
  delete inputs.tags;
  delete inputs.tagsAll;
  delete inputs.__defaults;
  return normalise(inputs) as Record<string, unknown>;
}

/** Changed inputs, except those the resource's ignoreChanges tells the engine to leave alone. */
function holdsPem(r: PlanResource, property: string): boolean {
  return JSON.stringify((comparableInputs(r) as Record<string, unknown>)[property] ?? "").includes("⟨PEM ");
}

function changedProperties(base: PlanResource, head: PlanResource): string[] {
  const a = comparableInputs(base);
  const b = comparableInputs(head);
  const ignored = new Set(head.options?.ignoreChanges ?? []);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => !ignored.has(k) && JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .sort();
}

/** A resource's identity across two plans: its URN without the stack (a scratch stack compares too). */
export function urnKey(urn: string): string {
  return urn.replace(/^urn:pulumi:[^:]*::/, "");
}

function isReplace(type: string, props: string[]): boolean {
  if (ALWAYS_REPLACED.some((p) => type.startsWith(p))) return props.length > 0;
  return props.some((p) => (REPLACED_BY[type] ?? []).includes(p));
}

export function resourceChanges(base: Plan, head: Plan): ResourceChange[] {
  const b = new Map(base.resources.filter((r) => r.custom).map((r) => [urnKey(r.urn), r]));
  const h = new Map(head.resources.filter((r) => r.custom).map((r) => [urnKey(r.urn), r]));
  const out: ResourceChange[] = [];
  for (const [key, r] of h) {
    const urn = r.urn;
    const old = b.get(key);
    if (!old) {
      out.push({ urn, type: r.type, name: r.name, kind: "create", properties: [] });
      continue;
    }
    const props = changedProperties(old, r);
    if (props.length > 0)
      out.push({ urn, type: r.type, name: r.name, kind: isReplace(r.type, props) ? "replace" : "update", properties: props });
  }
  for (const [key, r] of b) if (!h.has(key)) out.push({ urn: r.urn, type: r.type, name: r.name, kind: "delete", properties: [] });
  propagate(head, out);
  return out.sort((x, y) => (x.urn < y.urn ? -1 : x.urn > y.urn ? 1 : 0));
}

/**
 * What a replacement drags along: an input that takes an output of a replaced (or new) resource
 * gets a new value — a re-issued certificate's PEM, a new key — which the PEM-blind comparison
 * can't see. The dependent is updated, or replaced when that input forces it.
 */
function propagate(head: Plan, changes: ResourceChange[]): void {
  const byUrn = new Map(changes.map((c) => [c.urn, c]));
  const renewed = (urn: string) => {
    const c = byUrn.get(urn);
    return c !== undefined && (c.kind === "replace" || c.kind === "create");
  };
  for (let grew = true; grew;) {
    grew = false;
    for (const r of head.resources.filter((x) => x.custom)) {
      // Only inputs that hold key material the comparison can't see: any other input compared exactly.
      const props = Object.entries(r.propertyDependencies ?? {})
        .filter(([p, deps]) => deps.some(renewed) && holdsPem(r, p))
        .map(([p]) => p);
      if (props.length === 0) continue;
      const c = byUrn.get(r.urn);
      if (c?.kind === "create" || c?.kind === "replace") continue;
      const properties = [...new Set([...(c?.properties ?? []), ...props])].sort();
      const kind: ChangeKind = isReplace(r.type, properties) ? "replace" : "update";
      if (c && c.kind === kind && c.properties.length === properties.length) continue;
      const next = { urn: r.urn, type: r.type, name: r.name, kind, properties };
      if (c) Object.assign(c, next);
      else {
        changes.push(next);
        byUrn.set(r.urn, next);
      }
      grew = true;
    }
  }
}

type Tags = { key: string; value: string }[];
const tag = (r: PlanResource, key: string): string | undefined =>
  ((r.inputs.tags as Tags | undefined) ?? []).find((t) => t.key === key)?.value;
const ROLL_ORDER: Record<string, number> = { etcd: 0, controlplane: 1, worker: 2 };

/**
 * Groups whose launch template changes: their instance refresh replaces every instance. The order
 * is kubestead's: etcd one member at a time, then the control plane, then the worker pools.
 */
export function groupRolls(head: Plan, changes: ResourceChange[]): GroupRoll[] {
  const changed = new Map(changes.filter((c) => c.kind === "update" || c.kind === "replace").map((c) => [c.urn, c]));
  const rolls: (GroupRoll & { order: string })[] = [];
  for (const asg of head.resources.filter((r) => r.type === "aws:autoscaling/group:Group")) {
    const role = tag(asg, "kubestead.io/role");
    if (role !== "etcd" && role !== "controlplane" && role !== "worker") continue;
    const lt = launchTemplateOf(head, asg);
    const c = lt && changed.get(lt.urn);
    if (!c) continue;
    const member = tag(asg, "kubestead.io/member") ?? "";
    rolls.push({
      group: String(asg.inputs.name ?? asg.name),
      role,
      because: c.properties.map((p) => `launch template ${p}`),
      order: `${ROLL_ORDER[role]}:${member.padStart(3, "0")}:${String(asg.inputs.name ?? asg.name)}`,
    });
  }
  return rolls.sort((a, b) => (a.order < b.order ? -1 : 1)).map(({ order: _order, ...r }) => r);
}

function gone(changes: ResourceChange[], test: (c: ResourceChange) => boolean): ResourceChange[] {
  return changes.filter((c) => (c.kind === "replace" || c.kind === "delete") && test(c));
}

type Tagged = Map<string, PlanResource>;
const roleOf = (byUrn: Tagged, c: ResourceChange): string | undefined => {
  const t = byUrn.get(c.urn)?.inputs.tags;
  return t && !Array.isArray(t) ? (t as Record<string, string>)["kubestead.io/role"] : undefined;
};

export function destructiveChanges(
  base: Plan & { config?: PlanSettings },
  head: Plan & { config?: PlanSettings },
  changes: ResourceChange[],
  rolls: GroupRoll[],
): DestructiveChange[] {
  const out: DestructiveChange[] = [];
  const add = (id: DestructiveChangeId, message: string) => out.push({ id, message });
  const byUrn: Tagged = new Map([...base.resources, ...head.resources].map((r) => [r.urn, r]));
  const names = (cs: ResourceChange[]) => cs.map((c) => c.name).join(", ");

  const ca = gone(
    changes,
    (c) =>
      c.type === "tls:index/selfSignedCert:SelfSignedCert" || (c.type === "tls:index/privateKey:PrivateKey" && /-ca-key$/.test(c.name)),
  );
  if (ca.length)
    add(
      "ca-replaced",
      `a cluster CA is replaced (${names(ca)}): every certificate it signed stops verifying; rotate CAs by the documented procedure instead`,
    );
  const sa = gone(changes, (c) => c.type === "tls:index/privateKey:PrivateKey" && /-service-account$/.test(c.name));
  if (sa.length)
    add(
      "service-account-key-replaced",
      `the service-account signing key is replaced (${names(sa)}): every issued service-account token is invalidated`,
    );
  const enc = gone(changes, (c) => c.type === "random:index/randomBytes:RandomBytes" && /encryption-key$/.test(c.name));
  if (enc.length)
    add(
      "encryption-key-changed",
      `the encryption-at-rest key is replaced (${names(enc)}): Secrets written with the old key can no longer be read`,
    );
  const volumes = gone(changes, (c) => c.type === "aws:ebs/volume:Volume" && roleOf(byUrn, c) === "etcd");
  if (volumes.length)
    add("etcd-volume-replaced", `an etcd data volume is replaced or deleted (${names(volumes)}): that member's data is gone`);
  const enis = gone(changes, (c) => c.type === "aws:ec2/networkInterface:NetworkInterface" && roleOf(byUrn, c) === "etcd");
  if (enis.length)
    add(
      "etcd-eni-replaced",
      `an etcd member's network interface is replaced or deleted (${names(enis)}): the member's identity (its address) changes`,
    );
  const etcdRolls = rolls.filter((r) => r.role === "etcd");
  if (etcdRolls.length > 1)
    add(
      "etcd-members-changed-together",
      `${etcdRolls.length} etcd members change in one update (${etcdRolls.map((r) => r.group).join(", ")}): change one member per update so quorum never depends on two new members`,
    );

  const cpRolls = rolls.filter((r) => r.role === "controlplane");
  const workerRolls = rolls.filter((r) => r.role === "worker");
  if (cpRolls.length > 0 && workerRolls.length > 0)
    add(
      "control-plane-and-workers-together",
      `the control plane and worker pools (${workerRolls.map((r) => r.group).join(", ")}) roll in one update: their instance refreshes run at the same time, so new kubelets can join before the apiservers are new; roll the control plane first (pin workers[].kubernetesVersion) and the pools in the next update`,
    );

  // The first step of a teardown (README "Teardown"): fine when meant, never as a side effect.
  const headByUrn = new Map(head.resources.map((r) => [urnKey(r.urn), r]));
  const lifted = base.resources.filter((r) => r.options.protect && headByUrn.get(urnKey(r.urn))?.options.protect === false);
  if (lifted.length)
    add(
      "protection-lifted",
      `${lifted.length} protected resource(s) lose their protection (${lifted.map((r) => r.name).join(", ")}): the next update or destroy may delete them; only a teardown should do this`,
    );

  const b = base.config ?? {};
  const h = head.config ?? {};
  if (b.name !== undefined && h.name !== undefined && b.name !== h.name)
    add("cluster-name-changed", `the cluster name changes (${b.name} → ${h.name}): every named cloud resource is replaced`);
  for (const [key, id] of [
    ["serviceCidr", "service-cidr-changed"],
    ["podCidr", "pod-cidr-changed"],
  ] as const) {
    const from = b.kubernetes?.[key];
    const to = h.kubernetes?.[key];
    if (from !== undefined && to !== undefined && from !== to)
      add(id, `kubernetes.${key} changes (${from} → ${to}): existing Services/pods keep addresses outside it`);
  }
  return out;
}

/** Releases that move between the two plans' settings, etcd first, then the control plane, then each pool. */
export function versionChanges(base: PlanSettings | undefined, head: PlanSettings | undefined): VersionChange[] {
  const out: VersionChange[] = [];
  const moved = (key: string, from: string | undefined, to: string | undefined, stage: VersionChange["stage"]) => {
    if (from !== undefined && to !== undefined && from !== to) out.push({ key, from, to, stage });
  };
  moved("etcd.version", base?.etcd?.version, head?.etcd?.version, "etcd");
  moved("kubernetes.version", base?.kubernetes?.version, head?.kubernetes?.version, "control plane");
  const pool = (s: PlanSettings | undefined, name: string) => {
    const w = s?.workers?.find((x) => x.name === name);
    return w ? (w.kubernetesVersion ?? s?.kubernetes?.version) : undefined;
  };
  for (const w of head?.workers ?? []) moved(`workers[${w.name}].kubernetesVersion`, pool(base, w.name), pool(head, w.name), "workers");
  // containerd runs on control-plane nodes and workers alike: a move rolls the control plane first
  // (and, unless the pools wait for the next update, control-plane-and-workers-together).
  moved("kubernetes.containerdVersion", base?.kubernetes?.containerdVersion, head?.kubernetes?.containerdVersion, "control plane");
  return out;
}

/**
 * Version moves no acknowledgement can let through: the control plane more than one minor (or
 * back), etcd more than one minor (etcd upgrades one minor at a time:
 * https://etcd.io/docs/v3.6/upgrades/upgrade_3_6/) or back a minor.
 */
export function refusedChanges(versions: VersionChange[]): RefusedChange[] {
  const out: RefusedChange[] = [];
  for (const v of versions) {
    if (v.key === "kubernetes.version") {
      const problem = controlPlaneStepProblem(v.from, v.to);
      if (problem) out.push({ key: v.key, message: `kubernetes.version ${problem}` });
    } else if (v.key === "etcd.version") {
      const [from, to] = [v.from, v.to].map((x) => x.split(".").map(Number));
      if (from[0] !== to[0] || to[1] - from[1] > 1 || to[1] < from[1])
        out.push({
          key: v.key,
          message: `etcd.version moves ${v.from} → ${v.to}: etcd upgrades one minor at a time and never downgrades a minor`,
        });
    }
  }
  return out;
}

export function diffPlans(base: Plan & { config?: PlanSettings }, head: Plan & { config?: PlanSettings }): PlanDiff {
  const changes = resourceChanges(base, head);
  const rolls = groupRolls(head, changes);
  const versions = versionChanges(base.config, head.config);
  return { changes, rolls, destructive: destructiveChanges(base, head, changes, rolls), versions, refused: refusedChanges(versions) };
}

/** Destructive changes the stack's `acknowledge` list doesn't name. */
export function unacknowledged(d: PlanDiff, acknowledged: string[]): DestructiveChange[] {
  return d.destructive.filter((x) => !acknowledged.includes(x.id));
}

/** The PR comment's change section. */
export function renderDiff(d: PlanDiff, acknowledged: string[] = []): string {
  const count = (k: ChangeKind) => d.changes.filter((c) => c.kind === k).length;
  const lines = [
    "### Change against the base branch",
    "",
    `${count("create")} to create · ${count("update")} to update · ${count("replace")} to replace · ${count("delete")} to delete`,
  ];
  if (d.destructive.length) {
    lines.push("", "**Destructive changes**", "", "| Change | Acknowledged | What it does |", "|---|---|---|");
    for (const x of d.destructive) lines.push(`| \`${x.id}\` | ${acknowledged.includes(x.id) ? "✓" : "✗"} | ${x.message} |`);
  }
  if (d.refused.length) {
    lines.push("", "**Refused version changes**", "");
    for (const x of d.refused) lines.push(`- ✗ ${x.message}`);
  }
  if (d.versions.length) {
    lines.push("", "**Releases that move, in upgrade order**", "", "| Stage | Setting | From | To |", "|---|---|---|---|");
    for (const v of d.versions) lines.push(`| ${v.stage} | \`${v.key}\` | ${v.from} | ${v.to} |`);
  }
  if (d.rolls.length) {
    lines.push("", "**Node groups that roll, in order**", "", "| # | Group | Role | Because |", "|---|---|---|---|");
    d.rolls.forEach((r, i) => lines.push(`| ${i + 1} | ${r.group} | ${r.role} | ${r.because.join(", ")} |`));
  }
  const replaced = d.changes.filter((c) => c.kind === "replace" || c.kind === "delete");
  if (replaced.length) {
    lines.push("", "**Replaced or deleted**", "", "| Resource | Type | Change | Properties |", "|---|---|---|---|");
    for (const c of replaced) lines.push(`| ${c.name} | \`${c.type}\` | ${c.kind} | ${c.properties.join(", ")} |`);
  }
  return `${lines.join("\n")}\n`;
}
