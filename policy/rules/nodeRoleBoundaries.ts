/**
 * Node role boundaries, decided by IAM evaluation of the planned graph (lib/iamEval): each node
 * role reads exactly its own secret parameters, and no role can destroy, move or read etcd's data
 * volumes or the backups. Builds the access matrix from the graph and reports every allowed cell
 * that must be denied (and every own secret a node role cannot read: its nodes would not boot).
 *
 * From the graph (outputs, as stack policies get them): aws:iam/role:Role (name, arn, tags,
 * assumeRolePolicy, inlinePolicies, managedPolicyArns), aws:iam/rolePolicy:RolePolicy and
 * aws:iam/rolePolicyAttachment:RolePolicyAttachment (`role`, by name or through the property's
 * dependencies), aws:iam/policyAttachment:PolicyAttachment (`roles`), aws:iam/policy:Policy (its
 * `arn` and `policy`, for customer managed attachments); AWS managed ARNs are resolved from
 * lib/iamEval/managedPolicies.ts and any other ARN is a finding (its permissions are unknown).
 * aws:ssm/parameter:Parameter (SecureString: name, arn, keyId, tags), aws:kms/key:Key and
 * aws:kms/alias:Alias (keyId resolution and key policies), etcd's aws:ebs/volume:Volume (arn, tags),
 * the backup aws:s3/bucket:Bucket (arn, role tag backup) with its aws:s3/bucketPolicy:BucketPolicy
 * and its default-encryption key, and the encryption-at-rest keys (aws:kms/key:Key tagged
 * kubestead.io/purpose=encryption-at-rest: the apiserver's KMS v2 key, which only the control
 * plane of its cluster may use, and only with the KMS plugin's encryption context). A role with any unknown policy, and any value unknown in a
 * preview, is skipped: it is checked again on `pulumi up`. etcd's runtime state in SSM and its
 * backup metrics are not in the graph (members write them): the matrix asks about them for every
 * cluster with an etcd node role.
 */
import { NamedPolicy, identityPolicyErrors } from "../../lib/iamEval/evaluate";
import { isAwsManagedPolicyArn, resolveManagedPolicy } from "../../lib/iamEval/managedPolicies";
import {
  Cell,
  MatrixInput,
  PlannedBucket,
  PlannedEncryptionKey,
  PlannedKey,
  PlannedParameter,
  PlannedRole,
  PlannedVolume,
  accessMatrix,
  forbiddenCells,
  missingCells,
} from "../../lib/iamEval/matrix";
import { ENCRYPTION_AT_REST_TAG } from "../../lib/tags";
import type { Finding } from "./finding";
import { Graph, GraphResource, T, TAG, dependsThrough, roleOf, tagsOf } from "./graph";
import { asList, asRecord, isUnknown } from "./unknown";

/** Type tokens only this rule reads. */
export const IAM_T = {
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policyAttachment: "aws:iam/policyAttachment:PolicyAttachment",
  policy: "aws:iam/policy:Policy",
  parameter: "aws:ssm/parameter:Parameter",
  key: "aws:kms/key:Key",
  alias: "aws:kms/alias:Alias",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
} as const;

const known = (v: unknown): v is string => typeof v === "string" && v !== "" && !isUnknown(v);

type Parsed = { document: unknown } | { unknown: true } | { error: string };

function parseDocument(v: unknown): Parsed {
  if (isUnknown(v)) return { unknown: true };
  if (typeof v === "string") {
    try {
      return { document: JSON.parse(v) };
    } catch (e) {
      return { error: `not JSON (${e instanceof Error ? e.message : String(e)})` };
    }
  }
  if (asRecord(v)) return { document: v };
  return { error: "no policy document" };
}

/** True when a trust policy lets EC2 instances assume the role (what makes it a node role). */
export function trustsEc2(assumeRolePolicy: unknown): boolean | undefined {
  const p = parseDocument(assumeRolePolicy);
  if (!("document" in p)) return "unknown" in p ? undefined : false;
  return asList(asRecord(p.document)?.Statement).some((s) => {
    const st = asRecord(s);
    if (st?.Effect !== "Allow") return false;
    const svc = asRecord(st.Principal)?.Service;
    return (Array.isArray(svc) ? svc : [svc]).includes("ec2.amazonaws.com");
  });
}

interface RoleRead {
  role?: PlannedRole;
  findings: Finding[];
}

