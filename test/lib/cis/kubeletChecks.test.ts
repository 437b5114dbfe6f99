import { evaluateKubelet, goDurationMs, parseKubeletFlags } from "../../../lib/cis/kubelet";

// Small hand-built configs and flags, one check at a time; kubelet.test.ts covers what we render.
const resultOf = (id: string, config: Record<string, unknown>, flags: Record<string, string> = {}) => {
  const found = evaluateKubelet(config, flags).find((r) => r.id === id);
  return found && { pass: found.pass, detail: found.detail };
};

describe("evaluateKubelet, whole result lists", () => {
  test("an empty config and no flags: ids, titles, the kubelet's defaults and what to change", () => {
    expect(evaluateKubelet({})).toEqual([
      {
        id: "4.2.1",
        title: "anonymous-auth is false",
        pass: false,
        detail: "unset=(default true); set authentication.anonymous.enabled: false",
      },
      {
        id: "4.2.2",
        title: "authorization-mode is not AlwaysAllow",
        pass: false,
        detail: "unset=AlwaysAllow; set authorization.mode: Webhook",
      },
      {
        id: "4.2.3",
        title: "client-ca-file is set",
        pass: false,
        detail: "unset=(unset); set authentication.x509.clientCAFile to the cluster CA",
      },
      { id: "4.2.4", title: "read-only-port is 0 if defined", pass: true, detail: "unset=(unset, 0); set readOnlyPort: 0" },
      {
        id: "4.2.5",
        title: "streaming-connection-idle-timeout is not 0",
        pass: true,
        detail: "unset=(default 4h); set a non-zero duration such as 4h0m0s",
      },
      {
        id: "4.2.6",
        title: "make-iptables-util-chains is true",
        pass: true,
        detail: "unset=(default true); set makeIPTablesUtilChains: true",
      },
      { id: "4.2.7", title: "hostname-override is not set", pass: true, detail: "not set" },
      { id: "4.2.8", title: "eventRecordQPS captures events (>= 0)", pass: true, detail: "unset=(default 50)" },
      {
        id: "4.2.9",
        title: "kubelet serves a CA-signed certificate (tls-cert-file/tls-private-key-file, or serverTLSBootstrap)",
        pass: false,
        detail: "tlsCertFile=(unset), tlsPrivateKeyFile=(unset); set both or serverTLSBootstrap: true",
      },
      { id: "4.2.10", title: "rotate-certificates is not false", pass: true, detail: "unset=(unset); set rotateCertificates: true" },
      {
        id: "4.2.11",
        title: "RotateKubeletServerCertificate is true (and serverTLSBootstrap requests serving certificates)",
        pass: false,
        detail:
          "featureGates.RotateKubeletServerCertificate=(default true), serverTLSBootstrap=false; keep the gate on and set serverTLSBootstrap: true",
      },
      {
        id: "4.2.12",
        title: "only strong TLS cipher suites",
        pass: false,
        detail: "tlsCipherSuites unset (Go defaults include CBC suites); set the ECDHE+AEAD list",
      },
      { id: "4.2.13", title: "a limit is set on pod PIDs", pass: false, detail: "unset=(unset); set podPidsLimit, e.g. 4096" },
      { id: "4.2.14", title: "seccomp-default is true", pass: false, detail: "unset=(default false); set seccompDefault: true" },
      {
        id: "kubestead-protect-kernel-defaults",
        title: "protect-kernel-defaults is true",
        pass: false,
        detail: "unset=(default false); set protectKernelDefaults: true and the sysctls it expects",
      },
    ]);
  });

  test("a hardened config file passes every check and names each setting's path", () => {
    const config = {
      authentication: { anonymous: { enabled: false }, x509: { clientCAFile: "/etc/kubernetes/pki/ca.crt" } },
      authorization: { mode: "Webhook" },
      readOnlyPort: 0,
      streamingConnectionIdleTimeout: "4h0m0s",
      makeIPTablesUtilChains: true,
      eventRecordQPS: 5,
      serverTLSBootstrap: true,
      rotateCertificates: true,
      featureGates: { RotateKubeletServerCertificate: true },
      tlsCipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"],
      podPidsLimit: 4096,
      seccompDefault: true,
      protectKernelDefaults: true,
    };
    expect(evaluateKubelet(config, {}).map((r) => [r.id, r.pass, r.detail])).toEqual([
      ["4.2.1", true, "authentication.anonymous.enabled=false; set authentication.anonymous.enabled: false"],
      ["4.2.2", true, "authorization.mode=Webhook; set authorization.mode: Webhook"],
      [
        "4.2.3",
        true,
        "authentication.x509.clientCAFile=/etc/kubernetes/pki/ca.crt; set authentication.x509.clientCAFile to the cluster CA",
      ],
      ["4.2.4", true, "readOnlyPort=0; set readOnlyPort: 0"],
      ["4.2.5", true, "streamingConnectionIdleTimeout=4h0m0s; set a non-zero duration such as 4h0m0s"],
      ["4.2.6", true, "makeIPTablesUtilChains=true; set makeIPTablesUtilChains: true"],
      ["4.2.7", true, "not set"],
      ["4.2.8", true, "eventRecordQPS=5"],
      [
        "4.2.9",
        true,
        "serverTLSBootstrap: true (certificate from an approved kubelet-serving CSR; kube-bench reports this as a manual finding)",
      ],
      ["4.2.10", true, "rotateCertificates=true; set rotateCertificates: true"],
      [
        "4.2.11",
        true,
        "featureGates.RotateKubeletServerCertificate=true, serverTLSBootstrap=true; keep the gate on and set serverTLSBootstrap: true",
      ],
      ["4.2.12", true, "tlsCipherSuites all strong"],
      ["4.2.13", true, "podPidsLimit=4096; set podPidsLimit, e.g. 4096"],
      ["4.2.14", true, "seccompDefault=true; set seccompDefault: true"],
      ["kubestead-protect-kernel-defaults", true, "protectKernelDefaults=true; set protectKernelDefaults: true and the sysctls it expects"],
    ]);
  });

  test("flags win over a config file that fails every check", () => {
    const config = {
      authentication: { anonymous: { enabled: true } },
      authorization: { mode: "AlwaysAllow" },
      readOnlyPort: 10255,
      streamingConnectionIdleTimeout: "0s",
      makeIPTablesUtilChains: false,
      eventRecordQPS: -1,
      serverTLSBootstrap: false,
      rotateCertificates: false,
      featureGates: { RotateKubeletServerCertificate: false },
      tlsCipherSuites: ["TLS_RSA_WITH_AES_128_CBC_SHA"],
      podPidsLimit: -1,
      seccompDefault: false,
      protectKernelDefaults: false,
    };
    const flags = {
      "anonymous-auth": "false",
      "authorization-mode": "Node,Webhook",
      "client-ca-file": "/ca.crt",
      "read-only-port": "0",
      "streaming-connection-idle-timeout": "5m",
      "make-iptables-util-chains": "true",
      "event-qps": "0",
      "rotate-server-certificates": "true",
      "rotate-certificates": "true",
      "feature-gates": "Foo=false,RotateKubeletServerCertificate=true",
      "tls-cipher-suites": "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
      "pod-max-pids": "1",
      "seccomp-default": "true",
      "protect-kernel-defaults": "true",
    };
    expect(evaluateKubelet(config, new Map(Object.entries(flags))).map((r) => [r.id, r.pass, r.detail])).toEqual([
      ["4.2.1", true, "--anonymous-auth=false; set authentication.anonymous.enabled: false"],
      ["4.2.2", true, "--authorization-mode=Node,Webhook; set authorization.mode: Webhook"],
      ["4.2.3", true, "--client-ca-file=/ca.crt; set authentication.x509.clientCAFile to the cluster CA"],
      ["4.2.4", true, "--read-only-port=0; set readOnlyPort: 0"],
      ["4.2.5", true, "--streaming-connection-idle-timeout=5m; set a non-zero duration such as 4h0m0s"],
      ["4.2.6", true, "--make-iptables-util-chains=true; set makeIPTablesUtilChains: true"],
      ["4.2.7", true, "not set"],
      ["4.2.8", true, "--event-qps=0"],
      [
        "4.2.9",
        true,
        "serverTLSBootstrap: true (certificate from an approved kubelet-serving CSR; kube-bench reports this as a manual finding)",
      ],
      ["4.2.10", true, "--rotate-certificates=true; set rotateCertificates: true"],
      [
        "4.2.11",
        true,
        "featureGates.RotateKubeletServerCertificate=true, serverTLSBootstrap=true; keep the gate on and set serverTLSBootstrap: true",
      ],
      ["4.2.12", true, "--tls-cipher-suites all strong"],
      ["4.2.13", true, "--pod-max-pids=1; set podPidsLimit, e.g. 4096"],
      ["4.2.14", true, "--seccomp-default=true; set seccompDefault: true"],
      [
        "kubestead-protect-kernel-defaults",
        true,
        "--protect-kernel-defaults=true; set protectKernelDefaults: true and the sysctls it expects",
      ],
    ]);
  });
});

