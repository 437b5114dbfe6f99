/**
 * Each section reader hands on every field it is given, each from its own key: the stack tests
 * mostly use the defaults, so a reader that read a field from the wrong key, or always gave its
 * default, would pass them. Also the checks that refuse a value only near its limit (the pause tag,
 * the cluster domain, the etcd release line, an etcd checksum of the other architecture).
 */
import { readAddons } from "../../../lib/config/addons";
import { DEFAULTS } from "../../../lib/config/defaults";
import { resolveChecksums } from "../../../lib/config/checksums";
import { crossChecks } from "../../../lib/config/crossChecks";
import { readEtcd } from "../../../lib/config/etcd";
import { readKubernetes } from "../../../lib/config/kubernetes";
import { readTags } from "../../../lib/config/tags";
import { Raw, Reader } from "../../../lib/config/reader";
import { ETCD_SHA256 } from "../../../lib/releases";

const ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"];

describe("readAddons", () => {
  it("reads every add-on switch and release it is given, each from its own key", () => {
    const r = new Reader("kubestead");
    const given = {
      clusterAutoscaler: true,
      metricsServer: false,
      ebsCsiDriver: true,
      ciliumVersion: "1.19.0",
      corednsVersion: "1.12.0",
      cloudControllerManagerVersion: "1.36.3",
      clusterAutoscalerVersion: "1.36.1",
      csrApproverVersion: "1.2.5",
      metricsServerVersion: "0.7.1",
      ebsCsiDriverVersion: "1.35.0",
      nodeTerminationHandler: false,
      nodeTerminationHandlerVersion: "1.25.2",
    };
    expect(readAddons(r, given, "1.36.2")).toEqual(given);
    expect(r.problems).toEqual([]);
  });

  it("offers an add-on's pinned release when the one given has a leading v", () => {
    const r = new Reader("kubestead");
    readAddons(r, { ciliumVersion: "v1.19.0", clusterAutoscalerVersion: "v1.36.1" }, "1.36.2");
    expect(r.problems).toEqual([
      {
        key: "kubestead:addons.clusterAutoscalerVersion",
        rule: "must be a release like 1.2.3 (no leading v)",
        got: "v1.36.1",
        fix: "pin a release, e.g. 1.36.0",
      },
      {
        key: "kubestead:addons.ciliumVersion",
        rule: "must be a release like 1.2.3 (no leading v)",
        got: "v1.19.0",
        fix: `pin a release, e.g. ${DEFAULTS.ciliumVersion}`,
      },
    ]);
  });

  it("keeps each add-on switch at its default when it is not given", () => {
    const r = new Reader("kubestead");
    const out = readAddons(r, {}, "1.36.2");
    expect([out.clusterAutoscaler, out.metricsServer, out.ebsCsiDriver, out.nodeTerminationHandler]).toEqual([false, true, false, true]);
    expect(r.problems).toEqual([]);
  });
});

describe("readKubernetes", () => {
  it("reads every node component release it is given, each from its own key", () => {
    const r = new Reader("kubestead");
    const out = readKubernetes(r, { containerdVersion: "2.3.1", runcVersion: "1.4.2", cniPluginsVersion: "1.8.0", pauseVersion: "3.9" });
    expect([out.containerdVersion, out.runcVersion, out.cniPluginsVersion, out.pauseVersion]).toEqual(["2.3.1", "1.4.2", "1.8.0", "3.9"]);
    expect(r.problems).toEqual([]);
  });

  it("refuses a component release with a leading v and offers its default", () => {
    const r = new Reader("kubestead");
    readKubernetes(r, { runcVersion: "v1.5.1" });
    expect(r.problems).toEqual([
      {
        key: "kubestead:kubernetes.runcVersion",
        rule: "must be a release like 1.2.3 (no leading v)",
        got: "v1.5.1",
        fix: "pin a release, e.g. 1.5.1",
      },
    ]);
  });

  it("takes pause tags of two or three numbers, of any width, and nothing around them", () => {
    const tags = (pauseVersion: string) => {
      const r = new Reader("kubestead");
      readKubernetes(r, { pauseVersion });
      return r.problems;
    };
    for (const ok of ["3.10", "3.10.1", "3.10.12", "10.0"]) expect(tags(ok)).toEqual([]);
    for (const bad of ["v3.10", "3.10-rc.0", "3", "3.10.1.2"])
      expect(tags(bad)).toEqual([
        { key: "kubestead:kubernetes.pauseVersion", rule: "must be a pause image tag like 3.10", got: bad, fix: "use 3.10.1" },
      ]);
  });

  it("takes cluster domains of one label, of one-character labels and of many labels", () => {
    for (const clusterDomain of ["corp", "a.local", "cluster.x", "a.b.c.d"]) {
      const r = new Reader("kubestead");
      expect(readKubernetes(r, { clusterDomain }).clusterDomain).toBe(clusterDomain);
      expect(r.problems).toEqual([]);
    }
  });
});

