/** lib/iam.ts's node policies under evaluation: what the cloud-controller-manager and the S3 decrypts may touch. */
import { IamRequest, NamedPolicy, evaluateRequest } from "../../../lib/iamEval/evaluate";
import { addonStorePolicy, controlPlanePolicy, etcdPolicy, nodeBaselinePolicy } from "../../../lib/iam";

const ACCOUNT = "111122223333";
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`;
const SCOPE = { partition: "aws", region: "us-east-1", accountId: ACCOUNT, cluster: "kc", kmsKeyArn: KEY };
const KEY_POLICY: NamedPolicy = {
  name: "key policy",
  document: {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
  },
};
const ADDONS = "arn:aws:s3:::kc-addons-abc";
const BACKUPS = "arn:aws:s3:::kc-etcd-backups-abc";
const cp: NamedPolicy[] = [
  { name: "controlplane", document: controlPlanePolicy(SCOPE) },
  { name: "baseline", document: nodeBaselinePolicy("aws", "controlplane") },
  { name: "addon store", document: addonStorePolicy(SCOPE, ADDONS, ["addons/", "node/"]) },
];
const etcd: NamedPolicy[] = [
  { name: "etcd", document: etcdPolicy(SCOPE, BACKUPS) },
  { name: "baseline", document: nodeBaselinePolicy("aws", "etcd") },
];

const req = (action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest => ({
  principal: `arn:aws:iam::${ACCOUNT}:role/kc-controlplane`,
  action,
  resource,
  resourceAccount: ACCOUNT,
  context: { "aws:RequestedRegion": "us-east-1", ...context },
});
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
    expect(decide(req(action, resource, OWNED), cp)).toBe("Allowed");
    expect(decide(req(action, resource), cp)).toBe("ImplicitlyDenied");
    expect(decide(req(action, resource, { "aws:ResourceTag/kubernetes.io/cluster/other": "owned" }), cp)).toBe("ImplicitlyDenied");
  });

  test("it creates load balancers and security groups only tagged for this cluster", () => {
    const tagged = { "aws:RequestTag/kubernetes.io/cluster/kc": "owned" };
    expect(decide(req("elasticloadbalancing:CreateLoadBalancer", nlb, tagged), cp)).toBe("Allowed");
    expect(decide(req("elasticloadbalancing:CreateLoadBalancer", nlb), cp)).toBe("ImplicitlyDenied");
    expect(decide(req("ec2:CreateSecurityGroup", sg, tagged), cp)).toBe("Allowed");
    expect(decide(req("ec2:CreateSecurityGroup", `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc/vpc-1`), cp)).toBe("Allowed");
    expect(decide(req("ec2:CreateTags", sg, { ...tagged, "ec2:CreateAction": "CreateSecurityGroup" }), cp)).toBe("Allowed");
    // Tagging someone else's group as this cluster's would hand it over: refused.
    expect(decide(req("ec2:CreateTags", sg, tagged), cp)).toBe("ImplicitlyDenied");
    // ELB checks a create call's tags as AddTags on the not-yet-tagged resource: allowed only within the create.
    for (const action of ["CreateLoadBalancer", "CreateTargetGroup", "CreateListener"])
      expect(decide(req("elasticloadbalancing:AddTags", nlb, { ...tagged, "elasticloadbalancing:CreateAction": action }), cp)).toBe(
        "Allowed",
      );
    expect(decide(req("elasticloadbalancing:AddTags", nlb, tagged), cp)).toBe("ImplicitlyDenied");
    expect(decide(req("elasticloadbalancing:AddTags", nlb, { "elasticloadbalancing:CreateAction": "CreateLoadBalancer" }), cp)).toBe(
      "ImplicitlyDenied",
    );
  });

  test("no route actions (it runs with --configure-cloud-routes=false) and no volume actions", () => {
    const rtb = `arn:aws:ec2:us-east-1:${ACCOUNT}:route-table/rtb-1`;
    for (const action of ["ec2:CreateRoute", "ec2:DeleteRoute"]) expect(decide(req(action, rtb, OWNED), cp)).toBe("ImplicitlyDenied");
    const vol = `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/vol-1`;
    for (const action of ["ec2:ModifyVolume", "ec2:DetachVolume", "ec2:DeleteVolume"]) {
      expect(decide(req(action, vol, OWNED), cp)).toBe("ImplicitlyDenied");
    }
  });

  test("the API's own load balancer (a kubestead resource, not the controller's) is out of its reach", () => {
    expect(decide(req("elasticloadbalancing:DeleteLoadBalancer", nlb, { "aws:ResourceTag/kubestead.io/role": "api-lb" }), cp)).toBe(
      "ImplicitlyDenied",
    );
  });

  test("it may create only ELB's service-linked role", () => {
    const slr = `arn:aws:iam::${ACCOUNT}:role/aws-service-role/x`;
    expect(decide(req("iam:CreateServiceLinkedRole", slr, { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" }), cp)).toBe(
      "Allowed",
    );
    expect(decide(req("iam:CreateServiceLinkedRole", slr, { "iam:AWSServiceName": "autoscaling.amazonaws.com" }), cp)).toBe(
      "ImplicitlyDenied",
    );
  });
});

describe("S3 decrypts are held to their bucket by encryption context", () => {
  const viaS3 = (bucket: string, action = "kms:Decrypt") =>
    req(action, KEY, { "kms:ViaService": "s3.us-east-1.amazonaws.com", "kms:EncryptionContext:aws:s3:arn": bucket });

  test("the control plane decrypts the add-on store (bucket key: the bucket's ARN) and not the backups", () => {
    expect(decide(viaS3(ADDONS), cp, KEY_POLICY)).toBe("Allowed");
    expect(decide(viaS3(`${ADDONS}/addons/cilium.yaml`), cp, KEY_POLICY)).toBe("Allowed");
    expect(decide(viaS3(`${ADDONS}/elsewhere/x`), cp, KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(viaS3(BACKUPS), cp, KEY_POLICY)).toBe("ImplicitlyDenied");
  });

  test("etcd encrypts and decrypts backups under its prefix and nothing of the add-on store", () => {
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey"]) {
      expect(decide(viaS3(BACKUPS, action), etcd, KEY_POLICY)).toBe("Allowed");
      expect(decide(viaS3(`${BACKUPS}/kc/snap.db`, action), etcd, KEY_POLICY)).toBe("Allowed");
      expect(decide(viaS3(ADDONS, action), etcd, KEY_POLICY)).toBe("ImplicitlyDenied");
    }
  });
});
