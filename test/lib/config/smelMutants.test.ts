/**
 * Edge cases of kubestead:sessionManager (lib/config/sessionManager.ts) and kubestead:etcd.defrag /
 * backupAlarm (lib/config/etcdLifecycle.ts), read on their own with exact problems.
 */
import { Arch } from "../../../lib/arch";
import { readEtcdLifecycle } from "../../../lib/config/etcdLifecycle";
import { Raw, Reader } from "../../../lib/config/reader";
import { nodeArchitectures, readSessionManager, sessionManagerAgent } from "../../../lib/config/sessionManager";

const SM_FIX = (version: string, arch: Arch) =>
  `download https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/${version}/debian_${arch}/amazon-ssm-agent.deb and its .sig, ` +
  "check the signature with AWS's SSM agent public key (gpg --verify), then set the package's sha256sum";

function readSm(raw: unknown, archs: [Arch, string[]][] = [["amd64", ["etcd"]]]) {
  const r = new Reader("kubestead");
  const value = readSessionManager(r, raw, new Map(archs));
  return { value, problems: r.problems };
}

function readEtcd(etcd: Raw) {
  const r = new Reader("kubestead");
  const value = readEtcdLifecycle(r, etcd, "etcd");
  return { value, problems: r.problems };
}

describe("sessionManager: turned off", () => {
  test.each([[undefined], [null], [false], ["false"]])("%p: off, and nothing to report", (raw) => {
    expect(readSm(raw)).toEqual({ value: undefined, problems: [] });
  });

  test.each([[true], ["true"], ["yes"], [["3.3.1802.0"]]])("%p is not a mapping: one problem, nothing read", (raw) => {
    expect(readSm(raw)).toEqual({
      value: undefined,
      problems: [
        { key: "kubestead:sessionManager", rule: "must be an object", got: raw, fix: "write kubestead:sessionManager as a YAML mapping" },
      ],
    });
  });
});

describe("sessionManager: version", () => {
  test.each([["10.2.3.4"], ["3.3.1802.0"], ["1.2.3.40"], ["3.30.1957.12"]])("%s is a release", (version) => {
    const sha = "a".repeat(64);
    expect(readSm({ version, sha256: { amd64: sha } })).toEqual({ value: { version, sha256: { amd64: sha } }, problems: [] });
  });

  test.each([["1.2.3.4.5"], ["1.2.3.4x"], ["x1.2.3.4"], ["1.2.3"], ["latest"]])("%s is not a release", (version) => {
    const sha = "a".repeat(64);
    expect(readSm({ version, sha256: { amd64: sha } }).problems).toEqual([
      {
        key: "kubestead:sessionManager.version",
        rule: "must be an SSM agent release: four dotted numbers",
        got: version,
        fix:
          "e.g. 3.3.1802.0, a release listed in the agent's release notes; the package is fetched from " +
          "https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/<version>/debian_amd64/amazon-ssm-agent.deb",
      },
    ]);
  });
});