function onRole(r: GraphResource, role: GraphResource, ids: ReadonlySet<unknown>): boolean {
  if (known(r.props.role)) return ids.has(r.props.role);
  return dependsThrough(r, "role", role.urn);
}

/** A role with every policy on it resolved to a document; undefined while anything is unknown. */
function readRole(g: Graph, role: GraphResource): RoleRead {
  const p = role.props;
  if (!known(p.name) || !known(p.arn)) return { findings: [] };
  const name = p.name;
  // Looked up only with a known role reference (onRole), so an empty or unknown id here matches nothing.
  const ids: ReadonlySet<unknown> = new Set([p.name, p.id, p.arn]);
  const findings: Finding[] = [];
  const policies: NamedPolicy[] = [];
  let unknown = false;
  const add = (label: string, raw: unknown, urn: string) => {
    const parsed = parseDocument(raw);
    if ("unknown" in parsed) unknown = true;
    else if ("error" in parsed) findings.push({ urn, message: `${label} on IAM role ${name} is ${parsed.error}: it cannot be evaluated.` });
    else {
      const errors = identityPolicyErrors(parsed.document);
      if (errors.length > 0)
        findings.push({ urn, message: `${label} on IAM role ${name} is not a valid IAM policy (${errors.join("; ")}).` });
      else policies.push({ name: label, document: parsed.document });
    }
  };
  const attach = (arn: unknown, urn: string, by: string) => {
    if (!known(arn)) {
      unknown = true;
      return;
    }
    if (isAwsManagedPolicyArn(arn)) {
      const fact = resolveManagedPolicy(arn);
      if (fact) policies.push({ name: `${arn} (${fact.versionId}, ${fact.versionDate})`, document: fact.document });
      else
        findings.push({
          urn,
          message: `${by} attaches ${arn} to IAM role ${name}, a managed policy whose document is not written down in lib/iamEval/managedPolicies.ts: its permissions cannot be evaluated. Add its current version there or grant what the role needs inline.`,
        });
      return;
    }
    const customer = g.resources.find((x) => x.type === IAM_T.policy && x.props.arn === arn);
    if (customer) add(`policy ${arn}`, customer.props.policy, urn);
    else
      findings.push({
        urn,
        message: `${by} attaches ${arn} to IAM role ${name}, a policy that is not in this stack: its permissions cannot be evaluated.`,
      });
  };

  for (const inline of asList(p.inlinePolicies)) {
    const rec = asRecord(inline);
    if (rec) add(`inline policy ${String(rec.name)}`, rec.policy, role.urn);
  }
  if (isUnknown(p.managedPolicyArns)) unknown = true;
  for (const arn of asList(p.managedPolicyArns)) attach(arn, role.urn, `IAM role ${name}`);
  for (const r of g.resources) {
    if (r.type === IAM_T.rolePolicy && onRole(r, role, ids)) add(`role policy ${r.name}`, r.props.policy, r.urn);
    if (r.type === IAM_T.rolePolicyAttachment && onRole(r, role, ids)) attach(r.props.policyArn, r.urn, `role policy attachment ${r.name}`);
    if (r.type === IAM_T.policyAttachment) {
      const roles = r.props.roles;
      const names = asList(roles);
      if (names.some((n) => ids.has(n)) || (isUnknown(roles) && dependsThrough(r, "roles", role.urn))) {
        attach(r.props.policyArn, r.urn, `policy attachment ${r.name}`);
      }
    }
  }
  if (unknown) return { findings };
  const tags = tagsOf(p);
  const ec2 = trustsEc2(p.assumeRolePolicy);
  if (ec2 === undefined) return { findings };
  return {
    findings,
    role: { name, arn: p.arn, nodeRole: ec2 ? tags[TAG.role] : undefined, cluster: tags[TAG.cluster], tags, policies },
  };
}

/** The key a parameter's keyId names: key ARN, key ID, alias name or alias ARN; undefined = aws/ssm. */
function keyArnOf(g: Graph, keyId: unknown): string | undefined | null {
  if (isUnknown(keyId)) return null;
  if (!known(keyId) || keyId === "alias/aws/ssm" || keyId.endsWith(":alias/aws/ssm")) return undefined;
  const keys = g.resources.filter((r) => r.type === IAM_T.key);
  const byKey = (id: string) => keys.find((k) => k.props.arn === id || k.props.keyId === id || k.props.id === id);
  const direct = byKey(keyId);
  if (direct) return known(direct.props.arn) ? direct.props.arn : null;
  const alias = g.resources.find((a) => a.type === IAM_T.alias && (a.props.name === keyId || a.props.arn === keyId));
  if (alias) {
    const target = known(alias.props.targetKeyId) ? byKey(alias.props.targetKeyId) : undefined;
    if (target && known(target.props.arn)) return target.props.arn;
    return known(alias.props.targetKeyArn) ? alias.props.targetKeyArn : null;
  }
  return keyId.startsWith("arn:") ? keyId : null;
}

