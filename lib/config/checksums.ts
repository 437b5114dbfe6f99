/**
 * kubestead:checksums — the sha256 of every binary a node downloads: the one lib/releases.ts
 * knows for the pinned release, or one given here for a release it doesn't know.
 */
import { checksumKeysFor } from "../releases";
import { didYouMean } from "../suggest";
import { NAMESPACE } from "./patterns";
import { Raw, Reader } from "./reader";
import { KubernetesConfig } from "./types";

const SHA256 = /^[0-9a-f]{64}$/;

export function resolveChecksums(r: Reader, k: KubernetesConfig, given: Raw): Record<string, string> {
  const artifacts = checksumKeysFor(k);
  const keys = artifacts.map((a) => a.key);
  for (const [key, value] of Object.entries(given)) {
    if (!keys.includes(key)) {
      const hint = didYouMean(key, keys);
      r.problem(`checksums.${key}`, "is not a binary nodes download", value, `${hint ? `${hint} ` : ""}use one of: ${keys.join(", ")}`);
    } else if (typeof value !== "string" || !SHA256.test(value)) {
      r.problem(
        `checksums.${key}`,
        "must be a sha256: 64 lowercase hex digits",
        value,
        "copy the checksum the release publishes for the file",
      );
    }
  }
  const out: Record<string, string> = {};
  // One message per release without known checksums (kubelet and kubectl share kubernetes.version).
  const missing = new Map<string, typeof artifacts>();
  for (const a of artifacts) {
    const value = given[a.key];
    const sha = typeof value === "string" && SHA256.test(value) ? value : a.known;
    out[a.key] = sha ?? "";
    // A release that is itself refused (an unsupported minor, a malformed version) says so once.
    if (sha || value !== undefined || r.failed(a.versionKey)) continue;
    missing.set(a.versionKey, [...(missing.get(a.versionKey) ?? []), a]);
  }
  for (const [versionKey, list] of missing) {
    const keys = list.map((a) => `${NAMESPACE}:checksums.${a.key}`);
    const known = list[0].knownVersions.filter((v) => list.every((a) => a.knownVersions.includes(v)));
    r.problem(
      versionKey,
      `has no known checksum for ${list.map((a) => a.artifact).join(" or ")}: nodes download only what they can verify`,
      list[0].version,
      `pin a release with known checksums (${known.join(", ")}), or set ${keys.join(" and ")} from the release's published checksums`,
    );
  }
  return out;
}
