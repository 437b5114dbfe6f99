/** lib/iam.ts's node policies under evaluation: what the cloud-controller-manager and the S3 decrypts may touch. */
import { IamRequest, NamedPolicy, evaluateRequest } from "../../../lib/iamEval/evaluate";
import {
  addonStorePolicy,
  controlPlanePolicy,
  encryptionAtRestKeyPolicy,
  encryptionAtRestPolicy,
  etcdPolicy,
  nodeBaselinePolicy,
  workerPolicy,
} from "../../../lib/iam";
import { encryptionAtRestContext } from "../../../lib/iamNames";
import { ACCOUNT, KEY, SCOPE, accountKeyPolicy, iamRequest } from "./scope";

const KEY_POLICY = accountKeyPolicy();
const ADDONS = "arn:aws:s3:::kc-addons-abc";
const BACKUPS = "arn:aws:s3:::kc-etcd-backups-abc";
const cp = (): NamedPolicy[] => [
  { name: "controlplane", document: controlPlanePolicy(SCOPE) },
  { name: "baseline", document: nodeBaselinePolicy("aws", "controlplane") },
  { name: "addon store", document: addonStorePolicy(SCOPE, ADDONS, ["addons/", "node/"]) },
];
const etcd = (): NamedPolicy[] => [
  { name: "etcd", document: etcdPolicy(SCOPE, BACKUPS) },
  { name: "baseline", document: nodeBaselinePolicy("aws", "etcd") },
];

