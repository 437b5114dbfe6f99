/**
 * lib/iam.ts's control-plane, worker and baseline documents under evaluation: what the
 * cloud-controller-manager reads and re-tags, which auto scaling groups a node may mark unhealthy,
 * what Session Manager's statement reaches, and that IAM would accept every document as written.
 */
import { IamRequest, NamedPolicy, evaluateRequest, identityPolicyErrors } from "../../../lib/iamEval/evaluate";
import { PolicyDocument, controlPlanePolicy, nodeBaselinePolicy, workerPolicy } from "../../../lib/iam";
import { ACCOUNT, SCOPE, iamRequest } from "./scope";

const roleOf = (role: string): NamedPolicy[] => [
  { name: role, document: role === "worker" ? workerPolicy(SCOPE) : controlPlanePolicy(SCOPE) },
  { name: "baseline", document: nodeBaselinePolicy("aws", role) },
];
const cp = (): NamedPolicy[] => roleOf("controlplane");

const req = (action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest =>
  iamRequest(`arn:aws:iam::${ACCOUNT}:role/kc-controlplane`, action, resource, context);
const decide = (r: IamRequest, policies: NamedPolicy[]) => evaluateRequest(r, policies).decision;
const sg = `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-1`;
const OWNED = { "aws:ResourceTag/kubernetes.io/cluster/kc": "owned" };

describe("the cloud-controller-manager's reads", () => {
  test.each([
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeTags",
    "ec2:DescribeInstances",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTargetHealth",
    "kms:DescribeKey",
  ])("%s is allowed on any resource, untagged", (action) => {
    expect(evaluateRequest(req(action, "*"), cp())).toEqual({ decision: "Allowed", grantedBy: ["controlplane"] });
  });

  test.each(["ec2:DescribeSnapshots", "ec2:DescribeImages", "iam:ListRoles"])("%s, not among its reads, is not", (action) => {
    expect(decide(req(action, "*"), cp())).toBe("ImplicitlyDenied");
  });
});

describe("re-tagging its own security groups, never the cluster tag", () => {
  test.each(["ec2:CreateTags", "ec2:DeleteTags"])("%s on an owned group with other tags is allowed", (action) => {
    expect(evaluateRequest(req(action, sg, { ...OWNED, "aws:RequestTag/Name": "x" }), cp())).toEqual({
      decision: "Allowed",
      grantedBy: ["controlplane"],
    });
  });

  test.each([
    ["a group of no cluster", { "aws:RequestTag/Name": "x" }],
    ["another cluster's group", { "aws:ResourceTag/kubernetes.io/cluster/other": "owned", "aws:RequestTag/Name": "x" }],
    ["its group, touching the cluster tag", { ...OWNED, "aws:RequestTag/kubernetes.io/cluster/kc": "shared" }],
    ["its group, re-asserting the cluster tag", { ...OWNED, "aws:RequestTag/kubernetes.io/cluster/kc": "owned" }],
  ])("ec2:DeleteTags on %s is refused", (_what, context) => {
    expect(decide(req("ec2:DeleteTags", sg, context), cp())).toBe("ImplicitlyDenied");
  });

  test("only security groups: an owned instance's tags are out of reach", () => {
    const instance = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`;
    expect(decide(req("ec2:CreateTags", instance, { ...OWNED, "aws:RequestTag/Name": "x" }), cp())).toBe("ImplicitlyDenied");
  });
});

describe("each node role marks only its own cluster's and role's groups unhealthy", () => {
  const asg = (name: string) => `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:0a1b:autoScalingGroupName/${name}`;
  const tagged = (cluster: string, role: string) => ({
    "aws:ResourceTag/kubestead.io/cluster": cluster,
    "aws:ResourceTag/kubestead.io/role": role,
  });
  test.each([
    ["controlplane", "worker"],
    ["worker", "controlplane"],
  ])("the %s role", (role, otherRole) => {
    const policies = roleOf(role);
    const health = (name: string, ctx: Record<string, string>) => decide(req("autoscaling:SetInstanceHealth", asg(name), ctx), policies);
    expect(health(`kc-${role}`, tagged("kc", role))).toBe("Allowed");
    expect(health(`kc-${otherRole}`, tagged("kc", otherRole))).toBe("ImplicitlyDenied");
    expect(health(`kc-etcd`, tagged("kc", "etcd"))).toBe("ImplicitlyDenied");
    expect(health(`kc-${role}`, tagged("other", role))).toBe("ImplicitlyDenied");
    expect(health(`other-${role}`, tagged("kc", role))).toBe("ImplicitlyDenied");
  });
});

describe("Session Manager's statement", () => {
  test("with it, the agent registers its instance; without it, not", () => {
    const instance = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/i-1`;
    const baseline = (sessionManager: boolean): NamedPolicy[] => [
      { name: "baseline", document: nodeBaselinePolicy("aws", "worker", { sessionManager }) },
    ];
    expect(decide(req("ssm:UpdateInstanceInformation", instance), baseline(true))).toBe("Allowed");
    expect(decide(req("ssm:UpdateInstanceInformation", instance), baseline(false))).toBe("ImplicitlyDenied");
  });
});

describe("every document is one IAM accepts", () => {
  const documents: [string, () => PolicyDocument][] = [
    ["controlplane", () => controlPlanePolicy(SCOPE)],
    ["worker", () => workerPolicy(SCOPE)],
    ...["etcd", "controlplane", "worker"].flatMap((role): [string, () => PolicyDocument][] => [
      [`baseline ${role}`, () => nodeBaselinePolicy("aws", role)],
      [`baseline ${role} with Session Manager`, () => nodeBaselinePolicy("aws", role, { sessionManager: true })],
    ]),
  ];

  test.each(documents)("%s: no validation error, and every Sid is alphanumeric", (_name, build) => {
    const document = build();
    expect(identityPolicyErrors(document)).toEqual([]);
    expect(document.Statement.map((s) => s.Sid).filter((sid) => !/^[A-Za-z0-9]+$/.test(sid))).toEqual([]);
  });

  test("the baseline's statements, with and without Session Manager, for etcd and every other role", () => {
    const sids = (role: string, sessionManager: boolean) => nodeBaselinePolicy("aws", role, { sessionManager }).Statement.map((s) => s.Sid);
    const always = ["NeverDeleteObjectsOrBucketSettings", "NeverDeleteEtcdState", "NeverOverwriteEtcdFoundedMarker"];
    const notEtcd = ["NeverWriteEtcdParameters", "NeverPublishEtcdBackupMetrics", "NeverTouchEtcdData"];
    expect(sids("etcd", false)).toEqual(always);
    expect(sids("worker", false)).toEqual([...always, ...notEtcd]);
    expect(sids("controlplane", true)).toEqual(["SessionManager", ...always, ...notEtcd]);
  });
});
