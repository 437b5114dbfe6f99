import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { BOOT_DONE_PATH, renderBootScript } from "../../bootstrap/bootScript";
import { SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import { describeWithTool } from "../helpers/tools";
import { shellcheck } from "./etcdFixtures";

const STEPS = ['log "first step on $INSTANCE_ID"', "systemctl enable --now kubelet.service"];

describe("renderBootScript", () => {
  const script = renderBootScript({ role: "worker", region: "eu-west-1", steps: STEPS });

  test("is strict bash with the region and manifest baked in", () => {
    expect(script.split("\n").slice(0, 3)).toEqual(["#!/usr/bin/env bash", expect.stringContaining("role worker"), "set -Eeuo pipefail"]);
    expect(script).toContain('readonly AWS_REGION="eu-west-1"');
    expect(script).toContain(`readonly SECRETS_MANIFEST="${SECRETS_MANIFEST_PATH}"`);
    expect(script).toContain(`touch "${BOOT_DONE_PATH}"`);
    expect(script).toMatchSnapshot();
  });

  test("uses IMDSv2 and SSM SecureStrings", () => {
    expect(script).toContain("X-aws-ec2-metadata-token-ttl-seconds");
    expect(script).toContain('-H "X-aws-ec2-metadata-token: $token"');
    expect(script).toMatch(
      /aws ssm get-parameter --with-decryption --region "\$AWS_REGION" --name "\$1" \\\n\s+--query Parameter.Value --output text/,
    );
    expect(script).toContain("sha256sum -c");
  });

  test("fetches secrets before the steps, and runs the steps in order", () => {
    const fetch = script.indexOf('fetch_secrets "$SECRETS_MANIFEST"');
    const first = script.indexOf(STEPS[0]);
    const second = script.indexOf(STEPS[1]);
    expect(fetch).toBeGreaterThan(0);
    expect(first).toBeGreaterThan(fetch);
    expect(second).toBeGreaterThan(first);
    expect(script).toContain('log "step 2/2"');
    expect(script).toContain('BOOT_STEP="step 2/2"');
  });

  test("installs the failure traps before anything can fail", () => {
    const err = script.indexOf("trap 'on_error");
    const exit = script.indexOf("trap on_exit EXIT");
    expect(err).toBeGreaterThan(0);
    expect(exit).toBeGreaterThan(0);
    expect(Math.max(err, exit)).toBeLessThan(script.indexOf('log "boot start"'));
  });

  test.each([
    [{ region: "eu west 1", steps: [] }, /AWS region/],
    [{ region: "eu-west-1", steps: ["  "] }, /step 1 is empty/],
  ])("refuses %j", (args, message) => {
    expect(() => renderBootScript({ role: "etcd", ...args })).toThrow(message);
  });
});

describeWithTool(["shellcheck"], "boot script under shellcheck", () => {
  test.each(["etcd", "controlplane", "worker"] as const)("%s boot script has no findings", (role) => {
    expect(shellcheck(renderBootScript({ role, region: "us-east-1", steps: STEPS }))).toBe("");
  });
});

/** The script's helper functions, sourced without the boot sequence that calls IMDS. */
function helpers(): string {
  const script = renderBootScript({ role: "worker", region: "eu-west-1", steps: ["true"] });
  return script.slice(0, script.indexOf('log "boot start"'));
}

function runBash(body: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync("bash", ["-c", `${helpers()}\n${body}`], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A shell function standing in for sleep: records each pause in FILE instead of waiting. */
const recordSleeps = (file: string) => `sleep() { echo "$1" >>"${file}"; }`;
const sleeps = (file: string): number[] => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").map(Number) : []);

/** Each pause is its base delay plus at most a quarter of it (jitter). */
function expectBackoff(pauses: number[], bases: number[]): void {
  expect(pauses).toHaveLength(bases.length);
  pauses.forEach((p, i) => {
    expect(p).toBeGreaterThanOrEqual(bases[i]);
    expect(p).toBeLessThanOrEqual(bases[i] + Math.floor(bases[i] / 4));
  });
}

describe("retry backs off", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kubestead-retry-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("the pause doubles from DELAY up to 60 s, with jitter, and the last failure is returned", () => {
    const log = join(dir, "sleeps");
    const r = runBash(`${recordSleeps(log)}\nif retry 8 3 false; then echo succeeded; else echo "failed $?"; fi`);
    expect(r.stdout.trim()).toBe("failed 1");
    expectBackoff(sleeps(log), [3, 6, 12, 24, 48, 60, 60]);
    expect(r.stderr).toContain("gave up after 8 attempts: false");
  });

  test("stops at the first success", () => {
    const log = join(dir, "sleeps");
    const r = runBash(
      `${recordSleeps(log)}\ntries=0\nthird() { tries=$((tries + 1)); [ "$tries" -ge 3 ]; }\nretry 5 2 third\necho "tries $tries"`,
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe("tries 3");
    expectBackoff(sleeps(log), [2, 4]);
  });

  test("RETRY_MAX_DELAY caps the pause, DELAY included", () => {
    const log = join(dir, "sleeps");
    runBash(`${recordSleeps(log)}\nRETRY_MAX_DELAY=10\nretry 4 4 false || true\nretry 2 30 false || true`);
    expectBackoff(sleeps(log), [4, 8, 10, 10]);
  });

  test("jitter spreads the pauses of nodes booting together", () => {
    const log = join(dir, "sleeps");
    for (let i = 0; i < 8; i++) runBash(`${recordSleeps(log)}\nretry 2 40 false || true`);
    expect(new Set(sleeps(log)).size).toBeGreaterThan(1);
  });

  test("an unreadable SSM parameter is retried for minutes before the boot gives up", () => {
    const log = join(dir, "sleeps");
    const manifest = join(dir, "secrets.tsv");
    writeFileSync(manifest, `/kubestead/c/x\t${dir}/x.key\t0600\n`);
    const r = runBash(`${recordSleeps(log)}\naws() { return 255; }\nfetch_secrets "${manifest}"`);
    expect(r.status).toBe(1);
    const total = sleeps(log).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(240);
    expect(total).toBeLessThanOrEqual(600);
  });
});

describe("a failed boot reports itself", () => {
  let dir: string;
  let console: string;
  let awsLog: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kubestead-trap-"));
    mkdirSync(join(dir, "bin"));
    console = join(dir, "console");
    writeFileSync(console, "");
    awsLog = join(dir, "aws.log");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** A stand-in aws CLI on PATH: records its arguments, then exits with `status`. */
  function standInAws(status = 0): void {
    writeFileSync(join(dir, "bin", "aws"), `#!/usr/bin/env bash\necho "$*" >>"${awsLog}"\nexit ${status}\n`);
    chmodSync(join(dir, "bin", "aws"), 0o755);
  }

  /** The boot as far as the steps: instance known, step set, the console a file, sleeps recorded. */
  const boot = (body: string) =>
    runBash(
      [
        `PATH="${dir}/bin:$PATH"`,
        recordSleeps(join(dir, "sleeps")),
        `BOOT_CONSOLE="${console}"`,
        "INSTANCE_ID=i-0123456789abcdef0",
        'BOOT_STEP="step 2/3"',
        body,
      ].join("\n"),
    );
  const awsCalls = () => (existsSync(awsLog) ? readFileSync(awsLog, "utf8").trim().split("\n") : []);
  const HEALTH =
    "autoscaling set-instance-health --instance-id i-0123456789abcdef0 --health-status Unhealthy --no-should-respect-grace-period --region eu-west-1";

  test("a failing command marks the instance Unhealthy and names the step and command on the console and stderr", () => {
    standInAws();
    const r = boot("check() { test -e /nonexistent; }\ncheck\necho not reached");
    expect(r.status).toBe(1);
    expect(r.stdout).not.toContain("not reached");
    expect(awsCalls()).toEqual([HEALTH]);
    const report = "boot FAILED in step 2/3: 'test -e /nonexistent' exited 1";
    expect(readFileSync(console, "utf8")).toContain(report);
    expect(r.stderr).toContain(report);
    expect(r.stderr).toContain("marked instance i-0123456789abcdef0 Unhealthy");
  });

  test("die's reason is the one reported", () => {
    standInAws();
    const r = boot('die "etcd never became healthy"');
    expect(r.status).toBe(1);
    expect(readFileSync(console, "utf8")).toContain("boot FAILED in step 2/3: etcd never became healthy");
    expect(awsCalls()).toEqual([HEALTH]);
  });

  test("a retried step that gives up is reported with the command it retried", () => {
    standInAws();
    const r = boot("retry 3 1 false");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("boot FAILED in step 2/3: gave up after 3 attempts: false");
    expect(awsCalls()).toEqual([HEALTH]);
  });

  test("a successful boot calls nothing and says nothing", () => {
    standInAws();
    const r = boot('log "all good"');
    expect(r.status).toBe(0);
    expect(awsCalls()).toEqual([]);
    expect(readFileSync(console, "utf8")).toBe("");
    expect(r.stderr).not.toContain("FAILED");
  });

  test("the boot's exit code is kept when reporting fails, after a few tries", () => {
    standInAws(255);
    const r = boot("exit 42");
    expect(r.status).toBe(42);
    expect(awsCalls()).toEqual([HEALTH, HEALTH, HEALTH, HEALTH]);
    expect(r.stderr).toContain("boot FAILED in step 2/3: exit status 42");
    expect(r.stderr).toContain("could not mark the instance Unhealthy");
  });

  test("the boot's exit code is kept when the report succeeds", () => {
    standInAws();
    expect(boot("exit 3").status).toBe(3);
    expect(awsCalls()).toEqual([HEALTH]);
  });

  test("before the instance ID is known, nothing is called and the failure still shows", () => {
    standInAws();
    const r = boot('INSTANCE_ID=""\nfalse');
    expect(r.status).toBe(1);
    expect(awsCalls()).toEqual([]);
    expect(r.stderr).toContain("instance ID unknown");
    expect(readFileSync(console, "utf8")).toContain("boot FAILED in step 2/3");
  });

  test("an unwritable console is skipped, stderr still gets the report", () => {
    standInAws();
    const r = boot(`BOOT_CONSOLE="${dir}/no/such/console"\nfalse`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("boot FAILED in step 2/3");
    expect(r.stderr).not.toMatch(/No such file|Permission denied/);
    expect(awsCalls()).toEqual([HEALTH]);
  });
});

describeWithTool(["sha256sum", "curl"], "boot script helpers, run for real", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kubestead-boot-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("fetch_secrets writes each parameter with its mode through aws ssm", () => {
    const manifest = join(dir, "secrets.tsv");
    writeFileSync(
      manifest,
      `/kubestead/c/etcd/etcd-0/server.key\t${dir}/pki/server.key\t0640\n/kubestead/c/etcd/backup.key\t${dir}/pki/backup.key\t0600\n`,
    );
    // A shell function shadows the aws CLI: it records its arguments and prints a fake value.
    const r = runBash(`aws() { echo "$*" >>"${dir}/aws.log"; echo "value-of-$7"; }\nfetch_secrets "${manifest}"`);
    expect(r.stderr).toContain("fetched 2 secrets");
    expect(r.status).toBe(0);
    expect(readFileSync(join(dir, "pki/server.key"), "utf8")).toBe("value-of-/kubestead/c/etcd/etcd-0/server.key\n");
    expect(statSync(join(dir, "pki/server.key")).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, "pki/backup.key")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, "aws.log"), "utf8").split("\n")[0]).toBe(
      "ssm get-parameter --with-decryption --region eu-west-1 --name /kubestead/c/etcd/etcd-0/server.key --query Parameter.Value --output text",
    );
  });

  test("fetch_secrets fails the boot when a parameter cannot be read, leaving no partial file", () => {
    const manifest = join(dir, "secrets.tsv");
    writeFileSync(manifest, `/kubestead/c/x\t${dir}/x.key\t0600\n`);
    const r = runBash(`sleep() { :; }\naws() { return 255; }\nfetch_secrets "${manifest}"`);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("cannot fetch SSM parameter /kubestead/c/x");
    expect(existsSync(join(dir, "x.key"))).toBe(false);
    expect(spawnSync("sh", ["-c", `ls -A "${dir}" | grep -c kubestead-secret`], { encoding: "utf8" }).stdout.trim()).toBe("0");
  });

  test("install_release verifies the checksum, then unpacks with strip", () => {
    mkdirSync(join(dir, "src/etcd-v9.9.9-linux-amd64"), { recursive: true });
    writeFileSync(join(dir, "src/etcd-v9.9.9-linux-amd64/etcd"), "binary\n");
    spawnSync("tar", ["-czf", join(dir, "rel.tar.gz"), "-C", join(dir, "src"), "etcd-v9.9.9-linux-amd64"]);
    const sha = createHash("sha256")
      .update(readFileSync(join(dir, "rel.tar.gz")))
      .digest("hex");
    const ok = runBash(`install_release "file://${dir}/rel.tar.gz" ${sha} "${dir}/out" 1`);
    expect(ok.status).toBe(0);
    expect(readFileSync(join(dir, "out/etcd"), "utf8")).toBe("binary\n");

    const bad = runBash(`install_release "file://${dir}/rel.tar.gz" ${"0".repeat(64)} "${dir}/bad" 1`);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("sha256 mismatch");
    expect(existsSync(join(dir, "bad"))).toBe(false);
  });

  test("install_release installs a single binary as DEST", () => {
    writeFileSync(join(dir, "kubelet"), "kubelet\n");
    const sha = createHash("sha256").update("kubelet\n").digest("hex");
    const r = runBash(`install_release "file://${dir}/kubelet" ${sha} "${dir}/bin/kubelet"`);
    expect(r.status).toBe(0);
    expect(statSync(join(dir, "bin/kubelet")).mode & 0o777).toBe(0o755);
  });
});
