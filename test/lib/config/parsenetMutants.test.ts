/**
 * Direct checks of the network section reader (lib/config/network.ts) and of the top-level keys
 * parseClusterConfig reads itself (lib/config/parse.ts): the exact key, rule, value and fix of each
 * refusal, and the values that are accepted.
 */
import { DESTRUCTIVE_CHANGE_IDS } from "../../../lib/plan/diff";
import { readFlowLogs, readNetwork } from "../../../lib/config/network";
import { configProblems, parseClusterConfig } from "../../../lib/config/parse";
import { Reader } from "../../../lib/config/reader";
import { rawOf, withChange } from "../../helpers/stackValues";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
const DEV = { production: false, flowLogsByDefault: false };
const PROD = { production: true, flowLogsByDefault: true };
const NETWORK_KEYS = "vpcCidr, natGateways, privateSubnetPrefix, publicSubnetPrefix, existing, flowLogs";

function adopted() {
  return {
    vpcId: "vpc-0123456789abcdef0",
    publicSubnetIds: ["subnet-0000000000000000a", "subnet-0000000000000000b", "subnet-0000000000000000c"],
    privateSubnetIds: ["subnet-1000000000000000a", "subnet-1000000000000000b", "subnet-1000000000000000c"],
  };
}

describe("readNetwork", () => {
  test("an unknown key is reported under network., the subnet prefixes are known keys", () => {
    const r = new Reader("kubestead");
    const net = readNetwork(r, { vpcCidr: "10.0.0.0/16", publicSubnetPrefix: 24, privateSubnetPrefix: 19, bogus: 1 }, [], DEV);
    expect(r.problems).toEqual([
      { key: "kubestead:network.bogus", rule: "is not a known setting", got: 1, fix: `remove it or use one of: ${NETWORK_KEYS}` },
    ]);
    expect(net.publicSubnetPrefix).toBe(24);
  });

  test("a vpcCidr that is not a string is reported at network.vpcCidr", () => {
    const r = new Reader("kubestead");
    readNetwork(r, { vpcCidr: 5 }, [], DEV);
    expect(r.problems).toEqual([
      { key: "kubestead:network.vpcCidr", rule: "must be a string", got: 5, fix: "quote the value of kubestead:network.vpcCidr" },
      {
        key: "kubestead:network.vpcCidr",
        rule: "must be an IPv4 CIDR with a clean network address",
        got: "5",
        fix: "use a private range such as 10.0.0.0/16",
      },
    ]);
  });

  test("production with one NAT gateway is accepted for an adopted VPC", () => {
    const r = new Reader("kubestead");
    const net = readNetwork(r, { natGateways: "single", existing: adopted() }, ZONES, PROD);
    expect(r.problems).toEqual([]);
    expect(net.natGateways).toBe("single");
    expect(net.existing).toEqual(adopted());
  });

  test("production with one NAT gateway is refused for a created VPC", () => {
    const r = new Reader("kubestead");
    readNetwork(r, { natGateways: "single" }, ZONES, PROD);
    expect(r.problems).toEqual([
      {
        key: "kubestead:network.natGateways",
        rule: "must be perAz when kubestead:environment is production: with one NAT gateway, its zone's outage cuts every zone's egress",
        got: "single",
        fix: "set it to perAz, or leave it out",
      },
    ]);
  });

  test("the subnet prefixes are read from their keys and range-checked under network.", () => {
    const r = new Reader("kubestead");
    const net = readNetwork(r, { privateSubnetPrefix: 18, publicSubnetPrefix: 20 }, [], DEV);
    expect(r.problems).toEqual([]);
    expect([net.privateSubnetPrefix, net.publicSubnetPrefix]).toEqual([18, 20]);

    const bad = new Reader("kubestead");
    readNetwork(bad, { privateSubnetPrefix: 40, publicSubnetPrefix: 29 }, [], DEV);
    expect(bad.problems).toEqual([
      {
        key: "kubestead:network.privateSubnetPrefix",
        rule: "must be from 16 to 28",
        got: 40,
        fix: "set kubestead:network.privateSubnetPrefix to a whole number from 16 to 28",
      },
      {
        key: "kubestead:network.publicSubnetPrefix",
        rule: "must be from 16 to 28",
        got: 29,
        fix: "set kubestead:network.publicSubnetPrefix to a whole number from 16 to 28",
      },
    ]);
  });

  test("a /24 VPC is the smallest accepted, a /25 is refused", () => {
    const ok = new Reader("kubestead");
    const net = readNetwork(ok, { vpcCidr: "10.0.0.0/24" }, [], DEV);
    expect(ok.problems).toEqual([]);
    expect(net.vpcCidr).toBe("10.0.0.0/24");

    const r = new Reader("kubestead");
    readNetwork(r, { vpcCidr: "10.0.0.0/25" }, [], DEV);
    expect(r.problems).toEqual([
      {
        key: "kubestead:network.vpcCidr",
        rule: "must have a prefix from /16 to /24 (AWS VPC limits)",
        got: "10.0.0.0/25",
        fix: "use a /16 such as 10.0.0.0/16",
      },
    ]);
  });

  test("subnets that do not fit are refused for a created VPC, not for an adopted one", () => {
    const r = new Reader("kubestead");
    readNetwork(r, { vpcCidr: "10.0.0.0/24" }, ZONES, DEV);
    expect(r.problems).toEqual([
      {
        key: "kubestead:network.privateSubnetPrefix",
        rule: "must leave room for 3 private /19 and 3 public /24 subnets inside 10.0.0.0/24",
        got: 19,
        fix: "use a larger VPC CIDR or longer subnet prefixes",
      },
    ]);

    const adopt = new Reader("kubestead");
    const net = readNetwork(adopt, { vpcCidr: "10.0.0.0/24", existing: adopted() }, ZONES, DEV);
    expect(adopt.problems).toEqual([]);
    expect(net.existing).toEqual(adopted());
  });

  test("existing that is not a mapping is reported under network.existing, then each required key", () => {
    const r = new Reader("kubestead");
    readNetwork(r, { existing: "vpc-0123456789abcdef0" }, [], DEV);
    expect(r.problems).toEqual([
      {
        key: "kubestead:network.existing",
        rule: "must be an object",
        got: "vpc-0123456789abcdef0",
        fix: "write kubestead:network.existing as a YAML mapping",
      },
      { key: "kubestead:network.existing.vpcId", rule: "is required", got: undefined, fix: "set kubestead:network.existing.vpcId" },
      {
        key: "kubestead:network.existing.publicSubnetIds",
        rule: "is required",
        got: undefined,
        fix: "set kubestead:network.existing.publicSubnetIds to a list",
      },
      {
        key: "kubestead:network.existing.privateSubnetIds",
        rule: "is required",
        got: undefined,
        fix: "set kubestead:network.existing.privateSubnetIds to a list",
      },
    ]);
  });

  test("an unknown key under existing is reported under network.existing.", () => {
    const r = new Reader("kubestead");
    readNetwork(r, { existing: { ...adopted(), cidr: "10.0.0.0/16" } }, ZONES, DEV);
    expect(r.problems).toEqual([
      {
        key: "kubestead:network.existing.cidr",
        rule: "is not a known setting",
        got: "10.0.0.0/16",
        fix: "remove it or use one of: vpcId, publicSubnetIds, privateSubnetIds",
      },
    ]);
  });

  test.each(["xvpc-0123456789abcdef0", "vpc-0123456789abcdef0x", "vpc-0123"])("vpcId %s is not a VPC ID", (vpcId) => {
    const r = new Reader("kubestead");
    readNetwork(r, { existing: { ...adopted(), vpcId } }, ZONES, DEV);
    expect(r.problems).toEqual([
      { key: "kubestead:network.existing.vpcId", rule: "must be a VPC ID", got: vpcId, fix: "use the vpc-… ID of the VPC to adopt" },
    ]);
  });

  test.each(["xsubnet-0000000000000000a", "subnet-0000000000000000az"])("subnet ID %s is refused", (id) => {
    const r = new Reader("kubestead");
    const existing = adopted();
    existing.privateSubnetIds[1] = id;
    readNetwork(r, { existing }, ZONES, DEV);
    expect(r.problems).toEqual([
      { key: "kubestead:network.existing.privateSubnetIds[1]", rule: "must be a subnet ID", got: id, fix: "use subnet-… IDs" },
    ]);
  });

  test("flowLogs that is not a mapping is reported under network.flowLogs", () => {
    const r = new Reader("kubestead");
    const net = readNetwork(r, { flowLogs: "on" }, [], DEV);
    expect(r.problems).toEqual([
      {
        key: "kubestead:network.flowLogs",
        rule: "must be an object",
        got: "on",
        fix: "write kubestead:network.flowLogs as a YAML mapping",
      },
    ]);
    expect(net.flowLogs).toEqual({ enabled: false, destination: "cloudwatch", retentionDays: 90, trafficType: "ALL" });
  });
});

