/** The SSM agent's boot step (kubestead:sessionManager): rendered, then run with a real Debian package. */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderBootScript } from "../../bootstrap/bootScript";
import { renderSessionManagerStep, sessionManagerPackagePath } from "../../bootstrap/sessionManager";
import { describeWithTool } from "../helpers/tools";
import { shellcheck } from "./etcdFixtures";

const AGENT = { version: "3.3.1802.0", arch: "arm64" as const, sha256: "a".repeat(64) };

describe("renderSessionManagerStep", () => {
  test("downloads the pinned release of the node's architecture, verified, then installs and starts it", () => {
    const step = renderSessionManagerStep(AGENT);
    const lines = step.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(lines).toEqual([
      "if (",
      `  install_release 'https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/3.3.1802.0/debian_arm64/amazon-ssm-agent.deb' '${"a".repeat(64)}' '/var/cache/kubestead/amazon-ssm-agent_3.3.1802.0_arm64.deb' &&`,
      "    DEBIAN_FRONTEND=noninteractive dpkg -i '/var/cache/kubestead/amazon-ssm-agent_3.3.1802.0_arm64.deb' &&",
      "    systemctl enable --now amazon-ssm-agent.service",
      "); then",
      '  log "Session Manager agent 3.3.1802.0 installed and started"',
      "else",
      '  log "WARNING: the Session Manager agent 3.3.1802.0 could not be installed; this node boots without it (check kubestead:sessionManager)"',
      "fi",
      "rm -f '/var/cache/kubestead/amazon-ssm-agent_3.3.1802.0_arm64.deb'",
    ]);
  });

  test.each([
    ["a version that could escape the quoting", { ...AGENT, version: "3.3.1802.0'; curl evil" }],
    ["a checksum in capitals", { ...AGENT, sha256: "A".repeat(64) }],
    ["a short checksum", { ...AGENT, sha256: "abc" }],
  ])("refuses %s", (_title, agent) => {
    expect(() => renderSessionManagerStep(agent)).toThrow(/check kubestead:sessionManager/);
  });
});

describeWithTool(["shellcheck"], "the step under shellcheck", () => {
  test("a boot script running it has no findings", () => {
    expect(shellcheck(renderBootScript({ role: "etcd", region: "us-east-1", steps: [renderSessionManagerStep(AGENT), "true"] }))).toBe("");
  });
});

/** The boot script's helpers (install_release, die, retry), without the boot sequence that calls IMDS. */
function helpers(): string {
  const script = renderBootScript({ role: "worker", region: "eu-west-1", steps: ["true"] });
  return script.slice(0, script.indexOf('log "boot start"'));
}

describeWithTool(["dpkg-deb", "sha256sum"], "the step run with a real Debian package", () => {
  let dir: string;
  let deb: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kubestead-ssm-"));
    // A minimal package standing in for the agent: dpkg-deb builds the real format.
    const pkg = join(dir, "pkg");
    mkdirSync(join(pkg, "DEBIAN"), { recursive: true });
    mkdirSync(join(pkg, "usr/bin"), { recursive: true });
    writeFileSync(join(pkg, "usr/bin/amazon-ssm-agent"), "#!/bin/sh\n");
    writeFileSync(
      join(pkg, "DEBIAN/control"),
      "Package: amazon-ssm-agent\nVersion: 3.3.1802.0-1\nArchitecture: arm64\nMaintainer: test <test@example.com>\nDescription: stand-in\n",
    );
    deb = join(dir, "amazon-ssm-agent.deb");
    const built = spawnSync("dpkg-deb", ["--root-owner-group", "--build", pkg, deb], { encoding: "utf8" });
    expect(built.stderr).not.toMatch(/error/i);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Runs the step with curl serving the package, dpkg reading it with the real dpkg-deb (it is not
   * installed on this machine), systemctl recording its arguments, and the cache under `dir`.
   */
  function run(sha256: string, out: string): { status: number | null; stderr: string; log: string[] } {
    mkdirSync(out, { recursive: true });
    const step = renderSessionManagerStep({ ...AGENT, sha256 }).replaceAll("/var/cache/kubestead/", `${out}/cache/`);
    const log = join(out, "calls.log");
    const stubs = [
      `curl() { local o=""; while [ $# -gt 0 ]; do case "$1" in -o) o=$2; shift 2 ;; *) u=$1; shift ;; esac; done; echo "curl $u" >>"${log}"; cp "${deb}" "$o"; }`,
      `dpkg() { echo "dpkg $* $(dpkg-deb --field "$2" Package Version | tr '\\n' ' ')" >>"${log}"; }`,
      `systemctl() { echo "systemctl $*" >>"${log}"; }`,
    ].join("\n");
    // As the boot script runs it: errexit on, and a marker the boot reaches only if the step lets it go on.
    const r = spawnSync("bash", ["-c", `set -Eeuo pipefail\n${helpers()}\n${stubs}\n${step}\necho "boot went on" >>"${log}"`], {
      encoding: "utf8",
    });
    return { status: r.status, stderr: r.stderr, log: existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : [] };
  }

  test("a package matching its checksum is installed, the agent enabled, the download removed", () => {
    const out = join(dir, "good");
    const r = run(createHash("sha256").update(readFileSync(deb)).digest("hex"), out);
    expect(r.status).toBe(0);
    const cached = sessionManagerPackagePath(AGENT).replace("/var/cache/kubestead/", `${out}/cache/`);
    expect(r.log).toEqual([
      "curl https://s3.amazonaws.com/ec2-downloads-windows/SSMAgent/3.3.1802.0/debian_arm64/amazon-ssm-agent.deb",
      `dpkg -i ${cached} Package: amazon-ssm-agent Version: 3.3.1802.0-1 `,
      "systemctl enable --now amazon-ssm-agent.service",
      "boot went on",
    ]);
    expect(existsSync(cached)).toBe(false);
  });

  test("a package that does not match never reaches dpkg, and the boot goes on without the agent", () => {
    const out = join(dir, "bad");
    const r = run("0".repeat(64), out);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("sha256 mismatch");
    expect(r.stderr).toContain("WARNING: the Session Manager agent 3.3.1802.0 could not be installed");
    expect(r.log.filter((l) => !l.startsWith("curl "))).toEqual(["boot went on"]);
    expect(existsSync(sessionManagerPackagePath(AGENT).replace("/var/cache/kubestead/", `${out}/cache/`))).toBe(false);
  });
});
