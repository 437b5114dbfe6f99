import { configProblems, parseClusterConfig } from "../../../lib/config/parse";
import { ConfigError, formatProblem } from "../../../lib/config/problems";
import { rawOf, withChange } from "../../helpers/stackValues";

describe("the shipped stacks", () => {
  test.each(["dev", "prod"])("%s is valid", (stack) => {
    expect(configProblems(rawOf(stack))).toEqual([]);
  });
  test("dev is cheap, prod is HA", () => {
    const dev = parseClusterConfig(rawOf("dev"));
    const prod = parseClusterConfig(rawOf("prod"));
    expect(dev.network.natGateways).toBe("single");
    expect(prod.network.natGateways).toBe("perAz");
    expect(prod.controlPlane.nodes).toBe(3);
    expect(prod.etcd.members).toBe(3);
    expect(prod.protect).toBe(true);
    expect(prod.enforcement).toBe("mandatory");
    expect(dev.enforcement).toBe("advisory");
    expect(prod.kubernetes.clusterDnsIp).toBe("10.96.0.10");
    expect(prod.checksums.amd64?.kubelet).toMatch(/^[0-9a-f]{64}$/);
    expect(prod.etcd.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  test("the two stack files set the same keys (they differ only in values)", () => {
    expect(Object.keys(rawOf("dev").values).sort()).toEqual(Object.keys(rawOf("prod").values).sort());
  });
});

describe("refusals", () => {
  test("every problem at once, in one readable error", () => {
    const raw = withChange("dev", (v) => {
      v.etcd.members = 4;
      v.workers[0].minSize = 9;
      v.network.vpcCidr = "nonsense";
    });
    let err: unknown;
    try {
      parseClusterConfig(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^invalid configuration for stack "dev" \(\d+ problems\):/);
    expect(msg).toContain("kubestead:etcd.members");
    expect(msg).toContain("kubestead:workers[0].minSize");
    expect(msg).toContain("kubestead:network.vpcCidr");
  });

  test("add-on releases and the autoscaler release default to the pinned ones, and can be set", () => {
    const prod = parseClusterConfig(rawOf("prod"));
    expect([prod.addons.csrApproverVersion, prod.addons.metricsServerVersion, prod.addons.ebsCsiDriverVersion]).toEqual([
      "1.2.6",
      "0.7.2",
      "1.36.0",
    ]);
    expect(prod.addons.clusterAutoscalerVersion).toBe(`${prod.kubernetes.version.split(".").slice(0, 2).join(".")}.0`);
    const set = parseClusterConfig(
      withChange("prod", (v) => {
        v.addons.ebsCsiDriverVersion = "1.40.1";
        v.addons.clusterAutoscalerVersion = "1.35.3";
      }),
    );
    expect(set.addons.ebsCsiDriverVersion).toBe("1.40.1");
    expect(set.addons.clusterAutoscalerVersion).toBe("1.35.3");
  });

  test("a Helm-era chart version key is refused with the key that replaced it", () => {
    const problems = configProblems(withChange("prod", (v) => (v.addons.metricsServerChartVersion = "3.12.2")));
    expect(problems).toContainEqual(
      expect.objectContaining({
        key: "kubestead:addons.metricsServerChartVersion",
        fix: "set kubestead:addons.metricsServerVersion to the add-on's release (image tag without v) instead",
      }),
    );
  });

  test("a missing region names aws:region", () => {
    const raw = { ...rawOf("dev"), region: undefined };
    expect(configProblems(raw).map((p) => p.key)).toContain("aws:region");
  });
});

describe("pki.bootstrapTokenMaxAgeDays", () => {
  test("defaults to 30 days (the deploy cadence pki.earlyRenewalHours already assumes)", () => {
    expect(parseClusterConfig(rawOf("prod")).pki.bootstrapTokenMaxAgeDays).toBe(30);
    const weekly = parseClusterConfig(withChange("prod", (v) => (v.pki = { ...v.pki, bootstrapTokenMaxAgeDays: 7 })));
    expect(weekly.pki.bootstrapTokenMaxAgeDays).toBe(7);
  });
  test.each([0, 91, 1.5])("refuses %p with the range", (d) => {
    const problems = configProblems(withChange("prod", (v) => (v.pki = { ...v.pki, bootstrapTokenMaxAgeDays: d }))).map(formatProblem);
    expect(problems.join("\n")).toMatch(/pki\.bootstrapTokenMaxAgeDays .*(from 1 to 90|whole number)/);
  });
});
