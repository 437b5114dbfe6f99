/** Config keys for backups that can't be destroyed and VPC flow logs: defaults and the problems they report. */
import { configProblems, parseClusterConfig, RawStackConfig } from "../../../lib/config/parse";
import { withChange } from "../../helpers/stackValues";

const raw = (stack: string, change: (v: Record<string, any>) => void = () => {}): RawStackConfig => withChange(stack, change);

describe("defaults", () => {
  test("prod: governance lock for the whole retention, a year of access logs, flow logs on to CloudWatch for 90 days", () => {
    const c = parseClusterConfig(raw("prod"));
    expect(c.etcd.backup).toMatchObject({
      retentionDays: 30,
      objectLockMode: "governance",
      objectLockDays: 30,
      accessLogRetentionDays: 365,
    });
    expect(c.network.flowLogs).toEqual({ enabled: true, destination: "cloudwatch", retentionDays: 90, trafficType: "ALL" });
  });
  test("dev (advisory enforcement): flow logs off unless asked for, backups locked all the same", () => {
    const c = parseClusterConfig(raw("dev"));
    expect(c.network.flowLogs.enabled).toBe(false);
    expect(c.etcd.backup).toMatchObject({ objectLockMode: "governance", objectLockDays: 3 });
    const on = parseClusterConfig(raw("dev", (v) => (v.network.flowLogs = { enabled: true, destination: "s3", retentionDays: 10 })));
    expect(on.network.flowLogs).toEqual({ enabled: true, destination: "s3", retentionDays: 10, trafficType: "ALL" });
  });
  test("compliance mode and a shorter lock are accepted", () => {
    const c = parseClusterConfig(raw("prod", (v) => Object.assign(v.etcd.backup, { objectLockMode: "compliance", objectLockDays: 7 })));
    expect([c.etcd.backup.objectLockMode, c.etcd.backup.objectLockDays]).toEqual(["compliance", 7]);
  });
});

describe("problems", () => {
  const problems = (stack: string, change: (v: Record<string, any>) => void) =>
    configProblems(raw(stack, change)).map((p) => `${p.key} ${p.rule}: ${p.fix}`);

  test("a lock longer than the retention would leave the lifecycle expiring locked snapshots", () => {
    expect(problems("prod", (v) => (v.etcd.backup.objectLockDays = 31))).toEqual([
      "kubestead:etcd.backup.objectLockDays must not exceed kubestead:etcd.backup.retentionDays (30): snapshots would expire while still locked: lower objectLockDays to at most 30, or raise retentionDays",
    ]);
  });
  test("an unknown lock mode names the two AWS modes", () => {
    expect(problems("prod", (v) => (v.etcd.backup.objectLockMode = "legal-hold"))[0]).toMatch(
      /^kubestead:etcd\.backup\.objectLockMode must be one of governance, compliance/,
    );
  });
  test("a retention CloudWatch Logs does not accept, with the next one it does", () => {
    expect(problems("prod", (v) => (v.network.flowLogs = { retentionDays: 100 }))).toEqual([
      expect.stringMatching(
        /^kubestead:network\.flowLogs\.retentionDays must be a retention CloudWatch Logs accepts .*: use 120, or set kubestead:network\.flowLogs\.destination to s3$/,
      ),
    ]);
    expect(problems("prod", (v) => (v.network.flowLogs = { retentionDays: 100, destination: "s3" }))).toEqual([]);
  });
  test("typos in the flow-log settings are reported", () => {
    expect(problems("prod", (v) => (v.network.flowLogs = { enable: true }))[0]).toMatch(
      /^kubestead:network\.flowLogs\.enable is not a known setting: did you mean enabled\? remove it or use one of: enabled, destination, retentionDays, trafficType$/,
    );
  });
});
