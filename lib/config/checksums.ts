/**
 * kubestead:checksums — the sha256 of every binary a node downloads, per architecture: the one
 * lib/releases.ts knows for the pinned release, or one given here for a release it doesn't know.
 *
 *   kubestead:checksums:
 *     kubelet: <sha256>            # amd64 (the keys of a flat mapping are amd64's)
 *     arm64:
 *       kubelet: <sha256>
 */
import { Arch, ARCHES } from "../arch";
import { checksumKeysFor, NodeArtifact } from "../releases";
import { didYouMean } from "../suggest";
import { NAMESPACE } from "./patterns";
import { Raw, Reader } from "./reader";
import { KubernetesConfig } from "./types";

const SHA256 = /^[0-9a-f]{64}$/;

/** Checksums by architecture, then by artifact key (kubelet, kubectl, containerd, runc, cniPlugins). */
export type Checksums = Partial<Record<Arch, Record<string, string>>>;

/**
 * Resolves the checksums of every architecture in `archs` (the Kubernetes node roles'); kubectl
 * is needed only where the control plane runs (`controlPlaneArch`): the add-on applier uses it.
 */
export function resolveChecksums(r: Reader, k: KubernetesConfig, given: Raw, archs: Arch[], controlPlaneArch: Arch): Checksums {
  const keys = checksumKeysFor(k).map((a) => a.key);
  const byArch: Record<Arch, Raw> = { amd64: {}, arm64: {} };
  for (const [key, value] of Object.entries(given)) {
    if ((ARCHES as readonly string[]).includes(key)) {
      const nested = r.object(value, `checksums.${key}`);
      for (const [k2, v2] of Object.entries(nested)) readOne(r, `checksums.${key}.${k2}`, k2, v2, keys, byArch[key as Arch]);
    } else readOne(r, `checksums.${key}`, key, value, [...keys, ...ARCHES], byArch.amd64);
  }
  const out: Checksums = {};
  // One message per release without known checksums, whatever architectures and binaries lack one
  // (kubelet and kubectl share kubernetes.version; an arm64 pool adds its own files).
  const missing = new Map<string, { arch: Arch; artifact: NodeArtifact }[]>();
  for (const arch of ARCHES) {
    if (!archs.includes(arch)) continue;
    const resolved: Record<string, string> = {};
    for (const a of checksumKeysFor(k, arch)) {
      const value = byArch[arch][a.key];
      const sha = typeof value === "string" ? value : a.known;
      resolved[a.key] = sha ?? "";
      // A release that is itself refused (an unsupported minor, a malformed version) says so once.
      const needed = a.key !== "kubectl" || arch === controlPlaneArch;
      if (!sha && needed && !r.failed(a.versionKey))
        missing.set(a.versionKey, [...(missing.get(a.versionKey) ?? []), { arch, artifact: a }]);
    }
    out[arch] = resolved;
  }
  for (const [versionKey, list] of missing) {
    const keys = list.map(({ arch, artifact }) => `${NAMESPACE}:checksums.${arch === "amd64" ? "" : `${arch}.`}${artifact.key}`);
    const known = list[0].artifact.knownVersions.filter((v) => list.every(({ artifact }) => artifact.knownVersions.includes(v)));
    const archList = [...new Set(list.map((x) => x.arch))].join(" and ");
    r.problem(
      versionKey,
      `has no known checksum for ${list.map(({ artifact }) => artifact.artifact).join(" or ")}: nodes download only what they can verify`,
      list[0].artifact.version,
      `pin a release with known ${archList} checksums (${known.join(", ") || "none"}), or set ${keys.join(" and ")} from the release's published checksums`,
    );
  }
  return out;
}

function readOne(r: Reader, where: string, key: string, value: unknown, known: string[], into: Raw): void {
  if (!known.includes(key)) {
    const hint = didYouMean(key, known);
    r.problem(where, "is not a binary nodes download", value, `${hint ? `${hint} ` : ""}use one of: ${known.join(", ")}`);
  } else if (typeof value !== "string" || !SHA256.test(value)) {
    r.problem(where, "must be a sha256: 64 lowercase hex digits", value, "copy the checksum the release publishes for the file");
  } else into[key] = value;
}
