/**
 * The access matrix of a planned cluster: every IAM role against every secret parameter, every
 * etcd data volume and the backup bucket, each cell decided by the IAM evaluation (evaluate.ts)
 * and compared with what the design allows:
 *
 * - a node role reads (ssm:GetParameter, and kms:Decrypt through SSM with the parameter's ARN as
 *   encryption context) every SecureString under /kubestead/<cluster>/<its role>/, and no role
 *   reads any other parameter by any read action, nor decrypts one with a direct KMS call;
 * - nothing but etcd's own node role attaches, detaches, deletes, resizes, snapshots or retags an
 *   etcd volume;
 * - nothing but etcd's node role writes or reads backups (only under the cluster's prefix), and no
 *   role deletes a backup or a version of one, or loosens the bucket (versioning, lifecycle,
 *   policy, object lock);
 * - only etcd's node role creates its cluster's founded marker and rewrites its cluster token in
 *   SSM, and no role (etcd's included) overwrites the marker or deletes either: members write them
 *   at run time, so the questions name a probe incarnation under the state path;
 * - only etcd's node role publishes to the etcd backup metrics' namespace (a fake upload count
 *   would silence the backup alarm), and it publishes to no other;
 * - the encryption-at-rest key (the apiserver's KMS v2 key-encryption key) encrypts and decrypts
 *   for the control-plane node role of its cluster, with the KMS plugin's encryption context, and
 *   for no other role, nor for that one without the context.
 *
 * The questions are listed here, not derived from lib/iam.ts: the matrix checks the policies, it
 * does not restate them. No @pulumi imports.
 */
import { encryptionAtRestContext } from "../iamNames";
import { Decision, IamRequest, NamedPolicy, evaluateRequestOnce } from "./evaluate";

export interface PlannedRole {
  /** IAM role name. */
  name: string;
  arn: string;
  /** The node role (kubestead.io/role) of a role EC2 instances assume; undefined for any other role. */
  nodeRole?: string;
  /** kubestead.io/cluster of the role. */
  cluster?: string;
  tags: Record<string, string>;
  /** Inline and attached policies, resolved to documents. */
  policies: NamedPolicy[];
}

export interface PlannedParameter {
  name: string;
  arn: string;
  /** ARN of the KMS key it is encrypted with; undefined = the AWS managed key aws/ssm. */
  keyArn?: string;
  tags: Record<string, string>;
}

export interface PlannedVolume {
  arn: string;
  tags: Record<string, string>;
}

export interface PlannedBucket {
  arn: string;
  /** Where the owner writes (the cluster's prefix, "<cluster>/"). */
  ownerPrefix: string;
  /** The bucket policy, if any. */
  policy?: unknown;
  /** The KMS key its default encryption uses (SSE-KMS); undefined = none known. */
  keyArn?: string;
}

export interface PlannedKey {
  arn: string;
  /** The key policy; undefined = the default key policy (the account's IAM policies decide). */
  policy?: unknown;
}

/** A key the apiserver's KMS plugin encrypts Secrets with (tagged kubestead.io/purpose=encryption-at-rest). */
export interface PlannedEncryptionKey {
  arn: string;
  /** kubestead.io/cluster of the key: whose control plane may use it. */
  cluster: string;
}

export interface MatrixInput {
  region: string;
  roles: PlannedRole[];
  /** SecureString parameters. */
  parameters: PlannedParameter[];
  etcdVolumes: PlannedVolume[];
  backupBucket?: PlannedBucket;
  keys: PlannedKey[];
  /** Encryption-at-rest keys (their policies are among `keys`). */
  encryptionKeys?: PlannedEncryptionKey[];
}

/** allow: the design needs it; deny: it must be refused; may: either is fine. */
export type Expectation = "allow" | "deny" | "may";

export interface Cell {
  role: PlannedRole;
  subject: "parameter" | "etcd-volume" | "backup" | "encryption-key" | "etcd-state" | "backup-metric";
  action: string;
  resource: string;
  /** The resource in words, e.g. "SSM parameter /kubestead/prod/controlplane/ca.key". */
  what: string;
  /** How the request is made when that matters, e.g. "through SSM". */
  via?: string;
  /** Who may, in words (for messages), e.g. "the controlplane node role". */
  owner: string;
  decision: Decision;
  expected: Expectation;
  grantedBy: string[];
}

