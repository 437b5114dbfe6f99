/**
 * Limits a real `pulumi up` enforces that the mock runtime does not: physical name lengths with the
 * longest allowed cluster name, the KMS key policy auto scaling needs, IMDS tag restrictions and
 * the KMS permissions behind the etcd members' AWS calls.
 */
import { Plan, PlanResource } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";
import { stackConfig } from "../../tools/offline/stackFile";
import { backupBucketPrefix } from "../../components/backupBucket";
import { ofType, ROOT, tagsOf, withRole } from "../helpers/plannedStack";

// The longest name lib/config/parse.ts accepts (a DNS label of at most 32 characters).
const LONG = `kubestead-${"x".repeat(22)}`;

let plan: Plan;
beforeAll(async () => {
  const file = stackConfig(ROOT, "prod");
  const stackFile = { ...file, config: { ...file.config, "kubestead:clusterName": LONG } };
  plan = (await runProgram({ stack: "long-name", root: ROOT, stackFile })).plan;
}, 120_000);

/** Name limits AWS (and the provider's validation) put on the resources we let Pulumi autoname. */
const NAME_LIMITS: Record<string, number> = {
  "aws:lb/loadBalancer:LoadBalancer": 32,
  "aws:lb/targetGroup:TargetGroup": 32,
  "aws:iam/role:Role": 64,
  "aws:iam/instanceProfile:InstanceProfile": 128,
  "aws:iam/rolePolicy:RolePolicy": 128,
  "aws:ec2/launchTemplate:LaunchTemplate": 128,
  "aws:ec2/securityGroup:SecurityGroup": 255,
  "aws:autoscaling/group:Group": 255,
};

/** The physical name a real deployment would use: given name, or Pulumi's autoname (logical + "-" + 7). */
function physicalNameLength(r: PlanResource): number | undefined {
  if (typeof r.inputs.name === "string") return r.inputs.name.length;
  if (typeof r.inputs.namePrefix === "string") return undefined; // the provider generates within the limit
  return r.name.length + 8;
}

test.each(Object.entries(NAME_LIMITS))("%s physical names fit in %i characters with a 32-character cluster name", (type, max) => {
  const resources = ofType(plan, type);
  expect(resources.length).toBeGreaterThan(0);
  for (const r of resources) {
    const n = physicalNameLength(r);
    if (n !== undefined) expect({ name: r.name, length: n }).toEqual({ name: r.name, length: Math.min(n, max) });
  }
});

test("load balancer name prefixes stay within the provider's 6 characters", () => {
  for (const r of [...ofType(plan, "aws:lb/loadBalancer:LoadBalancer"), ...ofType(plan, "aws:lb/targetGroup:TargetGroup")]) {
    expect(String(r.inputs.namePrefix).length).toBeLessThanOrEqual(6);
  }
});

test("the backup bucket prefix fits S3's 37 characters, descriptive when it can be", () => {
  const [bucket] = ofType(plan, "aws:s3/bucket:Bucket");
  expect(String(bucket.inputs.bucketPrefix).length).toBeLessThanOrEqual(37);
  expect(backupBucketPrefix("kubestead-prod")).toBe("kubestead-prod-etcd-backups-");
  expect(backupBucketPrefix(LONG)).toBe(`${LONG}-`);
});

test("no launch template exposes tags in IMDS (launches fail when tag keys contain '/')", () => {
  const lts = ofType(plan, "aws:ec2/launchTemplate:LaunchTemplate");
  expect(lts.some((lt) => Object.keys(tagsOf(lt)).some((k) => k.includes("/")))).toBe(true);
  for (const lt of lts) expect((lt.inputs.metadataOptions as Record<string, unknown>).instanceMetadataTags).toBe("disabled");
});

describe("auto scaling and the cluster key", () => {
  test("every group launches with the cluster's service-linked role", () => {
    const [role] = ofType(plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole");
    expect(role.inputs).toMatchObject({ awsServiceName: "autoscaling.amazonaws.com", customSuffix: LONG });
    expect(String(role.outputs.name).length).toBeLessThanOrEqual(64);
    const asgs = ofType(plan, "aws:autoscaling/group:Group");
    expect(asgs.length).toBeGreaterThanOrEqual(5);
    for (const asg of asgs) expect(asg.inputs.serviceLinkedRoleArn).toBe(role.outputs.arn);
  });
  test("the key policy keeps the account's IAM delegation and admits that role as AWS documents", () => {
    const [role] = ofType(plan, "aws:iam/serviceLinkedRole:ServiceLinkedRole");
    const [key] = withRole(plan, "aws:kms/key:Key", "pki"); // the cluster key (flow logs have their own)
    const policy = JSON.parse(String(key.inputs.policy));
    const sid = (s: string) => policy.Statement.find((x: { Sid: string }) => x.Sid === s);
    expect(sid("EnableIamPolicies").Principal.AWS).toMatch(/^arn:aws:iam::\d{12}:root$/);
    expect(sid("AutoScalingUseOfTheKey")).toMatchObject({
      Principal: { AWS: role.outputs.arn },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
    });
    expect(sid("AutoScalingAttachmentOfPersistentResources")).toMatchObject({
      Principal: { AWS: role.outputs.arn },
      Action: ["kms:CreateGrant"],
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    });
  });
});

describe("node role policies", () => {
  const policyOf = (role: string) => {
    const [r] = withRole(plan, "aws:iam/role:Role", role);
    const p = ofType(plan, "aws:iam/rolePolicy:RolePolicy").find(
      (x) => x.inputs.role === r.outputs.name && x.name.endsWith("node-policy"),
    )!;
    return JSON.parse(String(p.inputs.policy)) as { Statement: { Sid: string; Action: string[]; Condition?: unknown }[] };
  };
  test("etcd members may create the KMS grant EC2 needs to attach their encrypted data volume", () => {
    const s = policyOf("etcd").Statement.find((x) => x.Sid === "AttachEncryptedVolumes")!;
    expect(s.Action).toContain("kms:CreateGrant");
    expect(s.Condition).toMatchObject({ Bool: { "kms:GrantIsForAWSResource": "true" } });
  });
  test("etcd members can complete multipart SSE-KMS uploads (kms:Decrypt through S3)", () => {
    const s = policyOf("etcd").Statement.find((x) => x.Sid === "EncryptBackups")!;
    expect(s.Action.sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
  });
  test("workers read their own secrets and call nothing else", () => {
    expect(policyOf("worker").Statement.map((s) => s.Sid)).toEqual(["ReadOwnSecrets", "DecryptWithClusterKey", "ReportOwnHealth"]);
  });
});
