/** kubestead:etcd.defrag and kubestead:etcd.backupAlarm, read on their own (lib/config/etcdLifecycle.ts). */
import { Raw, Reader } from "../../../lib/config/reader";
import {
  ETCD_BACKUP_ALARM_MAX_MINUTES,
  etcdBackupAlarmDefault,
  etcdBackupAlarmMinimum,
  etcdLifecycleDefaults,
  readEtcdLifecycle,
} from "../../../lib/config/etcdLifecycle";

const read = (etcd: Raw) => {
  const r = new Reader("kubestead");
  const value = readEtcdLifecycle(r, etcd, "etcd");
  return { value, problems: r.problems.map((p) => [p.key, p.rule]) };
};

test("left out: daily defragmentation from 03:00 UTC, 20 minutes apart, at 20% free; the alarm after 3 hours", () => {
  expect(read({})).toEqual({ value: etcdLifecycleDefaults(60), problems: [] });
  expect(etcdLifecycleDefaults(60)).toEqual({
    defrag: { enabled: true, hourUtc: 3, staggerMinutes: 20, minFreePercent: 20 },
    backupAlarm: { afterMinutes: 180, actions: [] },
  });
});

test.each([
  [5, 120, 180],
  [60, 120, 180],
  [90, 180, 180],
  [240, 300, 300],
  [1440, 1500, 1500],
])("backups every %i minutes: no alarm below %i, %i by default", (interval, minimum, def) => {
  expect(etcdBackupAlarmMinimum(interval)).toBe(minimum);
  expect(etcdBackupAlarmDefault(interval)).toBe(def);
  expect(read({ backup: { intervalMinutes: interval } }).value.backupAlarm.afterMinutes).toBe(def);
});

test("every setting", () => {
  const actions = ["arn:aws:sns:us-east-1:123456789012:etcd-oncall"];
  expect(
    read({
      members: 5,
      defrag: { enabled: false, hourUtc: 22, staggerMinutes: 30, minFreePercent: 35 },
      backupAlarm: { afterMinutes: 360, actions },
    }),
  ).toEqual({
    value: { defrag: { enabled: false, hourUtc: 22, staggerMinutes: 30, minFreePercent: 35 }, backupAlarm: { afterMinutes: 360, actions } },
    problems: [],
  });
});

test("every problem at once, each naming the key", () => {
  const { problems } = read({
    members: 5,
    backup: { intervalMinutes: 240 },
    defrag: { enabled: "often", hourUtc: 24, staggerMinutes: 400, extra: 1 },
    backupAlarm: { afterMinutes: 250, actions: ["arn:aws:iam::123456789012:role/x"] },
  });
  expect(problems).toEqual([
    ["kubestead:etcd.defrag.extra", "is not a known setting"],
    ["kubestead:etcd.defrag.enabled", "must be true or false"],
    ["kubestead:etcd.defrag.hourUtc", "must be from 0 to 23"],
    ["kubestead:etcd.defrag.staggerMinutes", "must leave every member its own time of day (5 members × 400 minutes reach the next day)"],
    ["kubestead:etcd.backupAlarm.afterMinutes", "must be whole hours (the alarm counts uploads per hour)"],
    [
      "kubestead:etcd.backupAlarm.afterMinutes",
      "must be at least 300 with backups every 240 minutes, or a healthy schedule would raise it",
    ],
    ["kubestead:etcd.backupAlarm.actions[0]", "must be an SNS topic ARN"],
  ]);
});

test("CloudWatch's seven days bound the alarm", () => {
  expect(read({ backupAlarm: { afterMinutes: ETCD_BACKUP_ALARM_MAX_MINUTES + 60 } }).problems).toEqual([
    ["kubestead:etcd.backupAlarm.afterMinutes", `must be from 60 to ${ETCD_BACKUP_ALARM_MAX_MINUTES}`],
  ]);
});
