/**
 * Backups no one can quietly destroy or read: the etcd backup bucket locks every snapshot version
 * (S3 Object Lock default retention, which the lifecycle rules do not undercut) and logs every
 * request to a separate bucket S3 can deliver to (server access logs).
 */
import type { Finding } from "./finding";
import { configsOf } from "./etcdBackup";
import { Graph, GraphResource, T, resolveRefs, withRole } from "./graph";
import { asBool, asList, asNumber, asRecord, containsUnknown, isUnknown } from "./unknown";

const MODES = new Set(["GOVERNANCE", "COMPLIANCE"]);

/** Days of a default retention (years count 365 days); undefined while unknown or unset. */
function retentionDays(r: GraphResource): { mode: unknown; days: number | undefined } | undefined {
  if (containsUnknown(r.props.rule)) return undefined;
  const d = asRecord(asRecord(r.props.rule)?.defaultRetention);
  if (!d) return { mode: undefined, days: undefined };
  const days = asNumber(d.days) ?? (asNumber(d.years) !== undefined ? asNumber(d.years)! * 365 : undefined);
  return { mode: d.mode, days };
}

/** The shortest expiry of any enabled lifecycle rule, current or noncurrent versions; Infinity: none. */
function shortestExpiry(lifecycles: GraphResource[]): number {
  const days: number[] = [];
  for (const lc of lifecycles) {
    for (const rule of asList(lc.props.rules).map(asRecord)) {
      if (!rule || rule.status !== "Enabled") continue;
      const current = asNumber(asRecord(rule.expiration)?.days);
      const noncurrent = asNumber(asRecord(rule.noncurrentVersionExpiration)?.noncurrentDays);
      for (const d of [current, noncurrent]) if (d !== undefined) days.push(d);
    }
  }
  return Math.min(...days);
}

export function backupObjectLockProblems(g: Graph): Finding[] {
  const out: Finding[] = [];
  for (const b of withRole(g, T.bucket, "backup")) {
    const say = (message: string) => out.push({ urn: b.urn, message: `backup bucket ${b.name}: ${message}` });
    const locks = configsOf(g, b, T.bucketObjectLock);
    if (locks.unknown) continue;
    if (locks.found.length === 0) {
      say(
        asBool(b.props.objectLockEnabled) === true
          ? "Object Lock is on but sets no default retention, so new snapshots are not locked; add a BucketObjectLockConfiguration with rule.defaultRetention."
          : "no S3 Object Lock: anyone allowed s3:DeleteObjectVersion can erase every snapshot; set objectLockEnabled and add a BucketObjectLockConfiguration with a default retention.",
      );
      continue;
    }
    const lifecycles = configsOf(g, b, T.bucketLifecycle);
    for (const lock of locks.found) {
      if (
        lock.props.objectLockEnabled !== undefined &&
        !isUnknown(lock.props.objectLockEnabled) &&
        lock.props.objectLockEnabled !== "Enabled"
      ) {
        say(`${lock.name} sets objectLockEnabled ${JSON.stringify(lock.props.objectLockEnabled)}; it must be "Enabled".`);
      }
      const r = retentionDays(lock);
      if (r === undefined) continue;
      // retentionDays is undefined while any of the rule is unknown, so mode and days are known here.
      if (r.days === undefined || r.days <= 0 || !MODES.has(String(r.mode))) {
        say(`${lock.name} has no default retention (mode GOVERNANCE or COMPLIANCE and days > 0): new snapshots would not be locked.`);
        continue;
      }
      if (lifecycles.unknown || lifecycles.found.some((lc) => containsUnknown(lc.props.rules))) continue;
      const expiry = shortestExpiry(lifecycles.found);
      if (expiry < r.days) {
        say(
          `a lifecycle rule expires snapshot versions after ${expiry} day(s), before their ${r.days}-day lock ends; set every expiration (and noncurrentDays) to at least ${r.days}, or shorten the lock.`,
        );
      }
    }
  }
  return out;
}

/** Does a default encryption of `bucket` use SSE-KMS (aws:kms, aws:kms:dsse)? false while unknown. */
function sseKms(g: Graph, bucket: GraphResource): boolean {
  const sse = configsOf(g, bucket, T.bucketSse);
  if (sse.unknown || sse.found.some((r) => containsUnknown(r.props.rules))) return false;
  return sse.found.some((r) =>
    asList(r.props.rules).some((x) =>
      String(asRecord(asRecord(x)?.applyServerSideEncryptionByDefault)?.sseAlgorithm).startsWith("aws:kms"),
    ),
  );
}

/** Does some policy of `bucket` allow the S3 logging service to put objects? undefined while unknown. */
export function admitsLogDelivery(g: Graph, bucket: GraphResource): boolean | undefined {
  const policies = configsOf(g, bucket, T.bucketPolicy);
  if (policies.unknown) return undefined;
  let unknown = false;
  const ok = policies.found.some((p) => {
    if (typeof p.props.policy !== "string" || isUnknown(p.props.policy)) {
      unknown = true;
      return false;
    }
    let doc: unknown;
    try {
      doc = JSON.parse(p.props.policy);
    } catch {
      // Not JSON: it admits no one (no statements below).
    }
    return asList(asRecord(doc)?.Statement).some((raw) => {
      const s = asRecord(raw);
      const services = asRecord(s?.Principal)?.Service;
      const actions = Array.isArray(s?.Action) ? s.Action : [s?.Action];
      return (
        s?.Effect === "Allow" &&
        (services === "logging.s3.amazonaws.com" || (Array.isArray(services) && services.includes("logging.s3.amazonaws.com"))) &&
        actions.some((a) => a === "s3:PutObject" || a === "s3:*")
      );
    });
  });
  return ok ? true : unknown ? undefined : false;
}

export function backupAccessLogProblems(g: Graph): Finding[] {
  const out: Finding[] = [];
  for (const b of withRole(g, T.bucket, "backup")) {
    const say = (message: string) => out.push({ urn: b.urn, message: `backup bucket ${b.name}: ${message}` });
    const logging = configsOf(g, b, T.bucketLogging);
    if (logging.unknown) continue;
    if (logging.found.length === 0) {
      say("no server access logging: no record of who read or deleted snapshots; add a BucketLogging to a separate log bucket.");
      continue;
    }
    for (const l of logging.found) {
      const target = resolveRefs(g, l, "targetBucket", l.props.targetBucket, T.bucket, ["bucket", "id"]);
      if (target.unknown) continue;
      if (target.targets.includes(b)) {
        say(
          `${l.name} delivers the logs into the backup bucket itself; use a separate log bucket (the locked, KMS-encrypted bucket cannot receive them).`,
        );
        continue;
      }
      for (const t of target.targets) {
        const where = `log bucket ${t.name}`;
        const locks = configsOf(g, t, T.bucketObjectLock);
        if (!locks.unknown && locks.found.some((x) => retentionDays(x)?.days !== undefined)) {
          say(
            `${where} has an Object Lock default retention, and S3 does not deliver server access logs to such a bucket; remove the default retention there.`,
          );
        }
        if (sseKms(g, t)) {
          say(`${where} uses SSE-KMS default encryption, which server access log delivery does not support; use AES256 (SSE-S3).`);
        }
        if (admitsLogDelivery(g, t) === false) {
          say(`${where} has no bucket policy allowing logging.s3.amazonaws.com to s3:PutObject; the logs would never arrive.`);
        }
      }
    }
  }
  return out;
}