/** What makes a role read a parameter (ssm:GetParameter is what the boot script calls). */
export const PARAMETER_READ_ACTIONS = ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"] as const;
/** What reads, moves or destroys an etcd member's data volume. */
export const ETCD_VOLUME_ACTIONS = [
  "ec2:AttachVolume",
  "ec2:DetachVolume",
  "ec2:DeleteVolume",
  "ec2:ModifyVolume",
  "ec2:CreateSnapshot",
  "ec2:CreateTags",
  "ec2:DeleteTags",
] as const;
/** What deletes backups or loosens the bucket; no role may. Object-level ones act on a snapshot. */
export const BACKUP_OBJECT_DESTRUCTIVE_ACTIONS = [
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:PutObjectRetention",
  "s3:BypassGovernanceRetention",
] as const;
export const BACKUP_BUCKET_DESTRUCTIVE_ACTIONS = [
  "s3:PutBucketVersioning",
  "s3:PutLifecycleConfiguration",
  "s3:PutBucketPolicy",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketObjectLockConfiguration",
  "s3:DeleteBucket",
] as const;

/** What the KMS plugin calls (Encrypt, Decrypt) and what else would wrap a data key with the encryption-at-rest key. */
export const ENCRYPTION_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"] as const;

/** What removes etcd's runtime state from SSM; no role may. */
export const ETCD_STATE_DELETE_ACTIONS = ["ssm:DeleteParameter", "ssm:DeleteParameters"] as const;
/** The namespace of etcd's backup metrics (lib/iam.ts ETCD_METRIC_NAMESPACE, restated: the matrix checks what it says). */
export const ETCD_METRICS_NAMESPACE = "Kubestead/etcd";
/** An incarnation-shaped name for the state questions (the real one is drawn at deploy). */
export const ETCD_STATE_PROBE = "0a1b2c3d4e5f";

/** Every action the matrix asks about (test/lib/iamEval checks each exists in IAM). */
export const MATRIX_ACTIONS: readonly string[] = [
  ...ENCRYPTION_KEY_ACTIONS,
  ...PARAMETER_READ_ACTIONS,
  "ssm:GetParametersByPath",
  "kms:Decrypt",
  ...ETCD_VOLUME_ACTIONS,
  "s3:PutObject",
  "s3:GetObject",
  ...BACKUP_OBJECT_DESTRUCTIVE_ACTIONS,
  ...BACKUP_BUCKET_DESTRUCTIVE_ACTIONS,
  "ssm:PutParameter",
  ...ETCD_STATE_DELETE_ACTIONS,
  "cloudwatch:PutMetricData",
];

/** The name the AWS managed SSM key shows in a report (its key policy admits the whole account through SSM). */
export const AWS_SSM_KEY = "the AWS managed key aws/ssm (its key policy lets every principal of the account decrypt through SSM)";

const accountOf = (arn: string): string => arn.split(":")[4] ?? "";

/** /kubestead/<cluster>/<role>/…: the node role a parameter belongs to. */
export function parameterOwner(name: string): { cluster: string; role: string } | undefined {
  const m = /^\/kubestead\/([^/]+)\/([^/]+)\//.exec(name);
  return m ? { cluster: m[1], role: m[2] } : undefined;
}

const ownsParameter = (r: PlannedRole, p: PlannedParameter): boolean => {
  const owner = parameterOwner(p.name);
  return owner !== undefined && r.nodeRole === owner.role && r.cluster === owner.cluster;
};

function baseContext(r: PlannedRole, region: string): Record<string, string | string[]> {
  const tags = Object.fromEntries(Object.entries(r.tags).map(([k, v]) => [`aws:PrincipalTag/${k}`, v]));
  return {
    "aws:PrincipalArn": r.arn,
    "aws:PrincipalAccount": accountOf(r.arn),
    "aws:PrincipalType": "AssumedRole",
    "aws:RequestedRegion": region,
    "aws:SecureTransport": "true",
    ...tags,
  };
}

function resourceTags(tags: Record<string, string>, prefixes: string[]): Record<string, string> {
  return Object.fromEntries(prefixes.flatMap((p) => Object.entries(tags).map(([k, v]) => [`${p}:ResourceTag/${k}`, v])));
}

function keyPolicyOf(input: MatrixInput, keyArn: string): NamedPolicy {
  const key = input.keys.find((k) => k.arn === keyArn);
  const account = accountOf(keyArn);
  const partition = keyArn.split(":")[1] ?? "aws";
  // A key this stack does not manage: assume the default key policy (IAM policies decide).
  const document = key?.policy ?? {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" }],
  };
  return { name: `key policy of ${keyArn}`, document };
}

