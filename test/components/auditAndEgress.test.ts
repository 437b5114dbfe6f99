/**
 * Backups that can't be destroyed, VPC flow logs and limited egress, on the planned prod graph
 * under the offline mock runtime (one program per test file: the SDK keeps its state per module
 * registry). auditAndEgressDev.test.ts and flowLogsAdopted.test.ts plan the others.
 */
import { decodeUserData } from "../../bootstrap/cloudInit";
import { Plan, PlanResource } from "../../lib/plan/types";
import { ANYWHERE, egressRules, RESTRICTED_EGRESS_ROLES } from "../../lib/securityRules";
import { ACCOUNT_ID } from "../../tools/offline/aws";
import { byUrn, ofType, planStack, tagsOf, withRole } from "../helpers/plannedStack";

const T = {
  bucket: "aws:s3/bucket:Bucket",
  lock: "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  logging: "aws:s3/bucketLogging:BucketLogging",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  sse: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  policy: "aws:s3/bucketPolicy:BucketPolicy",
  pab: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  flowLog: "aws:ec2/flowLog:FlowLog",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  key: "aws:kms/key:Key",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  launchTemplate: "aws:ec2/launchTemplate:LaunchTemplate",
};

let prod: Plan;
beforeAll(async () => {
  prod = await planStack("prod");
}, 120_000);

const backupBucket = (plan: Plan) => withRole(plan, T.bucket, "backup")[0];
const ofBucket = (plan: Plan, type: string, bucket: PlanResource) => ofType(plan, type).filter((r) => r.inputs.bucket === bucket.id);
const doc = (r: PlanResource, field = "policy") => JSON.parse(String(r.inputs[field])) as { Statement: Record<string, any>[] };

