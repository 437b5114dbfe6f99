import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, existsSync } from "node:fs";
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
    expect(script.split("\n").slice(0, 3)).toEqual(["#!/usr/bin/env bash", expect.stringContaining("role worker"), "set -euo pipefail"]);
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
