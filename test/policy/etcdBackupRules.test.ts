/** The etcd backup rules on small hand-built graphs: one well-configured backup bucket, changed one piece at a time. */
import { backupScheduleProblems, configsOf, etcdBackupBucketProblems, hasEtcd } from "../../policy/rules/etcdBackup";
import { GraphResource, T, TAG, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN, asgTags, tags } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const res = (urn: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(urn, type, props, deps);

const backup = res("backups", T.bucket, { id: "bucket-id", bucket: "kc-backups", tags: tags("backup") });
const versioning = (status: unknown, bucket: unknown = "kc-backups") =>
  res(`versioning-${String(status)}`, T.bucketVersioning, { bucket, versioningConfiguration: { status } });
const sse = (rules: unknown, urn = "sse", bucket: unknown = "kc-backups") => res(urn, T.bucketSse, { bucket, rules });
const sseWith = (...algorithms: unknown[]) =>
  sse(algorithms.map((sseAlgorithm) => ({ applyServerSideEncryptionByDefault: { sseAlgorithm } })));
const lifecycle = (rules: unknown, urn = "lc", bucket: unknown = "kc-backups") => res(urn, T.bucketLifecycle, { bucket, rules });
const expires = (days: unknown, status = "Enabled") => ({ status, expiration: { days } });
const noncurrent = (noncurrentDays: unknown, status = "Enabled") => ({ status, noncurrentVersionExpiration: { noncurrentDays } });

const enabled = versioning("Enabled");
const kms = sseWith("aws:kms");
const expiring = lifecycle([expires(30), noncurrent(7)]);

const messages = (...rs: GraphResource[]) => etcdBackupBucketProblems(makeGraph([backup, ...rs])).map((f) => f.message);
const NOT_VERSIONED = 'backup bucket backups: versioning is not enabled; add a BucketVersioning with status "Enabled".';
const NO_KMS =
  'backup bucket backups: no KMS default encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms".';
const NO_EXPIRY =
  "backup bucket backups: no enabled lifecycle rule with expiration or noncurrentVersionExpiration; snapshots would pile up forever.";
const NO_NONCURRENT =
  "backup bucket backups: the bucket is versioned but no rule sets noncurrentVersionExpiration, so old snapshot versions are never deleted.";
const NO_BUCKET = "no S3 bucket tagged kubestead.io/role=backup: etcd snapshots have nowhere to go.";

describe("configsOf", () => {
  const other = res("other", T.bucket, { id: "other-id", bucket: "kc-other", tags: tags("logs") });

  test.each([
    ["the bucket's id", "bucket-id", {}, ["cfg"], false],
    ["the bucket's name", "kc-backups", {}, ["cfg"], false],
    ["another bucket's name", "kc-other", {}, [], false],
    ["a name of no bucket in the stack", "kc-gone", {}, [], false],
    ["an unknown value that depends on the bucket", UNKNOWN, { bucket: ["backups"] }, ["cfg"], false],
    ["an unknown value that depends on another bucket", UNKNOWN, { bucket: ["other"] }, [], false],
    ["an unknown value with no dependency", UNKNOWN, {}, [], true],
  ])("a configuration naming %s", (_what, bucket, deps, found, unknown) => {
    const cfg = res("cfg", T.bucketVersioning, { bucket }, deps);
    const result = configsOf(makeGraph([backup, other, cfg]), backup, T.bucketVersioning);
    expect({ found: result.found.map((r) => r.urn), unknown: result.unknown }).toStrictEqual({ found, unknown });
  });

  test("configurations of another type are not returned, even for the same bucket", () => {
    const g = makeGraph([backup, enabled, kms]);
    expect(configsOf(g, backup, T.bucketSse).found.map((r) => r.urn)).toStrictEqual(["sse"]);
    expect(configsOf(g, backup, T.bucketLifecycle)).toStrictEqual({ found: [], unknown: false });
  });
});

describe("etcdBackupBucketProblems", () => {
  test("a versioned, KMS-encrypted bucket expiring current and noncurrent versions is fine", () => {
    expect(etcdBackupBucketProblems(makeGraph([backup, enabled, kms, expiring]))).toStrictEqual([]);
  });

  test("a stack without a bucket tagged for backups has nowhere to put snapshots", () => {
    expect(etcdBackupBucketProblems(makeGraph([]))).toStrictEqual([{ message: NO_BUCKET }]);
    const logs = res("logs", T.bucket, { bucket: "kc-logs", tags: tags("logs") });
    expect(etcdBackupBucketProblems(makeGraph([logs, enabled, kms, expiring]))).toStrictEqual([{ message: NO_BUCKET }]);
  });

  test("a bare backup bucket gets every problem, pointed at the bucket", () => {
    expect(etcdBackupBucketProblems(makeGraph([backup]))).toStrictEqual(
      [NOT_VERSIONED, NO_KMS, NO_EXPIRY].map((message) => ({ urn: "backups", message })),
    );
  });

  test.each([
    ["no versioning configuration", [], [NOT_VERSIONED]],
    ["status Enabled", [enabled], []],
    ["status Suspended", [versioning("Suspended")], [NOT_VERSIONED]],
    ["an unknown status", [versioning(UNKNOWN)], []],
    ["an unknown versioningConfiguration", [res("v", T.bucketVersioning, { bucket: "kc-backups", versioningConfiguration: UNKNOWN })], []],
    ["one Enabled and one Suspended configuration", [enabled, versioning("Suspended")], []],
    ["a Suspended configuration of an unknown bucket", [versioning("Suspended", UNKNOWN)], []],
    ["a Suspended configuration of another bucket", [versioning("Suspended", "kc-other")], [NOT_VERSIONED]],
  ])("versioning: %s", (_what, versionings, expected) => {
    expect(messages(...versionings, kms, expiring)).toStrictEqual(expected);
  });

  test.each([
    ["no encryption configuration", [], [NO_KMS]],
    ["aws:kms", [sseWith("aws:kms")], []],
    ["aws:kms:dsse", [sseWith("aws:kms:dsse")], []],
    ["AES256", [sseWith("AES256")], [NO_KMS]],
    ["a rule without a default", [sse([{}])], [NO_KMS]],
    ["AES256 and aws:kms in one configuration", [sseWith("AES256", "aws:kms")], []],
    [
      "AES256 and aws:kms in two configurations",
      [sseWith("AES256"), sse([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }], "sse2")],
      [],
    ],
    ["unknown rules", [sse(UNKNOWN)], []],
    ["an unknown algorithm beside AES256", [sseWith(UNKNOWN, "AES256")], []],
    ["AES256 for an unknown bucket", [sse([{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }], "sse", UNKNOWN)], []],
  ])("encryption: %s", (_what, configs, expected) => {
    expect(messages(enabled, ...configs, expiring)).toStrictEqual(expected);
  });

  test.each([
    ["no lifecycle configuration", [], [NO_EXPIRY]],
    ["a rule expiring after 30 days and one expiring noncurrent versions", [expiring], []],
    ["only noncurrent versions expiring", [lifecycle([noncurrent(7)])], []],
    ["only current objects expiring after 30 days", [lifecycle([expires(30)])], [NO_NONCURRENT]],
    [
      "only current objects expiring at a date",
      [lifecycle([{ status: "Enabled", expiration: { date: "2030-01-01T00:00:00Z" } }])],
      [NO_NONCURRENT],
    ],
    ["an expiration with neither days nor date", [lifecycle([{ status: "Enabled", expiration: {} }])], [NO_EXPIRY]],
    ["a noncurrent expiration without days", [lifecycle([{ status: "Enabled", noncurrentVersionExpiration: {} }])], [NO_EXPIRY]],
    ["disabled rules", [lifecycle([expires(30, "Disabled"), noncurrent(7, "Disabled")])], [NO_EXPIRY]],
    ["one disabled rule expiring both", [lifecycle([{ ...expires(30, "Disabled"), ...noncurrent(7, "Disabled") }])], [NO_EXPIRY]],
    ["an expiring rule beside an enabled rule that expires nothing", [lifecycle([expires(30), { status: "Enabled" }])], [NO_NONCURRENT]],
    ["a noncurrent rule beside an enabled rule that expires nothing", [lifecycle([noncurrent(7), { status: "Enabled" }])], []],
    ["the two expirations in two configurations", [lifecycle([expires(30)]), lifecycle([noncurrent(7)], "lc2")], []],
    ["unknown rules", [lifecycle(UNKNOWN)], []],
    ["unknown rules beside a configuration that expires nothing", [lifecycle(UNKNOWN), lifecycle([], "lc2")], []],
    ["a configuration of an unknown bucket", [lifecycle([], "lc", UNKNOWN)], []],
  ])("lifecycle of a versioned bucket: %s", (_what, configs, expected) => {
    expect(messages(enabled, kms, ...configs)).toStrictEqual(expected);
  });

  test.each([
    ["not versioned", [], [NOT_VERSIONED]],
    ["suspended", [versioning("Suspended")], [NOT_VERSIONED]],
    ["of unknown versioning", [versioning(UNKNOWN)], []],
    ["versioned by one of two configurations", [versioning("Suspended"), enabled], [NO_NONCURRENT]],
  ])("a bucket %s that only expires current objects", (_what, versionings, expected) => {
    expect(messages(...versionings, kms, lifecycle([expires(30)]))).toStrictEqual(expected);
  });

  test("each backup bucket is judged on its own configurations", () => {
    const second = res("second", T.bucket, { id: "second-id", bucket: "kc-second", tags: tags("backup") });
    expect(etcdBackupBucketProblems(makeGraph([backup, second, enabled, kms, expiring, versioning("Enabled", "second-id")]))).toStrictEqual(
      [
        {
          urn: "second",
          message:
            'backup bucket second: no KMS default encryption; add a BucketServerSideEncryptionConfiguration with sseAlgorithm "aws:kms".',
        },
        {
          urn: "second",
          message:
            "backup bucket second: no enabled lifecycle rule with expiration or noncurrentVersionExpiration; snapshots would pile up forever.",
        },
      ],
    );
  });
});

