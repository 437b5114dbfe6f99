/**
 * Edges of the config sections that the broken-config table does not reach: add-on releases for a
 * Kubernetes minor no table knows, zones without a region, nested per-architecture checksums, etcd
 * members over an even zone count, private subnets too small for maxNodes, and the tags, pki,
 * Kubernetes network and instance-type readers called directly.
 */
import { readAddons } from "../../../lib/config/addons";
import { CLOUD_CONTROLLER_MANAGER_RELEASES, KUBELET_SHA256 } from "../../../lib/releases";
import { readInstanceTypes } from "../../../lib/config/instanceTypes";
import { readKubernetes } from "../../../lib/config/kubernetes";
import { REGIONS, usableZoneCount } from "../../../lib/aws/regions";
import { crossChecks } from "../../../lib/config/crossChecks";
import { readEtcd } from "../../../lib/config/etcd";
import { configProblems } from "../../../lib/config/parse";
import { formatLocatedProblem } from "../../../lib/config/problems";
import { locateKey } from "../../../lib/config/locate";
import { Reader } from "../../../lib/config/reader";
import { readPki } from "../../../lib/config/pki";
import { readTags } from "../../../lib/config/tags";
import { readRegion, readZones } from "../../../lib/config/zones";
import { withChange } from "../../helpers/stackValues";

/** A Kubernetes minor past every cloud-controller-manager release the table knows, e.g. "1.38". */
function unknownMinor(): string {
  return `1.${Math.max(...Object.keys(CLOUD_CONTROLLER_MANAGER_RELEASES).map(Number)) + 1}`;
}

/** crossChecks' problems for an adopted-VPC cluster of one node, with `over` replacing whole sections. */
function crossCheckProblems(over: Record<string, unknown>) {
  const r = new Reader("kubestead");
  const c = {
    network: { vpcCidr: "10.0.0.0/16", existing: { vpcId: "vpc-0123456789abcdef0" } },
    kubernetes: { podCidr: "10.128.0.0/14", serviceCidr: "10.96.0.0/12", nodeCidrMaskSize: 24 },
    workers: [],
    controlPlane: { nodes: 1 },
    maxNodes: 1,
    zones: ["us-east-1a", "us-east-1b", "us-east-1c"],
    ...over,
  };
  crossChecks(r, c as unknown as Parameters<typeof crossChecks>[1]);
  return r.problems;
}

