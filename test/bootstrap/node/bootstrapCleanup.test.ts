/**
 * The boot step that deletes the bootstrap kubeconfig once the kubelet has joined, run in bash with
 * the boot script's own helpers (retry, log, die) and a stand-in `sleep` that plays the kubelet:
 * it writes kubelet.conf at once (as the kubelet does when it starts bootstrapping) and the client
 * certificate link only after the CSR is "approved".
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderBootScript } from "../../../bootstrap/bootScript";
import { JOIN_WAIT_ATTEMPTS, KUBELET_CLIENT_CURRENT, renderBootstrapCleanupStep } from "../../../bootstrap/node/bootstrapCleanup";
import { kubernetesNodeBoot } from "../../../bootstrap/node/boot";
import { BOOTSTRAP_KUBECONFIG_PATH } from "../../../bootstrap/node/paths";
import { parseClusterConfig } from "../../../lib/config/parse";
import { rawStackConfig, stackConfig } from "../../../tools/offline/stackFile";
import { ROOT } from "../../helpers/plannedStack";
import { describeWithTool } from "../../helpers/tools";
import { shellcheck } from "../etcdFixtures";

/** The boot script's helpers and strict mode, without the boot sequence that calls IMDS. */
function helpers(): string {
  const script = renderBootScript({ role: "worker", region: "eu-west-1", steps: ["true"] });
  return script.slice(0, script.indexOf('log "boot start"'));
}

interface Joined {
  status: number | null;
  stderr: string;
  /** The pauses retry asked for, seconds. */
  sleeps: number[];
  bootstrapLeft: boolean;
}

/**
 * Runs the step in a scratch directory. `approveAfter`: sleeps before the certificate link
 * appears (undefined: never); `dangling`: the link points at a file that does not exist.
 */
function runStep(opts: { approveAfter?: number; dangling?: boolean }): Joined {
  const dir = mkdtempSync(join(tmpdir(), "kubestead-join-"));
  try {
    const pki = join(dir, "pki");
    mkdirSync(pki);
    const paths = {
      clientCert: join(pki, "kubelet-client-current.pem"),
      kubeconfig: join(dir, "kubelet.conf"),
      bootstrapKubeconfig: join(dir, "bootstrap-kubelet.conf"),
    };
    writeFileSync(paths.bootstrapKubeconfig, "token: abcdef.0123456789abcdef\n");
    // The kubelet writes kubelet.conf (pointing at the store) before it has a certificate.
    writeFileSync(paths.kubeconfig, `client-certificate: ${paths.clientCert}\n`);
    if (opts.dangling) symlinkSync(join(pki, "kubelet-client-missing.pem"), paths.clientCert);
    const approve =
      opts.approveAfter === undefined
        ? ""
        : `if [ "$slept" -ge ${opts.approveAfter} ]; then printf 'CERT\\n' > '${pki}/kubelet-client-2026.pem'; ln -sfn '${pki}/kubelet-client-2026.pem' '${paths.clientCert}'; fi;`;
    // Its own counter: bash functions see their caller's locals, and retry counts in "n".
    const sleep = `sleep() { slept=$((slept + 1)); echo "$1" >>'${dir}/sleeps'; ${approve} :; }\nslept=0`;
    const r = spawnSync("bash", ["-c", `${helpers()}\n${sleep}\n${renderBootstrapCleanupStep(paths)}`], {
      encoding: "utf8",
      env: { PATH: "/usr/bin:/bin" },
    });
    const sleeps = existsSync(join(dir, "sleeps")) ? readFileSync(join(dir, "sleeps"), "utf8").trim().split("\n").map(Number) : [];
    return { status: r.status, stderr: r.stderr, sleeps, bootstrapLeft: existsSync(paths.bootstrapKubeconfig) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("deleting the bootstrap kubeconfig once the kubelet has joined", () => {
  test("waits while kubelet.conf exists without a certificate, then removes the bootstrap kubeconfig", () => {
    const r = runStep({ approveAfter: 3 });
    expect(r.status).toBe(0);
    expect(r.sleeps).toHaveLength(3);
    expect(r.bootstrapLeft).toBe(false);
    expect(r.stderr).toContain("joined: removed");
  });

  test("a link to a certificate that isn't there yet is not a join", () => {
    const r = runStep({ dangling: true, approveAfter: 2 });
    expect(r.status).toBe(0);
    expect(r.sleeps).toHaveLength(2);
    expect(r.bootstrapLeft).toBe(false);
  });

  test("no certificate after the retries: the boot fails (its group replaces the node), naming what to check", () => {
    const r = runStep({});
    expect(r.status).toBe(1);
    expect(r.sleeps).toHaveLength(JOIN_WAIT_ATTEMPTS - 1);
    // About 20 minutes (pauses 5, 10, 20, 40, then 60 s, each plus up to a quarter of jitter).
    const total = r.sleeps.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(20 * 60);
    expect(total).toBeLessThanOrEqual(26 * 60);
    expect(r.stderr).toContain("FATAL: the kubelet got no client certificate");
    expect(r.stderr).toContain("kubectl get csr");
  });

  test("renders the kubelet's real paths and refuses a path that could break the quoting", () => {
    const step = renderBootstrapCleanupStep();
    expect(step).toContain(`[ -s '${KUBELET_CLIENT_CURRENT}' ] && [ -s '/etc/kubernetes/kubelet.conf' ]`);
    expect(step).toContain(`rm -f '${BOOTSTRAP_KUBECONFIG_PATH}'`);
    expect(() => renderBootstrapCleanupStep({ kubeconfig: "/etc/k'x" })).toThrow(/absolute path/);
  });
});

describe("which nodes run it", () => {
  const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  // Parsed inside each test: a config parsed while the file loads would make every mutant of lib/config static.
  const boot = (role: "worker" | "controlplane") => {
    const c = parseClusterConfig(rawStackConfig(stackConfig(ROOT, "prod"), "prod"));
    return kubernetesNodeBoot({
      cluster: c.name,
      region: c.region,
      kubernetes: c.kubernetes,
      arch: "amd64",
      checksums: c.checksums.amd64!,
      role,
      caCertPem: CA,
      labels: {},
      taints: [],
    });
  };
  const script = (b: ReturnType<typeof boot>) => b.files.find((f) => f.path === "/opt/kubestead/bin/boot.sh")!.content;

  test("workers: after the kubelet starts, before any later step; they fetch the bootstrap kubeconfig", () => {
    const b = boot("worker");
    const s = script(b);
    expect(s.indexOf("kubelet_joined")).toBeGreaterThan(s.indexOf("systemctl enable --now kubelet.service"));
    expect(b.secrets.map((x) => x.path)).toContain(BOOTSTRAP_KUBECONFIG_PATH);
  });

  test("control-plane nodes never hold the token: no bootstrap kubeconfig, nothing to delete", () => {
    const b = boot("controlplane");
    expect(script(b)).not.toContain("kubelet_joined");
    expect(b.secrets.map((x) => x.path)).not.toContain(BOOTSTRAP_KUBECONFIG_PATH);
  });
});

describeWithTool(["shellcheck"], "the bootstrap cleanup step", () => {
  test("passes shellcheck inside the boot script", () => {
    expect(shellcheck(renderBootScript({ role: "worker", region: "us-east-1", steps: [renderBootstrapCleanupStep()] }))).toBe("");
  });
});
