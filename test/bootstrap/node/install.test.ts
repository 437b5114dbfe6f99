import { spawnSync } from "node:child_process";
import { nodeArtifacts, renderNodeInstallStep, renderNodeStartStep } from "../../../bootstrap/node/install";
import { renderSystemApplyStep } from "../../../bootstrap/node/system";
import { describeWithTool } from "../../helpers/tools";

const VERSIONS = { kubernetesVersion: "1.35.1", containerdVersion: "2.3.1", runcVersion: "1.3.4", cniPluginsVersion: "1.8.0" };
const sha = (c: string): string => c.repeat(64);
const CHECKSUMS = { containerd: sha("a"), runc: sha("b"), cniPlugins: sha("c"), kubelet: sha("d") };

describe("nodeArtifacts", () => {
  test("four release URLs keyed like ClusterConfig.checksums, runtime first", () => {
    const a = nodeArtifacts(VERSIONS);
    expect(a.map((x) => x.sha256Key)).toEqual(["containerd", "runc", "cniPlugins", "kubelet"]);
    expect(a.map((x) => x.url)).toEqual([
      "https://github.com/containerd/containerd/releases/download/v2.3.1/containerd-2.3.1-linux-amd64.tar.gz",
      "https://github.com/opencontainers/runc/releases/download/v1.3.4/runc.amd64",
      "https://github.com/containernetworking/plugins/releases/download/v1.8.0/cni-plugins-linux-amd64-v1.8.0.tgz",
      "https://dl.k8s.io/release/v1.35.1/bin/linux/amd64/kubelet",
    ]);
    expect(a.map((x) => x.dest)).toEqual(["/usr/local", "/usr/local/sbin/runc", "/opt/cni/bin", "/usr/local/bin/kubelet"]);
  });
});

describe("renderNodeInstallStep", () => {
  test("one verified install_release per artifact", () => {
    const step = renderNodeInstallStep({ ...VERSIONS, checksums: CHECKSUMS });
    const calls = step.split("\n").filter((l) => l.startsWith("install_release "));
    expect(calls).toHaveLength(4);
    expect(calls[3]).toBe(
      `install_release 'https://dl.k8s.io/release/v1.35.1/bin/linux/amd64/kubelet' '${sha("d")}' '/usr/local/bin/kubelet' 0`,
    );
    expect(step).toMatchSnapshot();
  });

  test("a missing or malformed checksum names its key and artifact", () => {
    expect(() =>
      renderNodeInstallStep({ ...VERSIONS, checksums: { ...CHECKSUMS, kubelet: "", runc: undefined as unknown as string } }),
    ).toThrow(
      /checksums\.runc must be the lowercase hex sha256 of runc\.amd64 v1\.3\.4 \(got undefined\).*checksums\.kubelet .* \(got ""\)/,
    );
  });

  test("a version that would break shell quoting is refused", () => {
    expect(() => renderNodeInstallStep({ ...VERSIONS, kubernetesVersion: "1.35.1'; rm -rf /", checksums: CHECKSUMS })).toThrow(/URL-safe/);
  });
});

describeWithTool(["shellcheck"], "node boot steps are shellcheck-clean", () => {
  // The boot script defines these helpers; stubs let shellcheck see a complete script.
  const stubs = [
    "#!/usr/bin/env bash",
    "set -euo pipefail",
    'log() { printf "%s\\n" "$*" >&2; }',
    'die() { log "$*"; exit 1; }',
    'retry() { shift 2; "$@"; }',
    'imds() { printf "%s\\n" "$1"; }',
    'install_release() { log "$@"; }',
  ].join("\n");

  test.each([
    ["install", renderNodeInstallStep({ ...VERSIONS, checksums: CHECKSUMS })],
    ["system", renderSystemApplyStep()],
    ["start", renderNodeStartStep()],
  ])("%s step", (_name, step) => {
    const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: `${stubs}\n${step}`, encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  test("control: shellcheck does flag a broken snippet", () => {
    const r = spawnSync("shellcheck", ["-s", "bash", "-"], { input: `${stubs}\nrm -rf $HOME/$dir\n`, encoding: "utf8" });
    expect(r.status).not.toBe(0);
  });
});
