import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { Plan } from "../../lib/plan/types";
import { policies } from "../../policy/policies";
import { PolicyPackConfigFile, formatReport, resolvePolicyConfig, runPolicies } from "../../policy/runner";
import { T } from "../../policy/rules/graph";
import devConfig from "../../policy/dev.json";
import prodConfig from "../../policy/prod.json";
import { NOW, UNKNOWN, daysFromNow, find, happyPlan, setAsgZones, setProp } from "../helpers/policyFixtures";

const prod = prodConfig as PolicyPackConfigFile;
const dev = devConfig as PolicyPackConfigFile;

/** A plan that breaks several policies at once. */
function brokenPlan(): Plan {
  const plan = happyPlan();
  setProp(plan, "kc-controlplane-asg", "minSize", 1);
  setProp(plan, "kc-general", "metadataOptions.httpTokens", "optional");
  setAsgZones(plan, "kc-etcd-2-asg", [0]);
  setProp(plan, "kc-apiserver-cert", "validityEndTime", daysFromNow(60), ["outputs"]);
  return plan;
}

describe("enforcement resolution", () => {
  test("prod config makes violations mandatory, the warning stays advisory", () => {
    const r = runPolicies(brokenPlan(), prod, { now: NOW });
    const levels = Object.fromEntries(r.violations.map((v) => [v.policy, v.enforcementLevel]));
    expect(levels).toEqual({
      "control-plane-ha": "mandatory",
      "imdsv2-required": "mandatory",
      "etcd-quorum": "mandatory",
      "certificate-expiry-warning": "advisory",
    });
    expect(r.mandatoryCount).toBe(r.violations.filter((v) => v.enforcementLevel === "mandatory").length);
    expect(r.mandatoryCount).toBeGreaterThanOrEqual(3);
    expect(r.advisoryCount).toBe(1);
  });

  test("dev config makes everything advisory", () => {
    const r = runPolicies(brokenPlan(), dev, { now: NOW });
    expect(r.violations.length).toBeGreaterThan(0);
    expect(r.mandatoryCount).toBe(0);
    expect(r.advisoryCount).toBe(r.violations.length);
  });

  test("dev config uses the schema defaults: allowedApiCidrs is empty, worker pools need 2 zones", () => {
    const plan = happyPlan();
    setAsgZones(plan, "kc-general-asg", [0, 1]);
    const r = runPolicies(plan, dev, { now: NOW });
    // 10.20.0.0/16 is outside the VPC and not configured; two zones meet the dev default of 2.
    expect(r.violations.map((v) => v.policy)).toEqual(["apiserver-ingress-restricted"]);
  });

  test("disabled skips the policy entirely", () => {
    const r = runPolicies(
      brokenPlan(),
      { ...prod, "etcd-quorum": "disabled", "imdsv2-required": { enforcementLevel: "disabled" } },
      { now: NOW },
    );
    const names = r.violations.map((v) => v.policy);
    expect(names).not.toContain("etcd-quorum");
    expect(names).not.toContain("imdsv2-required");
    expect(names).toContain("control-plane-ha");
    expect(r.levels["etcd-quorum"]).toBe("disabled");
    expect(r.evaluated["etcd-quorum"]).toBeUndefined();
  });

  test("no config: the policies' own advisory level", () => {
    const r = runPolicies(brokenPlan(), {}, { now: NOW });
    expect(r.mandatoryCount).toBe(0);
    expect(new Set(Object.values(r.levels))).toEqual(new Set(["advisory"]));
  });

  test("'all' sets every level, a per-policy entry overrides it, remediate counts as mandatory", () => {
    const resolved = resolvePolicyConfig(policies, { all: "mandatory", "etcd-quorum": "advisory", "imdsv2-required": "remediate" });
    const level = (n: string) => resolved.find((x) => x.policy.name === n)?.level;
    expect(level("control-plane-ha")).toBe("mandatory");
    expect(level("etcd-quorum")).toBe("advisory");
    const r = runPolicies(brokenPlan(), { all: "mandatory", "etcd-quorum": "advisory", "imdsv2-required": "remediate" }, { now: NOW });
    expect(r.violations.find((v) => v.policy === "imdsv2-required")?.enforcementLevel).toBe("mandatory");
    expect(r.violations.find((v) => v.policy === "etcd-quorum")?.enforcementLevel).toBe("advisory");
  });

  test("policy's own level beats the pack's", () => {
    const custom: ResourceValidationPolicy = {
      name: "always",
      description: "Reports every volume.",
      enforcementLevel: "mandatory",
      validateResource: (args, report) => (args.type === T.volume ? report("seen") : args.notApplicable()),
    };
    const r = runPolicies(happyPlan(), {}, { policies: [custom] });
    expect(r.violations).toHaveLength(3);
    expect(r.mandatoryCount).toBe(3);
  });

  test.each([
    [{ "etcd-quorom": "mandatory" }, /etcd-quorom names no policy/],
    [{ "etcd-quorum": "strict" }, /enforcementLevel must be advisory, mandatory, remediate or disabled \(got "strict"\)/],
    [
      { "control-plane-ha": { enforcementLevel: "mandatory", minControlPlaneNode: 3 } },
      /control-plane-ha\.minControlPlaneNode is not a property/,
    ],
    [{ "control-plane-ha": { minControlPlaneNodes: "3" } }, /minControlPlaneNodes must be integer/],
    [{ "control-plane-ha": { minControlPlaneNodes: 0 } }, /must be ≥ 1/],
    [{ "apiserver-ingress-restricted": { allowedApiCidrs: [1] } }, /must be array of strings/],
  ])("bad config %j is refused", (cfg, message) => {
    expect(() => runPolicies(happyPlan(), cfg as PolicyPackConfigFile, { now: NOW })).toThrow(message);
  });

  test("config properties reach getConfig", () => {
    const r = runPolicies(happyPlan(), { ...prod, "control-plane-ha": { minControlPlaneNodes: 5 } }, { now: NOW });
    expect(r.violations.map((v) => v.message)).toEqual(["control plane keeps 3 node(s) (sum of minSize), needs at least 5."]);
  });
});

