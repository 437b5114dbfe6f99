import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "smol-toml";
import { renderContainerdConfig, renderContainerdService, renderRegistryHosts } from "../../../bootstrap/node/containerd";
import { describeWithTool } from "../../helpers/tools";

const PAUSE = "registry.k8s.io/pause:3.10";

describe("renderContainerdConfig", () => {
  const text = renderContainerdConfig({ pauseImage: PAUSE });

  const doc = parse(text) as any;
  const cri = doc.plugins["io.containerd.grpc.v1.cri"];

  test("is schema version 2 with the CRI settings the kubelet relies on", () => {
    expect(doc.version).toBe(2);
    expect(cri.sandbox_image).toBe(PAUSE);
    expect(cri.containerd.snapshotter).toBe("overlayfs");
    expect(cri.containerd.default_runtime_name).toBe("runc");
    expect(cri.containerd.runtimes.runc.runtime_type).toBe("io.containerd.runc.v2");
    expect(cri.containerd.runtimes.runc.options.SystemdCgroup).toBe(true);
    expect(cri.cni).toEqual({ bin_dir: "/opt/cni/bin", conf_dir: "/etc/cni/net.d", max_conf_num: 1 });
    expect(cri.registry).toEqual({ config_path: "/etc/containerd/certs.d" });
    // config_path excludes the deprecated mirrors table; containerd refuses both at once.
    expect(cri.registry.mirrors).toBeUndefined();
  });

  test("is byte-stable", () => {
    expect(renderContainerdConfig({ pauseImage: PAUSE })).toBe(text);
    expect(text).toMatchSnapshot();
    // The snapshot is the document the semantic checks above read, with the pause image given.
    expect(parse(text)).toEqual(doc);
    expect(renderContainerdConfig({ pauseImage: "registry.k8s.io/pause:3.9" })).toContain('sandbox_image = "registry.k8s.io/pause:3.9"');
  });

  test.each(["pause:3.10", "registry.k8s.io/pause", "registry.k8s.io/pause:3.10 --x", ""])("refuses pause image %j", (img) => {
    expect(() => renderContainerdConfig({ pauseImage: img })).toThrow(
      /pauseImage must be a registry\/repository:tag reference.*registry\.k8s\.io\/pause/,
    );
  });
});

describe("renderRegistryHosts", () => {
  test("one hosts.toml per registry, mirrors pull/resolve only, docker.io's real API host as server", () => {
    const files = renderRegistryHosts({
      "quay.io": ["https://mirror.example.com/quay"],
      "docker.io": ["https://m1.example.com", "https://m2.example.com"],
    });
    expect(files.map((f) => f.path)).toEqual([
      "/etc/containerd/certs.d/docker.io/hosts.toml",
      "/etc/containerd/certs.d/quay.io/hosts.toml",
    ]);

    const docker = parse(files[0].content) as any;
    expect(docker.server).toBe("https://registry-1.docker.io");
    expect(Object.keys(docker.host)).toEqual(["https://m1.example.com", "https://m2.example.com"]);
    expect(docker.host["https://m1.example.com"].capabilities).toEqual(["pull", "resolve"]);
    expect(files[1].mode).toBe("0644");
  });

  test("refuses plain-http mirrors and bad hosts, naming each", () => {
    expect(() => renderRegistryHosts({ "Docker.IO": ["http://m.example.com"] })).toThrow(
      /registry "Docker.IO" must be a host.*mirror "http:\/\/m.example.com" of Docker.IO must be an https:\/\/ URL/,
    );
    expect(() => renderRegistryHosts({ "docker.io": [] })).toThrow(/at least one https URL/);
  });

  test("no mirrors, no files", () => {
    expect(renderRegistryHosts({})).toEqual([]);
  });
});

describe("renderContainerdService", () => {
  const unit = renderContainerdService();
  test("runs the release binary as a notify service that delegates cgroups", () => {
    expect(unit).toContain("ExecStart=/usr/local/bin/containerd\n");
    expect(unit).toContain("Type=notify\n");
    expect(unit).toContain("Delegate=yes\n");
    expect(unit).toContain("KillMode=process\n");
    expect(unit).toContain("OOMScoreAdjust=-999\n");
    expect(unit).toContain("ExecStartPre=-/sbin/modprobe overlay\n");
  });
  test("carries none of the seed's stale lines", () => {
    expect(unit).not.toMatch(/docker/);
    expect(unit).not.toMatch(/LimitNOFILE/);
    expect(unit).toMatchSnapshot();
  });
});

describeWithTool(["containerd"], "containerd accepts the rendered config (config dump)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kubestead-containerd-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function dump(content: string): string {
    const file = join(dir, `config-${Math.random().toString(36).slice(2)}.toml`);
    writeFileSync(file, content);
    const r = spawnSync("containerd", ["--config", file, "config", "dump"], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`containerd config dump failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  }

  test("the effective config has our cgroup driver, sandbox image, snapshotter and registry dir", () => {
    const out = dump(renderContainerdConfig({ pauseImage: PAUSE }));
    const runcOptions = out.slice(out.indexOf('[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]'));
    expect(runcOptions).toMatch(/^\s*SystemdCgroup = true$/m);
    expect(out).toMatch(/^\s*sandbox_image = "registry\.k8s\.io\/pause:3\.10"$/m);
    expect(out).toMatch(/^\s*snapshotter = "overlayfs"$/m);
    expect(out).toMatch(/^\s*config_path = "\/etc\/containerd\/certs\.d"$/m);
    expect(out).toMatch(/^\s*conf_dir = "\/etc\/cni\/net\.d"$/m);
  });

  test("control: containerd's defaults differ, so the assertions above are about our file", () => {
    const out = dump("version = 2\n");
    expect(out).toMatch(/^\s*SystemdCgroup = false$/m);
    expect(out).not.toMatch(/sandbox_image = "registry\.k8s\.io\/pause:3\.10"/);
  });
});