describe("backupScheduleProblems", () => {
  const problem = (shown: string) =>
    `etcd launch template tag kubestead.io/backup-interval-minutes is ${shown}; set it to the snapshot interval in minutes (> 0).`;

  test.each([
    ["15", []],
    ["1", []],
    ["0.5", []],
    ["0", [problem('"0"')]],
    ["-5", [problem('"-5"')]],
    ["hourly", [problem('"hourly"')]],
    ["", [problem('""')]],
  ])("an interval tag of %j", (minutes, expected) => {
    expect(backupScheduleProblems({ tags: tags("etcd", { [TAG.backupInterval]: minutes }) })).toStrictEqual(expected);
  });

  test("a launch template without the tag, or without tags, reports it unset", () => {
    expect(backupScheduleProblems({ tags: tags("etcd") })).toStrictEqual([problem('"unset"')]);
    expect(backupScheduleProblems({})).toStrictEqual([problem('"unset"')]);
  });
});

describe("hasEtcd", () => {
  test("returns the auto scaling groups tagged with the etcd role, and nothing else", () => {
    const etcdAsg = res("etcd-a", T.asg, { tags: asgTags(tags("etcd")) });
    const g = makeGraph([
      res("cp", T.asg, { tags: asgTags(tags("control-plane")) }),
      etcdAsg,
      res("etcd-lt", T.launchTemplate, { tags: tags("etcd") }),
      res("untagged", T.asg, {}),
    ]);
    expect(hasEtcd(g)).toStrictEqual([etcdAsg]);
    expect(hasEtcd(makeGraph([]))).toStrictEqual([]);
  });
});