describe("readAddons", () => {
  it("asks for the cloud-controller-manager's release when no release is known for the Kubernetes minor", () => {
    const r = new Reader("kubestead");
    const out = readAddons(r, {}, `${unknownMinor()}.0`);
    expect(out.cloudControllerManagerVersion).toBe("");
    expect(out.clusterAutoscalerVersion).toBe(`${unknownMinor()}.0`);
    expect(r.problems).toEqual([
      {
        key: "kubestead:addons.cloudControllerManagerVersion",
        rule: `is required: no release of the AWS cloud-controller-manager for Kubernetes ${unknownMinor()} is known here`,
        got: undefined,
        fix: `set kubestead:addons.cloudControllerManagerVersion to its ${unknownMinor()}.x release`,
      },
    ]);
  });

  it("stays quiet about add-on releases when kubernetes.version is already refused", () => {
    const r = new Reader("kubestead");
    r.problem("kubernetes.version", "must be a supported Kubernetes minor", `${unknownMinor()}.0`, "pin one");
    readAddons(r, { cloudControllerManagerVersion: "1.35.2" }, `${unknownMinor()}.0`);
    readAddons(r, {}, `${unknownMinor()}.0`);
    expect(r.problems.map((p) => p.key)).toEqual(["kubestead:kubernetes.version"]);
  });

  it("asks for a release of the minor, with no default to offer, when the given one is of another minor", () => {
    const r = new Reader("kubestead");
    expect(readAddons(r, { cloudControllerManagerVersion: "1.35.2" }, `${unknownMinor()}.0`).cloudControllerManagerVersion).toBe("1.35.2");
    expect(r.problems).toEqual([
      {
        key: "kubestead:addons.cloudControllerManagerVersion",
        rule: `must be a release of the Kubernetes minor (${unknownMinor()}): the AWS cloud-controller-manager supports only its own minor`,
        got: "1.35.2",
        fix: `use a ${unknownMinor()}.x release`,
      },
    ]);
  });

  it("asks for the cloud-controller-manager's release when it is empty or null and no release is known for the minor", () => {
    for (const given of ["", null]) {
      const r = new Reader("kubestead");
      expect(readAddons(r, { cloudControllerManagerVersion: given }, `${unknownMinor()}.0`).cloudControllerManagerVersion).toBe("");
      expect(r.problems).toEqual([
        {
          key: "kubestead:addons.cloudControllerManagerVersion",
          rule: `is required: no release of the AWS cloud-controller-manager for Kubernetes ${unknownMinor()} is known here`,
          got: given,
          fix: `set kubestead:addons.cloudControllerManagerVersion to its ${unknownMinor()}.x release`,
        },
      ]);
    }
  });

  it("asks for a release of the minor when a cloud-controller-manager release with a leading v has no default to offer", () => {
    const r = new Reader("kubestead");
    readAddons(r, { cloudControllerManagerVersion: `v${unknownMinor()}.1` }, `${unknownMinor()}.0`);
    expect(r.problems).toEqual([
      {
        key: "kubestead:addons.cloudControllerManagerVersion",
        rule: "must be a release like 1.2.3 (no leading v)",
        got: `v${unknownMinor()}.1`,
        fix: `use a ${unknownMinor()}.x release, without the leading v`,
      },
    ]);
  });

  it("says how to write an add-on release, naming no minor, when there is no default and the Kubernetes release is refused", () => {
    const fixes = (kubernetesVersion: string, refused: boolean) => {
      const r = new Reader("kubestead");
      if (refused) r.problem("kubernetes.version", "must be a supported Kubernetes minor", kubernetesVersion, "pin one");
      readAddons(r, { cloudControllerManagerVersion: "v1.35.0" }, kubernetesVersion);
      return r.problems.filter((p) => p.key === "kubestead:addons.cloudControllerManagerVersion").map((p) => [p.rule, p.got, p.fix]);
    };
    const generic = [["must be a release like 1.2.3 (no leading v)", "v1.35.0", "pin a release like 1.2.3, without the leading v"]];
    expect(fixes("latest", true)).toEqual(generic);
    expect(fixes("1.20.0", true)).toEqual(generic);
  });

  it("names the new key of a Helm-era add-on key", () => {
    const r = new Reader("kubestead");
    readAddons(r, { metricsServerChartVersion: "3.12.0" }, "1.36.2");
    expect(r.problems).toEqual([
      {
        key: "kubestead:addons.metricsServerChartVersion",
        rule: "is gone: add-ons are rendered as manifests here and applied by the control plane, not installed from Helm charts",
        got: "3.12.0",
        fix: "set kubestead:addons.metricsServerVersion to the add-on's release (image tag without v) instead",
      },
    ]);
  });
});

