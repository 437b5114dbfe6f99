/**
 * node-role-boundaries on small hand-built graphs: what boundaryInput reads from the graph (parameters
 * and their keys, keys, encryption-at-rest keys, the backup bucket, etcd's volumes, the region) and
 * the findings nodeRoleBoundaryProblems makes of the matrix. The fixture cluster is nodeRoleBoundaries.test.ts's.
 */
import { doc } from "../../lib/iam";
import { GraphResource, T, makeGraph } from "../../policy/rules/graph";
import { IAM_T, boundaryInput, nodeRoleBoundaryProblems } from "../../policy/rules/nodeRoleBoundaries";
import { UNKNOWN } from "../helpers/fixtureValues";

const res = (
  type: string,
  name: string,
  props: Record<string, unknown>,
  propertyDependencies: Record<string, string[]> = {},
): GraphResource => ({
  urn: `urn:pulumi:prod::kubestead::${type}::${name}`,
  type,
  name,
  props,
  protect: false,
  dependencies: Object.values(propertyDependencies).flat(),
  propertyDependencies,
});

const CLUSTER = "kc";
const ACCOUNT = "111122223333";
const provider = (region: unknown, name = "aws") => res("pulumi:providers:aws", name, { region });
const clusterTags = (role: string, extra: Record<string, string> = {}) => ({
  "kubestead.io/cluster": CLUSTER,
  "kubestead.io/role": role,
  ...extra,
});

const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k-key-id`;
const OUTSIDE_KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/outside`;
const ALIAS_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:alias/kc-secrets`;
const KEY_POLICY = doc({
  Sid: "Root",
  Effect: "Allow",
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  Action: ["kms:*"],
  Resource: "*",
});
/** The cluster's key, with its ARN, key ID and resource ID told apart so each lookup shows. */
const key = res(IAM_T.key, "kc-secrets", { arn: KEY_ARN, keyId: "k-key-id", id: "k-resource-id", policy: JSON.stringify(KEY_POLICY) });
const alias = (name: string, props: Record<string, unknown>) => res(IAM_T.alias, name, { name, ...props });

const PARAM_NAME = `/kubestead/${CLUSTER}/worker/bootstrap-kubelet.conf`;
const PARAM_ARN = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter${PARAM_NAME}`;
const param = (keyId: unknown, type: string = IAM_T.parameter) =>
  res(type, "kc-worker-bootstrap", { type: "SecureString", name: PARAM_NAME, arn: PARAM_ARN, keyId, tags: clusterTags("worker") });

const inputOf = (...rs: GraphResource[]) => boundaryInput(makeGraph(rs)).input;

describe("the key a SecureString parameter is encrypted with", () => {
  /** The keyArn of every parameter read: [] when the parameter is skipped, [undefined] for aws/ssm. */
  const keyArns = (keyId: unknown, ...others: GraphResource[]) =>
    inputOf(...others, param(keyId), provider("us-east-1"))!.parameters.map((p) => p.keyArn);

  test.each<[string, unknown, GraphResource[], (string | undefined)[]]>([
    ["the key's ARN", KEY_ARN, [key], [KEY_ARN]],
    ["the key's key ID", "k-key-id", [key], [KEY_ARN]],
    ["the key's resource ID", "k-resource-id", [key], [KEY_ARN]],
    ["a key of the stack whose ARN is unknown (preview): skipped", "k-key-id", [{ ...key, props: { ...key.props, arn: UNKNOWN } }], []],
    [
      "an alias name, to the key its target key ID names",
      "alias/kc-secrets",
      [key, alias("alias/kc-secrets", { arn: ALIAS_ARN, targetKeyId: "k-key-id" })],
      [KEY_ARN],
    ],
    ["an alias ARN", ALIAS_ARN, [key, alias("alias/kc-secrets", { arn: ALIAS_ARN, targetKeyId: "k-key-id" })], [KEY_ARN]],
    [
      "an alias whose target key ID is the key's ARN",
      "alias/kc-secrets",
      [key, alias("alias/kc-secrets", { targetKeyId: KEY_ARN })],
      [KEY_ARN],
    ],
    [
      "the matching alias, not the first one",
      "alias/kc-secrets",
      [key, alias("alias/other", { targetKeyArn: OUTSIDE_KEY_ARN }), alias("alias/kc-secrets", { targetKeyId: "k-key-id" })],
      [KEY_ARN],
    ],
    [
      "an alias of a key outside the stack, by its target key ARN",
      "alias/kc-secrets",
      [alias("alias/kc-secrets", { targetKeyId: "outside", targetKeyArn: OUTSIDE_KEY_ARN })],
      [OUTSIDE_KEY_ARN],
    ],
    [
      "an alias whose target is unknown (preview): skipped",
      "alias/kc-secrets",
      [alias("alias/kc-secrets", { targetKeyId: UNKNOWN, targetKeyArn: UNKNOWN })],
      [],
    ],
    [
      "a key ARN outside the stack, as it stands",
      OUTSIDE_KEY_ARN,
      [alias("alias/other", { targetKeyId: "k-key-id" }), key],
      [OUTSIDE_KEY_ARN],
    ],
    [
      "a key ARN of a resource the rule does not model (a replica key), as it stands",
      OUTSIDE_KEY_ARN,
      [res("aws:kms/replicaKey:ReplicaKey", "kc-replica", { arn: OUTSIDE_KEY_ARN, keyId: "outside" })],
      [OUTSIDE_KEY_ARN],
    ],
    ["an alias name no alias of the stack has: skipped", "alias/missing", [key], []],
    ["a key ID no key of the stack has: skipped", "mrk-0123", [key], []],
    ["no keyId: the AWS managed key aws/ssm", undefined, [key], [undefined]],
    ["an unknown keyId (preview): skipped", UNKNOWN, [key], []],
  ])("%s", (_what, keyId, others, expected) => {
    expect(keyArns(keyId, ...others)).toEqual(expected);
  });
});