describe("readEtcd", () => {
  it("refuses a release named like an object's own property once, at etcd.version, with no checksum message", () => {
    const r = new Reader("kubestead");
    readEtcd(r, { version: "constructor" }, ZONES);
    expect(r.problems.map((p) => [p.key, p.got])).toEqual([["kubestead:etcd.version", "constructor"]]);
  });

  const etcd = (e: Raw) => {
    const r = new Reader("kubestead");
    return { config: readEtcd(r, e, ZONES), problems: r.problems };
  };

  it("runs members on m7i.large unless told otherwise", () => {
    const { config, problems } = etcd({});
    expect([config.instanceType, config.arch]).toEqual(["m7i.large", "amd64"]);
    expect(problems).toEqual([]);
  });

  it("refuses a release line other than 3.5 and 3.6, however it begins or ends", () => {
    for (const version of ["13.5.0", "3.4.35", "3.7.0"]) {
      expect(etcd({ version }).problems).toEqual([
        {
          key: "kubestead:etcd.version",
          rule: "must be an etcd 3.5 or 3.6 release (what supported Kubernetes releases are tested against)",
          got: version,
          fix: "use 3.6.14",
        },
      ]);
    }
  });

  it("reads every member setting it is given, each from its own key", () => {
    const { config, problems } = etcd({ members: 5, volumeSizeGiB: 40, volumeIops: 6000, snapshotCount: 50000 });
    expect(problems).toEqual([
      {
        key: "kubestead:etcd.members",
        rule: "must not exceed the number of zones (3): each member needs its own zone",
        got: 5,
        fix: "add zones to kubestead:zones or set kubestead:etcd.members to 3",
      },
    ]);
    expect([config.members, config.volumeSizeGiB, config.volumeIops, config.snapshotCount]).toEqual([5, 40, 6000, 50000]);
  });

  it("reads every backup setting it is given, each from its own key", () => {
    const backup = { intervalMinutes: 30, retentionDays: 30, objectLockMode: "compliance", objectLockDays: 20, accessLogRetentionDays: 90 };
    const { config, problems } = etcd({ backup });
    expect(config.backup).toEqual(backup);
    expect(problems).toEqual([]);
  });

  it("names each backup setting under kubestead:etcd.backup when it is out of range", () => {
    const { problems } = etcd({
      backup: { intervalMinutes: 1, retentionDays: 0, objectLockDays: 0, accessLogRetentionDays: 0, extra: true },
    });
    expect(problems.map((p) => p.key)).toEqual([
      "kubestead:etcd.backup.extra",
      "kubestead:etcd.backup.intervalMinutes",
      "kubestead:etcd.backup.retentionDays",
      "kubestead:etcd.backup.objectLockDays",
      "kubestead:etcd.backup.accessLogRetentionDays",
    ]);
  });

  it("refuses a backup section that is not a mapping, at kubestead:etcd.backup", () => {
    expect(etcd({ backup: "hourly" }).problems.map((p) => [p.key, p.got])).toEqual([["kubestead:etcd.backup", "hourly"]]);
  });

  it("refuses an object lock longer than the retention, naming both keys", () => {
    expect(etcd({ backup: { retentionDays: 7, objectLockDays: 8 } }).problems).toEqual([
      {
        key: "kubestead:etcd.backup.objectLockDays",
        rule: "must not exceed kubestead:etcd.backup.retentionDays (7): snapshots would expire while still locked",
        got: 8,
        fix: "lower objectLockDays to at most 7, or raise retentionDays",
      },
    ]);
  });

  it("refuses a given checksum that is not 64 lowercase hex digits, even of a release whose checksum is known", () => {
    for (const sha256 of ["a".repeat(65), `x${"a".repeat(64)}`, "A".repeat(64)]) {
      expect(etcd({ version: "3.6.14", sha256 }).problems).toEqual([
        {
          key: "kubestead:etcd.sha256",
          rule: "must be the sha256 of etcd-v3.6.14-linux-amd64.tar.gz (64 lowercase hex digits)",
          got: sha256,
          fix: "remove kubestead:etcd.sha256 (the amd64 checksum of 3.6.14 is known), or copy it from the release's SHA256SUMS",
        },
      ]);
    }
  });

  it("takes the members' own architecture's checksum when it is given", () => {
    const amd = etcd({ version: "3.6.14", sha256: ETCD_SHA256.amd64["3.6.14"] });
    expect(amd.config.sha256).toBe(ETCD_SHA256.amd64["3.6.14"]);
    expect(amd.problems).toEqual([]);
    const arm = etcd({ version: "3.6.14", instanceType: "m7g.large", sha256: ETCD_SHA256.arm64["3.6.14"] });
    expect([arm.config.arch, arm.config.sha256]).toEqual(["arm64", ETCD_SHA256.arm64["3.6.14"]]);
    expect(arm.problems).toEqual([]);
  });

  it("refuses the other architecture's checksum, whichever the members run", () => {
    expect(etcd({ version: "3.6.14", sha256: ETCD_SHA256.arm64["3.6.14"] }).problems).toEqual([
      {
        key: "kubestead:etcd.sha256",
        rule: "must be the sha256 of etcd-v3.6.14-linux-amd64.tar.gz: this is arm64's (the members run amd64 instance types)",
        got: ETCD_SHA256.arm64["3.6.14"],
        fix: "remove kubestead:etcd.sha256 (the amd64 checksum of 3.6.14 is known), or set the amd64 one",
      },
    ]);
    expect(etcd({ version: "3.6.14", instanceType: "m7g.large", sha256: ETCD_SHA256.amd64["3.6.14"] }).problems).toEqual([
      {
        key: "kubestead:etcd.sha256",
        rule: "must be the sha256 of etcd-v3.6.14-linux-arm64.tar.gz: this is amd64's (the members run arm64 instance types)",
        got: ETCD_SHA256.amd64["3.6.14"],
        fix: "remove kubestead:etcd.sha256 (the arm64 checksum of 3.6.14 is known), or set the arm64 one",
      },
    ]);
  });
});

