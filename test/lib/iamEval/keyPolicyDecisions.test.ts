/**
 * The key policies and the key-bound grants of lib/iam.ts under evaluation, each statement on its
 * own: the cluster key's auto scaling statements, the encryption-at-rest grant and key policy, the
 * add-on store's list/get/decrypt, and the baseline's deny on etcd's data. Every allowed request
 * has a neighbour one step outside it that is refused.
 */
import { IamRequest, NamedPolicy, evaluateRequest, identityPolicyErrors, resourcePolicyErrors } from "../../../lib/iamEval/evaluate";
import {
  PolicyDocument,
  addonStorePolicy,
  clusterKeyPolicy,
  encryptionAtRestKeyPolicy,
  encryptionAtRestPolicy,
  nodeBaselinePolicy,
} from "../../../lib/iam";
import { encryptionAtRestContext } from "../../../lib/iamNames";
import { ACCOUNT, REGION, KEY, accountKeyPolicy, iamRequest } from "./scope";

const AT_REST = `arn:aws:kms:${REGION}:${ACCOUNT}:key/at-rest`;
const ASG_ROLE = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_kc`;
const CP_ROLE = `arn:aws:iam::${ACCOUNT}:role/kc-controlplane`;
const WORKER_ROLE = `arn:aws:iam::${ACCOUNT}:role/kc-worker`;
const ADDONS = "arn:aws:s3:::kc-addons-abc";
/** The default key policy: the account's IAM policies decide alone. */
const TRUST_ACCOUNT = accountKeyPolicy("default key policy");

const decide = (r: IamRequest, identity: NamedPolicy[], resourcePolicy?: NamedPolicy) =>
  evaluateRequest(r, identity, resourcePolicy).decision;
const atRestContext = (cluster: string) =>
  Object.fromEntries(Object.entries(encryptionAtRestContext(cluster)).map(([k, v]) => [`kms:EncryptionContext:${k}`, v]));

describe("the cluster key's policy: the auto scaling service-linked role launches instances with encrypted volumes", () => {
  const keyPolicy = (): NamedPolicy => ({ name: "cluster key policy", document: clusterKeyPolicy("aws", ACCOUNT, ASG_ROLE) });

  test.each([
    "kms:Encrypt",
    "kms:Decrypt",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:DescribeKey",
  ])("the role may %s with the key on the key policy alone; another role of the account may not", (action) => {
    expect(decide(iamRequest(ASG_ROLE, action, KEY), [], keyPolicy())).toBe("Allowed");
    expect(decide(iamRequest(WORKER_ROLE, action, KEY), [], keyPolicy())).toBe("ImplicitlyDenied");
  });

  test("it may create grants only for an AWS resource", () => {
    expect(decide(iamRequest(ASG_ROLE, "kms:CreateGrant", KEY, { "kms:GrantIsForAWSResource": "true" }), [], keyPolicy())).toBe("Allowed");
    expect(decide(iamRequest(ASG_ROLE, "kms:CreateGrant", KEY, { "kms:GrantIsForAWSResource": "false" }), [], keyPolicy())).toBe(
      "ImplicitlyDenied",
    );
    expect(decide(iamRequest(ASG_ROLE, "kms:CreateGrant", KEY), [], keyPolicy())).toBe("ImplicitlyDenied");
  });

  test("it may not administer the key", () => {
    for (const action of ["kms:ScheduleKeyDeletion", "kms:PutKeyPolicy", "kms:DisableKey"])
      expect({ action, decision: decide(iamRequest(ASG_ROLE, action, KEY), [], keyPolicy()) }).toEqual({
        action,
        decision: "ImplicitlyDenied",
      });
  });

  test("the account's IAM policies may use the key (the default key policy's statement), in this account only", () => {
    const admin: NamedPolicy = {
      name: "admin",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] },
    };
    const deployer = `arn:aws:iam::${ACCOUNT}:role/deployer`;
    expect(decide(iamRequest(deployer, "kms:ScheduleKeyDeletion", KEY), [admin], keyPolicy())).toBe("Allowed");
    expect(decide(iamRequest(deployer, "kms:ScheduleKeyDeletion", KEY), [], keyPolicy())).toBe("ImplicitlyDenied");
    const other: NamedPolicy = { name: "other", document: clusterKeyPolicy("aws", "444455556666", ASG_ROLE) };
    expect(decide(iamRequest(deployer, "kms:ScheduleKeyDeletion", KEY), [admin], other)).toBe("ImplicitlyDenied");
  });
});

describe("the encryption-at-rest grant and key policy each demand the KMS plugin's encryption context", () => {
  const grant = (): NamedPolicy[] => [{ name: "encryption at rest", document: encryptionAtRestPolicy(AT_REST, "kc") }];
  const keyPolicy = (): NamedPolicy => ({ name: "key policy", document: encryptionAtRestKeyPolicy("aws", ACCOUNT, CP_ROLE, "kc") });

  test.each(["kms:Encrypt", "kms:Decrypt"])(
    "the role's own grant allows %s with the context, under a key policy that trusts it",
    (action) => {
      expect(decide(iamRequest(CP_ROLE, action, AT_REST, atRestContext("kc")), grant(), TRUST_ACCOUNT)).toBe("Allowed");
      expect(decide(iamRequest(CP_ROLE, action, AT_REST), grant(), TRUST_ACCOUNT)).toBe("ImplicitlyDenied");
      expect(decide(iamRequest(CP_ROLE, action, AT_REST, atRestContext("other")), grant(), TRUST_ACCOUNT)).toBe("ImplicitlyDenied");
      expect(decide(iamRequest(CP_ROLE, action, KEY, atRestContext("kc")), grant(), TRUST_ACCOUNT)).toBe("ImplicitlyDenied");
    },
  );

  test.each(["kms:Encrypt", "kms:Decrypt"])("the key policy alone allows the control-plane role %s with the context only", (action) => {
    expect(decide(iamRequest(CP_ROLE, action, AT_REST, atRestContext("kc")), [], keyPolicy())).toBe("Allowed");
    expect(decide(iamRequest(CP_ROLE, action, AT_REST), [], keyPolicy())).toBe("ImplicitlyDenied");
    expect(decide(iamRequest(CP_ROLE, action, AT_REST, atRestContext("other")), [], keyPolicy())).toBe("ImplicitlyDenied");
    expect(decide(iamRequest(WORKER_ROLE, action, AT_REST, atRestContext("kc")), [], keyPolicy())).toBe("ImplicitlyDenied");
  });
});

describe("the add-on store: list and get under the prefixes, decrypt through S3 in the region", () => {
  const store = (): NamedPolicy[] => [
    { name: "addon store", document: addonStorePolicy({ region: REGION, kmsKeyArn: KEY }, ADDONS, ["addons/", "node/"]) },
  ];
  const as = (action: string, resource: string, context: Record<string, string | string[]> = {}) =>
    decide(iamRequest(CP_ROLE, action, resource, context), store(), TRUST_ACCOUNT);

  test.each([
    ["addons/", "Allowed"],
    ["addons/cilium/", "Allowed"],
    ["node/", "Allowed"],
    ["etcd/", "ImplicitlyDenied"],
    ["", "ImplicitlyDenied"],
  ])("listing the bucket with prefix %j: %s", (prefix, decision) => {
    expect(as("s3:ListBucket", ADDONS, { "s3:prefix": prefix })).toBe(decision);
  });

  test("listing the whole bucket (no prefix) or another bucket is refused", () => {
    expect(as("s3:ListBucket", ADDONS)).toBe("ImplicitlyDenied");
    expect(as("s3:ListBucket", "arn:aws:s3:::kc-etcd-backups-abc", { "s3:prefix": "addons/" })).toBe("ImplicitlyDenied");
  });

  test.each([
    [`${ADDONS}/addons/cilium.yaml`, "Allowed"],
    [`${ADDONS}/node/controlplane-0/kubelet.conf`, "Allowed"],
    [`${ADDONS}/etcd/snap.db`, "ImplicitlyDenied"],
    ["arn:aws:s3:::kc-etcd-backups-abc/addons/cilium.yaml", "ImplicitlyDenied"],
  ])("getting %s: %s", (object, decision) => {
    expect(as("s3:GetObject", object)).toBe(decision);
  });

  test("it writes nothing there", () => {
    expect(as("s3:PutObject", `${ADDONS}/addons/cilium.yaml`)).toBe("ImplicitlyDenied");
  });

  test("it decrypts the store's objects only through S3 of its region", () => {
    const context = { "kms:EncryptionContext:aws:s3:arn": ADDONS };
    expect(as("kms:Decrypt", KEY, { ...context, "kms:ViaService": `s3.${REGION}.amazonaws.com` })).toBe("Allowed");
    expect(as("kms:Decrypt", KEY, { ...context, "kms:ViaService": "s3.eu-west-1.amazonaws.com" })).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", KEY, { ...context, "kms:ViaService": `ssm.${REGION}.amazonaws.com` })).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", KEY, context)).toBe("ImplicitlyDenied");
    expect(as("kms:Decrypt", AT_REST, { ...context, "kms:ViaService": `s3.${REGION}.amazonaws.com` })).toBe("ImplicitlyDenied");
  });
});

describe("no role but etcd's touches what carries kubestead.io/role=etcd, even granted ec2:* elsewhere", () => {
  const broad: NamedPolicy = {
    name: "broad",
    document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "ec2:*", Resource: "*" }] },
  };
  const ETCD_TAG = { "aws:ResourceTag/kubestead.io/role": "etcd" };
  const ec2 = (kind: string) => `arn:aws:ec2:${REGION}:${ACCOUNT}:${kind}`;

  test.each([
    ["ec2:DetachVolume", ec2("volume/vol-0")],
    ["ec2:DeleteTags", ec2("snapshot/snap-0")],
    ["ec2:CreateTags", ec2("snapshot/snap-0")],
    ["ec2:TerminateInstances", ec2("instance/i-0")],
    ["ec2:DetachNetworkInterface", ec2("network-interface/eni-0")],
  ])("%s on %s", (action, resource) => {
    const as = (role: string, context: Record<string, string> = ETCD_TAG) =>
      decide(iamRequest(WORKER_ROLE, action, resource, context), [broad, { name: "baseline", document: nodeBaselinePolicy("aws", role) }]);
    expect(as("worker")).toBe("ExplicitlyDenied");
    expect(as("controlplane")).toBe("ExplicitlyDenied");
    // Controls: etcd's own role, and the same resource without etcd's tag, are left to the grants.
    expect(as("etcd")).toBe("Allowed");
    expect(as("worker", { "aws:ResourceTag/kubestead.io/role": "worker" })).toBe("Allowed");
  });
});

describe("every key policy and key-bound grant is a valid document", () => {
  const documents: [string, () => PolicyDocument, "identity" | "resource"][] = [
    ["cluster key policy", () => clusterKeyPolicy("aws", ACCOUNT, ASG_ROLE), "resource"],
    ["encryption-at-rest key policy", () => encryptionAtRestKeyPolicy("aws", ACCOUNT, CP_ROLE, "kc"), "resource"],
    ["encryption-at-rest grant", () => encryptionAtRestPolicy(AT_REST, "kc"), "identity"],
    ["add-on store", () => addonStorePolicy({ region: REGION, kmsKeyArn: KEY }, ADDONS, ["addons/", "node/"]), "identity"],
    ["worker baseline", () => nodeBaselinePolicy("aws", "worker", { sessionManager: true }), "identity"],
    ["etcd baseline", () => nodeBaselinePolicy("aws", "etcd"), "identity"],
  ];

  test.each(documents)("%s: IAM accepts it: alphanumeric unique statement ids, every resource an ARN or *", (_name, build, kind) => {
    const document = build();
    expect(kind === "resource" ? resourcePolicyErrors(document) : identityPolicyErrors(document)).toEqual([]);
    const sids = document.Statement.map((s) => s.Sid);
    for (const sid of sids) expect(sid).toMatch(/^[A-Za-z0-9]+$/);
    expect(new Set(sids).size).toBe(sids.length);
    // IAM refuses a resource that is neither "*" nor an ARN (the evaluator would read "" as matching everything).
    for (const resource of document.Statement.flatMap((s) => s.Resource)) expect(resource).toMatch(/^(\*|arn:aws:[a-z0-9-]+:)/);
  });
});
