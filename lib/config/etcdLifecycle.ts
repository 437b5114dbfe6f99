/**
 * Config of the etcd members' day-two chores: defragmentation (bootstrap/etcdLifecycle.ts) and the
 * alarm that fires when backups stop (components/etcdCluster.ts). Read from two mappings under
 * `kubestead:etcd`, `defrag` and `backupAlarm`, which only this reader knows.
 *
 * Pure, like the rest of the config reader; every problem is recorded on the Reader, never thrown.
 */
import { Raw, Reader } from "./reader";

export interface EtcdDefragConfig {
  /** Defragment at all (default true). */
  enabled: boolean;
  /** Hour (UTC, 0–23) at which member 0 checks; member i checks staggerMinutes × i later (default 3). */
  hourUtc: number;
  /** Minutes between two members' checks, so no two defragment at once (default 20). */
  staggerMinutes: number;
  /** Defragment only when at least this share of the database file is free space, percent (default 20). */
  minFreePercent: number;
}

export interface EtcdBackupAlarmConfig {
  /** Minutes without a successful upload before the alarm fires (default: see etcdBackupAlarmDefault). */
  afterMinutes: number;
  /** Alarm actions: SNS topic ARNs notified when it fires and when it recovers (default none). */
  actions: string[];
}

export interface EtcdLifecycleConfig {
  defrag: EtcdDefragConfig;
  backupAlarm: EtcdBackupAlarmConfig;
}

/**
 * The alarm counts uploads per hour and fires after that many empty hours in a row, so a healthy
 * schedule must never leave that many: an interval of I minutes leaves at most ⌈I/60⌉ empty hours.
 * Default: one more than that, and at least three hours (one failed hourly run is not an outage).
 */
export function etcdBackupAlarmMinimum(intervalMinutes: number): number {
  return (Math.ceil(intervalMinutes / 60) + 1) * 60;
}

export function etcdBackupAlarmDefault(intervalMinutes: number): number {
  return Math.max(180, etcdBackupAlarmMinimum(intervalMinutes));
}

/** CloudWatch evaluates at most 7 days for periods of an hour (PutMetricAlarm). */
export const ETCD_BACKUP_ALARM_MAX_MINUTES = 7 * 24 * 60;

/** Every default, for a stack file that sets none of these keys. */
export function etcdLifecycleDefaults(backupIntervalMinutes: number): EtcdLifecycleConfig {
  return {
    defrag: { enabled: true, hourUtc: 3, staggerMinutes: 20, minFreePercent: 20 },
    backupAlarm: { afterMinutes: etcdBackupAlarmDefault(backupIntervalMinutes), actions: [] },
  };
}

const SNS_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/;

/** A whole number in raw config, as Reader.int accepts it; undefined otherwise (Reader reports those). */
function rawInt(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "string" && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/**
 * `e` is the raw `kubestead:etcd` mapping, `path` its key ("etcd"). The caller owns the mapping's
 * other keys (members, backup, …) and must list `defrag` and `backupAlarm` as known; this reads
 * `members` and `backup.intervalMinutes` only to compute defaults and limits, reporting nothing
 * about them.
 */
export function readEtcdLifecycle(r: Reader, e: Raw, path: string): EtcdLifecycleConfig {
  const backup = e.backup !== null && typeof e.backup === "object" && !Array.isArray(e.backup) ? (e.backup as Raw) : {};
  const interval = rawInt(backup.intervalMinutes) ?? 60;
  const members = rawInt(e.members) ?? 3;
  const defaults = etcdLifecycleDefaults(interval);

  const dp = `${path}.defrag`;
  const d = r.object(e.defrag, dp);
  r.unknownKeys(d, dp, ["enabled", "hourUtc", "staggerMinutes", "minFreePercent"]);
  const enabled = r.bool(d, "enabled", dp, defaults.defrag.enabled);
  const hourUtc = r.int(d, "hourUtc", dp, defaults.defrag.hourUtc, 0, 23);
  const staggerMinutes = r.int(d, "staggerMinutes", dp, defaults.defrag.staggerMinutes, 5, 720);
  if (members > 1 && staggerMinutes * (members - 1) >= 24 * 60) {
    r.problem(
      `${dp}.staggerMinutes`,
      `must leave every member its own time of day (${members} members × ${staggerMinutes} minutes reach the next day)`,
      staggerMinutes,
      `set it below ${Math.floor((24 * 60) / (members - 1))}`,
    );
  }
  const minFreePercent = r.int(d, "minFreePercent", dp, defaults.defrag.minFreePercent, 0, 90);

  const ap = `${path}.backupAlarm`;
  const a = r.object(e.backupAlarm, ap);
  r.unknownKeys(a, ap, ["afterMinutes", "actions"]);
  const minimum = etcdBackupAlarmMinimum(interval);
  const afterMinutes = r.int(a, "afterMinutes", ap, defaults.backupAlarm.afterMinutes, 60, ETCD_BACKUP_ALARM_MAX_MINUTES);
  if (afterMinutes % 60 !== 0) {
    r.problem(
      `${ap}.afterMinutes`,
      "must be whole hours (the alarm counts uploads per hour)",
      afterMinutes,
      `use ${Math.ceil(afterMinutes / 60) * 60}`,
    );
  }
  if (afterMinutes < minimum) {
    r.problem(
      `${ap}.afterMinutes`,
      `must be at least ${minimum} with backups every ${interval} minutes, or a healthy schedule would raise it`,
      afterMinutes,
      `set it to ${minimum} or more`,
    );
  }
  const actions = r.stringList(a, "actions", ap, defaults.backupAlarm.actions);
  actions.forEach((arn, i) => {
    if (!SNS_ARN.test(arn)) r.problem(`${ap}.actions[${i}]`, "must be an SNS topic ARN", arn, "use arn:aws:sns:<region>:<account>:<topic>");
  });
  return { defrag: { enabled, hourUtc, staggerMinutes, minFreePercent }, backupAlarm: { afterMinutes, actions } };
}