test("only SecureString SSM parameters are read: not a plain one, nor another resource that echoes a parameter's outputs", () => {
  const plain = res(IAM_T.parameter, "kc-worker-ca-crt", {
    type: "String",
    name: `/kubestead/${CLUSTER}/worker/ca.crt`,
    arn: `${PARAM_ARN}-crt`,
  });
  const echo = param(KEY_ARN, "kubestead:components:NodeSecrets");
  expect(inputOf(key, plain, echo, param(KEY_ARN))!.parameters).toEqual([
    { name: PARAM_NAME, arn: PARAM_ARN, keyArn: KEY_ARN, tags: clusterTags("worker") },
  ]);
});

test("keys: every KMS key with a known ARN, with its key policy (undefined when it is not a document)", () => {
  const bare = res(IAM_T.key, "kc-bare", { arn: OUTSIDE_KEY_ARN, policy: UNKNOWN });
  const pending = res(IAM_T.key, "kc-pending", { arn: UNKNOWN, policy: JSON.stringify(KEY_POLICY) });
  expect(inputOf(key, bare, pending, param(KEY_ARN))!.keys).toEqual([
    { arn: KEY_ARN, policy: KEY_POLICY },
    { arn: OUTSIDE_KEY_ARN, policy: undefined },
  ]);
});