describe("backups that can't be destroyed", () => {
  test("prod: Object Lock at creation, a governance default retention for the whole retention, after versioning", () => {
    const bucket = backupBucket(prod);
    expect(bucket.inputs.objectLockEnabled).toBe(true);
    // An existing bucket is not replaced to turn the lock on (README, "Migrating an existing stack").
    expect(bucket.options.ignoreChanges).toContain("objectLockEnabled");
    expect(bucket.options.protect).toBe(true);
    const [lock] = ofBucket(prod, T.lock, bucket);
    expect(lock.inputs).toMatchObject({ objectLockEnabled: "Enabled", rule: { defaultRetention: { mode: "GOVERNANCE", days: 30 } } });
    const [versioning] = ofBucket(prod, T.versioning, bucket);
    expect(lock.dependencies).toContain(versioning.urn);
  });

  test("the lifecycle never expires a snapshot version before its lock ends", () => {
    const bucket = backupBucket(prod);
    const lockDays = (ofBucket(prod, T.lock, bucket)[0].inputs.rule as any).defaultRetention.days as number;
    const rules = ofBucket(prod, T.lifecycle, bucket).flatMap((lc) => lc.inputs.rules as any[]);
    const expiries = rules
      .flatMap((r) => [r.expiration?.days, r.noncurrentVersionExpiration?.noncurrentDays])
      .filter((d) => d !== undefined);
    expect(expiries.length).toBeGreaterThan(0);
    for (const d of expiries) expect(d).toBeGreaterThanOrEqual(lockDays);
  });

  test("every request is logged to a separate, private, SSE-S3, TLS-only log bucket that S3 can deliver to", () => {
    const bucket = backupBucket(prod);
    const [logging] = ofBucket(prod, T.logging, bucket);
    const target = ofType(prod, T.bucket).find((b) => b.outputs.bucket === logging.inputs.targetBucket)!;
    expect(target).toBeDefined();
    expect(target.urn).not.toBe(bucket.urn);
    expect(tagsOf(target)).toMatchObject({ "kubestead.io/role": "logs", "kubestead.io/logs-of": "backup" });
    expect(target.options.protect).toBe(true);
    // No Object Lock on the log bucket: S3 does not deliver access logs to a bucket with a default retention.
    expect(target.inputs.objectLockEnabled).toBeUndefined();
    expect(ofBucket(prod, T.lock, target)).toEqual([]);
    expect((ofBucket(prod, T.sse, target)[0].inputs.rules as any)[0].applyServerSideEncryptionByDefault).toEqual({
      sseAlgorithm: "AES256",
    });
    expect(ofBucket(prod, T.pab, target)[0].inputs).toMatchObject({ blockPublicAcls: true, restrictPublicBuckets: true });
    expect((ofBucket(prod, T.lifecycle, target)[0].inputs.rules as any)[0].expiration).toEqual({ days: 365 });
    const statements = doc(ofBucket(prod, T.policy, target)[0]).Statement;
    expect(statements.find((s) => s.Sid === "S3ServerAccessLogsPolicy")).toMatchObject({
      Principal: { Service: "logging.s3.amazonaws.com" },
      Resource: `${target.outputs.arn}/${logging.inputs.targetPrefix}*`,
      Condition: { ArnLike: { "aws:SourceArn": bucket.outputs.arn }, StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
    });
    expect(statements.find((s) => s.Sid === "DenyInsecureTransport")).toBeDefined();
  });
});

describe("VPC flow logs", () => {
  test("prod: the VPC's flow log goes to a log group under a key of its own, kept 90 days", () => {
    const [vpc] = ofType(prod, "aws:ec2/vpc:Vpc");
    const [flow] = ofType(prod, T.flowLog);
    expect(flow.inputs).toMatchObject({ vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs" });
    const group = ofType(prod, T.logGroup).find((g) => g.outputs.arn === flow.inputs.logDestination)!;
    expect(group.inputs.retentionInDays).toBe(90);
    expect(group.options.protect).toBe(true);
    const key = ofType(prod, T.key).find((k) => k.outputs.arn === group.inputs.kmsKeyId)!;
    expect(tagsOf(key)["kubestead.io/role"]).toBe("network");
    expect(withRole(prod, T.key, "pki")[0].urn).not.toBe(key.urn);
    // The key admits CloudWatch Logs for exactly this group's name.
    const logs = doc(key).Statement.find((s) => s.Sid === "CloudWatchLogsForFlowLogGroups")!;
    const pattern = logs.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"] as string;
    expect(String(group.outputs.arn).startsWith(pattern.replace(/\*$/, ""))).toBe(true);
  });

  test("prod: delivered through a role only this account's flow logs assume, writing only to that group", () => {
    const [flow] = ofType(prod, T.flowLog);
    const role = ofType(prod, T.role).find((r) => r.outputs.arn === flow.inputs.iamRoleArn)!;
    const trust = doc(role, "assumeRolePolicy").Statement[0];
    expect(trust).toMatchObject({
      Principal: { Service: "vpc-flow-logs.amazonaws.com" },
      Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
    });
    const policy = ofType(prod, T.rolePolicy).find((p) => p.inputs.role === role.outputs.name)!;
    const group = String(flow.inputs.logDestination);
    expect(doc(policy).Statement[0].Resource).toEqual([group, `${group}:*`]);
    // The flow log is created after the role may write.
    expect(flow.dependencies).toContain(policy.urn);
  });
});

describe("egress", () => {
  const groupRoles = (plan: Plan) => new Map(ofType(plan, T.sg).map((g) => [g.id, tagsOf(g)["kubestead.io/role"]]));

  test("the planned egress rules are the table in lib/securityRules.ts, peers resolved", () => {
    const roles = groupRoles(prod);
    const [vpc] = ofType(prod, "aws:ec2/vpc:Vpc");
    // A prefix list stands for the CIDRs it holds.
    const lists = new Map(
      ofType(prod, "aws:ec2/managedPrefixList:ManagedPrefixList").map((l) => [
        l.id,
        (l.inputs.entries as { cidr: string }[]).map((e) => e.cidr).join(","),
      ]),
    );
    const seen = ofType(prod, T.egress)
      .map((r) => {
        const to = r.inputs.referencedSecurityGroupId
          ? `sg:${roles.get(String(r.inputs.referencedSecurityGroupId))}`
          : r.inputs.prefixListId
            ? `pl:${lists.get(String(r.inputs.prefixListId))}`
            : String(r.inputs.cidrIpv4);
        return `${roles.get(String(r.inputs.securityGroupId))} ${r.inputs.ipProtocol} ${r.inputs.fromPort ?? "*"} ${to}`;
      })
      .sort();
    const expected = egressRules()
      .map((e) => {
        const to = "group" in e.to ? `sg:${e.to.group}` : e.to.cidr === "vpc" ? `pl:${String(vpc.inputs.cidrBlock)}` : e.to.cidr;
        return `${e.group} ${e.protocol} ${e.protocol === "-1" ? "*" : e.fromPort} ${to}`;
      })
      .sort();
    expect(seen).toEqual(expected);
  });

  test("etcd, control plane and API load balancer: no all-traffic egress, only TCP 443 to the internet", () => {
    const roles = groupRoles(prod);
    for (const r of ofType(prod, T.egress)) {
      const role = roles.get(String(r.inputs.securityGroupId))!;
      if (!RESTRICTED_EGRESS_ROLES.includes(role as never)) continue;
      expect({ name: r.name, protocol: r.inputs.ipProtocol }).not.toEqual({ name: r.name, protocol: "-1" });
      if (r.inputs.cidrIpv4 === ANYWHERE)
        expect([r.name, r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort]).toEqual([r.name, "tcp", 443, 443]);
    }
  });

  test("nothing etcd or control-plane nodes dial at boot is blocked: HTTPS out, etcd ports to etcd, link-local unfiltered", () => {
    const ips = new Map(ofType(prod, "aws:ec2/networkInterface:NetworkInterface").map((e) => [String(e.outputs.privateIp), "etcd"]));
    const allowed = (role: string, scheme: string, host: string, port: number) => {
      if (host === "127.0.0.1" || host === "localhost") return true; // loopback: no security group
      if (host.startsWith("169.254.")) return true; // IMDS, Time Sync, Amazon DNS: not filtered
      const rules = egressRules().filter((e) => e.group === role);
      const peer = ips.get(host);
      return rules.some(
        (e) =>
          e.protocol === "tcp" &&
          e.fromPort <= port &&
          port <= e.toPort &&
          ("cidr" in e.to ? e.to.cidr === ANYWHERE && scheme === "https" : peer !== undefined && e.to.group === peer),
      );
    };
    for (const role of ["etcd", "controlplane"]) {
      const lts = withRole(prod, T.launchTemplate, role);
      expect(lts.length).toBeGreaterThan(0);
      for (const lt of lts) {
        const userData = decodeUserData(String(lt.inputs.userData));
        const dials = [...userData.matchAll(/\b(https?):\/\/([0-9A-Za-z.-]+)(?::(\d+))?/g)].map(([, scheme, host, port]) => ({
          scheme,
          host,
          port: port ? Number(port) : scheme === "https" ? 443 : 80,
        }));
        expect(dials.length).toBeGreaterThan(0);
        const blocked = dials.filter((d) => !allowed(role, d.scheme, d.host, d.port)).map((d) => `${d.scheme}://${d.host}:${d.port}`);
        expect({ template: lt.name, blocked }).toEqual({ template: lt.name, blocked: [] });
        // The AWS CLI calls (SSM, EC2, Auto Scaling, S3) go to HTTPS endpoints.
        expect(userData).toMatch(/aws (ssm|autoscaling) /);
      }
    }
  });
});

describe("the policy pack", () => {
  // Lazy: policy/runner loads @pulumi/policy, which the rest of this file does not need.
  const run = (plan: Plan) => require("../../policy/runner").runPolicies(plan, require("../../policy/prod.json"), { preview: false });
  const NEW = ["backup-bucket-object-lock", "backup-bucket-access-logs", "vpc-flow-logs", "egress-restricted"];

  test("prod passes the four new policies, all mandatory and all looked at the graph", () => {
    const r = run(prod);
    expect(r.violations.filter((v: { policy: string }) => NEW.includes(v.policy))).toEqual([]);
    for (const p of NEW) {
      expect(r.levels[p]).toBe("mandatory");
      expect(r.evaluated[p]).toBeGreaterThan(0);
    }
  });

  test("reverting the egress to all traffic fails egress-restricted in prod", () => {
    const broken: Plan = structuredClone(prod);
    const etcdSg = ofType(broken, T.sg).find((g) => tagsOf(g)["kubestead.io/role"] === "etcd")!;
    const rule = ofType(broken, T.egress).find((r) => r.inputs.securityGroupId === etcdSg.id)!;
    for (const side of [rule.inputs, rule.outputs]) Object.assign(side, { ipProtocol: "-1", fromPort: undefined, toPort: undefined });
    const r = run(broken);
    expect(r.violations.map((v: { policy: string; name: string }) => [v.policy, v.name])).toContainEqual(["egress-restricted", rule.name]);
    expect(byUrn(broken, rule.urn).inputs.ipProtocol).toBe("-1");
  });
});