describe("readRegion and readZones", () => {
  it("gives no did-you-mean for a region name nothing is near", () => {
    const r = new Reader("kubestead");
    expect(readRegion(r, "zzzzzzzzzzzzzzzzzzzz")).toBe("");
    expect(r.problems).toEqual([
      {
        key: "aws:region",
        rule: "must be an AWS region (table of 2026-11)",
        got: "zzzzzzzzzzzzzzzzzzzz",
        fix: "set aws:region to a region name such as us-east-1 or eu-west-1",
      },
    ]);
  });

  it("reads no zones and says nothing when there is no region and no zones", () => {
    const r = new Reader("kubestead");
    expect(readZones(r, {}, "")).toEqual([]);
    expect(r.problems).toEqual([]);
  });

  it("without a region, still counts the zones given but cannot name the region's", () => {
    const r = new Reader("kubestead");
    expect(readZones(r, { zones: ["a", "b"] }, "")).toEqual(["a", "b"]);
    expect(r.problems).toEqual([
      {
        key: "kubestead:zones",
        rule: "must list at least 3 availability zones for an HA control plane and etcd",
        got: ["a", "b"],
        fix: "list three zones of the region",
      },
    ]);
  });

  it("offers the region's first three zones when a zone name is near none of them", () => {
    const r = new Reader("kubestead");
    readZones(r, { zones: ["us-east-1a", "us-east-1b", "zzzzzzzzzzzzzzzzzzzz"] }, "us-east-1");
    expect(r.problems).toEqual([
      {
        key: "kubestead:zones[2]",
        rule: "must be an availability zone of us-east-1 (us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f)",
        got: "zzzzzzzzzzzzzzzzzzzz",
        fix: "use zones of us-east-1, e.g. us-east-1a, us-east-1b, us-east-1c",
      },
    ]);
  });

  it("refuses zones that are not a list, at kubestead:zones, and goes on with the region's first three", () => {
    const r = new Reader("kubestead");
    expect(readZones(r, { zones: "us-east-1a" }, "us-east-1")).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    expect(r.problems).toEqual([
      {
        key: "kubestead:zones",
        rule: "must be a list of strings",
        got: "us-east-1a",
        fix: "write kubestead:zones as a YAML list of strings",
      },
    ]);
  });

  it("defaults to the region's first three zones", () => {
    const r = new Reader("kubestead");
    expect(readZones(r, {}, "us-east-1")).toEqual(["us-east-1a", "us-east-1b", "us-east-1c"]);
    expect(r.problems).toEqual([]);
  });
});

describe("whole-config edges", () => {
  it("refuses private subnets with fewer node addresses than maxNodes", () => {
    const raw = withChange("dev", (v) => (v.network = { ...v.network, privateSubnetPrefix: 28 }));
    expect(configProblems(raw)).toEqual([
      {
        key: "kubestead:network.privateSubnetPrefix",
        rule: "gives 33 node addresses in the private subnets, fewer than maxNodes (50)",
        got: 28,
        fix: "use a shorter prefix (larger subnets) or a larger VPC",
      },
    ]);
  });

  it("accepts private subnets with exactly maxNodes node addresses", () => {
    const raw = withChange("dev", (v) => {
      v.network = { ...v.network, privateSubnetPrefix: 28 };
      v.maxNodes = 33;
      v.workers[1].maxSize = 1;
      v.workers[0].maxSize = 31;
    });
    expect(configProblems(raw)).toEqual([]);
  });

  it("suggests the largest odd member count the zones allow when there are more members than zones", () => {
    const raw = withChange("dev", (v) => {
      v.zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"];
      v.etcd = { ...v.etcd, members: 5 };
    });
    expect(configProblems(raw)).toEqual([
      {
        key: "kubestead:etcd.members",
        rule: "must not exceed the number of zones (4): each member needs its own zone",
        got: 5,
        fix: "add zones to kubestead:zones or set kubestead:etcd.members to 3",
      },
    ]);
  });

  it("reads checksums nested under an architecture, each at its own key", () => {
    const raw = withChange("dev", (v) => (v.checksums = { arm64: { kubelet: "abc", kubelett: "0".repeat(64) } }));
    expect(configProblems(raw)).toEqual([
      {
        key: "kubestead:checksums.arm64.kubelet",
        rule: "must be a sha256: 64 lowercase hex digits",
        got: "abc",
        fix: "copy the checksum the release publishes for the file",
      },
      {
        key: "kubestead:checksums.arm64.kubelett",
        rule: "is not a binary nodes download",
        got: "0".repeat(64),
        fix: "did you mean kubelet? use one of: kubelet, kubectl, containerd, runc, cniPlugins",
      },
    ]);
  });

  it("refuses an architecture's checksums that are not a mapping, at the architecture's key", () => {
    const raw = withChange("dev", (v) => (v.checksums = { arm64: "abc" }));
    expect(configProblems(raw).map((p) => [p.key, p.rule, p.got])).toEqual([["kubestead:checksums.arm64", "must be an object", "abc"]]);
  });
});