describe("readFlowLogs", () => {
  test("trafficType is read from its key", () => {
    const r = new Reader("kubestead");
    expect(readFlowLogs(r, { trafficType: "REJECT" }, true)).toEqual({
      enabled: true,
      destination: "cloudwatch",
      retentionDays: 90,
      trafficType: "REJECT",
    });
    expect(r.problems).toEqual([]);
  });

  test("a retention CloudWatch does not accept names the next one it does", () => {
    const r = new Reader("kubestead");
    readFlowLogs(r, { retentionDays: 100 }, false);
    expect(r.problems.map((p) => [p.key, p.got, p.fix])).toEqual([
      ["kubestead:network.flowLogs.retentionDays", 100, "use 120, or set kubestead:network.flowLogs.destination to s3"],
    ]);
  });
});

describe("parseClusterConfig top-level keys", () => {
  test("an acknowledge ID one letter off gets a suggestion", () => {
    expect(configProblems(withChange("dev", (v) => (v.acknowledge = ["ca-replace"])))).toEqual([
      {
        key: "kubestead:acknowledge[0]",
        rule: "must name a destructive change `npm run plan -- --base` reports",
        got: "ca-replace",
        fix: `did you mean ca-replaced? use one of: ${DESTRUCTIVE_CHANGE_IDS.join(", ")}`,
      },
    ]);
  });

  test("an acknowledge ID near none gets the list alone, at its own index", () => {
    expect(configProblems(withChange("dev", (v) => (v.acknowledge = ["ca-replaced", "zzzzzzzzzzzzzzzz"])))).toEqual([
      {
        key: "kubestead:acknowledge[1]",
        rule: "must name a destructive change `npm run plan -- --base` reports",
        got: "zzzzzzzzzzzzzzzz",
        fix: `use one of: ${DESTRUCTIVE_CHANGE_IDS.join(", ")}`,
      },
    ]);
  });

  test("a known acknowledge ID is accepted", () => {
    expect(parseClusterConfig(withChange("dev", (v) => (v.acknowledge = ["ca-replaced", "protection-lifted"]))).acknowledge).toEqual([
      "ca-replaced",
      "protection-lifted",
    ]);
  });

  test("acknowledge that is not a list is reported at kubestead:acknowledge", () => {
    expect(configProblems(withChange("dev", (v) => (v.acknowledge = "ca-replaced")))).toEqual([
      {
        key: "kubestead:acknowledge",
        rule: "must be a list of strings",
        got: "ca-replaced",
        fix: "write kubestead:acknowledge as a YAML list of strings",
      },
    ]);
  });

  test("a configured Session Manager is in the config", () => {
    const sessionManager = { version: "3.3.1802.0", sha256: { amd64: "b".repeat(64) } };
    expect(parseClusterConfig(withChange("prod", (v) => (v.sessionManager = sessionManager))).sessionManager).toEqual(sessionManager);
  });

  test("a namespace far from kubestead is left alone, one near it is reported", () => {
    expect(configProblems({ ...rawOf("dev"), otherKeys: ["foo:bar", "aws:profile", "pulumi:template"] })).toEqual([]);
    expect(configProblems({ ...rawOf("dev"), otherKeys: undefined })).toEqual([]);
    expect(configProblems({ ...rawOf("dev"), otherKeys: ["kubestaed:tags"] })).toEqual([
      {
        key: "kubestaed:tags",
        rule: 'is in namespace "kubestaed", which this program never reads',
        got: "kubestaed",
        fix: "did you mean kubestead:tags? rename the key",
      },
    ]);
  });

  test("a one-letter cluster name is accepted, one ending in a dash is not", () => {
    expect(parseClusterConfig(withChange("dev", (v) => (v.clusterName = "a"))).name).toBe("a");
    expect(configProblems(withChange("dev", (v) => (v.clusterName = "acme-")))).toEqual([
      {
        key: "kubestead:clusterName",
        rule: "must be a lowercase DNS label of at most 32 characters",
        got: "acme-",
        fix: "use lowercase letters, digits and dashes, starting with a letter, e.g. acme-prod",
      },
    ]);
  });

  test.each(["prod-eu", "production_2", "prod"])("stack %s without an environment must set one", (stack) => {
    const problems = configProblems(withChange("dev", (v) => delete v.environment, stack));
    expect(problems.filter((p) => p.key === "kubestead:environment")).toEqual([
      {
        key: "kubestead:environment",
        rule: `must be set on a stack named ${stack}: without it the development rules apply (one control-plane node, advisory policies, no protection)`,
        got: undefined,
        fix: "set kubestead:environment to production (or to development, if that is what this stack is)",
      },
    ]);
  });

  test.each(["xprod", "prodigy", "staging-prod"])("stack %s without an environment is development", (stack) => {
    expect(parseClusterConfig(withChange("dev", (v) => delete v.environment, stack)).environment).toBe("development");
  });

  test("enforcement outside its values is reported at kubestead:enforcement", () => {
    expect(configProblems(withChange("dev", (v) => (v.enforcement = "strict")))).toEqual([
      {
        key: "kubestead:enforcement",
        rule: "must be one of advisory, mandatory",
        got: "strict",
        fix: "set kubestead:enforcement to one of: advisory, mandatory",
      },
    ]);
  });

  test.each(["network", "kubernetes", "etcd", "controlPlane", "pki", "addons", "checksums"])(
    "%s that is not a mapping is named",
    (section) => {
      const problems = configProblems(withChange("dev", (v) => (v[section] = "x")));
      expect(problems).toContainEqual({
        key: `kubestead:${section}`,
        rule: "must be an object",
        got: "x",
        fix: `write kubestead:${section} as a YAML mapping`,
      });
    },
  );

  test("maxNodes out of range is reported at kubestead:maxNodes", () => {
    const problems = configProblems(withChange("dev", (v) => (v.maxNodes = 0)));
    expect(problems).toContainEqual({
      key: "kubestead:maxNodes",
      rule: "must be from 1 to 100000",
      got: 0,
      fix: "set kubestead:maxNodes to a whole number from 1 to 100000",
    });
  });

  test("protect is read from its key", () => {
    expect(parseClusterConfig(withChange("dev", (v) => (v.protect = true))).protect).toBe(true);
    expect(configProblems(withChange("dev", (v) => (v.protect = "maybe")))).toEqual([
      { key: "kubestead:protect", rule: "must be true or false", got: "maybe", fix: "set kubestead:protect to true or false" },
    ]);
  });
});
