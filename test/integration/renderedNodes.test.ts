/**
 * The real rendered output of both stacks (`npm run render`, once per stack for the whole file),
 * checked with the real Debian tools and our pure checkers: every node's shell scripts, user data,
 * containerd config, static pods, kubelet settings, secrets handling and etcd member identity.
 *
 * Checks collect every problem of every node and compare the list with [], so one failure names
 * all the nodes and files it affects. Each pure check also gets a control: the same check on a
 * copy of the render with one fault planted must report it.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { APPLIER_UNIT } from "../../bootstrap/addons/applier";
import { encryptionConfigProblems } from "../../bootstrap/controlPlane/encryptionConfig";
import { SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import {
  bootstrapTokens,
  controlPlaneCisFailures,
  etcdCertificateProblems,
  etcdMemberProblems,
  kubeletCisFailures,
  secretFileProblems,
  StackRender,
  staticPodProblems,
  userDataLeaks,
  where,
  withFile,
  withUserData,
} from "../helpers/renderedChecks";
import { readRenderedNodes, renderStack, roleOf, stackClusterConfig } from "../helpers/renderedNodes";
import { describeWithTool } from "../helpers/tools";

const STACKS = ["dev", "prod"];
let work = "";
let renders: StackRender[] = [];
const prod = (): StackRender => renders.find((r) => r.stack === "prod") as StackRender;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "kubestead-rendered-"));
  // Both stacks at once: each render is its own process (runProgram runs once per process).
  await Promise.all(STACKS.map((s) => renderStack(s, join(work, s))));
  renders = STACKS.map((stack) => ({ stack, config: stackClusterConfig(stack), nodes: readRenderedNodes(join(work, stack)) }));
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs a tool on a scratch copy of `content`; the scratch path is replaced by <file> in the output. */
function runOn(content: string, cmd: string, args: (file: string) => string[]): { status: number | null; out: string } {
  const dir = mkdtempSync(join(work, "tool-"));
  const file = join(dir, "input");
  writeFileSync(file, content);
  const r = spawnSync(cmd, args(file), { encoding: "utf8" });
  rmSync(dir, { recursive: true, force: true });
  return { status: r.status, out: `${r.stdout}${r.stderr}`.split(file).join("<file>") };
}

/** Checks each distinct content once (a group's nodes share files) and reports it against every node carrying it. */
function perContent(items: { label: string; content: string }[], check: (content: string) => string | undefined): string[] {
  const byContent = new Map<string, string[]>();
  for (const i of items) byContent.set(i.content, [...(byContent.get(i.content) ?? []), i.label]);
  return [...byContent].flatMap(([content, labels]) => {
    const why = check(content);
    return why ? [`${labels.join(", ")}: ${why}`] : [];
  });
}

test("each stack renders its etcd members, control-plane nodes and every worker pool at desired capacity", () => {
  for (const r of renders) {
    const expected = [
      ...Array.from({ length: r.config.controlPlane.nodes }, (_, i) => `controlplane-${i}`),
      ...Array.from({ length: r.config.etcd.members }, (_, i) => `etcd-${i}`),
      ...r.config.workers.flatMap((p) => Array.from({ length: p.desiredCapacity }, (_, i) => `${p.name}-${i}`)),
    ];
    expect([r.stack, r.nodes.map((n) => n.name).sort()]).toEqual([r.stack, expected.sort()]);
  }
  expect(prod().nodes.filter((n) => roleOf(n) === "controlplane")).toHaveLength(3);
});

