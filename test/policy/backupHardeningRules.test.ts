/** The backup-bucket hardening rules on small hand-built graphs: Object Lock retention, lifecycle expiry, access-log delivery. */
import { admitsLogDelivery, backupAccessLogProblems, backupObjectLockProblems } from "../../policy/rules/backupHardening";
import { GraphResource, T, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN, tags } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const res = (urn: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(urn, type, props, deps);

const backup = res("backups", T.bucket, { bucket: "kc-backups", objectLockEnabled: true, tags: tags("backup") });
const lock = (props: Record<string, unknown>, bucket: unknown = "kc-backups") =>
  res("lock", T.bucketObjectLock, { bucket, objectLockEnabled: "Enabled", ...props });
const retention = (defaultRetention: Record<string, unknown>) => lock({ rule: { defaultRetention } });
const lifecycle = (urn: string, rules: unknown, bucket: unknown = "kc-backups") => res(urn, T.bucketLifecycle, { bucket, rules });
const expires = (days: unknown, status = "Enabled") => ({ status, expiration: { days } });
const noncurrent = (noncurrentDays: unknown) => ({ status: "Enabled", noncurrentVersionExpiration: { noncurrentDays } });

const lockMessages = (...rs: GraphResource[]) => backupObjectLockProblems(makeGraph([backup, ...rs])).map((f) => f.message);
const noRetention =
  "backup bucket backups: lock has no default retention (mode GOVERNANCE or COMPLIANCE and days > 0): new snapshots would not be locked.";
const expiresEarly = (expiry: number, days: number) =>
  `backup bucket backups: a lifecycle rule expires snapshot versions after ${expiry} day(s), before their ${days}-day lock ends; set every expiration (and noncurrentDays) to at least ${days}, or shorten the lock.`;

describe("backupObjectLockProblems", () => {
  test("a lock configuration whose bucket is unknown in preview is not judged, nor is its absence", () => {
    expect(lockMessages(retention({ mode: "BAD" }), lock({}, UNKNOWN))).toStrictEqual([]);
  });

  test.each([
    ["unset", undefined, []],
    ["unknown", UNKNOWN, []],
    ["Enabled", "Enabled", []],
    ["Disabled", "Disabled", ['backup bucket backups: lock sets objectLockEnabled "Disabled"; it must be "Enabled".']],
  ])("objectLockEnabled %s on the configuration", (_what, objectLockEnabled, messages) => {
    expect(lockMessages(lock({ objectLockEnabled, rule: { defaultRetention: { mode: "GOVERNANCE", days: 1 } } }))).toStrictEqual(messages);
  });

  test.each([
    ["1 day in GOVERNANCE mode", { mode: "GOVERNANCE", days: 1 }, []],
    ["1 year in COMPLIANCE mode", { mode: "COMPLIANCE", years: 1 }, []],
    ["0 days", { mode: "COMPLIANCE", days: 0 }, [noRetention]],
    ["-1 days", { mode: "COMPLIANCE", days: -1 }, [noRetention]],
    ["neither days nor years", { mode: "COMPLIANCE" }, [noRetention]],
    ["an invalid mode", { mode: "STRICT", days: 30 }, [noRetention]],
    ["no mode", { days: 30 }, [noRetention]],
    ["an unknown mode", { mode: UNKNOWN, days: 30 }, []],
  ])("a default retention of %s", (_what, defaultRetention, messages) => {
    expect(lockMessages(retention(defaultRetention))).toStrictEqual(messages);
  });

  test.each([
    ["no lifecycle rule", [], []],
    ["a rule expiring one day before the lock ends", [lifecycle("lc", [expires(29)])], [expiresEarly(29, 30)]],
    ["a rule expiring as the lock ends", [lifecycle("lc", [expires(30)])], []],
    ["a disabled rule expiring after one day", [lifecycle("lc", [expires(1, "Disabled")])], []],
    [
      "the shortest of several expiries",
      [lifecycle("lc", [expires(40), noncurrent(10)]), lifecycle("lc2", [expires(20)])],
      [expiresEarly(10, 30)],
    ],
    ["a rule expiring early next to one with unknown rules", [lifecycle("lc", [expires(1)]), lifecycle("lc2", [expires(UNKNOWN)])], []],
    ["a rule expiring early next to one whose bucket is unknown", [lifecycle("lc", [expires(1)]), lifecycle("lc2", [], UNKNOWN)], []],
  ])("a 30-day lock with %s", (_what, lifecycles, messages) => {
    expect(lockMessages(retention({ mode: "COMPLIANCE", days: 30 }), ...lifecycles)).toStrictEqual(messages);
  });

  test("a lifecycle undercutting a lock given in years counts 365 days a year", () => {
    expect(lockMessages(retention({ mode: "GOVERNANCE", years: 1 }), lifecycle("lc", [noncurrent(364)]))).toStrictEqual([
      expiresEarly(364, 365),
    ]);
  });
});

const logBucket = (props: Record<string, unknown> = {}) => res("logs", T.bucket, { bucket: "kc-logs", id: "logs-id", ...props });
const logging = (targetBucket: unknown, deps: Record<string, string[]> = {}) =>
  res("logging", T.bucketLogging, { bucket: "kc-backups", targetBucket }, deps);
const policy = (urn: string, doc: unknown, bucket: unknown = "kc-logs") =>
  res(urn, T.bucketPolicy, { bucket, policy: typeof doc === "string" ? doc : JSON.stringify(doc) });
const statement = (Effect: string, Service: unknown, Action: unknown) => ({ Statement: [{ Effect, Principal: { Service }, Action }] });
const LOGGING = "logging.s3.amazonaws.com";
const admits = policy("admits", statement("Allow", LOGGING, "s3:PutObject"));
const noPolicy =
  "backup bucket backups: log bucket logs has no bucket policy allowing logging.s3.amazonaws.com to s3:PutObject; the logs would never arrive.";
const kms =
  "backup bucket backups: log bucket logs uses SSE-KMS default encryption, which server access log delivery does not support; use AES256 (SSE-S3).";
const locked =
  "backup bucket backups: log bucket logs has an Object Lock default retention, and S3 does not deliver server access logs to such a bucket; remove the default retention there.";
const sse = (urn: string, algorithms: unknown[], bucket: unknown = "kc-logs") =>
  res(urn, T.bucketSse, { bucket, rules: algorithms.map((sseAlgorithm) => ({ applyServerSideEncryptionByDefault: { sseAlgorithm } })) });

const logMessages = (...rs: GraphResource[]) => backupAccessLogProblems(makeGraph([backup, logBucket(), ...rs])).map((f) => f.message);

describe("backupAccessLogProblems", () => {
  test.each([
    ["its bucket name", logging("kc-logs")],
    ["its id", logging("logs-id")],
    ["the property dependency of an unknown target", logging(UNKNOWN, { targetBucket: ["logs"] })],
  ])("the log bucket is found by %s", (_what, l) => {
    expect(logMessages(l)).toStrictEqual([noPolicy]);
    expect(logMessages(l, admits)).toStrictEqual([]);
  });

  test.each([
    ["a logging whose bucket is unknown in preview", [res("logging", T.bucketLogging, { bucket: UNKNOWN, targetBucket: "kc-logs" })]],
    ["a target that is unknown without a property dependency", [logging(UNKNOWN)]],
    ["a target list with an unknown element", [logging([UNKNOWN, "kc-logs"])]],
  ])("%s is not judged", (_what, rs) => {
    expect(logMessages(...rs)).toStrictEqual([]);
  });

  test.each([
    ["a default retention", [retention({ mode: "GOVERNANCE", days: 1 })], [locked]],
    ["a lock without a default retention", [lock({})], []],
    ["a lock with an unknown rule", [lock({ rule: UNKNOWN })], []],
  ])("a log bucket with %s", (_what, locks, messages) => {
    const onLogs = locks.map((l) => ({ ...l, props: { ...l.props, bucket: "kc-logs" } }));
    expect(logMessages(logging("kc-logs"), admits, ...onLogs)).toStrictEqual(messages);
  });

  test.each([
    ["AES256", [sse("sse", ["AES256"])], []],
    ["aws:kms next to AES256", [sse("sse", ["AES256", "aws:kms"])], [kms]],
    ["aws:kms:dsse", [sse("sse", ["aws:kms:dsse"])], [kms]],
    ["no algorithm", [res("sse", T.bucketSse, { bucket: "kc-logs", rules: [{}] })], []],
    ["aws:kms next to an unknown algorithm", [sse("sse", ["aws:kms"]), sse("sse2", [UNKNOWN])], []],
    ["aws:kms next to a configuration whose bucket is unknown", [sse("sse", ["aws:kms"]), sse("sse2", ["AES256"], UNKNOWN)], []],
  ])("a log bucket encrypted with %s", (_what, configs, messages) => {
    expect(logMessages(logging("kc-logs"), admits, ...configs)).toStrictEqual(messages);
  });
});

describe("admitsLogDelivery", () => {
  const delivery = (...policies: GraphResource[]) => {
    const g = makeGraph([logBucket(), ...policies]);
    return admitsLogDelivery(g, g.resources[0]);
  };

  test.each([
    ["PutObject for the logging service", statement("Allow", LOGGING, "s3:PutObject"), true],
    ["s3:* among other actions for a list of services", statement("Allow", ["ec2.amazonaws.com", LOGGING], ["s3:GetObject", "s3:*"]), true],
    ["a denial", statement("Deny", LOGGING, "s3:PutObject"), false],
    ["another service", statement("Allow", "ec2.amazonaws.com", "s3:PutObject"), false],
    ["another service in a list", statement("Allow", ["ec2.amazonaws.com"], "s3:PutObject"), false],
    ["another service and action", statement("Allow", "ec2.amazonaws.com", "s3:GetObject"), false],
    ["another action", statement("Allow", LOGGING, ["s3:GetObject"]), false],
    ["a policy that is no JSON", "{not json", false],
  ])("a policy with %s", (_what, doc, expected) => {
    expect(delivery(policy("p", doc))).toBe(expected);
  });

  test.each([
    ["no policy", [], false],
    ["an admitting policy next to one that does not", [policy("p", statement("Deny", LOGGING, "s3:PutObject")), admits], true],
    ["an unknown policy document", [res("p", T.bucketPolicy, { bucket: "kc-logs", policy: UNKNOWN })], undefined],
    [
      "an unknown policy document next to an admitting one",
      [res("p", T.bucketPolicy, { bucket: "kc-logs", policy: UNKNOWN }), admits],
      true,
    ],
    ["a policy whose bucket is unknown", [policy("p", statement("Deny", LOGGING, "s3:PutObject"), UNKNOWN)], undefined],
  ])("%s", (_what, policies, expected) => {
    expect(delivery(...policies)).toBe(expected);
  });
});