test("encryption-at-rest keys: KMS keys with a known ARN tagged for encryption at rest and with a cluster", () => {
  const atRest = (
    name: string,
    tags: Record<string, string>,
    arn: unknown = `arn:aws:kms:us-east-1:${ACCOUNT}:key/${name}`,
    type: string = IAM_T.key,
  ) => res(type, name, { arn, tags });
  const purpose = { "kubestead.io/purpose": "encryption-at-rest" };
  const g = [
    atRest("at-rest", { ...purpose, "kubestead.io/cluster": CLUSTER }),
    atRest("no-cluster", purpose),
    atRest("other-purpose", { "kubestead.io/purpose": "backups", "kubestead.io/cluster": CLUSTER }),
    atRest("untagged", { "kubestead.io/cluster": CLUSTER }),
    atRest("pending", { ...purpose, "kubestead.io/cluster": CLUSTER }, UNKNOWN),
    atRest("replica", { ...purpose, "kubestead.io/cluster": CLUSTER }, undefined, "aws:kms/replicaKey:ReplicaKey"),
    param(undefined),
  ];
  expect(inputOf(...g)!.encryptionKeys).toEqual([{ arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/at-rest`, cluster: CLUSTER }]);
});

test("etcd's volumes: EBS volumes tagged etcd with a known ARN", () => {
  const volumeArn = (id: string) => `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/${id}`;
  const etcd = res(T.volume, "kc-etcd-0", { arn: volumeArn("vol-0"), tags: clusterTags("etcd", { "kubestead.io/member": "0" }) });
  const g = [
    res(T.launchTemplate, "kc-etcd", { arn: `arn:aws:ec2:us-east-1:${ACCOUNT}:launch-template/lt-0`, tags: clusterTags("etcd") }),
    res(T.volume, "kc-worker-data", { arn: volumeArn("vol-w"), tags: clusterTags("worker") }),
    res(T.volume, "kc-etcd-1", { arn: UNKNOWN, tags: clusterTags("etcd") }),
    etcd,
  ];
  expect(inputOf(...g)!.etcdVolumes).toEqual([{ arn: volumeArn("vol-0"), tags: clusterTags("etcd", { "kubestead.io/member": "0" }) }]);
});

describe("the backup bucket", () => {
  const BUCKET = "kc-etcd-backups";
  const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
  const bucket = res(T.bucket, BUCKET, { bucket: BUCKET, id: BUCKET, arn: BUCKET_ARN, tags: clusterTags("backup") });
  const BUCKET_POLICY = doc({
    Sid: "Tls",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: ["s3:*"],
    Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  });
  const OTHER_POLICY = doc({ Sid: "Other", Effect: "Deny", Principal: { AWS: "*" }, Action: ["s3:GetObject"], Resource: "*" });
  const policyOf = (name: string, forBucket: unknown, policy: unknown, deps: string[] = []) =>
    res(IAM_T.bucketPolicy, name, { bucket: forBucket, policy: JSON.stringify(policy) }, deps.length ? { bucket: deps } : {});
  const sseOf = (name: string, forBucket: unknown, kmsMasterKeyId?: string, deps: string[] = []) =>
    res(
      T.bucketSse,
      name,
      {
        bucket: forBucket,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: kmsMasterKeyId ? "aws:kms" : "AES256", kmsMasterKeyId } }],
      },
      deps.length ? { bucket: deps } : {},
    );
  const backupOf = (...rs: GraphResource[]) => inputOf(provider("us-east-1"), ...rs)!.backupBucket;
  const plain = { arn: BUCKET_ARN, ownerPrefix: `${CLUSTER}/`, policy: undefined, keyArn: undefined };

  test("the S3 bucket tagged backup, not another bucket nor another resource tagged backup", () => {
    const logs = res(T.bucket, "kc-backup-logs", {
      bucket: "kc-backup-logs",
      arn: "arn:aws:s3:::kc-backup-logs",
      tags: clusterTags("backup-logs"),
    });
    const topic = res("aws:sns/topic:Topic", "kc-backup-alarms", {
      arn: `arn:aws:sns:us-east-1:${ACCOUNT}:kc-backup-alarms`,
      tags: clusterTags("backup"),
    });
    expect(backupOf(logs, topic, bucket)).toEqual(plain);
    expect(backupOf(logs)).toBeUndefined();
  });

  test.each<[string, Record<string, unknown>]>([
    ["without a cluster tag", { ...bucket.props, tags: { "kubestead.io/role": "backup" } }],
    ["with an unknown ARN (preview)", { ...bucket.props, arn: UNKNOWN }],
  ])("a backup bucket %s is left out", (_what, props) => {
    expect(backupOf({ ...bucket, props })).toBeUndefined();
  });

  test.each<[string, GraphResource[], unknown]>([
    [
      "by bucket name, not another bucket's",
      [policyOf("other", "other-bucket", OTHER_POLICY), policyOf("backup", BUCKET, BUCKET_POLICY)],
      BUCKET_POLICY,
    ],
    [
      "through its dependency on the bucket while the name is unknown",
      [policyOf("backup", UNKNOWN, BUCKET_POLICY, [bucket.urn])],
      BUCKET_POLICY,
    ],
    ["not when the name is unknown and it does not depend on the bucket", [policyOf("backup", UNKNOWN, BUCKET_POLICY)], undefined],
  ])("its bucket policy: %s", (_what, rs, policy) => {
    expect(backupOf(bucket, ...rs)).toEqual({ ...plain, policy });
  });

  test("a bucket policy unknown in a preview leaves the bucket out", () => {
    expect(backupOf(bucket, { ...policyOf("backup", BUCKET, BUCKET_POLICY), props: { bucket: BUCKET, policy: UNKNOWN } })).toBeUndefined();
  });

  test.each<[string, GraphResource[], string | undefined]>([
    [
      "its default-encryption key, not another bucket's",
      [key, sseOf("other", "other-bucket", OUTSIDE_KEY_ARN), sseOf("backup", BUCKET, "k-key-id")],
      KEY_ARN,
    ],
    ["through its dependency on the bucket", [key, sseOf("backup", UNKNOWN, "k-key-id", [bucket.urn])], KEY_ARN],
    ["none with SSE-S3", [key, sseOf("backup", BUCKET)], undefined],
    ["none when the key cannot be resolved", [key, sseOf("backup", BUCKET, "alias/missing")], undefined],
  ])("%s", (_what, rs, keyArn) => {
    expect(backupOf(bucket, ...rs)).toEqual({ ...plain, keyArn });
  });
});

describe("the region", () => {
  const volume = res(T.volume, "kc-etcd-0", { arn: `arn:aws:ec2:ap-south-1:${ACCOUNT}:volume/vol-0`, tags: clusterTags("etcd") });
  const subnet = res(T.subnet, "kc-a", { region: "ap-south-1" });

  test.each<[string, GraphResource[], string | undefined]>([
    ["a parameter's ARN, before the provider's", [provider("us-east-1"), param(undefined)], "eu-west-1"],
    ["an etcd volume's ARN", [provider("us-east-1"), volume], "ap-south-1"],
    ["the AWS provider's, when no ARN tells it", [subnet, provider(UNKNOWN, "pending"), provider("us-east-1")], "us-east-1"],
  ])("%s", (_what, rs, region) => {
    expect(inputOf(...rs)?.region).toBe(region);
  });

  test("without one nothing is evaluated", () => {
    expect(boundaryInput(makeGraph([subnet, provider(UNKNOWN)]))).toEqual({ findings: [] });
  });
});

describe("roles", () => {
  const trust = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
  const APP_POLICY = doc({ Sid: "Read", Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" });
  const role = (name: string, props: Record<string, unknown> = {}) =>
    res(IAM_T.role, name, {
      name,
      arn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
      assumeRolePolicy: JSON.stringify(trust),
      tags: clusterTags("app"),
      inlinePolicies: [{ name: "app", policy: JSON.stringify(APP_POLICY) }],
      ...props,
    });

  test("the IAM roles, each with its policies; not a managed policy, though it has a name and an ARN", () => {
    const managed = res(IAM_T.policy, "kc-shared", {
      name: "kc-shared",
      arn: `arn:aws:iam::${ACCOUNT}:policy/kc-shared`,
      policy: JSON.stringify(APP_POLICY),
    });
    expect(inputOf(provider("us-east-1"), managed, role("kc-app"))).toEqual({
      region: "us-east-1",
      roles: [
        {
          name: "kc-app",
          arn: `arn:aws:iam::${ACCOUNT}:role/kc-app`,
          nodeRole: undefined,
          cluster: CLUSTER,
          tags: clusterTags("app"),
          policies: [{ name: "inline policy app", document: APP_POLICY }],
        },
      ],
      parameters: [],
      etcdVolumes: [],
      backupBucket: undefined,
      keys: [],
      encryptionKeys: [],
    });
  });

  test("a role with a finding is reported and left out of the matrix", () => {
    const admin = role("kc-admin", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] });
    const { input, findings } = boundaryInput(makeGraph([provider("us-east-1"), admin]));
    expect(input?.roles).toEqual([]);
    expect(findings).toEqual([
      {
        urn: admin.urn,
        message:
          "IAM role kc-admin attaches arn:aws:iam::aws:policy/AdministratorAccess to IAM role kc-admin, a managed policy whose document is not written down in lib/iamEval/managedPolicies.ts: its permissions cannot be evaluated. Add its current version there or grant what the role needs inline.",
      },
    ]);
  });

  test("a role that may delete snapshots is reported at the role (not at its instance profile of the same name)", () => {
    const BUCKET_ARN = "arn:aws:s3:::kc-etcd-backups";
    const cleaner = role("kc-cleaner", {
      inlinePolicies: [
        {
          name: "prune",
          policy: JSON.stringify(doc({ Sid: "Prune", Effect: "Allow", Action: ["s3:DeleteObject"], Resource: `${BUCKET_ARN}/*` })),
        },
      ],
    });
    const profile = res("aws:iam/instanceProfile:InstanceProfile", "kc-cleaner", {
      name: "kc-cleaner",
      arn: `arn:aws:iam::${ACCOUNT}:instance-profile/kc-cleaner`,
    });
    const bucket = res(T.bucket, "kc-etcd-backups", { bucket: "kc-etcd-backups", arn: BUCKET_ARN, tags: clusterTags("backup") });
    expect(nodeRoleBoundaryProblems(makeGraph([provider("us-east-1"), bucket, cleaner, profile]))).toEqual([
      {
        urn: cleaner.urn,
        message: `IAM role kc-cleaner is allowed s3:DeleteObject on backup object ${BUCKET_ARN}/kc/20260101T000000Z-etcd-0.db, granted by inline policy prune: no role deletes backups or loosens the bucket, and only etcd's node role writes or reads snapshots, under its prefix (lib/iam.ts etcdPolicy, nodeBaselinePolicy).`,
      },
    ]);
  });
});
