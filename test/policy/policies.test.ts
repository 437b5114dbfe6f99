import type { Plan } from "../../lib/plan/types";
import { makePolicies, ofType, policies, policyConfigSchema } from "../../policy/policies";
import { PolicyPackConfigFile, PolicyReport, runPolicies } from "../../policy/runner";
import { T } from "../../policy/rules/graph";
import devConfig from "../../policy/dev.json";
import prodConfig from "../../policy/prod.json";
import { NOW, addResource, daysFromNow, find, happyPlan, setProp } from "../helpers/policyFixtures";
import { runOnly } from "../helpers/runOnly";
import { POLICY_CASES as cases } from "./policyCases";

const prod = prodConfig as PolicyPackConfigFile;
const dev = devConfig as PolicyPackConfigFile;
const run = (plan: Plan, config: PolicyPackConfigFile = prod) => runPolicies(plan, config, { now: NOW });
const violated = (r: PolicyReport) => [...new Set(r.violations.map((v) => v.policy))].sort();
const messages = (r: PolicyReport, policy: string) => r.violations.filter((v) => v.policy === policy).map((v) => v.message);

describe("ofType", () => {
  // The SDK's own helper, next to ours: same token on the function, same answer for each type. Its
  // index loads the SDK's gRPC server (1.5 s), so only these tests load it, not every run of the file.
  const sdk = () => require("@pulumi/policy") as typeof import("@pulumi/policy");
  const both = (seen: string[]) => [
    ofType(T.volume, (props) => void seen.push(`ours ${String(props.size)}`)),
    sdk().validateResourceOfType(
      { __pulumiType: T.volume } as never,
      (props: Record<string, unknown>) => void seen.push(`sdk ${String(props.size)}`),
    ),
  ];
  const args = (type: string, notApplicable: (reason?: string) => never) =>
    ({ type, props: { size: 20 }, isType: (c: { __pulumiType: string }) => c.__pulumiType === type, notApplicable }) as never;

  test("carries the token as __pulumiType, as the SDK's validateResourceOfType does", () => {
    const [ours, theirs] = both([]);
    expect((ours as unknown as { __pulumiType: string }).__pulumiType).toBe(T.volume);
    expect((theirs as unknown as { __pulumiType: string }).__pulumiType).toBe(T.volume);
  });

  test("validates its type and calls any other type not applicable, with the SDK's reason", () => {
    const seen: string[] = [];
    const reasons: (string | undefined)[] = [];
    const refuse = (reason?: string): never => {
      reasons.push(reason);
      return undefined as never;
    };
    for (const v of both(seen)) {
      void v(args(T.volume, refuse), () => undefined);
      void v(args(T.subnet, refuse), () => undefined);
    }
    expect(seen).toEqual(["ours 20", "sdk 20"]);
    expect(reasons).toEqual([
      `Policy only applies to resources of type '${T.volume}'`,
      `Policy only applies to resources of type '${T.volume}'`,
    ]);
  });
});