function parametersOf(g: Graph): PlannedParameter[] {
  const out: PlannedParameter[] = [];
  for (const r of g.resources.filter((x) => x.type === IAM_T.parameter)) {
    const p = r.props;
    if (p.type !== "SecureString" || !known(p.name) || !known(p.arn)) continue;
    const keyArn = keyArnOf(g, p.keyId);
    if (keyArn === null) continue;
    out.push({ name: p.name, arn: p.arn, keyArn, tags: tagsOf(p) });
  }
  return out;
}

function keysOf(g: Graph): PlannedKey[] {
  return g.resources
    .filter((r) => r.type === IAM_T.key && known(r.props.arn))
    .map((r) => {
      const parsed = parseDocument(r.props.policy);
      return { arn: r.props.arn as string, policy: "document" in parsed ? parsed.document : undefined };
    });
}

function encryptionKeysOf(g: Graph): PlannedEncryptionKey[] {
  return g.resources
    .filter((r) => r.type === IAM_T.key && known(r.props.arn))
    .map((r) => ({ arn: r.props.arn as string, tags: tagsOf(r.props) }))
    .filter((k) => Object.entries(ENCRYPTION_AT_REST_TAG).every(([t, v]) => k.tags[t] === v) && k.tags[TAG.cluster] !== undefined)
    .map((k) => ({ arn: k.arn, cluster: k.tags[TAG.cluster] }));
}

function backupBucketOf(g: Graph): PlannedBucket | undefined | null {
  const bucket = g.resources.find((r) => r.type === T.bucket && roleOf(r.props) === "backup");
  if (!bucket) return undefined;
  const arn = bucket.props.arn;
  const cluster = tagsOf(bucket.props)[TAG.cluster];
  if (!known(arn) || cluster === undefined) return null;
  const ids: ReadonlySet<unknown> = new Set([bucket.props.id, bucket.props.bucket]);
  const ofBucket = (r: GraphResource) => (known(r.props.bucket) ? ids.has(r.props.bucket) : dependsThrough(r, "bucket", bucket.urn));
  const policyRes = g.resources.find((r) => r.type === IAM_T.bucketPolicy && ofBucket(r));
  const parsed = policyRes ? parseDocument(policyRes.props.policy) : undefined;
  if (parsed && "unknown" in parsed) return null;
  const sse = g.resources.find((r) => r.type === T.bucketSse && ofBucket(r));
  const rule = asRecord(asList(sse?.props.rules)[0]);
  const keyId = asRecord(rule?.applyServerSideEncryptionByDefault)?.kmsMasterKeyId;
  const keyArn = keyArnOf(g, keyId);
  return {
    arn,
    ownerPrefix: `${cluster}/`,
    policy: parsed && "document" in parsed ? parsed.document : undefined,
    keyArn: keyArn ?? undefined,
  };
}

function regionOf(g: Graph, params: PlannedParameter[], volumes: PlannedVolume[]): string | undefined {
  const fromArn = [...params.map((p) => p.arn), ...volumes.map((v) => v.arn)].map((a) => a.split(":")[3]).find((r) => r);
  if (fromArn) return fromArn;
  const provider = g.resources.find((r) => r.type === "pulumi:providers:aws" && known(r.props.region));
  return provider?.props.region as string | undefined;
}

/** The matrix input the graph describes, and what kept parts of it from being evaluated. */
export function boundaryInput(g: Graph): { input?: MatrixInput; findings: Finding[] } {
  const findings: Finding[] = [];
  const roles: PlannedRole[] = [];
  for (const r of g.resources.filter((x) => x.type === IAM_T.role)) {
    const read = readRole(g, r);
    findings.push(...read.findings);
    if (read.role && read.findings.length === 0) roles.push(read.role);
  }
  const parameters = parametersOf(g);
  const etcdVolumes: PlannedVolume[] = g.resources
    .filter((r) => r.type === T.volume && roleOf(r.props) === "etcd" && known(r.props.arn))
    .map((r) => ({ arn: r.props.arn as string, tags: tagsOf(r.props) }));
  const bucket = backupBucketOf(g);
  const region = regionOf(g, parameters, etcdVolumes);
  if (region === undefined) return { findings };
  return {
    input: {
      region,
      roles,
      parameters,
      etcdVolumes,
      backupBucket: bucket ?? undefined,
      keys: keysOf(g),
      encryptionKeys: encryptionKeysOf(g),
    },
    findings,
  };
}