describe("each node downloads the binaries of its own architecture", () => {
  /** install_release lines of a node's boot script: URL and sha256. */
  const installs = (n: StackRender["nodes"][number]) =>
    [
      ...(n.files.get("/opt/kubestead/bin/boot.sh")?.content ?? "").matchAll(/^install_release ['"]([^'"]+)['"] ['"]([0-9a-f]{64})['"]/gm),
    ].map((m) => ({
      url: m[1],
      sha: m[2],
    }));
  const archOfPool = (r: StackRender, node: string) =>
    r.config.workers.find((p) => node.startsWith(`${p.name}-`))?.arch ??
    (node.startsWith("etcd-") ? r.config.etcd.arch : r.config.controlPlane.arch);

  test("dev plans both architectures: an arm64 spot pool beside amd64 nodes", () => {
    const dev = renders.find((r) => r.stack === "dev")!;
    expect([...new Set(dev.config.workers.map((p) => p.arch))].sort()).toEqual(["amd64", "arm64"]);
    expect(dev.nodes.some((n) => n.name.startsWith("arm-"))).toBe(true);
  });

  test("every download names the node's architecture and carries that architecture's checksum from the config", () => {
    const problems: string[] = [];
    for (const r of renders) {
      for (const n of r.nodes) {
        const arch = archOfPool(r, n.name);
        const other = arch === "amd64" ? "arm64" : "amd64";
        const list = installs(n);
        if (list.length === 0) problems.push(`${r.stack}/${n.name}: no install_release lines`);
        for (const { url, sha } of list) {
          if (!url.includes(arch) || url.includes(other)) problems.push(`${r.stack}/${n.name} (${arch}): ${url}`);
          const known = n.name.startsWith("etcd-") ? [r.config.etcd.sha256] : Object.values(r.config.checksums[arch] ?? {});
          if (!known.includes(sha)) problems.push(`${r.stack}/${n.name}: ${sha} is not a configured ${arch} checksum (${url})`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});

describeWithTool(["shellcheck"], "shellcheck on every rendered shell script", () => {
  const isScript = (path: string, content: string) => path.startsWith("/opt/kubestead/bin/") || /^#!\s*\S*\b(bash|sh)\b/.test(content);

  test("every node ships a boot script, and every script of every node passes shellcheck", () => {
    const scripts = renders.flatMap((r) =>
      r.nodes.flatMap((n) =>
        [...n.files].filter(([p, f]) => isScript(p, f.content)).map(([p, f]) => ({ label: where(r, n, p), content: f.content })),
      ),
    );
    const labels = scripts.map((s) => s.label);
    for (const r of renders) for (const n of r.nodes) expect(labels).toContain(where(r, n, "/opt/kubestead/bin/boot.sh"));
    const problems = perContent(scripts, (content) => {
      const res = runOn(content, "shellcheck", (f) => ["--format=gcc", f]);
      return res.status === 0 ? undefined : res.out.trim();
    });
    expect(problems).toEqual([]);
  });

  test("control: shellcheck does report an unquoted expansion", () => {
    expect(runOn("#!/bin/bash\nrm -rf $1/tmp\n", "shellcheck", (f) => [f]).out).toContain("SC2086");
  });
});

describeWithTool(["cloud-init"], "cloud-init schema on every node's user data", () => {
  // cloud-init 22.4 prints "Valid cloud-config: <file>" and exits 0; invalid documents exit 1
  // (test/bootstrap/cloudInit.test.ts proves that on a bad document).
  test("every node's user data is #cloud-config that cloud-init 22.4 reports valid", () => {
    const docs = renders.flatMap((r) => r.nodes.map((n) => ({ label: where(r, n), content: n.userData })));
    expect(docs.filter((d) => !d.content.startsWith("#cloud-config\n")).map((d) => d.label)).toEqual([]);
    const problems = perContent(docs, (content) => {
      const res = runOn(content, "cloud-init", (f) => ["schema", "--config-file", f]);
      return res.status === 0 && res.out.includes("Valid cloud-config") ? undefined : `exit ${res.status}: ${res.out.trim()}`;
    });
    expect(problems).toEqual([]);
  });
});

describeWithTool(["containerd"], "containerd accepts every node's rendered config (config dump)", () => {
  // The control (containerd's defaults are SystemdCgroup = false and another pause image) is in
  // test/bootstrap/node/containerd.test.ts.
  test("effective config on every control-plane and worker node: systemd cgroups for runc, the stack's pause image", () => {
    const problems: string[] = [];
    for (const r of renders) {
      const pause = `registry.k8s.io/pause:${r.config.kubernetes.pauseVersion}`;
      const configs = r.nodes
        .filter((n) => roleOf(n) !== "etcd")
        .map((n) => ({ label: where(r, n), content: n.files.get("/etc/containerd/config.toml")?.content ?? "" }));
      expect(configs.length).toBeGreaterThan(0);
      problems.push(
        ...perContent(configs, (content) => {
          if (!content) return "no /etc/containerd/config.toml";
          const res = runOn(content, "containerd", (f) => ["--config", f, "config", "dump"]);
          if (res.status !== 0) return `containerd config dump exited ${res.status}: ${res.out.trim()}`;
          const runcOptions = res.out.slice(res.out.indexOf('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]'));
          const why: string[] = [];
          if (!/^\s*SystemdCgroup = true$/m.test(runcOptions)) why.push("runc options lack SystemdCgroup = true");
          if (!res.out.split("\n").some((l) => l.trim() === `sandbox_image = "${pause}"`)) why.push(`sandbox_image is not ${pause}`);
          return why.length ? why.join("; ") : undefined;
        }),
      );
    }
    expect(problems).toEqual([]);
  });
});

describe("CIS checks on the rendered control plane and kubelets", () => {
  test("no CIS 1.2-1.4 recommendation fails on any control-plane node's static pods", () => {
    expect(renders.flatMap(controlPlaneCisFailures)).toEqual([]);
  });

  test("control: the encryption config fetched from SSM is what 1.2.27/1.2.28 read", () => {
    const cp = prod().nodes.find((n) => roleOf(n) === "controlplane")?.name as string;
    const failures = controlPlaneCisFailures(withFile(prod(), cp, "/etc/kubernetes/encryption-config.yaml", undefined));
    expect(failures.some((f) => f.includes("encryption-config.yaml"))).toBe(true);
  });

  test("the kubelet config its unit names, with the unit's flags, passes CIS 4.2 on every control-plane and worker node", () => {
    expect(renders.flatMap(kubeletCisFailures)).toEqual([]);
  });

  test("control: an anonymous-auth flag in the unit is reported", () => {
    const w = prod().nodes.find((n) => roleOf(n) === "worker")?.name as string;
    const unit = prod()
      .nodes.find((n) => n.name === w)
      ?.files.get("/etc/systemd/system/kubelet.service");
    const bad = { content: (unit?.content ?? "").replace(/^ExecStart=(.*)$/m, "ExecStart=$1 --anonymous-auth=true"), mode: "0600" };
    expect(kubeletCisFailures(withFile(prod(), w, "/etc/systemd/system/kubelet.service", bad))).toEqual([
      expect.stringMatching(/ 4\.2\.1 /),
    ]);
  });
});

/**
 * Encryption at rest on each control-plane node: the EncryptionConfiguration it fetches writes
 * Secrets through KMS v2 and would load; the plugin pod listens on the socket it names, for the key
 * by ARN in the stack's region; the boot waits for the plugin before the add-ons are applied.
 */
function kmsProblems(r: StackRender): string[] {
  const problems: string[] = [];
  for (const n of r.nodes.filter((x) => roleOf(x) === "controlplane")) {
    const at = (p = "") => where(r, n, p);
    const cfgText = n.files.get("/etc/kubernetes/encryption-config.yaml")?.content;
    if (!cfgText) {
      problems.push(`${at()}: no encryption config`);
      continue;
    }
    const cfg = parse(cfgText) as {
      resources: { resources: string[]; providers: Record<string, { apiVersion?: string; endpoint?: string }>[] }[];
    };
    problems.push(...encryptionConfigProblems(cfg).map((p) => `${at("/etc/kubernetes/encryption-config.yaml")}: ${p}`));
    const first = cfg.resources.find((e) => e.resources.includes("secrets"))?.providers[0];
    if (first?.kms?.apiVersion !== "v2") {
      problems.push(`${at()}: Secrets are written with ${Object.keys(first ?? {})[0]}, not KMS v2`);
      continue;
    }
    const socket = String(first.kms.endpoint).replace(/^unix:\/\//, "");
    const plugin = n.files.get("/etc/kubernetes/manifests/aws-encryption-provider.yaml")?.content;
    const command: string[] = plugin ? (parse(plugin) as { spec: { containers: { command: string[] }[] } }).spec.containers[0].command : [];
    if (!command.includes(`--listen=${socket}`)) problems.push(`${at()}: no KMS plugin pod listens on ${socket}`);
    if (!command.some((a) => new RegExp(`^--key=arn:aws:kms:${r.config.region}:\\d{12}:key/[0-9a-f-]+$`).test(a)))
      problems.push(`${at()}: the KMS plugin's --key is not a key ARN in ${r.config.region}`);
    const boot = n.files.get("/opt/kubestead/bin/boot.sh")?.content ?? "";
    const wait = boot.indexOf("retry 12 5 kms_plugin_healthy");
    const applier = boot.indexOf(`systemctl enable --now ${APPLIER_UNIT}.timer`);
    if (wait < 0 || applier < 0 || wait > applier)
      problems.push(`${at()}: the boot does not wait for the KMS plugin before applying the add-ons`);
  }
  return problems;
}

describe("encryption at rest through KMS v2", () => {
  test("every control-plane node writes Secrets through KMS v2, its plugin beside the apiserver, its boot waiting for it", () => {
    expect(renders.flatMap(kmsProblems)).toEqual([]);
    expect(prod().nodes.filter((n) => roleOf(n) === "controlplane").length).toBeGreaterThanOrEqual(3);
  });

  test("control: a plugin listening elsewhere is reported", () => {
    const cp = prod().nodes.find((n) => roleOf(n) === "controlplane")!;
    const path = "/etc/kubernetes/manifests/aws-encryption-provider.yaml";
    const file = cp.files.get(path)!;
    const moved = withFile(prod(), cp.name, path, {
      ...file,
      content: file.content.replace("--listen=/var/run/kmsplugin/socket.sock", "--listen=/run/elsewhere.sock"),
    });
    expect(kmsProblems(moved)).toEqual([`prod/${cp.name}: no KMS plugin pod listens on /var/run/kmsplugin/socket.sock`]);
  });
});

describe("static pod manifests are v1 Pods, self-contained on their node", () => {
  test("hostPaths, flag paths and the kubeconfigs' references all exist among the node's rendered files", () => {
    const results = renders.map(staticPodProblems);
    // apiserver, controller-manager, scheduler and the KMS plugin (encryption at rest through KMS v2 by default).
    expect(results.map((x) => x.pods)).toEqual(renders.map((r) => 4 * r.config.controlPlane.nodes));
    expect(results.flatMap((x) => x.problems)).toEqual([]);
  });

  test("control: a missing scheduler key is reported through the scheduler's File volume", () => {
    const { problems } = staticPodProblems(withFile(prod(), "controlplane-1", "/etc/kubernetes/pki/scheduler.key", undefined));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.every((p) => p.startsWith("prod/controlplane-1/etc/kubernetes/") && p.includes("scheduler.key"))).toBe(true);
  });
});

describe("secrets stay out of user data", () => {
  test("no user data carries key material, a bootstrap token, an encryption key or any SSM-fetched value", () => {
    for (const r of renders) expect([r.stack, bootstrapTokens(r).length > 0]).toEqual([r.stack, true]);
    expect(renders.flatMap(userDataLeaks)).toEqual([]);
  });

  test("control: the bootstrap token pasted into a worker's user data is found", () => {
    const [token] = bootstrapTokens(prod());
    const w = prod().nodes.find((n) => roleOf(n) === "worker");
    const leaky = withUserData(prod(), w?.name as string, `${w?.userData}# ${token}\n`);
    expect(userDataLeaks(leaky)).toEqual(expect.arrayContaining([expect.stringContaining("the bootstrap token")]));
  });

  test("every secret file on every node is fetched through secrets.tsv, with a private mode", () => {
    const results = renders.map(secretFileProblems);
    expect(results.every((x) => x.secretFiles > 0)).toBe(true);
    expect(results.flatMap((x) => x.problems)).toEqual([]);
  });

  test("control: a key missing from secrets.tsv is reported", () => {
    const node = prod().nodes.find((n) => n.name === "etcd-2");
    const tsv = node?.files.get(SECRETS_MANIFEST_PATH);
    const without = { mode: tsv?.mode ?? "0600", content: (tsv?.content ?? "").replace(/^.*\/etc\/etcd\/pki\/peer\.key.*\n/m, "") };
    expect(secretFileProblems(withFile(prod(), "etcd-2", SECRETS_MANIFEST_PATH, without)).problems).toEqual([
      `prod/etcd-2/etc/etcd/pki/peer.key is secret but not listed in ${SECRETS_MANIFEST_PATH}`,
    ]);
  });
});

describe("etcd members: addresses and certificates", () => {
  test("ETCD_INITIAL_CLUSTER names every member on every member alike, each in its own zone's private subnet", () => {
    expect(renders.flatMap(etcdMemberProblems)).toEqual([]);
  });

  test("server, peer and backup certificates: SANs, EKUs, key pairs, the one etcd CA the apiserver trusts", () => {
    expect(renders.flatMap(etcdCertificateProblems)).toEqual([]);
  });

  test("control: another member's server certificate is reported (wrong SANs, wrong key)", () => {
    const other = prod()
      .nodes.find((n) => n.name === "etcd-1")
      ?.files.get("/etc/etcd/pki/server.crt");
    const problems = etcdCertificateProblems(withFile(prod(), "etcd-0", "/etc/etcd/pki/server.crt", other));
    expect(problems).toEqual([
      expect.stringMatching(/^prod\/etcd-0\/etc\/etcd\/pki\/server\.crt: SANs .* lack IP Address:/),
      expect.stringContaining("server.key is not its key"),
    ]);
  });
});