describe("policy metadata", () => {
  const names = policies.map((p) => p.name);

  test("names are unique kebab-case", () => {
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  test("descriptions are one sentence", () => {
    for (const p of policies) {
      expect(p.description).toMatch(/\.$/);
      // A sentence end is a terminator followed by a space; "0.0.0.0/0" is not one.
      expect(p.description.slice(0, -1)).not.toMatch(/[.!?]\s/);
      expect(p.description.length).toBeLessThan(160);
    }
  });

  test("every policy defaults to advisory and configurable ones carry their schema", () => {
    for (const p of policies) {
      expect(p.enforcementLevel).toBe("advisory");
      expect(p.configSchema).toBe(policyConfigSchema[p.name]);
    }
    expect(Object.keys(policyConfigSchema).every((n) => names.includes(n))).toBe(true);
    // The engine rejects a schema that declares enforcementLevel itself.
    for (const s of Object.values(policyConfigSchema)) expect(Object.keys(s.properties)).not.toContain("enforcementLevel");
  });

  test("dev.json and prod.json name exactly the pack's policies", () => {
    expect(Object.keys(dev).sort()).toEqual([...names].sort());
    expect(Object.keys(prod).sort()).toEqual([...names].sort());
    expect(Object.values(dev).every((v) => v === "advisory")).toBe(true);
    for (const [name, v] of Object.entries(prod)) {
      const level = typeof v === "string" ? v : v.enforcementLevel;
      expect([name, level]).toEqual([name, name === "certificate-expiry-warning" ? "advisory" : "mandatory"]);
    }
  });

  test("type tokens match the provider classes' __pulumiType", () => {
    const modules: Record<string, [string, string]> = {
      asg: ["@pulumi/aws/autoscaling/group", "Group"],
      subnet: ["@pulumi/aws/ec2/subnet", "Subnet"],
      vpc: ["@pulumi/aws/ec2/vpc", "Vpc"],
      launchTemplate: ["@pulumi/aws/ec2/launchTemplate", "LaunchTemplate"],
      instance: ["@pulumi/aws/ec2/instance", "Instance"],
      volume: ["@pulumi/aws/ebs/volume", "Volume"],
      loadBalancer: ["@pulumi/aws/lb/loadBalancer", "LoadBalancer"],
      targetGroup: ["@pulumi/aws/lb/targetGroup", "TargetGroup"],
      listener: ["@pulumi/aws/lb/listener", "Listener"],
      securityGroup: ["@pulumi/aws/ec2/securityGroup", "SecurityGroup"],
      securityGroupRule: ["@pulumi/aws/ec2/securityGroupRule", "SecurityGroupRule"],
      prefixList: ["@pulumi/aws/ec2/managedPrefixList", "ManagedPrefixList"],
      ingressRule: ["@pulumi/aws/vpc/securityGroupIngressRule", "SecurityGroupIngressRule"],
      bucket: ["@pulumi/aws/s3/bucket", "Bucket"],
      bucketVersioning: ["@pulumi/aws/s3/bucketVersioning", "BucketVersioning"],
      bucketSse: ["@pulumi/aws/s3/bucketServerSideEncryptionConfiguration", "BucketServerSideEncryptionConfiguration"],
      bucketLifecycle: ["@pulumi/aws/s3/bucketLifecycleConfiguration", "BucketLifecycleConfiguration"],
      selfSignedCert: ["@pulumi/tls/selfSignedCert", "SelfSignedCert"],
      locallySignedCert: ["@pulumi/tls/locallySignedCert", "LocallySignedCert"],
      bucketObjectLock: ["@pulumi/aws/s3/bucketObjectLockConfiguration", "BucketObjectLockConfiguration"],
      bucketLogging: ["@pulumi/aws/s3/bucketLogging", "BucketLogging"],
      bucketPolicy: ["@pulumi/aws/s3/bucketPolicy", "BucketPolicy"],
      flowLog: ["@pulumi/aws/ec2/flowLog", "FlowLog"],
      logGroup: ["@pulumi/aws/cloudwatch/logGroup", "LogGroup"],
      egressRule: ["@pulumi/aws/vpc/securityGroupEgressRule", "SecurityGroupEgressRule"],
    };
    expect(Object.keys(modules).sort()).toEqual(Object.keys(T).sort());
    for (const [key, [mod, cls]] of Object.entries(modules)) {
      expect(require(mod)[cls].__pulumiType).toBe(T[key as keyof typeof T]);
    }
  });
});

describe("happy path", () => {
  test("a valid prod cluster passes every policy, and every policy looked at it", () => {
    const r = run(happyPlan());
    expect(r.violations).toEqual([]);
    expect(r.mandatoryCount).toBe(0);
    for (const p of policies) expect(r.evaluated[p.name]).toBeGreaterThan(0);
    // Resource policies looked at the right resources: 5 launch templates (4 of them etcd/control plane, 3 etcd), 3 etcd volumes, 9 ingress sources.
    expect(r.evaluated["imdsv2-required"]).toBe(5);
    expect(r.evaluated["control-plane-no-public-ip"]).toBe(4);
    expect(r.evaluated["etcd-volume-protection"]).toBe(3);
    expect(r.evaluated["etcd-backup-schedule"]).toBe(3);
    expect(r.evaluated["etcd-ports-not-public"]).toBe(9);
  });
});

describe("each policy catches its violation", () => {
  test("every policy has at least one violating case", () => {
    expect([...new Set(cases.map((c) => c[0]))].sort()).toEqual(policies.map((p) => p.name).sort());
  });

  // Each case runs its own policy only, with that policy's config: a rule's mutants are then decided
  // by its own cases, in milliseconds. That no other policy fires on a case is
  // test/policy/policyCasesAlone.test.ts's job, with the whole pack.
  // The config comes through a rest parameter: a declared fifth parameter would make jest pass its
  // `done` callback there for the four-element rows.
  test.each(cases)("%s: %s", (policy, _what, change, message, ...config) => {
    const plan = happyPlan();
    change(plan);
    const r = runOnly(plan, [policy], (config[0] as PolicyPackConfigFile | undefined) ?? prod);
    expect(violated(r)).toEqual([policy]);
    expect(messages(r, policy).join("\n")).toMatch(message);
    const level = policy === "certificate-expiry-warning" ? "advisory" : "mandatory";
    expect(r.violations.every((v) => v.enforcementLevel === level)).toBe(true);
  });
});

describe("details", () => {
  test("a retained (tagged) but unprotected etcd volume passes", () => {
    const plan = happyPlan();
    find(plan, "kc-etcd-1-data").options.protect = false;
    setProp(plan, "kc-etcd-1-data", ["tags", "kubestead.io/retain-on-delete"], "true");
    expect(run(plan).violations).toEqual([]);
  });

  test("a public IP on a worker template is not the control-plane policy's business", () => {
    const plan = happyPlan();
    setProp(plan, "kc-general", "networkInterfaces.0.associatePublicIpAddress", "true");
    expect(run(plan).violations).toEqual([]);
  });

  test("all traffic from anywhere trips both port policies", () => {
    const plan = happyPlan();
    setProp(plan, "kc-sg-etcd", "ingress", [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]);
    const r = run(plan);
    expect(violated(r)).toEqual(["api-cidrs-bounded", "apiserver-ingress-restricted", "etcd-ports-not-public"]);
    expect(r.violations.every((v) => v.name === "kc-sg-etcd")).toBe(true);
  });

  test("stack violations point at the offending resource", () => {
    const plan = happyPlan();
    setProp(plan, "kc-general-asg", "minSize", 1);
    const [v] = run(plan).violations;
    expect(v).toMatchObject({ policy: "worker-pool-spread", urn: find(plan, "kc-general-asg").urn, name: "kc-general-asg", type: T.asg });
  });

  test("an instance is checked like a launch template", () => {
    const plan = happyPlan();
    addResource(plan, {
      type: T.instance,
      name: "kc-bastion",
      inputs: {
        metadataOptions: { httpTokens: "optional" },
        rootBlockDevice: { encrypted: false },
        associatePublicIpAddress: true,
        tags: { "kubestead.io/role": "controlplane" },
      },
    });
    const r = run(plan);
    expect(violated(r)).toEqual(["control-plane-no-public-ip", "imds-hop-limit", "imdsv2-required", "root-volume-encrypted"]);
    expect(r.violations.every((v) => v.name === "kc-bastion")).toBe(true);
  });

  test("allowedApiCidrs admits a configured range", () => {
    const plan = happyPlan();
    setProp(plan, "kc-lb-api-from-admins", "cidrIpv4", "203.0.113.0/24");
    const cfg = { ...prod, "apiserver-ingress-restricted": { enforcementLevel: "mandatory", allowedApiCidrs: ["203.0.113.0/24"] } };
    expect(run(plan, cfg).violations).toEqual([]);
  });

  test("a warning-window cert is not also a failure, and a failing cert is not also a warning", () => {
    const plan = happyPlan();
    setProp(plan, "kc-apiserver-cert", "validityEndTime", daysFromNow(10), ["outputs"]);
    setProp(plan, "kc-ca", "validityEndTime", daysFromNow(45), ["outputs"]);
    const r = run(plan);
    expect(r.violations.map((v) => [v.policy, v.name, v.enforcementLevel])).toEqual([
      ["certificate-expiry", "kc-apiserver-cert", "mandatory"],
      ["certificate-expiry-warning", "kc-ca", "advisory"],
    ]);
  });

  test("the injected clock decides expiry", () => {
    const plan = happyPlan();
    const later = new Date(NOW.getTime() + 290 * 86_400_000);
    const r = runPolicies(plan, prod, { now: later });
    // The bootstrap token (expiring in 50 days) has long expired by then too.
    expect(violated(r)).toEqual(["bootstrap-token-secret", "certificate-expiry"]);
    expect(makePolicies({ now: () => later }).map((p) => p.name)).toEqual(policies.map((p) => p.name));
  });
});
