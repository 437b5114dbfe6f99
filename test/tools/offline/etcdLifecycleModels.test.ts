/** The offline emulation of what the etcd cluster's lifecycle adds: the backup alarm and the incarnation ID. */
import { ACCOUNT_ID, AwsEmulator, metricAlarmProblem } from "../../../tools/offline/aws";

const aws = () => new AwsEmulator("us-east-1", ["us-east-1a", "us-east-1b", "us-east-1c"]);
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const GOOD = {
  name: "kc-etcd-backups-stopped",
  namespace: "Kubestead/etcd",
  metricName: "BackupsUploaded",
  dimensions: { Cluster: "kc" },
  statistic: "Sum",
  period: 3600,
  evaluationPeriods: 3,
  datapointsToAlarm: 3,
  threshold: 1,
  comparisonOperator: "LessThanThreshold",
  treatMissingData: "breaching",
  alarmActions: ["arn:aws:sns:us-east-1:123456789012:oncall"],
};

describe("CloudWatch metric alarm", () => {
  test("named as given, with the ARN CloudWatch gives it", () => {
    const r = aws().newResource(ALARM, "a", GOOD);
    expect(r.id).toBe("kc-etcd-backups-stopped");
    expect(r.state.arn).toBe(`arn:aws:cloudwatch:us-east-1:${ACCOUNT_ID}:alarm:kc-etcd-backups-stopped`);
    expect(metricAlarmProblem(GOOD)).toBeUndefined();
  });

  test.each([
    [{ period: 90 }, /period 90 must be 10, 20, 30 or a multiple of 60/],
    [{ period: 300, evaluationPeriods: 289 }, /above 86400 s/],
    [{ evaluationPeriods: 169 }, /above 604800 s/],
    [{ datapointsToAlarm: 4 }, /datapointsToAlarm 4 must be from 1 to evaluationPeriods \(3\)/],
    [{ comparisonOperator: "Below" }, /comparisonOperator Below is unknown/],
    [{ treatMissingData: "alarm" }, /treatMissingData alarm is unknown/],
    [{ statistic: "p99" }, /statistic p99 is unknown/],
    [{ alarmActions: ["oncall@example.com"] }, /alarmActions entry oncall@example.com is not an action ARN/],
    [{ namespace: undefined }, /namespace and metricName are required/],
  ])("refuses %j as PutMetricAlarm does", (change, message) => {
    expect(() => aws().newResource(ALARM, "a", { ...GOOD, ...change })).toThrow(message);
  });
});

describe("random ID", () => {
  test("hex of the asked length, the same for the same name (plans compare equal), another for another name", () => {
    const r = aws().newResource("random:index/randomId:RandomId", "kc-etcd-incarnation", { byteLength: 6 });
    expect(r.state.hex).toMatch(/^[0-9a-f]{12}$/);
    expect(Buffer.from(String(r.state.b64Std), "base64").toString("hex")).toBe(r.state.hex);
    expect(BigInt(`0x${String(r.state.hex)}`).toString()).toBe(r.state.dec);
    expect(aws().newResource("random:index/randomId:RandomId", "kc-etcd-incarnation", { byteLength: 6 }).state.hex).toBe(r.state.hex);
    expect(aws().newResource("random:index/randomId:RandomId", "other-etcd-incarnation", { byteLength: 6 }).state.hex).not.toBe(
      r.state.hex,
    );
  });
});