describe("sessionManager: checksums", () => {
  test("a checksum of 65 hex digits is refused, and the fix names the release's package", () => {
    const bad = "a".repeat(65);
    expect(readSm({ version: "3.3.1802.0", sha256: { amd64: bad } })).toEqual({
      value: { version: "3.3.1802.0", sha256: {} },
      problems: [
        {
          key: "kubestead:sessionManager.sha256.amd64",
          rule: "must be a sha256: 64 lowercase hex digits",
          got: bad,
          fix: SM_FIX("3.3.1802.0", "amd64"),
        },
      ],
    });
  });

  test("with a bad version the fix names no release", () => {
    expect(readSm({ version: "3.3", sha256: { amd64: "XYZ" } }).problems).toEqual([
      expect.objectContaining({ key: "kubestead:sessionManager.version", got: "3.3" }),
      {
        key: "kubestead:sessionManager.sha256.amd64",
        rule: "must be a sha256: 64 lowercase hex digits",
        got: "XYZ",
        fix: SM_FIX("<version>", "amd64"),
      },
    ]);
  });

  test("with no version the fix names no release", () => {
    expect(readSm({ sha256: { amd64: 5 } }).problems).toEqual([
      { key: "kubestead:sessionManager.version", rule: "is required", got: undefined, fix: "set kubestead:sessionManager.version" },
      {
        key: "kubestead:sessionManager.sha256.amd64",
        rule: "must be a sha256: 64 lowercase hex digits",
        got: 5,
        fix: SM_FIX("<version>", "amd64"),
      },
    ]);
  });

  test("sha256 that is not a mapping is reported at sessionManager.sha256", () => {
    expect(readSm({ version: "3.3.1802.0", sha256: "abc" }, []).problems).toEqual([
      {
        key: "kubestead:sessionManager.sha256",
        rule: "must be an object",
        got: "abc",
        fix: "write kubestead:sessionManager.sha256 as a YAML mapping",
      },
    ]);
  });

  test("an unknown architecture under sha256 is reported; x86_64 only as a rename", () => {
    const sha = "a".repeat(64);
    expect(readSm({ version: "3.3.1802.0", sha256: { x86_64: sha, s390x: sha } }, [["amd64", ["etcd"]]]).problems).toEqual([
      {
        key: "kubestead:sessionManager.sha256.x86_64",
        rule: "is amd64 under another name: kubestead names architectures as Debian's packages do",
        got: sha,
        fix: "rename it to kubestead:sessionManager.sha256.amd64",
      },
      {
        key: "kubestead:sessionManager.sha256.s390x",
        rule: "is not a known setting",
        got: sha,
        fix: "remove it or use one of: amd64, arm64",
      },
    ]);
  });

  test("an architecture no node runs needs no checksum", () => {
    const sha = "b".repeat(64);
    expect(readSm({ version: "3.3.1802.0", sha256: { amd64: sha } }, [["amd64", ["etcd"]]])).toEqual({
      value: { version: "3.3.1802.0", sha256: { amd64: sha } },
      problems: [],
    });
  });

  test("a null checksum of an architecture in use is missing, and the message lists every role", () => {
    const sha = "b".repeat(64);
    const archs: [Arch, string[]][] = [
      ["amd64", ["etcd"]],
      ["arm64", ["the control plane", "worker pool graviton"]],
    ];
    expect(readSm({ version: "3.3.1802.0", sha256: { amd64: sha, arm64: null } }, archs)).toEqual({
      value: { version: "3.3.1802.0", sha256: { amd64: sha } },
      problems: [
        {
          key: "kubestead:sessionManager.sha256.arm64",
          rule:
            "is required: the cluster runs arm64 (Graviton) nodes (the control plane, worker pool graviton), " +
            "and a node installs only a package it can verify",
          got: undefined,
          fix: SM_FIX("3.3.1802.0", "arm64"),
        },
      ],
    });
  });

  test("a missing checksum with a bad version: the fix names no release", () => {
    expect(readSm({ version: "v3", sha256: {} }, [["arm64", ["etcd"]]]).problems).toEqual([
      expect.objectContaining({ key: "kubestead:sessionManager.version", got: "v3" }),
      {
        key: "kubestead:sessionManager.sha256.arm64",
        rule: "is required: the cluster runs arm64 (Graviton) nodes (etcd), and a node installs only a package it can verify",
        got: undefined,
        fix: SM_FIX("<version>", "arm64"),
      },
    ]);
  });
});

describe("sessionManager: the agent a node installs", () => {
  test("off: none", () => {
    expect(sessionManagerAgent(undefined, "amd64")).toBeUndefined();
  });

  test("a checksum for the node's architecture", () => {
    const sha = "c".repeat(64);
    expect(sessionManagerAgent({ version: "3.3.1802.0", sha256: { arm64: sha } }, "arm64")).toEqual({
      version: "3.3.1802.0",
      arch: "arm64",
      sha256: sha,
    });
  });

  test("no checksum for the node's architecture is a fault of the reader", () => {
    expect(() => sessionManagerAgent({ version: "3.3.1802.0", sha256: { amd64: "c".repeat(64) } }, "arm64")).toThrow(
      new Error("kubestead:sessionManager.sha256.arm64 is missing: the config reader should have refused it"),
    );
  });
});

test("nodeArchitectures names every role by architecture", () => {
  const archs = nodeArchitectures({
    etcd: { arch: "amd64" },
    controlPlane: { arch: "amd64" },
    workers: [
      { name: "general", arch: "arm64" },
      { name: "batch", arch: "amd64" },
    ],
  });
  expect([...archs]).toEqual([
    ["amd64", ["etcd", "the control plane", "worker pool batch"]],
    ["arm64", ["worker pool general"]],
  ]);
});