interface Question {
  subject: Cell["subject"];
  action: string;
  resource: string;
  resourceAccount: string;
  what: string;
  via?: string;
  owner: string;
  context: Record<string, string | string[]>;
  resourcePolicy?: NamedPolicy;
  expected: Expectation;
  /** Decided without evaluation (the AWS managed aws/ssm key, whose policy we cannot see). */
  fixed?: Decision;
}

function parameterQuestions(input: MatrixInput, r: PlannedRole, p: PlannedParameter): Question[] {
  const own = ownsParameter(r, p);
  const owner = parameterOwner(p.name);
  const ownerText = owner ? `the ${owner.role} node role of cluster ${owner.cluster}` : "no role";
  const what = `SSM parameter ${p.name}`;
  const account = accountOf(p.arn);
  const tags = resourceTags(p.tags, ["aws"]);
  const q = (action: string, resource: string, expected: Expectation): Question => ({
    subject: "parameter",
    action,
    resource,
    resourceAccount: account,
    what,
    owner: ownerText,
    context: tags,
    expected,
  });
  const out: Question[] = [
    q("ssm:GetParameter", p.arn, own ? "allow" : "deny"),
    ...PARAMETER_READ_ACTIONS.filter((a) => a !== "ssm:GetParameter").map((a) => q(a, p.arn, own ? "may" : "deny")),
    // By path: the request names the parameter's folder, and returns everything under it.
    q("ssm:GetParametersByPath", p.arn.slice(0, p.arn.lastIndexOf("/")), own ? "may" : "deny"),
  ];
  const decrypt = (via: string | undefined, expected: Expectation): Question => {
    const context: Record<string, string | string[]> = {
      "kms:CallerAccount": accountOf(r.arn),
      "kms:EncryptionContext:PARAMETER_ARN": p.arn,
      "kms:EncryptionContextKeys": ["PARAMETER_ARN"],
      ...(via ? { "kms:ViaService": `ssm.${input.region}.amazonaws.com` } : {}),
    };
    const base = {
      subject: "parameter" as const,
      action: "kms:Decrypt",
      what,
      via: via ?? "with a direct KMS call on its ciphertext",
      owner: ownerText,
      context,
      expected,
    };
    if (p.keyArn === undefined) {
      // aws/ssm: its key policy admits every principal of the account through SSM, never directly.
      return { ...base, resource: "aws/ssm", resourceAccount: account, fixed: via ? "Allowed" : "ImplicitlyDenied" };
    }
    return { ...base, resource: p.keyArn, resourceAccount: accountOf(p.keyArn), resourcePolicy: keyPolicyOf(input, p.keyArn) };
  };
  out.push(decrypt("through SSM", own ? "allow" : "deny"), decrypt(undefined, own ? "may" : "deny"));
  return out;
}

function volumeQuestions(input: MatrixInput, r: PlannedRole, v: PlannedVolume): Question[] {
  const own = r.nodeRole === "etcd" && r.cluster === v.tags["kubestead.io/cluster"];
  const tags = resourceTags(v.tags, ["aws", "ec2"]);
  const member = v.tags["kubestead.io/member"];
  const what = `etcd data volume ${v.arn}${member !== undefined ? ` (member ${member})` : ""}`;
  return ETCD_VOLUME_ACTIONS.map((action) => {
    // A retag that would take the volume out of etcd's hands: overwrite or drop its role tag.
    const tagging: Record<string, string | string[]> =
      action === "ec2:CreateTags"
        ? { "aws:RequestTag/kubestead.io/role": "worker", "aws:TagKeys": ["kubestead.io/role"] }
        : action === "ec2:DeleteTags"
          ? { "aws:TagKeys": ["kubestead.io/role"] }
          : {};
    return {
      subject: "etcd-volume",
      action,
      resource: v.arn,
      resourceAccount: accountOf(v.arn),
      what,
      owner: "etcd's node role",
      context: { ...tags, "ec2:Region": input.region, ...tagging },
      expected: own ? "may" : "deny",
    };
  });
}