describe("more section edges", () => {
  it("reads tag values written as YAML booleans and numbers as strings, in key order", () => {
    const r = new Reader("kubestead");
    const tags = readTags(r, { tags: { team: "platform", billable: true, cost: 42 } });
    expect(Object.entries(tags)).toEqual([
      ["billable", "true"],
      ["cost", "42"],
      ["team", "platform"],
    ]);
    expect(r.problems).toEqual([]);
  });

  it("refuses tags that are not a mapping, at kubestead:tags", () => {
    const r = new Reader("kubestead");
    expect(readTags(r, { tags: "team=platform" })).toEqual({});
    expect(r.problems.map((p) => [p.key, p.rule, p.got])).toEqual([["kubestead:tags", "must be a mapping of strings", "team=platform"]]);
  });

  it("asks for aws:region when it is empty as when it is missing", () => {
    const r = new Reader("kubestead");
    expect(readRegion(r, "")).toBe("");
    expect(readRegion(r, undefined)).toBe("");
    expect(r.problems.map((p) => [p.key, p.rule, p.got])).toEqual([
      ["aws:region", "is required", ""],
      ["aws:region", "is required", undefined],
    ]);
  });

  it("reads every pki lifetime it is given", () => {
    const r = new Reader("kubestead");
    expect(
      readPki(r, {
        caValidityHours: 43800,
        leafValidityHours: 4380,
        earlyRenewalHours: 100,
        bootstrapTokenMaxAgeDays: 7,
        adminValidityHours: 24,
      }),
    ).toEqual({
      caValidityHours: 43800,
      leafValidityHours: 4380,
      earlyRenewalHours: 100,
      bootstrapTokenMaxAgeDays: 7,
      adminValidityHours: 24,
    });
    expect(r.problems).toEqual([]);
  });

  it("reads a cluster domain it is given", () => {
    const r = new Reader("kubestead");
    expect(readKubernetes(r, { clusterDomain: "corp.internal" }).clusterDomain).toBe("corp.internal");
    expect(r.problems).toEqual([]);
  });

  it("refuses a pod CIDR without a clean network address", () => {
    const r = new Reader("kubestead");
    readKubernetes(r, { podCidr: "10.128.0.1/14" });
    expect(r.problems).toEqual([
      {
        key: "kubestead:kubernetes.podCidr",
        rule: "must be an IPv4 CIDR with a clean network address",
        got: "10.128.0.1/14",
        fix: "use e.g. 10.128.0.0/11",
      },
    ]);
  });

  it("refuses a cluster DNS address that is not an IPv4 address", () => {
    const r = new Reader("kubestead");
    readKubernetes(r, { clusterDnsIp: "dns.local" });
    expect(r.problems).toEqual([
      {
        key: "kubestead:kubernetes.clusterDnsIp",
        rule: "must be an IPv4 address",
        got: "dns.local",
        fix: "leave it unset to use the service CIDR's 10th address",
      },
    ]);
  });

  it("asks for an address of a tiny service CIDR without naming its 10th, which it lacks", () => {
    const r = new Reader("kubestead");
    readKubernetes(r, { serviceCidr: "10.96.0.0/30", clusterDnsIp: "10.97.0.10" });
    expect(r.problems.map((p) => [p.key, p.fix])).toEqual([
      ["kubestead:kubernetes.serviceCidr", "use 10.96.0.0/12"],
      ["kubestead:kubernetes.clusterDnsIp", "use an address of the service CIDR or leave it unset"],
    ]);
  });

  it("offers the common types when an instance type name is near none the table knows", () => {
    const r = new Reader("kubestead");
    expect(readInstanceTypes(r, "controlPlane.instanceType", ["zzzzzzzzzzzzzz"], false)).toBe("amd64");
    expect(r.problems).toEqual([
      {
        key: "kubestead:controlPlane.instanceType",
        rule: "must be an EC2 instance type kubestead knows (table of 2026-11)",
        got: "zzzzzzzzzzzzzz",
        fix: "use a type such as m7i.large, c7i.xlarge or r7i.large (a newer type can be added to lib/aws/instanceTypes.ts)",
      },
    ]);
  });

  it("refuses a checksum key near no binary without a did-you-mean", () => {
    const raw = withChange("dev", (v) => (v.checksums = { zzzzzzzzzzzzzz: "0".repeat(64) }));
    expect(configProblems(raw).map((p) => [p.key, p.fix])).toEqual([
      ["kubestead:checksums.zzzzzzzzzzzzzz", "use one of: kubelet, kubectl, containerd, runc, cniPlugins, amd64, arm64"],
    ]);
  });

  it("says none when no release has checksums of every architecture the cluster runs", () => {
    const empty = jest.replaceProperty(KUBELET_SHA256, "arm64", {});
    try {
      const raw = withChange("dev", (v) => (v.kubernetes = { ...v.kubernetes, version: "1.36.99" }));
      const versionProblem = configProblems(raw).find((p) => p.key === "kubestead:kubernetes.version");
      expect(versionProblem?.fix).toMatch(/^pin a release with known amd64 and arm64 checksums \(none\), or set /);
    } finally {
      empty.restore();
    }
  });
});