describe("etcd: members and backup interval as written", () => {
  test("a null backup mapping means the default interval", () => {
    expect(readEtcd({ backup: null }).value.backupAlarm.afterMinutes).toBe(180);
  });

  test.each([
    ["5", 5],
    [" 5 ", 5],
    ["10", 10],
    [10, 10],
  ])("members %p count as %i", (members, n) => {
    // 160 minutes × 9 gaps = 24 hours: too much for 10 members, fine for 5.
    const stagger = n === 10 ? 160 : 400;
    expect(readEtcd({ members, defrag: { staggerMinutes: stagger } }).problems).toEqual([
      {
        key: "kubestead:etcd.defrag.staggerMinutes",
        rule: `must leave every member its own time of day (${n} members × ${stagger} minutes reach the next day)`,
        got: stagger,
        fix: `set it below ${Math.floor(1440 / (n - 1))}`,
      },
    ]);
  });

  test.each([["x5"], ["5x"], ["abc"], ["-5"], [""]])("members %p are not a count: three assumed", (members) => {
    // 720 minutes × 2 gaps reach the next day with three members.
    expect(readEtcd({ members, defrag: { staggerMinutes: 720 } }).problems).toEqual([
      {
        key: "kubestead:etcd.defrag.staggerMinutes",
        rule: "must leave every member its own time of day (3 members × 720 minutes reach the next day)",
        got: 720,
        fix: "set it below 720",
      },
    ]);
  });

  test("backup interval as a string", () => {
    expect(readEtcd({ backup: { intervalMinutes: "240" } }).value.backupAlarm.afterMinutes).toBe(300);
    expect(readEtcd({ backup: { intervalMinutes: " 240 " } }).value.backupAlarm.afterMinutes).toBe(300);
  });
});

describe("etcd: defrag stagger", () => {
  test("five members 400 minutes apart: set it below 360", () => {
    expect(readEtcd({ members: 5, defrag: { staggerMinutes: 400 } }).problems).toEqual([
      {
        key: "kubestead:etcd.defrag.staggerMinutes",
        rule: "must leave every member its own time of day (5 members × 400 minutes reach the next day)",
        got: 400,
        fix: "set it below 360",
      },
    ]);
  });

  test("three members: 720 minutes reach the next day, 719 do not", () => {
    expect(readEtcd({ members: 3, defrag: { staggerMinutes: 720 } }).problems.map((p) => p.fix)).toEqual(["set it below 720"]);
    expect(readEtcd({ members: 3, defrag: { staggerMinutes: 719 } }).problems).toEqual([]);
  });

  test("three members 500 minutes apart fit in a day", () => {
    expect(readEtcd({ members: 3, defrag: { staggerMinutes: 500 } }).problems).toEqual([]);
  });

  test("one member or none: only the range is checked", () => {
    expect(readEtcd({ members: 1, defrag: { staggerMinutes: 720 } }).problems).toEqual([]);
    expect(readEtcd({ members: 0, defrag: { staggerMinutes: -1440 } }).problems).toEqual([
      {
        key: "kubestead:etcd.defrag.staggerMinutes",
        rule: "must be from 5 to 720",
        got: -1440,
        fix: "set kubestead:etcd.defrag.staggerMinutes to a whole number from 5 to 720",
      },
    ]);
  });
});

describe("etcd: backup alarm", () => {
  test("250 minutes: whole hours, and at least the minimum", () => {
    expect(readEtcd({ backup: { intervalMinutes: 240 }, backupAlarm: { afterMinutes: 250 } }).problems).toEqual([
      {
        key: "kubestead:etcd.backupAlarm.afterMinutes",
        rule: "must be whole hours (the alarm counts uploads per hour)",
        got: 250,
        fix: "use 300",
      },
      {
        key: "kubestead:etcd.backupAlarm.afterMinutes",
        rule: "must be at least 300 with backups every 240 minutes, or a healthy schedule would raise it",
        got: 250,
        fix: "set it to 300 or more",
      },
    ]);
  });

  test.each([
    ["arn:aws:sns:us-east-1:123456789012:etcd-oncall"],
    ["arn:aws-us-gov:sns:us-gov-west-1:123456789012:etcd_oncall"],
    ["arn:aws-cn:sns:cn-north-1:123456789012:Etcd-1"],
    [`arn:aws:sns:eu-west-1:123456789012:${"t".repeat(256)}`],
  ])("%s is an SNS topic", (arn) => {
    expect(readEtcd({ backupAlarm: { actions: [arn] } })).toEqual({
      value: expect.objectContaining({ backupAlarm: { afterMinutes: 180, actions: [arn] } }),
      problems: [],
    });
  });

  test.each([
    ["xarn:aws:sns:us-east-1:123456789012:etcd-oncall"],
    ["arn:aws:sns:us-east-1:123456789012:etcd/oncall"],
    [`arn:aws:sns:eu-west-1:123456789012:${"t".repeat(257)}`],
    ["arn:aws1:sns:us-east-1:123456789012:etcd"],
  ])("%s is not an SNS topic", (arn) => {
    expect(readEtcd({ backupAlarm: { actions: ["arn:aws:sns:us-east-1:123456789012:ok", arn] } }).problems).toEqual([
      {
        key: "kubestead:etcd.backupAlarm.actions[1]",
        rule: "must be an SNS topic ARN",
        got: arn,
        fix: "use arn:aws:sns:<region>:<account>:<topic>",
      },
    ]);
  });
});