describe("resolveChecksums", () => {
  const k = { version: "1.36.2", containerdVersion: "2.4.1", runcVersion: "1.5.1", cniPluginsVersion: "1.9.1" };

  it("takes a checksum given at the top level for amd64", () => {
    const r = new Reader("kubestead");
    const sha = "a".repeat(64);
    const out = resolveChecksums(r, k as Parameters<typeof resolveChecksums>[1], { kubelet: sha }, ["amd64"], "amd64");
    expect(out.amd64?.kubelet).toBe(sha);
    expect(r.problems).toEqual([]);
  });

  it("refuses a checksum that is not exactly 64 lowercase hex digits", () => {
    for (const sha of ["a".repeat(65), `x${"a".repeat(64)}`, "a".repeat(63), "A".repeat(64)]) {
      const r = new Reader("kubestead");
      resolveChecksums(r, k as Parameters<typeof resolveChecksums>[1], { kubelet: sha }, ["amd64"], "amd64");
      expect(r.problems).toEqual([
        {
          key: "kubestead:checksums.kubelet",
          rule: "must be a sha256: 64 lowercase hex digits",
          got: sha,
          fix: "copy the checksum the release publishes for the file",
        },
      ]);
    }
  });

  it("leaves a binary of a release that is already refused empty, without a second message", () => {
    const r = new Reader("kubestead");
    r.problem("kubernetes.version", "must be a supported Kubernetes minor", "1.99.0", "pin one");
    const out = resolveChecksums(r, { ...k, version: "1.99.0" } as Parameters<typeof resolveChecksums>[1], {}, ["amd64"], "amd64");
    expect([out.amd64?.kubelet, out.amd64?.kubectl]).toEqual(["", ""]);
    expect(r.problems.map((p) => p.key)).toEqual(["kubestead:kubernetes.version"]);
  });
});

