/** node-role-boundaries on small graphs: how a role's policies are collected (boundaryInput), and what makes a role a node role. */
import { EC2_ASSUME_ROLE, doc } from "../../lib/iam";
import { resolveManagedPolicy } from "../../lib/iamEval/managedPolicies";
import { GraphResource, makeGraph } from "../../policy/rules/graph";
import { IAM_T, boundaryInput, trustsEc2 } from "../../policy/rules/nodeRoleBoundaries";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const res = (name: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(`urn:${name}`, type, props, deps, name);

const ROLE = "kc-worker-role";
const ROLE_URN = `urn:${ROLE}`;
const ROLE_ARN = `arn:aws:iam::111122223333:role/${ROLE}`;
const TAGS = { "kubestead.io/cluster": "kc", "kubestead.io/role": "worker" };
const SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore";
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const SHARED = "arn:aws:iam::111122223333:policy/shared";
const GRANT = doc({ Sid: "Read", Effect: "Allow", Action: ["s3:GetObject"], Resource: "*" });
const OTHER_GRANT = doc({ Sid: "Describe", Effect: "Allow", Action: ["ec2:DescribeInstances"], Resource: "*" });

const provider = res("aws", "pulumi:providers:aws", { region: "us-east-1" });
const role = (over: Record<string, unknown> = {}) =>
  res(ROLE, IAM_T.role, { name: ROLE, id: ROLE, arn: ROLE_ARN, assumeRolePolicy: EC2_ASSUME_ROLE, tags: TAGS, ...over });
const customerPolicy = (name: string, document: unknown) =>
  res(name, IAM_T.policy, { arn: `arn:aws:iam::111122223333:policy/${name}`, policy: JSON.stringify(document) });

/** The roles boundaryInput reads from the worker role (and `rest`), and what kept any from being read. */
const collect = (...rs: GraphResource[]) => {
  const { input, findings } = boundaryInput(makeGraph([provider, ...rs]));
  return { roles: input!.roles, findings };
};
/** The worker role as read with these policies. */
const readWith = (policies: unknown[]) => ({
  roles: [{ name: ROLE, arn: ROLE_ARN, nodeRole: "worker", cluster: "kc", tags: TAGS, policies }],
  findings: [],
});
const notRead = { roles: [], findings: [] };
const jsonError = (s: string): string => {
  try {
    JSON.parse(s);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${s} is JSON`);
};

test("a role is read with its tags, node role and cluster", () => {
  expect(collect(role())).toEqual(readWith([]));
});

test.each<[string, unknown]>([
  ["name", undefined],
  ["name", ""],
  ["name", UNKNOWN],
  ["name", 42],
  ["arn", undefined],
  ["arn", ""],
  ["arn", UNKNOWN],
])("a role whose %s is %p is not read, and reports nothing even with a policy that cannot be evaluated", (prop, value) => {
  expect(collect(role({ [prop]: value, managedPolicyArns: [ADMIN] }))).toEqual(notRead);
});

test("inline policies count under their names, as JSON or as an object; an entry that is no record is ignored", () => {
  const inlinePolicies = [{ name: "read", policy: JSON.stringify(GRANT) }, { name: "describe", policy: OTHER_GRANT }, "junk"];
  expect(collect(role({ inlinePolicies }))).toEqual(
    readWith([
      { name: "inline policy read", document: GRANT },
      { name: "inline policy describe", document: OTHER_GRANT },
    ]),
  );
});

test.each<[string, unknown, string]>([
  ["a string that is not JSON", "not json", `is not JSON (${jsonError("not json")}): it cannot be evaluated.`],
  ["a number", 42, "is no policy document: it cannot be evaluated."],
  [
    "a document IAM refuses, with every reason",
    { Version: "2012-10-17", Statement: [{ Effect: "Maybe", Action: "s3:GetObject" }] },
    'is not a valid IAM policy (Statement[0].Effect: Effect must be present and exactly "Allow" or "Deny"; Statement[0]: One of Resource or NotResource is required in an identity policy statement).',
  ],
])("an inline policy that is %s is reported on the role, which is left out", (_what, policy, message) => {
  expect(collect(role({ inlinePolicies: [{ name: "bad", policy }] }))).toEqual({
    roles: [],
    findings: [{ urn: ROLE_URN, message: `inline policy bad on IAM role ${ROLE} ${message}` }],
  });
});

test.each<[string, Record<string, unknown>, GraphResource[]]>([
  ["an inline policy", { inlinePolicies: [{ name: "read", policy: UNKNOWN }] }, []],
  ["the managed policy ARN list", { managedPolicyArns: UNKNOWN }, []],
  ["a managed policy ARN", { managedPolicyArns: [SSM_CORE, UNKNOWN] }, []],
  ["a role policy attachment's policy ARN", {}, [res("att", IAM_T.rolePolicyAttachment, { role: ROLE, policyArn: UNKNOWN })]],
  ["the trust policy", { assumeRolePolicy: UNKNOWN }, []],
])("a role with %s unknown is skipped until `up`", (_what, over, rest) => {
  expect(collect(role(over), ...rest)).toEqual(notRead);
});

test("an AWS managed policy on the role counts by its written-down version; one not written down is reported", () => {
  expect(collect(role({ managedPolicyArns: [SSM_CORE] }))).toEqual(
    readWith([{ name: `${SSM_CORE} (v2, 2019-05-23)`, document: resolveManagedPolicy(SSM_CORE)!.document }]),
  );
  expect(collect(role({ managedPolicyArns: [ADMIN] }))).toEqual({
    roles: [],
    findings: [
      {
        urn: ROLE_URN,
        message: `IAM role ${ROLE} attaches ${ADMIN} to IAM role ${ROLE}, a managed policy whose document is not written down in lib/iamEval/managedPolicies.ts: its permissions cannot be evaluated. Add its current version there or grant what the role needs inline.`,
      },
    ],
  });
});

test("a customer managed policy counts with the document of the policy with its ARN, not of another policy in the stack", () => {
  const graph = [customerPolicy("other", OTHER_GRANT), customerPolicy("mine", GRANT)];
  const mine = "arn:aws:iam::111122223333:policy/mine";
  expect(collect(...graph, role({ managedPolicyArns: [mine] }))).toEqual(readWith([{ name: `policy ${mine}`, document: GRANT }]));
});

test("an ARN only another kind of resource has (a role's, attached by mistake) is a policy that is not in this stack", () => {
  const otherArn = "arn:aws:iam::111122223333:role/kc-other-role";
  const other = res("kc-other-role", IAM_T.role, { name: "kc-other-role", arn: otherArn, assumeRolePolicy: EC2_ASSUME_ROLE });
  const { findings } = collect(other, role({ managedPolicyArns: [otherArn] }));
  expect(findings).toEqual([
    {
      urn: ROLE_URN,
      message: `IAM role ${ROLE} attaches ${otherArn} to IAM role ${ROLE}, a policy that is not in this stack: its permissions cannot be evaluated.`,
    },
  ]);
});

test.each<[string, boolean, Record<string, unknown>, Record<string, string[]>]>([
  ["its name", true, { role: ROLE }, {}],
  ["its ARN", true, { role: ROLE_ARN }, {}],
  ["another role's name", false, { role: "kc-other-role" }, {}],
  ["an unknown role depending on it", true, { role: UNKNOWN }, { role: [ROLE_URN] }],
  ["an unknown role depending on another role", false, { role: UNKNOWN }, { role: ["urn:kc-other-role"] }],
  ["an unknown role with no dependencies", false, { role: UNKNOWN }, {}],
])("a role policy naming %s is the role's: %p", (_what, counts, props, deps) => {
  const rp = res("kc-worker-extra", IAM_T.rolePolicy, { ...props, policy: JSON.stringify(GRANT) }, deps);
  expect(collect(role(), rp)).toEqual(readWith(counts ? [{ name: "role policy kc-worker-extra", document: GRANT }] : []));
});

const sharedFinding = (kind: string, name: string) => ({
  urn: `urn:${name}`,
  message: `${kind} ${name} attaches ${SHARED} to IAM role ${ROLE}, a policy that is not in this stack: its permissions cannot be evaluated.`,
});

test.each<[string, boolean, Record<string, unknown>, Record<string, string[]>]>([
  ["its name among others", true, { roles: ["kc-other-role", ROLE] }, {}],
  ["its ARN", true, { roles: [ROLE_ARN] }, {}],
  ["other roles only", false, { roles: ["kc-other-role"] }, {}],
  ["unknown roles depending on the role", true, { roles: UNKNOWN }, { roles: [ROLE_URN] }],
  ["unknown roles depending on another role", false, { roles: UNKNOWN }, { roles: ["urn:kc-other-role"] }],
  ["unknown roles with no dependencies", false, { roles: UNKNOWN }, {}],
])("a policy attachment naming %s attaches its policy to the role: %p", (_what, attaches, props, deps) => {
  const pa = res("kc-shared", IAM_T.policyAttachment, { ...props, policyArn: SHARED }, deps);
  expect(collect(role(), pa).findings).toEqual(attaches ? [sharedFinding("policy attachment", "kc-shared")] : []);
});

test("a role policy attachment's policy is attached by that attachment; a resource of another type with the same props attaches nothing", () => {
  const rpa = res("kc-shared-rpa", IAM_T.rolePolicyAttachment, { role: ROLE, policyArn: SHARED });
  expect(collect(role(), rpa).findings).toEqual([sharedFinding("role policy attachment", "kc-shared-rpa")]);
  const component = res("kc-identity", "kubestead:components:WorkerIdentity", { role: ROLE, roles: [ROLE], policyArn: SHARED });
  expect(collect(role(), component)).toEqual(readWith([]));
});

describe("trustsEc2", () => {
  const trust = (...statements: unknown[]) => ({ Version: "2012-10-17", Statement: statements });
  const allow = (service: unknown) => ({ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" });
  test.each<[string, boolean | undefined, unknown]>([
    ["the EC2 trust, as JSON", true, EC2_ASSUME_ROLE],
    ["EC2 among the services of an object", true, trust(allow(["ecs.amazonaws.com", "ec2.amazonaws.com"]))],
    ["EC2 in one statement of two", true, trust(allow("lambda.amazonaws.com"), allow("ec2.amazonaws.com"))],
    ["another service", false, trust(allow("lambda.amazonaws.com"))],
    ["a Deny naming EC2", false, trust({ ...allow("ec2.amazonaws.com"), Effect: "Deny" })],
    ["no statements", false, trust()],
    ["not JSON", false, "not json"],
    ["no document", false, 42],
    ["absent", false, undefined],
    ["unknown", undefined, UNKNOWN],
  ])("%s → %p", (_what, expected, policy) => {
    expect(trustsEc2(policy)).toBe(expected);
  });
});

describe("a SecureString parameter's key", () => {
  const NAME = "/kubestead/kc/worker/bootstrap-kubelet.conf";
  const ARN = `arn:aws:ssm:us-east-1:111122223333:parameter${NAME}`;
  const parameters = (keyId: unknown) =>
    boundaryInput(makeGraph([provider, res("param", IAM_T.parameter, { type: "SecureString", name: NAME, arn: ARN, keyId })])).input!
      .parameters;

  test.each<[string, unknown]>([
    ["absent", undefined],
    ["empty", ""],
    ["the aws/ssm alias", "alias/aws/ssm"],
    ["the aws/ssm alias's ARN", "arn:aws:kms:us-east-1:111122223333:alias/aws/ssm"],
  ])("%s is the AWS managed key aws/ssm", (_what, keyId) => {
    expect(parameters(keyId)).toEqual([{ name: NAME, arn: ARN, keyArn: undefined, tags: {} }]);
  });

  test("a key ARN outside the stack is its key; an unknown key leaves the parameter out until `up`", () => {
    const key = "arn:aws:kms:us-east-1:111122223333:key/k1";
    expect(parameters(key)).toEqual([{ name: NAME, arn: ARN, keyArn: key, tags: {} }]);
    expect(parameters(UNKNOWN)).toEqual([]);
  });
});