describe("evaluateKubelet, one check at a time", () => {
  test.each<[string, string, Record<string, unknown>, Record<string, string>, boolean, string]>([
    // 4.2.1
    [
      "a flag turning anonymous auth on beats the file",
      "4.2.1",
      { authentication: { anonymous: { enabled: false } } },
      { "anonymous-auth": "true" },
      false,
      "--anonymous-auth=true; set authentication.anonymous.enabled: false",
    ],
    [
      "a non-object on the config path reads as unset",
      "4.2.1",
      { authentication: "on" },
      {},
      false,
      "unset=(default true); set authentication.anonymous.enabled: false",
    ],
    [
      "a null section on the config path reads as unset",
      "4.2.1",
      { authentication: null },
      {},
      false,
      "unset=(default true); set authentication.anonymous.enabled: false",
    ],
    // 4.2.2
    [
      "a config file without a mode defaults to Webhook",
      "4.2.2",
      { readOnlyPort: 0 },
      {},
      true,
      "unset=Webhook; set authorization.mode: Webhook",
    ],
    [
      "AlwaysAllow anywhere in the mode list fails, flag over file",
      "4.2.2",
      { authorization: { mode: "Webhook" } },
      { "authorization-mode": "Node,AlwaysAllow" },
      false,
      "--authorization-mode=Node,AlwaysAllow; set authorization.mode: Webhook",
    ],
    // 4.2.4
    ["a read-only port in the file fails", "4.2.4", { readOnlyPort: 10255 }, {}, false, "readOnlyPort=10255; set readOnlyPort: 0"],
    [
      "a read-only port by flag beats a file's 0",
      "4.2.4",
      { readOnlyPort: 0 },
      { "read-only-port": "10255" },
      false,
      "--read-only-port=10255; set readOnlyPort: 0",
    ],
    ["a null value reads as unset", "4.2.4", { readOnlyPort: null }, {}, true, "unset=(unset, 0); set readOnlyPort: 0"],
    // 4.2.5
    [
      "a zero timeout fails",
      "4.2.5",
      { streamingConnectionIdleTimeout: "0s" },
      {},
      false,
      "streamingConnectionIdleTimeout=0s; set a non-zero duration such as 4h0m0s",
    ],
    [
      "the shortest non-zero timeout passes",
      "4.2.5",
      { streamingConnectionIdleTimeout: "1ns" },
      {},
      true,
      "streamingConnectionIdleTimeout=1ns; set a non-zero duration such as 4h0m0s",
    ],
    [
      "a zero timeout by flag beats the file",
      "4.2.5",
      { streamingConnectionIdleTimeout: "4h" },
      { "streaming-connection-idle-timeout": "0" },
      false,
      "--streaming-connection-idle-timeout=0; set a non-zero duration such as 4h0m0s",
    ],
    [
      "an unparsable timeout fails",
      "4.2.5",
      {},
      { "streaming-connection-idle-timeout": "5mx" },
      false,
      "--streaming-connection-idle-timeout=5mx; set a non-zero duration such as 4h0m0s",
    ],
    // 4.2.6
    [
      "iptables chains off in the file fails",
      "4.2.6",
      { makeIPTablesUtilChains: false },
      {},
      false,
      "makeIPTablesUtilChains=false; set makeIPTablesUtilChains: true",
    ],
    [
      "iptables chains off by flag beats the file",
      "4.2.6",
      { makeIPTablesUtilChains: true },
      { "make-iptables-util-chains": "false" },
      false,
      "--make-iptables-util-chains=false; set makeIPTablesUtilChains: true",
    ],
    // 4.2.7
    [
      "a hostname override fails",
      "4.2.7",
      {},
      { "hostname-override": "node-1" },
      false,
      "--hostname-override=node-1; remove it, set the host name instead",
    ],
    // 4.2.8
    ["zero event QPS passes", "4.2.8", { eventRecordQPS: 0 }, {}, true, "eventRecordQPS=0"],
    ["a negative event QPS fails", "4.2.8", { eventRecordQPS: -1 }, {}, false, "eventRecordQPS=-1"],
    ["a non-numeric event QPS by flag fails", "4.2.8", { eventRecordQPS: 5 }, { "event-qps": "abc" }, false, "--event-qps=abc"],
    ["an infinite event QPS fails", "4.2.8", {}, { "event-qps": "Infinity" }, false, "--event-qps=Infinity"],
    // 4.2.9
    [
      "cert and key files in the config pass",
      "4.2.9",
      { tlsCertFile: "/k.crt", tlsPrivateKeyFile: "/k.key" },
      {},
      true,
      "tlsCertFile=/k.crt, tlsPrivateKeyFile=/k.key; set both or serverTLSBootstrap: true",
    ],
    [
      "cert and key files by flag pass",
      "4.2.9",
      {},
      { "tls-cert-file": "/f.crt", "tls-private-key-file": "/f.key" },
      true,
      "tlsCertFile=/f.crt, tlsPrivateKeyFile=/f.key; set both or serverTLSBootstrap: true",
    ],
    [
      "a cert without a key fails",
      "4.2.9",
      { tlsCertFile: "/k.crt" },
      {},
      false,
      "tlsCertFile=/k.crt, tlsPrivateKeyFile=(unset); set both or serverTLSBootstrap: true",
    ],
    [
      "a key without a cert fails",
      "4.2.9",
      { tlsPrivateKeyFile: "/k.key" },
      {},
      false,
      "tlsCertFile=(unset), tlsPrivateKeyFile=/k.key; set both or serverTLSBootstrap: true",
    ],
    [
      "serving-certificate bootstrap by flag passes without files",
      "4.2.9",
      { serverTLSBootstrap: false },
      { "rotate-server-certificates": "true" },
      true,
      "serverTLSBootstrap: true (certificate from an approved kubelet-serving CSR; kube-bench reports this as a manual finding)",
    ],
    // 4.2.10
    [
      "rotation off by flag beats the file",
      "4.2.10",
      { rotateCertificates: true },
      { "rotate-certificates": "false" },
      false,
      "--rotate-certificates=false; set rotateCertificates: true",
    ],
    // 4.2.11
    [
      "the gate off in the file fails",
      "4.2.11",
      { serverTLSBootstrap: true, featureGates: { RotateKubeletServerCertificate: false } },
      {},
      false,
      "featureGates.RotateKubeletServerCertificate=false, serverTLSBootstrap=true; keep the gate on and set serverTLSBootstrap: true",
    ],
    [
      "the gate off by flag beats the file",
      "4.2.11",
      { serverTLSBootstrap: true, featureGates: { RotateKubeletServerCertificate: true } },
      { "feature-gates": "Foo=true,RotateKubeletServerCertificate=false" },
      false,
      "featureGates.RotateKubeletServerCertificate=false, serverTLSBootstrap=true; keep the gate on and set serverTLSBootstrap: true",
    ],
    [
      "other gates by flag leave the file's gate",
      "4.2.11",
      { serverTLSBootstrap: true, featureGates: { RotateKubeletServerCertificate: true } },
      { "feature-gates": "Foo=false" },
      true,
      "featureGates.RotateKubeletServerCertificate=true, serverTLSBootstrap=true; keep the gate on and set serverTLSBootstrap: true",
    ],
    [
      "the gate on without serving-certificate bootstrap fails",
      "4.2.11",
      { featureGates: { RotateKubeletServerCertificate: true } },
      {},
      false,
      "featureGates.RotateKubeletServerCertificate=true, serverTLSBootstrap=false; keep the gate on and set serverTLSBootstrap: true",
    ],
    // 4.2.12
    [
      "weak suites are listed",
      "4.2.12",
      { tlsCipherSuites: ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"] },
      {},
      false,
      "weak: TLS_RSA_WITH_AES_128_CBC_SHA,TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    ],
    [
      "one strong suite by flag beats a weak file",
      "4.2.12",
      { tlsCipherSuites: ["TLS_RSA_WITH_AES_128_CBC_SHA"] },
      { "tls-cipher-suites": "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384" },
      true,
      "--tls-cipher-suites all strong",
    ],
    [
      "an empty list is unset",
      "4.2.12",
      { tlsCipherSuites: [] },
      {},
      false,
      "tlsCipherSuites unset (Go defaults include CBC suites); set the ECDHE+AEAD list",
    ],
    // 4.2.13
    ["a PID limit of 1 passes", "4.2.13", { podPidsLimit: 1 }, {}, true, "podPidsLimit=1; set podPidsLimit, e.g. 4096"],
    ["a PID limit of 0 fails", "4.2.13", { podPidsLimit: 0 }, {}, false, "podPidsLimit=0; set podPidsLimit, e.g. 4096"],
    ["a PID limit of -1 (unlimited) fails", "4.2.13", { podPidsLimit: -1 }, {}, false, "podPidsLimit=-1; set podPidsLimit, e.g. 4096"],
    ["a fractional PID limit fails", "4.2.13", { podPidsLimit: 1.5 }, {}, false, "podPidsLimit=1.5; set podPidsLimit, e.g. 4096"],
    [
      "a non-numeric PID limit by flag beats the file",
      "4.2.13",
      { podPidsLimit: 4096 },
      { "pod-max-pids": "abc" },
      false,
      "--pod-max-pids=abc; set podPidsLimit, e.g. 4096",
    ],
    // 4.2.14 and protect-kernel-defaults
    [
      "seccomp off by flag beats the file",
      "4.2.14",
      { seccompDefault: true },
      { "seccomp-default": "false" },
      false,
      "--seccomp-default=false; set seccompDefault: true",
    ],
    [
      "protect-kernel-defaults off by flag beats the file",
      "kubestead-protect-kernel-defaults",
      { protectKernelDefaults: true },
      { "protect-kernel-defaults": "false" },
      false,
      "--protect-kernel-defaults=false; set protectKernelDefaults: true and the sysctls it expects",
    ],
  ])("%s (%s)", (_name, id, config, flags, pass, detail) => {
    expect(resultOf(id, config, flags)).toEqual({ pass, detail });
  });
});

describe("goDurationMs", () => {
  test.each<[string, number | undefined]>([
    ["4h0m0s", 14_400_000],
    ["1m30s", 90_000],
    ["1.5h", 5_400_000],
    ["1.25h", 4_500_000],
    ["300ms", 300],
    ["1500us", 1.5],
    ["1500µs", 1.5],
    ["2000000ns", 2],
    ["0", 0],
    ["0s", 0],
    ["", undefined],
    ["5", undefined],
    ["5mx", undefined],
    ["x5m", undefined],
    ["1.h", undefined],
  ])("%j is %p ms", (d, ms) => {
    expect(goDurationMs(d)).toBe(ms);
  });
});

describe("parseKubeletFlags", () => {
  test.each<[string, Record<string, string>]>([
    ["/usr/bin/kubelet --a=b --c --d=x=y", { a: "b", c: "true", d: "x=y" }],
    ["  --a=1 \n\t --b  ", { a: "1", b: "true" }],
    ["--empty=", { empty: "" }],
    ["--a=1 --a=2", { a: "2" }],
    ["x--a=b -c=d --=e", {}],
    ["", {}],
  ])("%j", (commandLine, flags) => {
    expect(parseKubeletFlags(commandLine)).toEqual(flags);
  });
});