const roleLabel = (c: Cell) => `IAM role ${c.role.name}${c.role.nodeRole ? ` (${c.role.nodeRole} nodes)` : ""}`;

function fixFor(c: Cell): string {
  switch (c.subject) {
    case "parameter":
      return `only ${c.owner} may read it: scope ssm:GetParameter* and kms:Decrypt (kms:ViaService and kms:EncryptionContext:PARAMETER_ARN) to the role's own path /kubestead/<cluster>/<role>/ (lib/iam.ts readOwnSecrets)`;
    case "etcd-volume":
      return "only etcd's node role may touch etcd's data: deny these actions on resources tagged kubestead.io/role=etcd (lib/iam.ts ETCD_DATA_ACTIONS)";
    case "backup":
      return "no role deletes backups or loosens the bucket, and only etcd's node role writes or reads snapshots, under its prefix (lib/iam.ts etcdPolicy, nodeBaselinePolicy)";
    case "encryption-key":
      return `only ${c.owner} may use it, and only with the KMS plugin's encryption context: grant nothing else on it (lib/iam.ts encryptionAtRestKeyPolicy, encryptionAtRestPolicy)`;
    case "etcd-state":
      return "only etcd's node role creates its founded marker and writes its cluster token, and no role overwrites the marker or deletes either, or a member with an empty volume could found a second cluster (lib/iam.ts etcdPolicy WriteClusterState, nodeBaselinePolicy)";
    case "backup-metric":
      return "only etcd's node role publishes to Kubestead/etcd, and only there (lib/iam.ts etcdPolicy PublishBackupMetrics with its cloudwatch:namespace condition, nodeBaselinePolicy)";
  }
}

/** Why a needed cell matters, and where the grant lives. */
function missingFix(c: Cell): string {
  switch (c.subject) {
    case "encryption-key":
      return "its apiservers can neither read nor write Secrets. Grant it with lib/iam.ts encryptionAtRestPolicy and the key policy's ControlPlaneEncryptsSecrets statement (encryptionAtRestKeyPolicy).";
    case "etcd-state":
      return "its cluster is never marked founded, or a restore cannot record its token. Grant it with lib/iam.ts etcdPolicy WriteClusterState.";
    case "backup-metric":
      return "the backup alarm fires although backups run. Grant it with lib/iam.ts etcdPolicy PublishBackupMetrics.";
    default:
      return "its nodes fail at boot. Grant it with lib/iam.ts readOwnSecrets.";
  }
}

/** Findings for the planned graph: allowed cells that must be denied, own secrets a node cannot read, and what could not be evaluated. */
export function nodeRoleBoundaryProblems(g: Graph): Finding[] {
  const { input, findings } = boundaryInput(g);
  if (!input) return findings;
  const cells = accessMatrix(input);
  const urnOf = new Map(g.resources.filter((r) => r.type === IAM_T.role).map((r) => [r.props.name, r.urn]));
  // One finding per role, resource and grant, naming every action it allows.
  const groups = new Map<string, Cell[]>();
  for (const c of forbiddenCells(cells)) {
    const k = JSON.stringify([c.role.name, c.what, c.via, c.grantedBy]);
    groups.set(k, [...(groups.get(k) ?? []), c]);
  }
  for (const group of groups.values()) {
    const c = group[0];
    const actions = [...new Set(group.map((x) => x.action))].join(", ");
    findings.push({
      urn: urnOf.get(c.role.name),
      message: `${roleLabel(c)} is allowed ${actions} on ${c.what}${c.via ? ` ${c.via}` : ""}, granted by ${c.grantedBy.join(", ")}: ${fixFor(c)}.`,
    });
  }
  for (const c of missingCells(cells)) {
    findings.push({
      urn: urnOf.get(c.role.name),
      message: `${roleLabel(c)} cannot ${c.action} its own ${c.what}${c.via ? ` ${c.via}` : ""} (${c.decision}): ${missingFix(c)}`,
    });
  }
  return findings;
}
