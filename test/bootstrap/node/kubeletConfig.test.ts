import { parse } from "yaml";
import { buildKubeletConfig, kubeletFlags, renderBootstrapKubeconfig } from "../../../bootstrap/node/kubelet";

describe("buildKubeletConfig inputs", () => {
  test.each(["255.0.0.1", "10.255.0.1", "249.0.0.1", "10.249.0.1", "9.0.0.1", "99.0.0.1", "10.96.0.10"])(
    "clusterDnsIp %s is accepted as the only cluster DNS server",
    (ip) => {
      expect(buildKubeletConfig({ clusterDnsIp: ip, clusterDomain: "cluster.local" }).clusterDNS).toEqual([ip]);
    },
  );

  test.each(["a10.96.0.10", "10.96.0.10x", "256.0.0.1", "10.96.0"])("clusterDnsIp %s is refused", (ip) => {
    expect(() => buildKubeletConfig({ clusterDnsIp: ip, clusterDomain: "cluster.local" })).toThrow(
      new Error(`kubelet config: clusterDnsIp must be an IPv4 address (got "${ip}"): use the service CIDR + 10`),
    );
  });

  test.each(["local", "a.local", "cluster.x", "svc.cluster.local", "k8s-1.example"])("clusterDomain %s is accepted", (domain) => {
    expect(buildKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: domain }).clusterDomain).toBe(domain);
  });

  test.each(["cluster.local.", "cluster.local-", "-cluster.local", "Cluster.local", "cluster..local"])(
    "clusterDomain %s is refused",
    (domain) => {
      expect(() => buildKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: domain })).toThrow(
        new Error(`kubelet config: clusterDomain must be a DNS name (got "${domain}"): use cluster.local`),
      );
    },
  );

  test.each([1, 2, 249, 250])("maxPods %s is accepted", (maxPods) => {
    expect(buildKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local", maxPods }).maxPods).toBe(maxPods);
  });

  test.each([0, 251, 1.5])("maxPods %s is refused", (maxPods) => {
    expect(() => buildKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local", maxPods })).toThrow(
      new Error(`kubelet config: maxPods must be an integer 1-250 (got ${maxPods}): keep it within what the node's pod CIDR holds`),
    );
  });

  test("every problem is reported, separated by semicolons", () => {
    expect(() => buildKubeletConfig({ clusterDnsIp: "10.96.0", clusterDomain: "cluster.local", maxPods: 251 })).toThrow(
      new Error(
        'kubelet config: clusterDnsIp must be an IPv4 address (got "10.96.0"): use the service CIDR + 10; ' +
          "maxPods must be an integer 1-250 (got 251): keep it within what the node's pod CIDR holds",
      ),
    );
  });

  test.each([
    "apiVersion",
    "kind",
    "authentication",
    "authorization",
    "readOnlyPort",
    "cgroupDriver",
    "containerRuntimeEndpoint",
    "protectKernelDefaults",
    "makeIPTablesUtilChains",
    "rotateCertificates",
    "serverTLSBootstrap",
    "tlsCipherSuites",
    "tlsMinVersion",
    "streamingConnectionIdleTimeout",
    "eventRecordQPS",
    "podPidsLimit",
    "seccompDefault",
  ])("extra.%s is refused: it carries a hardened setting", (key) => {
    expect(() => buildKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local", extra: { [key]: "x" } })).toThrow(
      new Error(`kubelet config: extra.${key} must not override a hardened kubelet field (got "x"): remove it from extra`),
    );
  });

  test("without a static pod path the config has no staticPodPath field", () => {
    const config = buildKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local" });
    expect(Object.keys(config)).not.toContain("staticPodPath");
    expect(
      buildKubeletConfig({ clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local", staticPodPath: "/etc/kubernetes/manifests" })
        .staticPodPath,
    ).toBe("/etc/kubernetes/manifests");
  });
});

describe("kubeletFlags", () => {
  test.each([
    ["hostname-override", "CIS 4.2.7: the node name must be the host name the AWS CCM looks up"],
    ["container-runtime", "removed in Kubernetes 1.27; containerd is reached through containerRuntimeEndpoint"],
    ["node-ip", "the kubelet picks the primary interface address; the CCM sets the node's addresses"],
    ["anonymous-auth", "CIS 4.2.1: set in the config file, never weakened"],
    ["authorization-mode", "CIS 4.2.2: set in the config file, never weakened"],
    ["read-only-port", "CIS 4.2.4: the read-only port stays closed"],
    ["config", "the hardened config file is the stack's"],
    ["kubeconfig", "the node's credentials are the stack's"],
    ["bootstrap-kubeconfig", "the node's credentials are the stack's"],
    ["node-labels", "set labels in the pool's labels, where they are validated"],
    ["register-with-taints", "set taints in the pool's taints, where they are validated"],
    ["feature-gates", "set in the config file"],
    ["rotate-certificates", "CIS 4.2.10: client certificates rotate"],
    ["rotate-server-certificates", "CIS 4.2.11: the serving certificate is requested from the cluster CA"],
    ["protect-kernel-defaults", "set in the config file"],
    ["seccomp-default", "CIS 4.2.14: set in the config file"],
    ["make-iptables-util-chains", "CIS 4.2.6: set in the config file"],
    ["tls-cipher-suites", "CIS 4.2.12: only strong cipher suites, set in the config file"],
    ["tls-min-version", "set in the config file"],
    ["streaming-connection-idle-timeout", "CIS 4.2.5: set in the config file"],
    ["pod-max-pids", "CIS 4.2.13: set in the config file"],
    ["event-qps", "CIS 4.2.8: set in the config file"],
  ])("extraArgs.%s is refused with its reason", (flag, reason) => {
    expect(() => kubeletFlags({ nodeLabels: {}, nodeTaints: [], extraArgs: { [flag]: "x" } })).toThrow(
      new Error(`kubelet service: 1 problem(s):\n  - extraArgs.${flag} is refused (got "x"): ${reason}`),
    );
  });

  test.each(["V", "Xv", "vX", "cpu_manager", "v=2", "--v", "-v"])("extraArgs key %s is refused: not a flag name", (key) => {
    expect(() => kubeletFlags({ nodeLabels: {}, nodeTaints: [], extraArgs: { [key]: "1" } })).toThrow(
      new Error(`kubelet service: 1 problem(s):\n  - extraArgs key "${key}" must be a flag name without "--": fix the key`),
    );
  });

  test("every extraArgs problem is listed on its own line", () => {
    expect(() => kubeletFlags({ nodeLabels: {}, nodeTaints: [], extraArgs: { "node-ip": "10.0.0.1", V: "a b" } })).toThrow(
      new Error(
        "kubelet service: 3 problem(s):\n" +
          '  - extraArgs.node-ip is refused (got "10.0.0.1"): the kubelet picks the primary interface address; the CCM sets the node\'s addresses\n' +
          '  - extraArgs key "V" must be a flag name without "--": fix the key\n' +
          "  - extraArgs.V must not contain spaces, quotes, '$', '%', ';' or '\\' (got \"a b\"): simplify the value",
      ),
    );
  });

  test("a control-plane kubelet gets no bootstrap kubeconfig; taints and extra flags are listed in order", () => {
    expect(
      kubeletFlags({
        nodeLabels: {},
        nodeTaints: [
          { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
          { key: "example.com/dedicated", value: "gpu", effect: "NoExecute" },
        ],
        extraArgs: {
          "image-credential-provider-config": "/etc/kubernetes/ecr-credential-provider.yaml",
          "image-credential-provider-bin-dir": "/usr/local/bin",
        },
        bootstrapKubeconfig: false,
      }),
    ).toEqual([
      "--config=/var/lib/kubelet/config.yaml",
      "--kubeconfig=/etc/kubernetes/kubelet.conf",
      "--cloud-provider=external",
      "--register-with-taints=node-role.kubernetes.io/control-plane:NoSchedule,example.com/dedicated=gpu:NoExecute",
      "--image-credential-provider-bin-dir=/usr/local/bin",
      "--image-credential-provider-config=/etc/kubernetes/ecr-credential-provider.yaml",
    ]);
  });
});

describe("renderBootstrapKubeconfig inputs", () => {
  test.each([
    "https://api.example.com:6443",
    "https://api.example.com:6443/",
    "https://10.0.0.5:6443",
    "https://a:1",
    "https://API.Example.com:65535",
  ])("server %s is written as given", (server) => {
    const k = parse(renderBootstrapKubeconfig({ server, caPath: "/etc/kubernetes/pki/ca.crt", token: "abcdef.0123456789abcdef" }));
    expect(k.clusters[0].cluster.server).toBe(server);
  });

  test.each([
    "xhttps://api.example.com:6443",
    "https://api.example.com:6443/path",
    "https://api.example.com: 6443",
    "https://",
    "https://api.example.com",
    "https://api.example.com:",
    "https://api.example.com:644x",
    "https://api.example.com:123456",
    "https://a:b:6443",
    "https://api.example.com:0",
    "https://api.example.com:65536",
    "https://u@api.example.com:6443",
    "https://a#b:6443",
    "https://a?b:6443",
  ])("server %s is refused", (server) => {
    expect(() => renderBootstrapKubeconfig({ server, caPath: "/etc/kubernetes/pki/ca.crt", token: "abcdef.0123456789abcdef" })).toThrow(
      new Error(
        `bootstrap kubeconfig: server must be an https://host:port URL (got "${server}"): use the API load balancer's https://<dns>:6443`,
      ),
    );
  });

  test.each(["xabcdef.0123456789abcdef", "abcdef.0123456789abcdefx", "abcde.0123456789abcdef", "ABCDEF.0123456789abcdef"])(
    "token %s is refused without echoing it",
    (token) => {
      expect(() =>
        renderBootstrapKubeconfig({ server: "https://api.example.com:6443", caPath: "/etc/kubernetes/pki/ca.crt", token }),
      ).toThrow(
        new Error(
          "bootstrap kubeconfig: token must match [a-z0-9]{6}.[a-z0-9]{16} (value not shown): generate a bootstrap token of that form",
        ),
      );
    },
  );

  test("every problem is reported, separated by semicolons", () => {
    expect(() => renderBootstrapKubeconfig({ server: "https://api.example.com:6443", caPath: "ca.crt", token: "nope" })).toThrow(
      new Error(
        'bootstrap kubeconfig: caPath must be an absolute path (got "ca.crt"): use /etc/kubernetes/pki/ca.crt; ' +
          "token must match [a-z0-9]{6}.[a-z0-9]{16} (value not shown): generate a bootstrap token of that form",
      ),
    );
  });
});
