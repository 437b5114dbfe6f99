/**
 * cloud-init user data for every node: write the non-secret files, write the secrets manifest the
 * boot script reads, install the few packages the boot script needs, and run the boot script.
 *
 * User data is readable by anything that can reach IMDS on the node and by anyone with
 * ec2:DescribeInstanceAttribute, so it must never carry key material: keys live in SSM Parameter
 * Store as SecureStrings and the boot script fetches them (bootstrap/bootScript.ts).
 * renderCloudConfig refuses files that look secret rather than trusting every caller.
 */
import { gunzipSync, gzipSync } from "node:zlib";
import { stringify } from "yaml";
import { NodeFile, SecretFile, SECRETS_MANIFEST_PATH } from "./types";

/** What the boot script needs from apt before it runs (Debian 12 package names). */
export const DEFAULT_PACKAGES = ["awscli", "ca-certificates", "curl", "jq"];

/** EC2 rejects user data above 16 KiB (before base64). */
export const EC2_USER_DATA_LIMIT = 16 * 1024;
/** Above this we gzip: leaves room for growth before a deploy fails on the hard limit. */
export const GZIP_THRESHOLD = 12 * 1024;

export interface CloudConfigArgs {
  files: NodeFile[];
  secrets: SecretFile[];
  /** Extra apt packages; DEFAULT_PACKAGES (what the boot script needs) are always installed. */
  packages?: string[];
  /** Where the boot script is written (it must be one of `files`); runcmd runs it. */
  bootScriptPath: string;
  hostname?: string;
}

/**
 * Heuristics for "this is a secret". Content: PEM private keys of any kind, kubeconfigs with an
 * embedded client key, and the apiserver's encryption-at-rest config. Paths: private key files and
 * the directory reserved for fetched secrets.
 */
