/**
 * Reads back what `npm run render` writes (OUT/<node>/<absolute path> plus OUT/<node>/user-data.yaml)
 * so integration tests can check the real rendered output of a stack. The render runs as a child
 * process: runProgram may run only once per process, and jest must not host the Pulumi runtime.
 */
import { execFile } from "node:child_process";
import { createPrivateKey } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { parseClusterConfig } from "../../lib/config/parse";
import { ClusterConfig } from "../../lib/config/types";

export const ROOT = resolve(__dirname, "../..");

export interface NodeFile {
  content: string;
  /** Octal permission bits as on disk, e.g. "0600". */
  mode: string;
}

export interface RenderedNode {
  name: string;
  /** OUT/<node>: the node's filesystem root. */
  root: string;
  userData: string;
  /** Absolute node path → file. */
  files: Map<string, NodeFile>;
}

/** Runs `tsx tools/render.ts --stack STACK --out OUT` from the repository root. */
export function renderStack(stack: string, out: string, timeoutMs = 100_000): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      join(ROOT, "node_modules/.bin/tsx"),
      ["tools/render.ts", "--stack", stack, "--out", out],
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => (err ? fail(new Error(`render --stack ${stack} failed: ${stderr.trim() || err.message}`)) : done(stdout)),
    );
  });
}

function walk(dir: string, prefix: string, into: Map<string, NodeFile>): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const nodePath = `${prefix}/${entry.name}`;
    if (entry.isDirectory()) walk(full, nodePath, into);
    else into.set(nodePath, { content: readFileSync(full, "utf8"), mode: `0${(statSync(full).mode & 0o777).toString(8)}` });
  }
}

/** Every node under OUT, sorted by name (etcd-0 < etcd-1 < etcd-10). */
export function readRenderedNodes(out: string): RenderedNode[] {
  return readdirSync(out, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const root = join(out, e.name);
      const files = new Map<string, NodeFile>();
      walk(root, "", files);
      // user-data.yaml sits beside the node's tree, not in it.
      files.delete("/user-data.yaml");
      return { name: e.name, root, userData: readFileSync(join(root, "user-data.yaml"), "utf8"), files };
    })
    .sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
}

/** The stack's ClusterConfig, read from Pulumi.<stack>.yaml the way stacks/config.ts reads it. */
export function stackClusterConfig(stack: string): ClusterConfig {
  const config = (parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, unknown> }).config;
  const values = Object.fromEntries(
    Object.entries(config)
      .filter(([k]) => k.startsWith("kubestead:"))
      .map(([k, v]) => [k.slice("kubestead:".length), v]),
  );
  return parseClusterConfig({ stack, region: config["aws:region"] as string | undefined, values });
}

/** The node's role, from its name (etcd-<i>, controlplane-<i>, <pool>-<i>). */
export function roleOf(node: { name: string }): "etcd" | "controlplane" | "worker" {
  if (/^etcd-\d+$/.test(node.name)) return "etcd";
  if (/^controlplane-\d+$/.test(node.name)) return "controlplane";
  return "worker";
}

/** A systemd unit's ExecStart= command line, continuation lines joined. */
export function unitExecStart(unit: string): string {
  const line = unit
    .replace(/\\\n/g, " ")
    .split("\n")
    .find((l) => l.startsWith("ExecStart="));
  if (!line) throw new Error("unit has no ExecStart= line");
  return line.slice("ExecStart=".length);
}

/** parameter → path → mode lines of /etc/kubestead/secrets.tsv. */
export function secretsManifest(text: string): { parameter: string; path: string; mode: string }[] {
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [parameter, path, mode] = line.split("\t");
      return { parameter, path, mode };
    });
}

/**
 * The sensitive values inside a secret file: private keys, bootstrap tokens and
 * embedded client keys of kubeconfigs, encryption keys. What must never appear in user data.
 */
export function secretValues(path: string, content: string): string[] {
  if (content.includes("PRIVATE KEY-----")) {
    // Not every body line: an EC key's PEM ends with its public point, which the matching public
    // key (sa.pub, certificates) legitimately carries. The first line holds the start of the
    // private scalar; the scalar itself is looked for in the encodings a leak would use.
    const d = Buffer.from(String(createPrivateKey(content).export({ format: "jwk" }).d), "base64url");
    const firstLine = content.split("\n").find((l) => l && !l.startsWith("-----")) ?? "";
    return [firstLine, d.toString("base64"), d.toString("base64url"), d.toString("hex")];
  }
  const doc = parse(content) as Record<string, unknown> | null;
  if (doc?.kind === "Config") {
    const users = (doc.users as { user?: Record<string, string> }[] | undefined) ?? [];
    return users.flatMap((u) => [u.user?.token, u.user?.["client-key-data"]]).filter((v): v is string => Boolean(v));
  }
  if (doc?.kind === "EncryptionConfiguration") {
    const resources = (doc.resources as { providers?: Record<string, { keys?: { secret?: string }[] }>[] }[] | undefined) ?? [];
    return resources
      .flatMap((r) => r.providers ?? [])
      .flatMap((p) => Object.values(p).flatMap((v) => v?.keys ?? []))
      .map((k) => k.secret)
      .filter((v): v is string => Boolean(v));
  }
  if (doc?.kind === "Secret" && doc.type === "bootstrap.kubernetes.io/token") {
    // The token Secret the add-on applier applies: its secret half, and the whole token.
    const data = Object.fromEntries(
      Object.entries((doc.data as Record<string, string> | undefined) ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v, "base64").toString("utf8"),
      ]),
    );
    return [data["token-secret"], `${data["token-id"]}.${data["token-secret"]}`].filter((v) => !v.includes("undefined"));
  }
  throw new Error(`${path}: no rule for finding the secret values in this file`);
}