const req = (action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest =>
  iamRequest(`arn:aws:iam::${ACCOUNT}:role/kc-controlplane`, action, resource, context);
const decide = (r: IamRequest, policies: NamedPolicy[], resourcePolicy?: NamedPolicy) =>
  evaluateRequest(r, policies, resourcePolicy).decision;
const OWNED = { "aws:ResourceTag/kubernetes.io/cluster/kc": "owned" };
const sg = `arn:aws:ec2:us-east-1:${ACCOUNT}:security-group/sg-1`;
const nlb = `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/net/a1b2/0123`;

describe("the cloud-controller-manager's statements on the control-plane role", () => {
  test.each([
    ["ec2:AuthorizeSecurityGroupIngress", sg],
    ["ec2:DeleteSecurityGroup", sg],
    ["elasticloadbalancing:DeleteLoadBalancer", nlb],
    ["elasticloadbalancing:RegisterTargets", `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/k8s-x/0123`],
  ])("%s only on what carries this cluster's owned tag", (action, resource) => {
    expect(decide(req(action, resource, OWNED), cp())).toBe("Allowed");
    expect(decide(req(action, resource), cp())).toBe("ImplicitlyDenied");
    expect(decide(req(action, resource, { "aws:ResourceTag/kubernetes.io/cluster/other": "owned" }), cp())).toBe("ImplicitlyDenied");
  });

  test("it creates load balancers and security groups only tagged for this cluster", () => {
    const tagged = { "aws:RequestTag/kubernetes.io/cluster/kc": "owned" };
    expect(decide(req("elasticloadbalancing:CreateLoadBalancer", nlb, tagged), cp())).toBe("Allowed");
    expect(decide(req("elasticloadbalancing:CreateLoadBalancer", nlb), cp())).toBe("ImplicitlyDenied");
    expect(decide(req("ec2:CreateSecurityGroup", sg, tagged), cp())).toBe("Allowed");
    expect(decide(req("ec2:CreateSecurityGroup", `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-1`), cp())).toBe("Allowed");
    expect(decide(req("ec2:CreateTags", sg, { ...tagged, "ec2:CreateAction": "CreateSecurityGroup" }), cp())).toBe("Allowed");
    // Tagging someone else's group as this cluster's would hand it over: refused.
    expect(decide(req("ec2:CreateTags", sg, tagged), cp())).toBe("ImplicitlyDenied");
    // ELB checks a create call's tags as AddTags on the not-yet-tagged resource: allowed only within the create.
    for (const action of ["CreateLoadBalancer", "CreateTargetGroup", "CreateListener"])
      expect(decide(req("elasticloadbalancing:AddTags", nlb, { ...tagged, "elasticloadbalancing:CreateAction": action }), cp())).toBe(
        "Allowed",
      );
    expect(decide(req("elasticloadbalancing:AddTags", nlb, tagged), cp())).toBe("ImplicitlyDenied");
    expect(decide(req("elasticloadbalancing:AddTags", nlb, { "elasticloadbalancing:CreateAction": "CreateLoadBalancer" }), cp())).toBe(
      "ImplicitlyDenied",
    );
  });

  test("no route actions (it runs with --configure-cloud-routes=false) and no volume actions", () => {
    const rtb = `arn:aws:ec2:us-east-1:${ACCOUNT}:route-table/rtb-1`;
    for (const action of ["ec2:CreateRoute", "ec2:DeleteRoute"]) expect(decide(req(action, rtb, OWNED), cp())).toBe("ImplicitlyDenied");
    const vol = `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-1`;
    for (const action of ["ec2:ModifyVolume", "ec2:DetachVolume", "ec2:DeleteVolume"]) {
      expect(decide(req(action, vol, OWNED), cp())).toBe("ImplicitlyDenied");
    }
  });

  test("the API's own load balancer (a kubestead resource, not the controller's) is out of its reach", () => {
    expect(decide(req("elasticloadbalancing:DeleteLoadBalancer", nlb, { "aws:ResourceTag/kubestead.io/role": "api-lb" }), cp())).toBe(
      "ImplicitlyDenied",
    );
  });

  test("it may create only ELB's service-linked role", () => {
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/x`;
    expect(decide(req("iam:CreateServiceLinkedRole", slr, { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" }), cp())).toBe(
      "Allowed",
    );
    expect(decide(req("iam:CreateServiceLinkedRole", slr, { "iam:AWSServiceName": "autoscaling.amazonaws.com" }), cp())).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("S3 decrypts are held to their bucket by encryption context", () => {
  const viaS3 = (bucket: string, action = "kms:Decrypt") =>
    req(action, KEY, { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucket });

  test("the control plane decrypts the add-on store (bucket key: the bucket's ARN) and not the backups", () => {
    expect(decide(viaS3(ADDONS), cp(), KEY_POLICY)).toBe("Allowed");
    expect(decide(viaS3(`${ADDONS}/addons/cilium.yaml`), cp(), KEY_POLICY)).toBe("Allowed");
    expect(decide(viaS3(`${ADDONS}/elsewhere/x`), cp(), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(viaS3(BACKUPS), cp(), KEY_POLICY)).toBe("ImplicitlyDenied");
  });

  test("etcd encrypts and decrypts backups under its prefix and nothing of the add-on store", () => {
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
      expect(decide(viaS3(BACKUPS, action), etcd(), KEY_POLICY)).toBe("Allowed");
      expect(decide(viaS3(`${BACKUPS}/kc/snap.db`, action), etcd(), KEY_POLICY)).toBe("Allowed");
      expect(decide(viaS3(ADDONS, action), etcd(), KEY_POLICY)).toBe("ImplicitlyDenied");
    }
  });
});

describe("the encryption-at-rest key: the control plane's KMS plugin, with its encryption context, and nobody else", () => {
  const AT_REST = `arn:aws:kms:us-east-1:${ACCOUNT}:key/at-rest`;
  const CP_ROLE = `arn:aws:iam::${ACCOUNT}:role/kc-controlplane`;
  const keyPolicyAtRest = (): NamedPolicy => ({ name: "key policy", document: encryptionAtRestKeyPolicy("aws", ACCOUNT, CP_ROLE, "kc") });
  const cpWithGrant = (): NamedPolicy[] => [...cp(), { name: "encryption at rest", document: encryptionAtRestPolicy(AT_REST, "kc") }];
  const worker = (): NamedPolicy[] => [
    { name: "worker", document: workerPolicy(SCOPE) },
    { name: "baseline", document: nodeBaselinePolicy("aws", "worker") },
  ];
  const context = (cluster: string) => {
    const ctx = encryptionAtRestContext(cluster);
    return {
      ...Object.fromEntries(Object.entries(ctx).map(([k, v]) => [`kms:EncryptionContext:${k}`, v])),
      "kms:EncryptionContextKeys": Object.keys(ctx),
    };
  };
  const as = (principal: string, action: string, ctx: Record<string, string | string[]>): IamRequest => ({
    ...req(action, AT_REST, ctx),
    principal,
  });

  test.each(["kms:Encrypt", "kms:Decrypt"])("the control-plane role may %s with the plugin's context, not without it", (action) => {
    expect(decide(as(CP_ROLE, action, context("kc")), cpWithGrant(), keyPolicyAtRest())).toBe("Allowed");
    expect(decide(as(CP_ROLE, action, {}), cpWithGrant(), keyPolicyAtRest())).toBe("ImplicitlyDenied");
    expect(decide(as(CP_ROLE, action, context("other")), cpWithGrant(), keyPolicyAtRest())).toBe("ImplicitlyDenied");
    // The key policy names the role: it decides even before the role's own grant exists.
    expect(decide(as(CP_ROLE, action, context("kc")), cp(), keyPolicyAtRest())).toBe("Allowed");
  });

  test("no GenerateDataKey: KMS v2 generates data keys in the apiserver and only wraps their seed", () => {
    expect(decide(as(CP_ROLE, "kms:GenerateDataKey", context("kc")), cpWithGrant(), keyPolicyAtRest())).toBe("ImplicitlyDenied");
  });

  test.each<[string, string, () => NamedPolicy[]]>([
    ["worker", `arn:aws:iam::${ACCOUNT}:role/kc-worker`, worker],
    ["etcd", `arn:aws:iam::${ACCOUNT}:role/kc-etcd`, etcd],
  ])("the %s role can do nothing with it, even granted kms:* on it in its own policy", (_n, principal, policies) => {
    const greedy: NamedPolicy = {
      name: "greedy",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: AT_REST }] },
    };
    for (const action of ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]) {
      expect(decide(as(principal, action, context("kc")), policies(), keyPolicyAtRest())).toBe("ImplicitlyDenied");
      // The key policy does not hand use of the key to the account's IAM policies.
      expect(decide(as(principal, action, context("kc")), [...policies(), greedy], keyPolicyAtRest())).toBe("ImplicitlyDenied");
    }
  });

  test("control: under a key policy that trusts the account's IAM policies, that greedy grant would decrypt every Secret", () => {
    const greedy: NamedPolicy = {
      name: "greedy",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: AT_REST }] },
    };
    expect(decide(as(`arn:aws:iam::${ACCOUNT}:role/kc-worker`, "kms:Decrypt", context("kc")), [...worker(), greedy], KEY_POLICY)).toBe(
      "Allowed",
    );
  });

  test("the account still administers the key (Pulumi manages it) but cannot hand out grants on it", () => {
    const admin = `arn:aws:iam::${ACCOUNT}:role/deployer`;
    const all: NamedPolicy = {
      name: "admin",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "kms:*", Resource: "*" }] },
    };
    for (const action of ["kms:DescribeKey", "kms:PutKeyPolicy", "kms:EnableKeyRotation", "kms:ScheduleKeyDeletion", "kms:TagResource"])
      expect(decide(as(admin, action, {}), [all], keyPolicyAtRest())).toBe("Allowed");
    for (const action of ["kms:Decrypt", "kms:Encrypt", "kms:CreateGrant", "kms:ReEncryptFrom"])
      expect(decide(as(admin, action, context("kc")), [all], keyPolicyAtRest())).toBe("ImplicitlyDenied");
  });
});

describe("etcd's founded marker, cluster token and backup metrics", () => {
  const state = (cluster: string, name: string) =>
    `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/kubestead/${cluster}/etcd/state/0a1b2c3d4e5f/${name}`;
  const worker = (): NamedPolicy[] => [
    { name: "worker", document: workerPolicy(SCOPE) },
    { name: "baseline", document: nodeBaselinePolicy("aws", "worker") },
    // What a careless grant would add (e.g. a managed policy with ssm:* and CloudWatch agent rights).
    {
      name: "broad",
      document: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["ssm:*", "cloudwatch:*"], Resource: "*" }] },
    },
  ];

  test("etcd creates its marker, never overwrites or deletes it; it rewrites its token; nothing of another cluster", () => {
    expect(decide(req("ssm:PutParameter", state("kc", "founded")), etcd())).toBe("Allowed");
    expect(decide(req("ssm:PutParameter", state("kc", "founded"), { "ssm:Overwrite": "false" }), etcd())).toBe("Allowed");
    expect(decide(req("ssm:PutParameter", state("kc", "founded"), { "ssm:Overwrite": "true" }), etcd())).toBe("ExplicitlyDenied");
    expect(decide(req("ssm:PutParameter", state("kc", "cluster-token"), { "ssm:Overwrite": "true" }), etcd())).toBe("Allowed");
    for (const action of ["ssm:DeleteParameter", "ssm:DeleteParameters"]) {
      expect(decide(req(action, state("kc", "founded")), etcd())).toBe("ExplicitlyDenied");
      expect(decide(req(action, state("kc", "cluster-token")), etcd())).toBe("ExplicitlyDenied");
    }
    expect(decide(req("ssm:PutParameter", state("other", "founded")), etcd())).toBe("ImplicitlyDenied");
    expect(
      decide(req("ssm:PutParameter", `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/kubestead/kc/etcd/files/etcd-restore.sh`), etcd()),
    ).toBe("ImplicitlyDenied");
    expect(decide(req("ssm:PutParameter", `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/kubestead/kc/etcd/etcd-0/server.key`), etcd())).toBe(
      "ImplicitlyDenied",
    );
  });

  test("etcd publishes only to Kubestead/etcd", () => {
    expect(decide(req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "Kubestead/etcd" }), etcd())).toBe("Allowed");
    expect(decide(req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "AWS/EC2" }), etcd())).toBe("ImplicitlyDenied");
    expect(decide(req("cloudwatch:PutMetricData", "*"), etcd())).toBe("ImplicitlyDenied");
  });

  test("another role's broad grant is held by its baseline: no write under etcd's path, no etcd metrics", () => {
    expect(decide(req("ssm:PutParameter", state("kc", "founded")), worker())).toBe("ExplicitlyDenied");
    expect(
      decide(req("ssm:PutParameter", `arn:aws:ssm:us-east-1:${ACCOUNT}:parameter/kubestead/kc/etcd/files/etcd-lifecycle.sh`), worker()),
    ).toBe("ExplicitlyDenied");
    expect(decide(req("ssm:DeleteParameter", state("kc", "cluster-token")), worker())).toBe("ExplicitlyDenied");
    expect(decide(req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "Kubestead/etcd" }), worker())).toBe("ExplicitlyDenied");
    // Control: the same grant elsewhere is the grant's business, not the baseline's.
    expect(decide(req("cloudwatch:PutMetricData", "*", { "cloudwatch:namespace": "CWAgent" }), worker())).toBe("Allowed");
  });
});
