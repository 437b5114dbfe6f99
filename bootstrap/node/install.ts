/**
 * Boot-script steps that install a node's binaries and start its services. Every download is
 * verified against a sha256 from config before it is unpacked or run, through the boot script's
 * `install_release URL SHA256 DEST [STRIP]` helper (bootstrap/bootScript.ts).
 */
import type { Arch } from "../../lib/arch";
import { checksumKeysFor } from "../../lib/releases";
import { BIN, CNI_BIN_DIR } from "./paths";

export interface NodeVersions {
  /** Kubernetes release without the leading v, e.g. "1.35.1". */
  kubernetesVersion: string;
  containerdVersion: string;
  runcVersion: string;
  cniPluginsVersion: string;
  /** Also install kubectl (control-plane nodes: the add-on applier uses it). */
  kubectl?: boolean;
  /** The node's CPU architecture (default amd64). */
  arch?: Arch;
}

export interface NodeArtifact {
  /** Human name of the published file, for messages. */
  name: string;
  url: string;
  /** Key of its sha256 in ClusterConfig.checksums (and kubestead:checksums). */
  sha256Key: string;
  /** Where install_release puts it: a directory for tarballs, a file for single binaries. */
  dest: string;
  /** Leading path components dropped from tarball entries. */
  strip: number;
}

/** Where each artifact lands; containerd's tarball carries bin/, so it unpacks into /usr/local. */
const DEST: Record<string, { dest: string; strip: number }> = {
  containerd: { dest: "/usr/local", strip: 0 },
  runc: { dest: BIN.runc, strip: 0 },
  cniPlugins: { dest: CNI_BIN_DIR, strip: 0 },
  kubelet: { dest: BIN.kubelet, strip: 0 },
  kubectl: { dest: BIN.kubectl, strip: 0 },
};

/** The binaries a node downloads, in install order (runtime first, kubelet last, then kubectl where wanted). */
export function nodeArtifacts(a: NodeVersions): NodeArtifact[] {
  const byKey = new Map(
    checksumKeysFor(
      {
        version: a.kubernetesVersion,
        containerdVersion: a.containerdVersion,
        runcVersion: a.runcVersion,
        cniPluginsVersion: a.cniPluginsVersion,
      },
      a.arch ?? "amd64",
    ).map((x) => [x.key, x]),
  );
  const keys = ["containerd", "runc", "cniPlugins", "kubelet", ...(a.kubectl ? ["kubectl"] : [])];
  return keys.map((key) => {
    const release = byKey.get(key);
    if (release === undefined)
      throw new Error(`lib/releases.ts has no artifact with key ${key}: keep its keys in step with bootstrap/node/install.ts`);
    return { name: release.artifact, url: release.url, sha256Key: key, ...DEST[key] };
  });
}

export interface NodeInstallArgs extends NodeVersions {
  /** sha256 by artifact key (kubelet, containerd, runc, cniPlugins) for the node's architecture. */
  checksums: Record<string, string>;
}

const SHA256 = /^[a-f0-9]{64}$/;
const SHELL_SAFE = /^[A-Za-z0-9._:/+-]+$/;

export function renderNodeInstallStep(a: NodeInstallArgs): string {
  const artifacts = nodeArtifacts(a);
  const problems: string[] = [];
  for (const x of artifacts) {
    const sha = a.checksums[x.sha256Key];
    if (sha === undefined || !SHA256.test(sha)) {
      problems.push(
        `checksums.${x.sha256Key} must be the lowercase hex sha256 of ${x.name} (got ${JSON.stringify(sha)}): copy it from the release's published checksum`,
      );
    }
    // Values are single-quoted below; anything outside this set could escape the quoting.
    if (!SHELL_SAFE.test(x.url))
      problems.push(`${x.sha256Key} URL ${JSON.stringify(x.url)} must hold only URL-safe characters: check the version strings`);
  }
  if (problems.length > 0) throw new Error(`node install step: ${problems.join("; ")}`);
  const lines = ["# Node binaries; install_release verifies each sha256 before unpacking or installing."];
  for (const x of artifacts) {
    lines.push(`install_release '${x.url}' '${a.checksums[x.sha256Key]}' '${x.dest}' ${x.strip}`);
  }
  lines.push("");
  return lines.join("\n");
}

/**
 * Name the node and start its services. The AWS cloud-controller-manager finds a node's instance
 * by the node name, which must be the EC2 private DNS name (ip-10-0-1-2.<region>.compute.internal);
 * Debian's cloud-init sets the short host name, so set the full one before the kubelet registers.
 */
export function renderNodeStartStep(): string {
  return [
    "# The node name is the host name: make it the EC2 private DNS name the AWS CCM looks up.",
    "node_name=$(imds local-hostname)",
    '[ -n "$node_name" ] || die "IMDS returned no local-hostname"',
    'hostnamectl set-hostname "$node_name"',
    "systemctl daemon-reload",
    "systemctl enable --now containerd.service",
    "systemctl enable --now kubelet.service",
    "",
  ].join("\n");
}
