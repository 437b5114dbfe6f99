/**
 * Which host files a rendered static pod or kubeconfig reads. files.ts uses this to prove that
 * everything a manifest points at is shipped to the node (a missing file is a crash loop at 3 a.m.,
 * not a render error), and that every flag path is visible inside the container.
 */
import { parse } from "yaml";

export interface FileReference {
  path: string;
  /** "--flag" or "volume <name>" or "kubeconfig <field>". */
  from: string;
}

/** Flags whose path the component writes rather than reads (the KMS plugin creates its --listen socket). */
const OUTPUT_FLAGS = new Set(["audit-log-path", "listen"]);

interface PodLike {
  spec?: {
    containers?: { command?: string[]; args?: string[]; volumeMounts?: { mountPath: string }[] }[];
    volumes?: { name: string; hostPath?: { path: string; type?: string } }[];
  };
}

function flagPaths(argv: string[]): FileReference[] {
  const out: FileReference[] = [];
  for (const arg of argv) {
    const m = /^--([^=]+)=(\/.*)$/.exec(arg);
    if (m && !OUTPUT_FLAGS.has(m[1])) out.push({ path: m[2], from: `--${m[1]}` });
  }
  return out;
}

/** Files (not directories) the pod reads: File-type hostPath volumes and absolute-path flag values. */
export function podFileReferences(pod: object): FileReference[] {
  const p = pod as PodLike;
  const refs: FileReference[] = [];
  for (const v of p.spec?.volumes ?? []) {
    if (v.hostPath?.type === "File") refs.push({ path: v.hostPath.path, from: `volume ${v.name}` });
  }
  for (const c of p.spec?.containers ?? []) refs.push(...flagPaths([...(c.command ?? []), ...(c.args ?? [])]));
  return refs;
}

/** Flag paths (inputs and outputs) that no volumeMount of the container covers. */
export function unmountedFlagPaths(pod: object): FileReference[] {
  const out: FileReference[] = [];
  for (const c of (pod as PodLike).spec?.containers ?? []) {
    const mounts = (c.volumeMounts ?? []).map((m) => m.mountPath);
    for (const arg of [...(c.command ?? []), ...(c.args ?? [])]) {
      const m = /^--([^=]+)=(\/.*)$/.exec(arg);
      if (!m) continue;
      const covered = mounts.some((mp) => m[2] === mp || m[2].startsWith(mp.endsWith("/") ? mp : `${mp}/`));
      if (!covered) out.push({ path: m[2], from: `--${m[1]}` });
    }
  }
  return out;
}

/** Files a kubeconfig points at (certificate-authority, client-certificate, client-key). */
export function kubeconfigFileReferences(content: string): FileReference[] {
  const doc = parse(content) as {
    clusters?: { cluster?: Record<string, string> }[];
    users?: { user?: Record<string, string> }[];
  };
  const refs: FileReference[] = [];
  for (const c of doc.clusters ?? []) {
    const ca = c.cluster?.["certificate-authority"];
    if (ca) refs.push({ path: ca, from: "kubeconfig certificate-authority" });
  }
  for (const u of doc.users ?? []) {
    for (const f of ["client-certificate", "client-key"]) {
      const v = u.user?.[f];
      if (v) refs.push({ path: v, from: `kubeconfig ${f}` });
    }
  }
  return refs;
}