function backupQuestions(input: MatrixInput, r: PlannedRole, b: PlannedBucket, account: string): Question[] {
  const own = r.nodeRole === "etcd";
  const snapshot = `${b.arn}/${b.ownerPrefix}20260101T000000Z-etcd-0.db`;
  const outside = `${b.arn}/elsewhere/20260101T000000Z-etcd-0.db`;
  const resourcePolicy = b.policy !== undefined ? { name: `bucket policy of ${b.arn}`, document: b.policy } : undefined;
  const q = (action: string, resource: string, what: string, expected: Expectation, extra: Record<string, string | string[]> = {}) => ({
    subject: "backup" as const,
    action,
    resource,
    resourceAccount: account,
    what,
    owner: "no role (etcd's node role only writes and reads snapshots under the cluster's prefix)",
    context: extra,
    resourcePolicy,
    expected,
  });
  const inPrefix = `backup object ${snapshot}`;
  const out: Question[] = [
    q("s3:PutObject", snapshot, `${inPrefix} (an overwrite of an existing snapshot)`, own ? "may" : "deny"),
    q("s3:PutObject", outside, `backup object ${outside}, outside the cluster's prefix`, "deny"),
    q("s3:GetObject", snapshot, inPrefix, own ? "may" : "deny"),
    ...BACKUP_OBJECT_DESTRUCTIVE_ACTIONS.map((a) =>
      q(a, snapshot, inPrefix, "deny", a === "s3:DeleteObjectVersion" ? { "s3:versionid": "3HL4kqtJlcpXroDTDmjVBH40Nrjfkd" } : {}),
    ),
    ...BACKUP_BUCKET_DESTRUCTIVE_ACTIONS.map((a) => q(a, b.arn, `backup bucket ${b.arn}`, "deny")),
  ];
  // Reading a snapshot needs the key too: S3 decrypts with the bucket's ARN (S3 Bucket Key) or the object's as context.
  const keyArn = b.keyArn;
  if (keyArn === undefined) return out;
  for (const [label, arn] of [
    ["bucket", b.arn],
    ["object", snapshot],
  ] as const) {
    out.push({
      subject: "backup",
      action: "kms:Decrypt",
      resource: keyArn,
      resourceAccount: accountOf(keyArn),
      what: inPrefix,
      via: `through S3 (encryption context: the ${label} ARN)`,
      owner: "etcd's node role",
      context: {
        "kms:ViaService": `s3.${input.region}.amazonaws.com`,
        "kms:CallerAccount": accountOf(r.arn),
        "kms:EncryptionContext:aws:s3:arn": arn,
        "kms:EncryptionContextKeys": ["aws:s3:arn"],
      },
      resourcePolicy: keyPolicyOf(input, keyArn),
      expected: own ? "may" : "deny",
    });
  }
  return out;
}

/**
 * The encryption-at-rest key: with the plugin's encryption context, the control plane of the key's
 * cluster encrypts and decrypts (GenerateDataKey it may or may not); nobody else does anything; and
 * without that context nobody, the control plane included, uses the key at all.
 */
function encryptionKeyQuestions(input: MatrixInput, r: PlannedRole, k: PlannedEncryptionKey): Question[] {
  const own = r.nodeRole === "controlplane" && r.cluster === k.cluster;
  const context = encryptionAtRestContext(k.cluster);
  const withContext = {
    ...Object.fromEntries(Object.entries(context).map(([key, v]) => [`kms:EncryptionContext:${key}`, v])),
    "kms:EncryptionContextKeys": Object.keys(context),
  };
  const q = (action: string, via: string, ctx: Record<string, string | string[]>, expected: Expectation): Question => ({
    subject: "encryption-key",
    action,
    resource: k.arn,
    resourceAccount: accountOf(k.arn),
    what: `encryption-at-rest key ${k.arn} of cluster ${k.cluster}`,
    via,
    owner: `the controlplane node role of cluster ${k.cluster}`,
    context: { "kms:CallerAccount": accountOf(r.arn), ...ctx },
    resourcePolicy: keyPolicyOf(input, k.arn),
    expected,
  });
  return [
    ...ENCRYPTION_KEY_ACTIONS.map((a) =>
      q(a, "with the KMS plugin's encryption context", withContext, own ? (a === "kms:GenerateDataKey" ? "may" : "allow") : "deny"),
    ),
    // Any other use of the key: without that context (e.g. data encrypted for some other purpose).
    ...ENCRYPTION_KEY_ACTIONS.map((a) => q(a, "without the KMS plugin's encryption context", {}, "deny")),
  ];
}

interface EtcdCluster {
  cluster: string;
  account: string;
  partition: string;
}

/** Clusters with an etcd node role: whose runtime state the state questions ask about. */
function etcdClusters(input: MatrixInput): EtcdCluster[] {
  const seen = new Map<string, EtcdCluster>();
  for (const r of input.roles) {
    if (r.nodeRole !== "etcd" || r.cluster === undefined) continue;
    seen.set(r.cluster, { cluster: r.cluster, account: accountOf(r.arn), partition: r.arn.split(":")[1] ?? "aws" });
  }
  return [...seen.values()];
}

