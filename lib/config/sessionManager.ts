/**
 * kubestead:sessionManager — opt-in shell access through AWS Systems Manager Session Manager.
 * Debian's images ship no SSM agent, so a node reaches Session Manager only if its boot installs
 * one; the node roles carry the Session Manager permissions only then (lib/iam.ts
 * nodeBaselinePolicy). Unset: no agent, no permissions.
 *
 *   kubestead:sessionManager:
 *     version: 3.3.1957.0          # the agent release, as AWS names it
 *     sha256:
 *       amd64: <sha256 of the amd64 .deb>
 *       arm64: <sha256 of the arm64 .deb>   # needed only if some node role runs arm64
 */
import { Arch, ARCHES, archFamilyName } from "../arch";
import { Reader } from "./reader";

export interface SessionManagerConfig {
  /** The agent release, e.g. 3.3.1802.0. */
  version: string;
  /** sha256 of the agent's Debian package, by architecture; every architecture a node role runs has one. */
  sha256: Partial<Record<Arch, string>>;
}

/** What a node of one architecture installs: the package and the checksum it is verified against. */
export interface SessionManagerAgent {
  version: string;
  arch: Arch;
  sha256: string;
}

/** The SSM agent's release numbering: four dotted numbers (3.3.1802.0). */
const AGENT_VERSION = /^\d+\.\d+\.\d+\.\d+$/;
const SHA256 = /^[0-9a-f]{64}$/;
/** What people write for amd64 and arm64 when they think in EC2 (`x86_64`) or kernel (`aarch64`) terms. */
const OTHER_ARCH_NAMES: Record<string, Arch> = { x86_64: "amd64", aarch64: "arm64" };

/**
 * Where AWS publishes a given agent release's Debian package (the versioned form of the download
 * location in the SSM user guide, "Manually installing SSM Agent"); the signature is beside it as
 * `amazon-ssm-agent.deb.sig`.
 */
export function sessionManagerAgentUrl(version: string, arch: Arch): string {
  return `https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/${version}/debian_${arch}/amazon-ssm-agent.deb`;
}

/** The agent a node of `arch` installs, or undefined when Session Manager is off. */
export function sessionManagerAgent(c: SessionManagerConfig | undefined, arch: Arch): SessionManagerAgent | undefined {
  if (c === undefined) return undefined;
  const sha256 = c.sha256[arch];
  // parseClusterConfig refuses a config without the checksum of an architecture in use.
  if (sha256 === undefined) throw new Error(`kubestead:sessionManager.sha256.${arch} is missing: the config reader should have refused it`);
  return { version: c.version, arch, sha256 };
}

/**
 * Reads the section. `archs` says which architectures the node roles run (etcd, control plane,
 * worker pools) and which role runs each, for the message when a checksum is missing.
 */
export function readSessionManager(r: Reader, raw: unknown, archs: Map<Arch, string[]>): SessionManagerConfig | undefined {
  const p = "sessionManager";
  if (raw === undefined || raw === null || raw === false || raw === "false") return undefined;
  const s = r.object(raw, p);
  if (r.failed(p)) return undefined;
  r.unknownKeys(s, p, ["version", "sha256"]);
  const version = r.string(s, "version", p, undefined, {
    re: AGENT_VERSION,
    rule: "must be an SSM agent release: four dotted numbers",
    fix: `e.g. 3.3.1802.0, a release listed in the agent's release notes; the package is fetched from ${sessionManagerAgentUrl("<version>", "amd64")}`,
  });
  const given = r.object(s.sha256, `${p}.sha256`);
  // EC2's and the kernel's names for the architectures: said once, as a rename, not also as a missing checksum.
  const renamed = new Set<Arch>();
  for (const [key, arch] of Object.entries(OTHER_ARCH_NAMES)) {
    if (given[key] === undefined) continue;
    r.problem(
      `${p}.sha256.${key}`,
      `is ${arch} under another name: kubestead names architectures as Debian's packages do`,
      given[key],
      `rename it to ${r.key(`${p}.sha256.${arch}`)}`,
    );
    renamed.add(arch);
  }
  r.unknownKeys(Object.fromEntries(Object.entries(given).filter(([k]) => !(k in OTHER_ARCH_NAMES))), `${p}.sha256`, [...ARCHES]);
  const sha256: Partial<Record<Arch, string>> = {};
  for (const arch of ARCHES) {
    const v = given[arch];
    if (v === undefined || v === null) continue;
    if (typeof v !== "string" || !SHA256.test(v)) {
      r.problem(
        `${p}.sha256.${arch}`,
        "must be a sha256: 64 lowercase hex digits",
        v,
        checksumFix(version, arch, r.failed(`${p}.version`)),
      );
    } else sha256[arch] = v;
  }
  for (const [arch, roles] of archs) {
    if ((given[arch] !== undefined && given[arch] !== null) || renamed.has(arch)) continue;
    r.problem(
      `${p}.sha256.${arch}`,
      `is required: the cluster runs ${archFamilyName(arch)} nodes (${roles.join(", ")}), and a node installs only a package it can verify`,
      undefined,
      checksumFix(version, arch, r.failed(`${p}.version`)),
    );
  }
  return { version, sha256 };
}

/** `badVersion`: a problem was reported at the version (Reader.string reports one with every empty or malformed value it returns). */
function checksumFix(version: string, arch: Arch, badVersion: boolean): string {
  const url = sessionManagerAgentUrl(badVersion ? "<version>" : version, arch);
  return `download ${url} and its .sig, check the signature with AWS's SSM agent public key (gpg --verify), then set the package's sha256sum`;
}

/** Which node roles run which architecture: the keys are what readSessionManager needs checksums for. */
export function nodeArchitectures(c: {
  etcd: { arch: Arch };
  controlPlane: { arch: Arch };
  workers: { name: string; arch: Arch }[];
}): Map<Arch, string[]> {
  const out = new Map<Arch, string[]>();
  const add = (arch: Arch, who: string) => out.set(arch, [...(out.get(arch) ?? []), who]);
  add(c.etcd.arch, "etcd");
  add(c.controlPlane.arch, "the control plane");
  for (const w of c.workers) add(w.arch, `worker pool ${w.name}`);
  return out;
}