describe("preview unknowns", () => {
  function unknownPlan(): Plan {
    const plan = happyPlan();
    // Subnet IDs, target group and bucket names unknown: the propertyDependencies still say which.
    for (const asg of ["kc-etcd-0-asg", "kc-controlplane-asg", "kc-general-asg"]) {
      const n = (find(plan, asg).inputs.vpcZoneIdentifiers as unknown[]).length;
      setProp(plan, asg, "vpcZoneIdentifiers", new Array(n).fill(UNKNOWN));
    }
    setProp(plan, "kc-controlplane-asg", "targetGroupArns", UNKNOWN);
    setProp(plan, "kc-api", "subnets", [UNKNOWN, UNKNOWN, UNKNOWN]);
    setProp(plan, "kc-api-6443", "loadBalancerArn", UNKNOWN);
    setProp(plan, "kc-api-6443", "defaultActions.0.targetGroupArn", UNKNOWN);
    for (const c of ["kc-etcd-backups-versioning", "kc-etcd-backups-sse", "kc-etcd-backups-lifecycle"]) setProp(plan, c, "bucket", UNKNOWN);
    setProp(plan, "kc-apiserver-cert", "validityEndTime", UNKNOWN, ["outputs"]);
    setProp(plan, "kc-ca", "validityEndTime", UNKNOWN, ["outputs"]);
    return plan;
  }

  test("references unknown in preview are followed through propertyDependencies", () => {
    const r = runPolicies(unknownPlan(), prod, { now: NOW });
    expect(r.violations).toEqual([]);
    // …so a real problem behind an unknown reference is still found.
    const plan = unknownPlan();
    find(plan, "kc-general-asg").propertyDependencies.vpcZoneIdentifiers = [find(plan, "kc-private-us-east-1a").urn];
    setProp(plan, "kc-general-asg", "vpcZoneIdentifiers", UNKNOWN);
    expect(runPolicies(plan, prod, { now: NOW }).violations.map((v) => v.policy)).toEqual(["worker-pool-spread"]);
  });

  test("checks whose own value is unknown are skipped, not reported", () => {
    const plan = happyPlan();
    setProp(plan, "kc-general", "metadataOptions.httpTokens", UNKNOWN);
    setProp(plan, "kc-controlplane", "blockDeviceMappings", UNKNOWN);
    setProp(plan, "kc-etcd-0-data", "encrypted", UNKNOWN);
    setProp(plan, "kc-etcd-from-cp", "cidrIpv4", UNKNOWN);
    setProp(plan, "kc-lb-api-from-admins", "cidrIpv4", UNKNOWN);
    setProp(plan, "kc-api", "loadBalancerType", UNKNOWN);
    setProp(plan, "kc-controlplane-asg", "minSize", UNKNOWN);
    setProp(plan, "kc-private-us-east-1c", "availabilityZone", UNKNOWN);
    setProp(plan, "kc-etcd-backups-versioning", "versioningConfiguration", UNKNOWN);
    setProp(plan, "kc-apiserver-cert", "validityEndTime", UNKNOWN, ["outputs"]);
    const r = runPolicies(plan, prod, { now: NOW });
    expect(r.violations).toEqual([]);
    for (const p of policies) expect(r.evaluated[p.name]).toBeGreaterThan(0);
  });

  test("like the engine, a policy that touches an unknown through the proxy gets an advisory can't-run notice", () => {
    const naive: StackValidationPolicy = {
      name: "naive",
      description: "Reads certificate expiry without care.",
      enforcementLevel: "mandatory",
      validateStack: (args) => {
        for (const r of args.resources) void r.props.validityEndTime;
      },
    };
    const plan = happyPlan();
    setProp(plan, "kc-ca", "validityEndTime", UNKNOWN, ["outputs"]);
    const r = runPolicies(plan, {}, { policies: [naive] });
    expect(r.violations).toEqual([
      expect.objectContaining({
        policy: "naive",
        enforcementLevel: "advisory",
        message: expect.stringMatching(/can't run policy 'naive' during preview: string value at \.validityEndTime/),
      }),
    ]);
  });

  test("preview false refuses a plan with unknown values", () => {
    const plan = happyPlan();
    setProp(plan, "kc-ca", "validityEndTime", UNKNOWN, ["outputs"]);
    expect(() => runPolicies(plan, prod, { now: NOW, preview: false })).toThrow(
      /1 unknown value\(s\) but preview is false .*kc-ca outputs\.validityEndTime/,
    );
    expect(runPolicies(happyPlan(), prod, { now: NOW, preview: false }).violations).toEqual([]);
  });
});

describe("runner mechanics", () => {
  test("notApplicable calls are counted: one per resource a resource policy does not apply to", () => {
    const imds = policies.find((p) => p.name === "imdsv2-required");
    const plan = happyPlan();
    const r = runPolicies(plan, {}, { policies: imds ? [imds] : [] });
    const checked = plan.resources.filter((x) => x.type === T.launchTemplate).length;
    const candidates = plan.resources.filter((x) => !x.type.startsWith("pulumi:providers:")).length;
    expect(r.evaluated["imdsv2-required"]).toBe(checked);
    expect(r.notApplicable).toBe(candidates - checked);
  });

  test("a stack policy with nothing to look at is not applicable", () => {
    const plan = happyPlan();
    plan.resources = plan.resources.filter((x) => !x.type.startsWith("tls:"));
    const r = runPolicies(plan, prod, { now: NOW });
    expect(r.evaluated["certificate-expiry"]).toBe(0);
    expect(r.violations).toEqual([]);
  });

  test("args mirror the engine: isType compares __pulumiType, asType, opts, provider, parent and dependencies", () => {
    const seen: Record<string, unknown> = {};
    const probe: ResourceValidationPolicy = {
      name: "probe",
      description: "Looks at the arguments.",
      validateResource: (args) => {
        if (args.name !== "kc-etcd-0-data") args.notApplicable();
        const volumeClass = { __pulumiType: T.volume } as unknown as new () => never;
        const subnetClass = { __pulumiType: T.subnet } as unknown as new () => never;
        Object.assign(seen, {
          isVolume: args.isType(volumeClass),
          isSubnet: args.isType(subnetClass),
          asType: (args.asType(volumeClass as never) as Record<string, unknown> | undefined)?.size,
          protect: args.opts.protect,
          parent: args.opts.parent,
          provider: args.provider?.name,
          stackTag: args.stackTags.get("env"),
        });
      },
    };
    const stackProbe: StackValidationPolicy = {
      name: "stack-probe",
      description: "Looks at the graph.",
      validateStack: (args) => {
        const asg = args.resources.find((r) => r.name === "kc-controlplane-asg");
        seen.parentType = asg?.parent?.type;
        seen.tgDeps = asg?.propertyDependencies.targetGroupArns.map((d) => d.name);
        seen.depsAreObjects = asg?.dependencies.every((d) => typeof d.urn === "string" && d.props !== undefined);
        seen.outputArn = args.resources.find((r) => r.name === "kc-api-tg")?.props.arn;
      },
    };
    runPolicies(happyPlan(), {}, { policies: [probe, stackProbe], stackTags: { env: "prod" } });
    expect(seen).toEqual({
      isVolume: true,
      isSubnet: false,
      asType: 50,
      protect: true,
      parent: expect.stringContaining("pulumi:pulumi:Stack"),
      provider: "default",
      stackTag: "prod",
      parentType: "pulumi:pulumi:Stack",
      tgDeps: ["kc-api-tg"],
      depsAreObjects: true,
      outputArn: expect.stringContaining("targetgroup/"),
    });
  });

  test("formatReport lists mandatory first with a summary line", () => {
    const text = formatReport(runPolicies(brokenPlan(), prod, { now: NOW }));
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^\[mandatory\] /);
    expect(lines[lines.length - 2]).toMatch(/^\[advisory\] certificate-expiry-warning \(kc-apiserver-cert\)/);
    expect(lines[lines.length - 1]).toMatch(/^\d+ mandatory, 1 advisory, \d+ not applicable$/);
  });
});