/** etcd's founded marker and cluster token (written by members at run time, under a probe incarnation here). */
function etcdStateQuestions(input: MatrixInput, r: PlannedRole, k: EtcdCluster): Question[] {
  const own = r.nodeRole === "etcd" && r.cluster === k.cluster;
  const dir = `arn:${k.partition}:ssm:${input.region}:${k.account}:parameter/kubestead/${k.cluster}/etcd/state/${ETCD_STATE_PROBE}`;
  const q = (action: string, name: string, what: string, expected: Expectation, context: Record<string, string> = {}): Question => ({
    subject: "etcd-state",
    action,
    resource: `${dir}/${name}`,
    resourceAccount: k.account,
    what,
    via: context["ssm:Overwrite"] === "true" ? "overwriting it" : undefined,
    owner: "etcd's node role (creates the founded marker once, rewrites the cluster token on a restore)",
    context,
    expected,
  });
  const marker = `etcd's founded marker /kubestead/${k.cluster}/etcd/state/<incarnation>/founded`;
  const token = `etcd's cluster token /kubestead/${k.cluster}/etcd/state/<incarnation>/cluster-token`;
  return [
    q("ssm:PutParameter", "founded", marker, own ? "allow" : "deny"),
    q("ssm:PutParameter", "founded", marker, "deny", { "ssm:Overwrite": "true" }),
    q("ssm:PutParameter", "cluster-token", token, own ? "allow" : "deny", { "ssm:Overwrite": "true" }),
    ...ETCD_STATE_DELETE_ACTIONS.flatMap((a) => [q(a, "founded", marker, "deny"), q(a, "cluster-token", token, "deny")]),
  ];
}

/** Publishing backup metrics: etcd's node role in etcd's namespace only, nobody else there. */
function metricQuestions(r: PlannedRole): Question[] {
  const etcd = r.nodeRole === "etcd";
  const q = (namespace: string, expected: Expectation): Question => ({
    subject: "backup-metric",
    action: "cloudwatch:PutMetricData",
    resource: "*",
    resourceAccount: accountOf(r.arn),
    what: `CloudWatch metrics in namespace ${namespace}`,
    owner: "etcd's node role (its backup script counts uploads there; the backup alarm reads them)",
    context: { "cloudwatch:namespace": namespace },
    expected,
  });
  return [q(ETCD_METRICS_NAMESPACE, etcd ? "allow" : "deny"), q("Kubestead/other", etcd ? "deny" : "may")];
}

/** Every cell of the matrix, decided. */
export function accessMatrix(input: MatrixInput): Cell[] {
  const cells: Cell[] = [];
  const clusters = etcdClusters(input);
  for (const r of input.roles) {
    const questions = [
      ...input.parameters.flatMap((p) => parameterQuestions(input, r, p)),
      ...input.etcdVolumes.flatMap((v) => volumeQuestions(input, r, v)),
      ...(input.backupBucket ? backupQuestions(input, r, input.backupBucket, accountOf(r.arn)) : []),
      ...(input.encryptionKeys ?? []).flatMap((k) => encryptionKeyQuestions(input, r, k)),
      ...clusters.flatMap((k) => etcdStateQuestions(input, r, k)),
      ...metricQuestions(r),
    ];
    for (const q of questions) {
      const req: IamRequest = {
        principal: r.arn,
        action: q.action,
        resource: q.resource,
        resourceAccount: q.resourceAccount,
        context: { ...baseContext(r, input.region), ...q.context },
      };
      const e =
        q.fixed !== undefined
          ? { decision: q.fixed, grantedBy: q.fixed === "Allowed" ? [AWS_SSM_KEY] : [] }
          : evaluateRequestOnce(req, r.policies, q.resourcePolicy);
      cells.push({
        role: r,
        subject: q.subject,
        action: q.action,
        resource: q.resource,
        what: q.what,
        via: q.via,
        owner: q.owner,
        decision: e.decision,
        expected: q.expected,
        grantedBy: e.grantedBy,
      });
    }
  }
  return cells;
}

/** Cells allowed that must be denied. */
export function forbiddenCells(cells: Cell[]): Cell[] {
  return cells.filter((c) => c.expected === "deny" && c.decision === "Allowed");
}

/** Cells the design needs that are refused (a node that cannot read its own secrets does not boot). */
export function missingCells(cells: Cell[]): Cell[] {
  return cells.filter((c) => c.expected === "allow" && c.decision !== "Allowed");
}
