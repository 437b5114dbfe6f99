/**
 * Node files too large for user data (EC2 allows 16 KiB), delivered through the add-on store
 * instead: user data carries only each file's store key and sha256, and a boot step downloads,
 * verifies and installs it. Nothing is run or installed unless its sha256 matches.
 */
import { createHash } from "node:crypto";

export interface StoredNodeFile {
  /** Absolute path on the node. */
  path: string;
  content: string;
  mode: string;
}

/** Store key of a node file, under the store's node/ prefix: its base name. */
export function storedNodeFileName(f: Pick<StoredNodeFile, "path">): string {
  return f.path.slice(f.path.lastIndexOf("/") + 1);
}

const sha256 = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const SAFE = /^[A-Za-z0-9._/:+-]+$/;

/**
 * The boot step that installs the files. `nodeUri` is s3://<bucket>/node/. Uses the boot script's
 * `retry` and `die` helpers (bootstrap/bootScript.ts).
 */
export function renderStoredFilesStep(nodeUri: string, files: StoredNodeFile[]): string {
  const problems: string[] = [];
  if (!/^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9._-]+\/)*$/.test(nodeUri))
    problems.push(`store URI must be s3://<bucket>/<prefix>/ (got ${JSON.stringify(nodeUri)})`);
  const names = new Set<string>();
  for (const f of files) {
    const name = storedNodeFileName(f);
    if (!SAFE.test(f.path) || !f.path.startsWith("/"))
      problems.push(`${JSON.stringify(f.path)} must be an absolute path of safe characters`);
    if (!/^0[0-7]{3}$/.test(f.mode)) problems.push(`${f.path} mode must be octal like 0755 (got ${JSON.stringify(f.mode)})`);
    if (names.has(name)) problems.push(`two stored node files are named ${name}: base names must be unique`);
    names.add(name);
  }
  if (problems.length > 0) throw new Error(`stored node files: ${problems.join("; ")}: fix the caller`);
  const lines = [
    "# Files delivered through the add-on store (too large for user data), each verified by sha256.",
    "fetch_stored() {",
    '  aws s3 cp --only-show-errors --region "$AWS_REGION" "$1" "$2"',
    "}",
    "install_stored() {",
    "  local key=$1 sha=$2 dest=$3 mode=$4 tmp",
    '  tmp=$(mktemp "$(dirname "$dest")/.kubestead-stored.XXXXXX")',
    `  retry 9 3 fetch_stored "${nodeUri}$key" "$tmp" || die "cannot read ${nodeUri}$key (check the role's s3:GetObject)"`,
    '  if ! printf \'%s  %s\\n\' "$sha" "$tmp" | sha256sum -c --strict --quiet -; then',
    '    rm -f "$tmp"',
    '    die "sha256 mismatch for stored file $key: refusing to install it"',
    "  fi",
    '  chmod "$mode" "$tmp"',
    '  mv -f "$tmp" "$dest"',
    "}",
  ];
  for (const f of files) {
    lines.push(`install -d -m 0755 '${f.path.slice(0, f.path.lastIndexOf("/")) || "/"}'`);
    lines.push(`install_stored '${storedNodeFileName(f)}' '${sha256(f.content)}' '${f.path}' '${f.mode}'`);
  }
  lines.push("");
  return lines.join("\n");
}
