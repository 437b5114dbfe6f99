/** kubestead:etcd — members, release, volumes and backups. */
import { ETCD_SHA256, etcdArtifact, knownEtcdVersion } from "../releases";
import { DEFAULTS } from "./defaults";
import { Raw, Reader } from "./reader";
import { readEtcdLifecycle } from "./etcdLifecycle";
import { readInstanceTypes } from "./instanceTypes";
import { NAMESPACE, SEMVER } from "./patterns";
import { EtcdConfig } from "./types";

export function readEtcd(r: Reader, e: Raw, zones: string[]): EtcdConfig {
  const p = "etcd";
  r.unknownKeys(e, p, [
    "members",
    "version",
    "sha256",
    "instanceType",
    "volumeSizeGiB",
    "volumeIops",
    "snapshotCount",
    "backup",
    "defrag",
    "backupAlarm",
  ]);
  const members = r.int(e, "members", p, 3, 1, 7);
  if (members % 2 === 0 || members < 3) {
    r.problem(`${p}.members`, "must be odd and ≥ 3", members, "set it to 3 or 5");
  } else if (members > 5) {
    r.problem(
      `${p}.members`,
      "must be 3 or 5 (more members slow every write and add no useful fault tolerance here)",
      members,
      "set it to 3 or 5",
    );
  } else if (zones.length >= 3 && members > zones.length) {
    r.problem(
      `${p}.members`,
      `must not exceed the number of zones (${zones.length}): each member needs its own zone`,
      members,
      `add zones to kubestead:zones or set ${NAMESPACE}:etcd.members to ${zones.length % 2 === 1 ? zones.length : zones.length - 1}`,
    );
  }
  const version = r.string(e, "version", p, DEFAULTS.etcdVersion, {
    re: SEMVER,
    rule: "must be an etcd release like 3.6.14 (no leading v)",
    fix: `pin an etcd 3.5 or 3.6 release, e.g. ${DEFAULTS.etcdVersion}`,
  });
  if (SEMVER.test(version) && !/^3\.[56]\./.test(version)) {
    r.problem(
      `${p}.version`,
      "must be an etcd 3.5 or 3.6 release (what supported Kubernetes releases are tested against)",
      version,
      `use ${DEFAULTS.etcdVersion}`,
    );
  }
  const instanceType = r.string(e, "instanceType", p, "m7i.large");
  const arch = readInstanceTypes(r, `${p}.instanceType`, [instanceType], false);
  const sha256 = r.string(e, "sha256", p, knownEtcdVersion(version, arch) ?? "", undefined);
  const otherArch = arch === "amd64" ? "arm64" : "amd64";
  // A checksum left out is the members' own (or none), never the other architecture's.
  if (sha256 === knownEtcdVersion(version, otherArch)) {
    r.problem(
      `${p}.sha256`,
      `must be the sha256 of ${etcdArtifact(version, arch)}: this is ${otherArch}'s (the members run ${arch} instance types)`,
      sha256,
      `remove ${NAMESPACE}:etcd.sha256 (the ${arch} checksum of ${version} is known), or set the ${arch} one`,
    );
  } else if (SEMVER.test(version) && /^3\.[56]\./.test(version) && !/^[0-9a-f]{64}$/.test(sha256)) {
    // Either nothing is known and nothing given, or what is given is no sha256 at all.
    const known = knownEtcdVersion(version, arch) !== undefined;
    r.problem(
      `${p}.sha256`,
      `must be the sha256 of ${etcdArtifact(version, arch)} (${known ? "64 lowercase hex digits" : "no checksum is known for this release"})`,
      sha256 || undefined,
      known
        ? `remove ${NAMESPACE}:etcd.sha256 (the ${arch} checksum of ${version} is known), or copy it from the release's SHA256SUMS`
        : `set ${NAMESPACE}:etcd.sha256 from the release's SHA256SUMS, or pin a release with a known ${arch} checksum: ${Object.keys(ETCD_SHA256[arch]).join(", ")}`,
    );
  }
  const volumeSizeGiB = r.int(e, "volumeSizeGiB", p, 20, 8, 1024);
  const volumeIops = r.int(e, "volumeIops", p, 3000, 3000, 16000);
  const snapshotCount = r.int(e, "snapshotCount", p, 10000, 100, 1000000);
  const b = r.object(e.backup, `${p}.backup`);
  r.unknownKeys(b, `${p}.backup`, ["intervalMinutes", "retentionDays", "objectLockMode", "objectLockDays", "accessLogRetentionDays"]);
  const intervalMinutes = r.int(b, "intervalMinutes", `${p}.backup`, 60, 5, 1440);
  const retentionDays = r.int(b, "retentionDays", `${p}.backup`, 14, 1, 3650);
  const objectLockMode = r.oneOf(b, "objectLockMode", `${p}.backup`, "governance", ["governance", "compliance"] as const);
  const objectLockDays = r.int(b, "objectLockDays", `${p}.backup`, retentionDays, 1, 3650);
  if (objectLockDays > retentionDays) {
    // The lifecycle rule expires snapshots after retentionDays; S3 would keep retrying to delete
    // versions still under lock, and the retention setting would not mean what it says.
    r.problem(
      `${p}.backup.objectLockDays`,
      `must not exceed ${NAMESPACE}:${p}.backup.retentionDays (${retentionDays}): snapshots would expire while still locked`,
      objectLockDays,
      `lower objectLockDays to at most ${retentionDays}, or raise retentionDays`,
    );
  }
  const accessLogRetentionDays = r.int(b, "accessLogRetentionDays", `${p}.backup`, 365, 1, 3650);
  return {
    members,
    version,
    sha256,
    instanceType,
    arch,
    volumeSizeGiB,
    volumeIops,
    snapshotCount,
    backup: { intervalMinutes, retentionDays, objectLockMode, objectLockDays, accessLogRetentionDays },
    lifecycle: readEtcdLifecycle(r, e, p),
  };
}