describe("crossChecks: subnet capacity", () => {
  const problems = (network: Raw, zones: string[]) => {
    const r = new Reader("kubestead");
    const c = {
      network: { privateSubnetPrefix: 24, publicSubnetPrefix: 26, ...network },
      kubernetes: { podCidr: "10.128.0.0/10", serviceCidr: "10.96.0.0/12", nodeCidrMaskSize: 24 },
      workers: [],
      controlPlane: { nodes: 3 },
      maxNodes: 5000,
      zones,
    };
    crossChecks(r, c as unknown as Parameters<typeof crossChecks>[1]);
    return r.problems.map((p) => p.key);
  };

  it("counts the planned private subnets' addresses only for a VPC kubestead creates in known zones", () => {
    expect(problems({ vpcCidr: "10.0.0.0/16" }, ZONES)).toEqual(["kubestead:network.privateSubnetPrefix"]);
    // An adopted VPC's subnets are AWS's to count; without zones there is nothing to plan.
    expect(problems({ vpcCidr: "10.0.0.0/16", existing: { vpcId: "vpc-0123456789abcdef0" } }, ZONES)).toEqual([]);
    expect(problems({ vpcCidr: "10.0.0.0/16" }, [])).toEqual([]);
  });
});

describe("readKubernetes: the service CIDR and the cluster DNS address", () => {
  const problems = (k: Raw) => {
    const r = new Reader("kubestead");
    readKubernetes(r, k);
    return r.problems;
  };

  it("takes a /24 service CIDR and refuses a /25", () => {
    expect(problems({ serviceCidr: "10.96.0.0/24" })).toEqual([]);
    expect(problems({ serviceCidr: "10.96.0.0/25" })).toEqual([
      {
        key: "kubestead:kubernetes.serviceCidr",
        rule: "must have a prefix from /12 to /24 (the apiserver refuses larger service ranges)",
        got: "10.96.0.0/25",
        fix: "use 10.96.0.0/12",
      },
    ]);
  });

  it("says once that a service CIDR without a usable address has no DNS address to give, whether the address is left out, null or empty", () => {
    const cidrProblem = {
      key: "kubestead:kubernetes.serviceCidr",
      rule: "must be an IPv4 CIDR with a clean network address",
      got: "10.96.0.0",
      fix: "use e.g. 10.96.0.0/12",
    };
    for (const clusterDnsIp of [undefined, null, ""]) expect(problems({ serviceCidr: "10.96.0.0", clusterDnsIp })).toEqual([cidrProblem]);
  });

  it("names the 10th address of a /28 service CIDR for a DNS address outside it", () => {
    expect(problems({ serviceCidr: "10.96.0.0/28", clusterDnsIp: "10.97.0.10" }).map((p) => [p.key, p.fix])).toEqual([
      ["kubestead:kubernetes.serviceCidr", "use 10.96.0.0/12"],
      ["kubestead:kubernetes.clusterDnsIp", "use 10.96.0.10 or leave it unset"],
    ]);
  });

  it("refuses the service CIDR's network address as the DNS address, as it refuses the first", () => {
    for (const clusterDnsIp of ["10.96.0.0", "10.96.0.1"])
      expect(problems({ serviceCidr: "10.96.0.0/12", clusterDnsIp })).toEqual([
        {
          key: "kubestead:kubernetes.clusterDnsIp",
          rule: "must not be the service CIDR's network address or its first address (the kubernetes Service takes it)",
          got: clusterDnsIp,
          fix: "use 10.96.0.10",
        },
      ]);
  });
});

describe("readTags", () => {
  it("refuses each tag key prefix the program sets itself", () => {
    for (const key of ["kubernetes.io/cluster/acme", "kubestead.io/role"]) {
      const r = new Reader("kubestead");
      readTags(r, { tags: { [key]: "x", team: "platform" } });
      expect(r.problems).toEqual([
        {
          key: `kubestead:tags.${key}`,
          rule: "must not use kubernetes.io/cluster/ or kubestead.io/: the program sets those tags itself",
          got: key,
          fix: "use a key of your own, e.g. team or cost-center",
        },
      ]);
    }
  });
});