describe("thresholds of the sections, at and one past each limit", () => {
  const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];
  const membersProblems = (members: number) => {
    const r = new Reader("kubestead");
    readEtcd(r, { members }, ZONES);
    return r.problems.filter((p) => p.key === "kubestead:etcd.members").map((p) => [p.rule, p.got]);
  };

  it("takes three etcd members and refuses one, two or four", () => {
    expect(membersProblems(3)).toEqual([]);
    expect(membersProblems(1)).toEqual([["must be odd and ≥ 3", 1]]);
    expect(membersProblems(2)).toEqual([["must be odd and ≥ 3", 2]]);
    expect(membersProblems(4)).toEqual([["must be odd and ≥ 3", 4]]);
  });

  it("lets leaf certificates live as long as the CAs and the admin credential as long as a leaf, not longer", () => {
    const keys = (k: Record<string, number>) => {
      const r = new Reader("kubestead");
      readPki(r, k);
      return r.problems.map((p) => p.key);
    };
    expect(keys({ caValidityHours: 8760, leafValidityHours: 8760 })).toEqual([]);
    expect(keys({ caValidityHours: 8760, leafValidityHours: 8761 })).toEqual(["kubestead:pki.leafValidityHours"]);
    expect(keys({ leafValidityHours: 168, earlyRenewalHours: 24, adminValidityHours: 168 })).toEqual([]);
    expect(keys({ leafValidityHours: 168, earlyRenewalHours: 24, adminValidityHours: 169 })).toEqual(["kubestead:pki.adminValidityHours"]);
  });

  it("takes tag keys of 1 to 128 characters", () => {
    const rules = (key: string) => {
      const r = new Reader("kubestead");
      readTags(r, { tags: { [key]: "v" } });
      return r.problems.map((p) => p.rule);
    };
    expect(rules("k".repeat(128))).toEqual([]);
    expect(rules("k".repeat(129))).toEqual(["must be a tag key of 1 to 128 characters"]);
    expect(rules("")).toEqual(["must be a tag key of 1 to 128 characters"]);
  });

  it("takes tag values of up to 256 characters", () => {
    const rules = (value: string) => {
      const r = new Reader("kubestead");
      readTags(r, { tags: { team: value } });
      return r.problems.map((p) => [p.key, p.rule]);
    };
    expect(rules("v".repeat(256))).toEqual([]);
    expect(rules("v".repeat(257))).toEqual([["kubestead:tags.team", "must have a value of at most 256 characters"]]);
  });

  it("takes a region that offers exactly three zones", () => {
    const three = Object.keys(REGIONS).find((name) => usableZoneCount(name) === 3);
    expect(three).toBeDefined();
    const r = new Reader("kubestead");
    expect(readRegion(r, three)).toBe(three);
    expect(r.problems).toEqual([]);
  });

  it("refuses a Kubernetes release of another major version", () => {
    const r = new Reader("kubestead");
    readKubernetes(r, { version: "2.36.0" });
    readKubernetes(r, { version: "10.36.0" });
    expect(r.problems.map((p) => [p.key, p.rule, p.got])).toEqual([
      ["kubestead:kubernetes.version", "must be a supported Kubernetes minor (1.35, 1.36, 1.37)", "2.36.0"],
      ["kubestead:kubernetes.version", "must be a supported Kubernetes minor (1.35, 1.36, 1.37)", "10.36.0"],
    ]);
  });

  it("names the service CIDR when it overlaps the pod CIDR", () => {
    const raw = withChange("dev", (v) => (v.kubernetes = { ...v.kubernetes, serviceCidr: "10.128.0.0/16" }));
    expect(configProblems(raw).map((p) => [p.key, p.rule])).toEqual([
      ["kubestead:kubernetes.serviceCidr", "must not overlap kubestead:kubernetes.podCidr (10.128.0.0/14)"],
    ]);
  });

  it("leaves an adopted VPC's blocks out of the overlap check (it checks them once AWS is asked)", () => {
    const adopted = crossCheckProblems({ network: { vpcCidr: "10.128.0.0/16", existing: { vpcId: "vpc-0123456789abcdef0" } } });
    expect(adopted).toEqual([]);
    const created = crossCheckProblems({ network: { vpcCidr: "10.128.0.0/16" } });
    expect(created.map((p) => [p.key, p.rule])).toEqual([
      ["kubestead:kubernetes.podCidr", "must not overlap kubestead:network.vpcCidr (10.128.0.0/16)"],
    ]);
  });

  it("puts the place in the stack file in front of a located problem", () => {
    const p = { key: "kubestead:zones", rule: "must not repeat a zone", got: ["a", "a"], fix: "list each once" };
    expect(formatLocatedProblem({ ...p, where: "Pulumi.dev.yaml:3:3" })).toBe(
      'Pulumi.dev.yaml:3:3: kubestead:zones must not repeat a zone (got ["a","a"]): list each once',
    );
    expect(formatLocatedProblem(p)).toBe('kubestead:zones must not repeat a zone (got ["a","a"]): list each once');
  });

  it("takes a pod CIDR with exactly maxNodes node ranges and refuses one fewer", () => {
    const keys = (maxNodes: number) =>
      crossCheckProblems({ kubernetes: { podCidr: "10.128.0.0/20", serviceCidr: "10.96.0.0/12", nodeCidrMaskSize: 24 }, maxNodes }).map(
        (p) => p.key,
      );
    expect(keys(16)).toEqual([]);
    expect(keys(17)).toEqual(["kubestead:kubernetes.podCidr"]);
  });

  it("takes maxNodes equal to the pools' maxSize sum plus the control-plane nodes and refuses one less", () => {
    const problems = (maxNodes: number) =>
      crossCheckProblems({ workers: [{ maxSize: 5 }, { maxSize: 3 }], controlPlane: { nodes: 3 }, maxNodes });
    expect(problems(11)).toEqual([]);
    expect(problems(10)).toEqual([
      {
        key: "kubestead:maxNodes",
        rule: "must cover the pools' maxSize sum plus control-plane nodes (11)",
        got: 10,
        fix: "raise maxNodes or lower the pools' maxSize",
      },
    ]);
  });

  it("refuses a cluster domain that only ends like a DNS domain", () => {
    for (const clusterDomain of ["-cluster.local", "Cluster.local", "cluster..local"]) {
      const r = new Reader("kubestead");
      readKubernetes(r, { clusterDomain });
      expect(r.problems).toEqual([
        {
          key: "kubestead:kubernetes.clusterDomain",
          rule: "must be a DNS domain",
          got: clusterDomain,
          fix: "use cluster.local unless you have a reason not to",
        },
      ]);
    }
  });

  it("gives a /28 service CIDR its 10th address as the cluster DNS address", () => {
    const r = new Reader("kubestead");
    expect(readKubernetes(r, { serviceCidr: "10.96.0.0/28" }).clusterDnsIp).toBe("10.96.0.10");
  });

  it("finds list items past the ninth in the stack file", () => {
    const items = Array.from({ length: 12 }, (_, i) => `    - name: pool${i}`);
    const text = ["config:", "  kubestead:workers:", ...items, ""].join("\n");
    expect(locateKey(text, "kubestead:workers[11].name")).toEqual({ line: 14, column: 7 });
    expect(locateKey(text, "kubestead:workersx[1]")).toBeUndefined();
    expect(locateKey(text, "kubestead:workers.foo[1]")).toEqual({ line: 2, column: 3 });
  });
});
