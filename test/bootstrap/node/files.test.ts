import { parse } from "yaml";
import { CONTROL_PLANE_TAINT, nodeFiles, NodeSpec } from "../../../bootstrap/node/files";
import { renderKernelModules, renderSysctls } from "../../../bootstrap/node/system";
import { evaluateKubelet, parseKubeletFlags } from "../../../lib/cis/kubelet";

const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const SPEC: NodeSpec = {
  cluster: "prod",
  role: "worker",
  caCertPem: CA,
  pauseVersion: "3.10",
  clusterDnsIp: "10.96.0.10",
  clusterDomain: "cluster.local",
  nodeLabels: { "kubestead.io/pool": "general" },
  nodeTaints: [],
};

const byPath = (files: { path: string; content: string; mode: string }[]) => Object.fromEntries(files.map((f) => [f.path, f]));

describe("nodeFiles", () => {
  test("worker: every file a node boots with, with CIS modes", () => {
    const { files, secrets } = nodeFiles(SPEC);
    const f = byPath(files);
    expect(Object.keys(f).sort()).toEqual(
      [
        "/etc/containerd/config.toml",
        "/etc/kubernetes/pki/ca.crt",
        "/etc/modules-load.d/k8s.conf",
        "/etc/sysctl.d/99-kubernetes.conf",
        "/etc/systemd/system/containerd.service",
        "/etc/systemd/system/kubelet.service",
        "/var/lib/kubelet/config.yaml",
      ].sort(),
    );
    expect(f["/var/lib/kubelet/config.yaml"].mode).toBe("0600");
    expect(f["/etc/systemd/system/kubelet.service"].mode).toBe("0600");
    expect(f["/etc/kubernetes/pki/ca.crt"]).toEqual({ path: "/etc/kubernetes/pki/ca.crt", content: CA, mode: "0644" });
    expect(f["/etc/containerd/config.toml"].content).toContain('sandbox_image = "registry.k8s.io/pause:3.10"');
    expect(parse(f["/var/lib/kubelet/config.yaml"].content).staticPodPath).toBeUndefined();
    expect(f["/etc/systemd/system/kubelet.service"].content).not.toContain("--register-with-taints");
    expect(secrets).toEqual([
      { path: "/etc/kubernetes/bootstrap-kubelet.conf", parameter: "/kubestead/prod/worker/bootstrap-kubelet.conf", mode: "0600" },
    ]);
    // No key material in user data.
    for (const file of files) expect(file.content).not.toMatch(/PRIVATE KEY|token:/);
  });

  test("control plane: static pods, control-plane taint, and no bootstrap token (its kubelet credential is signed locally)", () => {
    const { files, secrets } = nodeFiles({
      ...SPEC,
      role: "controlplane",
      nodeLabels: {},
      registryMirrors: { "docker.io": ["https://mirror.example.com"] },
    });
    const f = byPath(files);
    expect(parse(f["/var/lib/kubelet/config.yaml"].content).staticPodPath).toBe("/etc/kubernetes/manifests");
    expect(f["/etc/systemd/system/kubelet.service"].content).toContain(`--register-with-taints=${CONTROL_PLANE_TAINT.key}:NoSchedule`);
    expect(f["/etc/containerd/certs.d/docker.io/hosts.toml"]).toBeDefined();
    expect(secrets).toEqual([]);
    expect(f["/etc/systemd/system/kubelet.service"].content).not.toContain("--bootstrap-kubeconfig");
    expect(f["/etc/systemd/system/kubelet.service"].content).toContain("--kubeconfig=/etc/kubernetes/kubelet.conf");
  });

  test("the control-plane taint is not doubled when given", () => {
    const { files } = nodeFiles({ ...SPEC, role: "controlplane", nodeTaints: [CONTROL_PLANE_TAINT] });
    const unit = byPath(files)["/etc/systemd/system/kubelet.service"].content;
    expect(unit.match(/node-role\.kubernetes\.io\/control-plane:NoSchedule/g)).toHaveLength(1);
  });

  test("refuses a non-PEM CA and a bad cluster name", () => {
    expect(() => nodeFiles({ ...SPEC, caCertPem: "not a cert" })).toThrow(/caCertPem must be one PEM certificate/);
    expect(() => nodeFiles({ ...SPEC, cluster: "Prod_1" })).toThrow(/cluster must be a lowercase DNS label \(got "Prod_1"\)/);
  });

  test("snapshot of the worker's files", () => {
    const out = nodeFiles(SPEC);
    expect(out).toMatchSnapshot();
    // The kubelet the snapshot boots passes every automatable CIS 4.2 check, flags included.
    const f = byPath(out.files);
    const execStart = /^ExecStart=(.*)$/m.exec(f["/etc/systemd/system/kubelet.service"].content)?.[1] ?? "";
    const failed = evaluateKubelet(parse(f["/var/lib/kubelet/config.yaml"].content), parseKubeletFlags(execStart)).filter((r) => !r.pass);
    expect(failed).toEqual([]);
    expect(parseKubeletFlags(execStart).kubeconfig).toBe("/etc/kubernetes/kubelet.conf");
  });
});

describe("system files", () => {
  test("modules and the sysctls protectKernelDefaults requires", () => {
    expect(renderKernelModules()).toBe("overlay\nbr_netfilter\n");
    const s = Object.fromEntries(
      renderSysctls()
        .trim()
        .split("\n")
        .map((l) => l.split(" = ")),
    );
    expect(s).toMatchObject({
      "net.bridge.bridge-nf-call-iptables": "1",
      "net.ipv4.ip_forward": "1",
      "vm.overcommit_memory": "1",
      "vm.panic_on_oom": "0",
      "kernel.panic": "10",
      "kernel.panic_on_oops": "1",
      "kernel.keys.root_maxkeys": "1000000",
      "kernel.keys.root_maxbytes": "25000000",
    });
  });
});