const SECRET_CONTENT: { re: RegExp; what: string }[] = [
  { re: /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/, what: "a PEM private key" },
  { re: /client-key-data\s*:/, what: "a kubeconfig with an embedded client key" },
  { re: /kind:\s*EncryptionConfiguration/, what: "an encryption-at-rest configuration" },
];
const SECRET_PATHS: { re: RegExp; what: string }[] = [
  { re: /\.key$/, what: "a private key path (*.key)" },
  { re: /^\/etc\/kubestead\/secrets\//, what: "the secret-only directory /etc/kubestead/secrets/" },
];

const MODE = /^0[0-7]{3}$/;
// Tabs and newlines would break the manifest's one-record-a-line TSV format.
const SAFE_FIELD = /^[^\t\r\n]+$/;

function refuseSecret(file: NodeFile): void {
  for (const { re, what } of SECRET_PATHS) {
    if (re.test(file.path)) {
      throw new Error(
        `user data file ${file.path} is ${what}: user data must never carry secrets; pass it as a SecretFile (an SSM SecureString the boot script fetches) instead of a NodeFile`,
      );
    }
  }
  for (const { re, what } of SECRET_CONTENT) {
    if (re.test(file.content)) {
      throw new Error(
        `user data file ${file.path} contains ${what}: user data must never carry secrets; store it in SSM as a SecretFile and list only its parameter name`,
      );
    }
  }
}

function checkPath(kind: string, path: string): void {
  if (!path.startsWith("/") || !SAFE_FIELD.test(path) || path.includes(" ")) {
    throw new Error(`${kind} path must be absolute without spaces, tabs or newlines (got ${JSON.stringify(path)}): fix the path`);
  }
}

function checkMode(kind: string, path: string, mode: string): void {
  if (!MODE.test(mode))
    throw new Error(`${kind} ${path} mode must be an octal string like "0644" (got ${JSON.stringify(mode)}): quote the mode as a string`);
}

/** The secrets manifest: `parameter<TAB>path<TAB>mode` lines, sorted so the document is stable. */
export function renderSecretsManifest(secrets: SecretFile[]): string {
  const seen = new Set<string>();
  const lines = secrets.map((s) => {
    checkPath("secret", s.path);
    checkMode("secret", s.path, s.mode);
    if (!s.parameter.startsWith("/") || !SAFE_FIELD.test(s.parameter) || s.parameter.includes(" ")) {
      throw new Error(
        `secret ${s.path} parameter must be an SSM name like /kubestead/<cluster>/<role>/<file> (got ${JSON.stringify(s.parameter)}): fix the parameter name`,
      );
    }
    if (seen.has(s.path)) throw new Error(`secret path ${s.path} is listed twice: each path must come from exactly one parameter`);
    seen.add(s.path);
    return `${s.parameter}\t${s.path}\t${s.mode}`;
  });
  lines.sort();
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

export function renderCloudConfig(args: CloudConfigArgs): string {
  const secretPaths = new Set(args.secrets.map((s) => s.path));
  const paths = new Set<string>();
  for (const f of args.files) {
    checkPath("file", f.path);
    checkMode("file", f.path, f.mode);
    refuseSecret(f);
    if (f.path === SECRETS_MANIFEST_PATH)
      throw new Error(`file ${f.path} is the secrets manifest: pass secrets in \`secrets\`, not as a file`);
    if (secretPaths.has(f.path)) throw new Error(`file ${f.path} is also a secret: a path is either a NodeFile or a SecretFile, not both`);
    if (paths.has(f.path)) throw new Error(`file ${f.path} is listed twice: render each path once`);
    paths.add(f.path);
  }
  if (!paths.has(args.bootScriptPath)) {
    throw new Error(
      `bootScriptPath ${args.bootScriptPath} is not among the files: add the rendered boot script as a NodeFile at that path`,
    );
  }
  const files = [...args.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const writeFiles = files.map((f) => ({ path: f.path, owner: "root:root", permissions: f.mode, content: f.content }));
  // The manifest is written even when empty so the boot script can rely on it existing.
  writeFiles.push({ path: SECRETS_MANIFEST_PATH, owner: "root:root", permissions: "0600", content: renderSecretsManifest(args.secrets) });

  const packages = [...new Set([...DEFAULT_PACKAGES, ...(args.packages ?? [])])].sort();
  const doc: Record<string, unknown> = {};
  if (args.hostname !== undefined) {
    if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(args.hostname)) {
      throw new Error(`hostname must be a lowercase DNS label (got ${JSON.stringify(args.hostname)}): use a name like etcd-0`);
    }
    doc.hostname = args.hostname;
  }
  doc.package_update = true;
  doc.packages = packages;
  doc.write_files = writeFiles;
  // cloud-init already copies runcmd output to /var/log/cloud-init-output.log and the console, so
  // `aws ec2 get-console-output` shows a failed boot. Run through bash: no reliance on the mode.
  doc.runcmd = [["bash", args.bootScriptPath]];
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}

/**
 * Base64 user data for a launch template. Documents above GZIP_THRESHOLD are gzipped (cloud-init
 * recognises the gzip magic and decompresses); Node writes mtime 0 in the gzip header, so the
 * bytes do not change between runs. Throws when even the gzipped form exceeds EC2's limit.
 */
export function encodeUserData(doc: string): string {
  const raw = Buffer.from(doc, "utf8");
  const payload = raw.length > GZIP_THRESHOLD ? gzipSync(raw) : raw;
  if (payload.length > EC2_USER_DATA_LIMIT) {
    throw new Error(
      `user data is ${payload.length} bytes${payload === raw ? "" : " after gzip"}, above EC2's ${EC2_USER_DATA_LIMIT}-byte limit: move large files to SSM or S3 and fetch them in the boot script`,
    );
  }
  return payload.toString("base64");
}

/** Reverse of encodeUserData: base64, then gunzip when the gzip magic bytes are present. */
export function decodeUserData(b64: string): string {
  const bytes = Buffer.from(b64, "base64");
  const gz = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  return (gz ? gunzipSync(bytes) : bytes).toString("utf8");
}
