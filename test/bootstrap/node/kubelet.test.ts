import { parse } from "yaml";
import {
  buildKubeletConfig,
  kubeletFlags,
  renderBootstrapKubeconfig,
  renderKubeletConfig,
  renderKubeletService,
  STRONG_TLS_CIPHER_SUITES,
} from "../../../bootstrap/node/kubelet";
import { kubeletMaySetLabel, nodeLabelProblems, nodeTaintProblems } from "../../../bootstrap/node/labels";
import { evaluateKubelet } from "../../../lib/cis/kubelet";
import type { Taint } from "../../../lib/config/types";

const BASE = { clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local" };

describe("renderKubeletConfig", () => {
  const text = renderKubeletConfig(BASE);
  const cfg = parse(text);

  test("is a hardened KubeletConfiguration", () => {
    expect(cfg.apiVersion).toBe("kubelet.config.k8s.io/v1beta1");
    expect(cfg.kind).toBe("KubeletConfiguration");
    expect(cfg.port).toBe(10250);
    expect(cfg.readOnlyPort).toBe(0);
    expect(cfg.authentication).toEqual({
      anonymous: { enabled: false },
      webhook: { enabled: true, cacheTTL: "2m0s" },
      x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" },
    });
    expect(cfg.authorization.mode).toBe("Webhook");
    expect(cfg.cgroupDriver).toBe("systemd");
    expect(cfg.containerRuntimeEndpoint).toBe("unix:///run/containerd/containerd.sock");
    expect(cfg.rotateCertificates).toBe(true);
    expect(cfg.serverTLSBootstrap).toBe(true);
    expect(cfg.protectKernelDefaults).toBe(true);
    expect(cfg.makeIPTablesUtilChains).toBe(true);
    expect(cfg.tlsMinVersion).toBe("VersionTLS12");
    expect(cfg.tlsCipherSuites).toEqual(STRONG_TLS_CIPHER_SUITES);
    expect(cfg.healthzBindAddress).toBe("127.0.0.1");
    expect(cfg.clusterDNS).toEqual(["10.96.0.10"]);
    expect(cfg.clusterDomain).toBe("cluster.local");
    expect(cfg.maxPods).toBe(110);
    expect(cfg.failSwapOn).toBe(true);
    expect(cfg.evictionHard["memory.available"]).toBe("200Mi");
    expect(cfg.kubeReserved.memory).toBe("512Mi");
    expect(cfg.systemReserved.cpu).toBe("100m");
    expect(cfg.staticPodPath).toBeUndefined();
  });

  test("control-plane nodes get a static pod path; extra fields merge", () => {
    const c = buildKubeletConfig({
      ...BASE,
      staticPodPath: "/etc/kubernetes/manifests",
      maxPods: 58,
      extra: { cpuManagerPolicy: "static" },
    });
    expect(c.staticPodPath).toBe("/etc/kubernetes/manifests");
    expect(c.maxPods).toBe(58);
    expect(c.cpuManagerPolicy).toBe("static");
  });

  test("extra may not weaken a hardened field", () => {
    expect(() => buildKubeletConfig({ ...BASE, extra: { readOnlyPort: 10255, authorization: { mode: "AlwaysAllow" } } })).toThrow(
      /extra\.readOnlyPort must not override a hardened kubelet field \(got 10255\): remove it from extra.*extra\.authorization/,
    );
  });

  test("bad inputs are all reported", () => {
    expect(() => buildKubeletConfig({ clusterDnsIp: "10.96.0", clusterDomain: "Cluster_Local", maxPods: 0 })).toThrow(
      /clusterDnsIp.*clusterDomain.*maxPods/,
    );
  });

  test("byte-stable snapshot", () => {
    expect(renderKubeletConfig(BASE)).toBe(text);
    expect(text).toMatchSnapshot();
    // What the snapshot pins passes every automatable CIS 4.2 check of the config file.
    expect(evaluateKubelet(cfg).filter((r) => !r.pass)).toEqual([]);
  });
});

describe("renderKubeletService", () => {
  const taints: Taint[] = [{ key: "example.com/dedicated", value: "gpu", effect: "NoSchedule" }];

  test("flags: config, kubeconfigs, external cloud provider, sorted labels, taints", () => {
    const flags = kubeletFlags({
      nodeLabels: { "kubestead.io/pool": "general", "node.kubernetes.io/lifecycle": "spot" },
      nodeTaints: taints,
    });
    expect(flags).toEqual([
      "--config=/var/lib/kubelet/config.yaml",
      "--kubeconfig=/etc/kubernetes/kubelet.conf",
      "--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf",
      "--cloud-provider=external",
      "--node-labels=kubestead.io/pool=general,node.kubernetes.io/lifecycle=spot",
      "--register-with-taints=example.com/dedicated=gpu:NoSchedule",
    ]);
  });

  test("the unit has none of the seed's removed flags", () => {
    const unit = renderKubeletService({ nodeLabels: {}, nodeTaints: [] });
    expect(unit).toMatch(/^ExecStart=\/usr\/local\/bin\/kubelet --config=/m);
    expect(unit).not.toMatch(/--container-runtime|--node-ip|--hostname-override|dockershim|--fail-swap-on/);
    expect(unit).not.toMatch(/--node-labels|--register-with-taints/);
    expect(unit).toContain("Requires=containerd.service\n");
    expect(unit).toMatchSnapshot();
  });

  test("a label the kubelet may not set names key, rule and fix", () => {
    expect(() => renderKubeletService({ nodeLabels: { "node-role.kubernetes.io/worker": "" }, nodeTaints: [] })).toThrow(
      /nodeLabels\.node-role\.kubernetes\.io\/worker must not be a kubernetes\.io\/k8s\.io label.*\(got "node-role\.kubernetes\.io\/worker"\): use a label under node\.kubernetes\.io\//,
    );
  });

  test("a bad taint effect names the taint, the allowed effects and the value", () => {
    const bad = [{ key: "a", effect: "NoRun" }] as unknown as Taint[];
    expect(() => renderKubeletService({ nodeLabels: {}, nodeTaints: bad })).toThrow(
      /nodeTaints\[0\]\.effect must be one of NoSchedule, PreferNoSchedule, NoExecute \(got "NoRun"\)/,
    );
  });

  test("refused and unsafe extra args", () => {
    expect(() => kubeletFlags({ nodeLabels: {}, nodeTaints: [], extraArgs: { "hostname-override": "x" } })).toThrow(
      /hostname-override is refused.*CIS 4\.2\.7/,
    );
    expect(() => kubeletFlags({ nodeLabels: {}, nodeTaints: [], extraArgs: { v: "2 --anonymous-auth=true" } })).toThrow(
      /extraArgs\.v must not contain spaces/,
    );
    expect(kubeletFlags({ nodeLabels: {}, nodeTaints: [], extraArgs: { v: "2" } }).pop()).toBe("--v=2");
  });
});

describe("labels and taints", () => {
  test.each([
    ["kubestead.io/pool", true],
    ["topology.kubernetes.io/zone", true],
    ["node.kubernetes.io/instance-type", true],
    ["foo.node.kubernetes.io/x", true],
    ["kubelet.kubernetes.io/x", true],
    ["plain", true],
    ["node-role.kubernetes.io/control-plane", false],
    ["kubernetes.io/role", false],
    ["x.k8s.io/y", false],
  ])("kubeletMaySetLabel(%s) = %s", (key, want) => {
    expect(kubeletMaySetLabel(key)).toBe(want);
  });

  test("syntax problems for keys and values", () => {
    const p = nodeLabelProblems({ "Bad_Prefix/x": "v", ok: "-bad-", [`${"a".repeat(64)}`]: "" });
    expect(p.map((x) => x.key)).toEqual([`nodeLabels.Bad_Prefix/x`, "nodeLabels.ok", `nodeLabels.${"a".repeat(64)}`].sort());
    expect(nodeTaintProblems([{ key: "ok", effect: "NoExecute" }])).toEqual([]);
  });
});

describe("renderBootstrapKubeconfig", () => {
  const token = "abcdef.0123456789abcdef";
  test("token user, CA by path, server as given", () => {
    const k = parse(renderBootstrapKubeconfig({ server: "https://api.example.com:6443", caPath: "/etc/kubernetes/pki/ca.crt", token }));
    expect(k.kind).toBe("Config");
    expect(k.clusters[0].cluster).toEqual({
      server: "https://api.example.com:6443",
      "certificate-authority": "/etc/kubernetes/pki/ca.crt",
    });
    expect(k.users[0].user).toEqual({ token });
    expect(k["current-context"]).toBe(k.contexts[0].name);
  });
  test("bad token is refused without echoing it", () => {
    let message = "";
    try {
      renderBootstrapKubeconfig({ server: "http://x:6443", caPath: "ca.crt", token: "SECRET-not-a-token" });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/server must be an https.*caPath must be an absolute path.*token must match/);
    expect(message).not.toContain("SECRET-not-a-token");
  });
});
