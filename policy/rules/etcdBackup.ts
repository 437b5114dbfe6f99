/**
 * etcd backups: the snapshot bucket keeps old versions (a bad snapshot does not overwrite the last
 * good one), is KMS-encrypted (snapshots contain every Secret), expires old data, and the etcd
 * nodes are told how often to upload (tag on their launch templates).
 */
import type { Finding } from "./finding";
import { Graph, GraphResource, TAG, T, resolveRefs, tagsOf, withRole } from "./graph";
import { asList, asNumber, asRecord, isUnknown } from "./unknown";

const KMS_ALGORITHMS = new Set(["aws:kms", "aws:kms:dsse"]);

/** Bucket-level config resources (versioning, SSE, lifecycle, …) whose `bucket` is `bucket`. */
export function configsOf(g: Graph, bucket: GraphResource, type: string): { found: GraphResource[]; unknown: boolean } {
  let unknown = false;
  const found = g.resources.filter((r) => {
    if (r.type !== type) return false;
    const res = resolveRefs(g, r, "bucket", r.props.bucket, T.bucket, ["id", "bucket"]);
    if (res.unknown) unknown = true;
    return res.targets.includes(bucket);
  });
  return { found, unknown };
}

function versioned(r: GraphResource): boolean | undefined {
  const status = asRecord(r.props.versioningConfiguration)?.status;
  return isUnknown(r.props.versioningConfiguration) || isUnknown(status) ? undefined : status === "Enabled";
}

function kmsEncrypted(r: GraphResource): boolean | undefined {
  if (isUnknown(r.props.rules)) return undefined;
  const algs = asList(r.props.rules).map((x) => asRecord(asRecord(x)?.applyServerSideEncryptionByDefault)?.sseAlgorithm);
  if (algs.some(isUnknown)) return undefined;
  return algs.some((a) => typeof a === "string" && KMS_ALGORITHMS.has(a));
}

/** Enabled rules: does one expire current objects, does one expire noncurrent versions? */
function expiry(r: GraphResource): { current: boolean; noncurrent: boolean } | undefined {
  if (isUnknown(r.props.rules)) return undefined;
  const rules = asList(r.props.rules)
    .map(asRecord)
    .filter((x) => x && x.status === "Enabled");
  const current = rules.some((x) => {
    const e = asRecord(x?.expiration);
    return e !== undefined && (asNumber(e.days) !== undefined || typeof e.date === "string");
  });
  const noncurrent = rules.some((x) => asNumber(asRecord(x?.noncurrentVersionExpiration)?.noncurrentDays) !== undefined);
  return { current, noncurrent };
}

export function etcdBackupBucketProblems(g: Graph): Finding[] {
  const out: Finding[] = [];
  const buckets = withRole(g, T.bucket, "backup");
  if (buckets.length === 0) {
    out.push({ message: "no S3 bucket tagged kubestead.io/role=backup: etcd snapshots have nowhere to go." });
  }
  for (const b of buckets) {
    const say = (message: string) => out.push({ urn: b.urn, message: `backup bucket ${b.name}: ${message}` });
    const ver = configsOf(g, b, T.bucketVersioning);
    const isVersioned = ver.found.map(versioned);
    if (!ver.unknown && !isVersioned.some((v) => v !== false))
      say('versioning is not enabled; add a BucketVersioning with status "Enabled".');
    const sse = configsOf(g, b, T.bucketSse);
    if (!sse.unknown && !sse.found.map(kmsEncrypted).some((v) => v !== false))
      say('no KMS default encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms".');
    const lc = configsOf(g, b, T.bucketLifecycle);
    const exp = lc.found.map(expiry);
    if (!lc.unknown && !exp.some((e) => e === undefined)) {
      const current = exp.some((e) => e?.current);
      const noncurrent = exp.some((e) => e?.noncurrent);
      if (!current && !noncurrent)
        say("no enabled lifecycle rule with expiration or noncurrentVersionExpiration; snapshots would pile up forever.");
      else if (!noncurrent && isVersioned.some((v) => v === true))
        say("the bucket is versioned but no rule sets noncurrentVersionExpiration, so old snapshot versions are never deleted.");
    }
  }
  return out;
}

/** For an etcd launch template: the backup interval tag must be a positive number of minutes. */
export function backupScheduleProblems(props: Record<string, unknown>): string[] {
  const raw = tagsOf(props)[TAG.backupInterval];
  const minutes = asNumber(raw);
  if (minutes === undefined || minutes <= 0) {
    return [
      `etcd launch template tag ${TAG.backupInterval} is ${JSON.stringify(raw ?? "unset")}; set it to the snapshot interval in minutes (> 0).`,
    ];
  }
  return [];
}

export function hasEtcd(g: Graph): GraphResource[] {
  return withRole(g, T.asg, "etcd");
}
