/** Each CIS control-plane check on small hand-built flag sets, and how evaluateControlPlane reports them. */
import { CIS_CHECKS, CIS_NOT_EVALUATED, CisException, evaluateControlPlane, fileOf } from "../../../lib/cis/controlPlane";

type Flags = Record<string, string>;

/** Runs check `id` on `flags`; `files` maps a path to a document, given to the check as JSON (valid YAML). */
function run(id: string, flags: Flags, files: Record<string, unknown> = {}) {
  const chk = CIS_CHECKS.find((c) => c.id === id);
  if (!chk) throw new Error(`no check ${id}`);
  const texts = Object.fromEntries(Object.entries(files).map(([p, doc]) => [p, typeof doc === "string" ? doc : JSON.stringify(doc)]));
  return chk.check(new Map(Object.entries(flags)), { files: texts });
}

const pod = (bin: string, args: string[]) => ({
  kind: "Pod",
  metadata: { name: bin },
  spec: { containers: [{ command: [bin, ...args] }] },
});

describe("CIS_CHECKS metadata", () => {
  test("ids, components, Automated/Manual and titles follow the benchmark", () => {
    expect(CIS_CHECKS.map((c) => [c.id, c.component, c.automated, c.title])).toEqual([
      ["1.2.1", "kube-apiserver", false, "API server: --anonymous-auth is false"],
      ["1.2.2", "kube-apiserver", true, "API server: --token-auth-file is not set"],
      ["1.2.3", "kube-apiserver", false, "API server: DenyServiceExternalIPs admission plugin is enabled"],
      ["1.2.4", "kube-apiserver", true, "API server: --kubelet-client-certificate and --kubelet-client-key are set"],
      ["1.2.5", "kube-apiserver", true, "API server: --kubelet-certificate-authority is set"],
      ["1.2.6", "kube-apiserver", true, "API server: --authorization-mode does not include AlwaysAllow"],
      ["1.2.7", "kube-apiserver", true, "API server: --authorization-mode includes Node"],
      ["1.2.8", "kube-apiserver", true, "API server: --authorization-mode includes RBAC"],
      ["1.2.9", "kube-apiserver", false, "API server: EventRateLimit admission plugin is enabled and configured"],
      ["1.2.10", "kube-apiserver", true, "API server: AlwaysAdmit admission plugin is not enabled"],
      ["1.2.11", "kube-apiserver", false, "API server: AlwaysPullImages admission plugin is enabled"],
      ["1.2.12", "kube-apiserver", true, "API server: ServiceAccount admission plugin is not disabled"],
      ["1.2.13", "kube-apiserver", true, "API server: NamespaceLifecycle admission plugin is not disabled"],
      ["1.2.14", "kube-apiserver", true, "API server: NodeRestriction admission plugin is enabled"],
      ["1.2.15", "kube-apiserver", true, "API server: --profiling is false"],
      ["1.2.16", "kube-apiserver", true, "API server: --audit-log-path is set"],
      ["1.2.17", "kube-apiserver", true, "API server: --audit-log-maxage is at least 30"],
      ["1.2.18", "kube-apiserver", true, "API server: --audit-log-maxbackup is at least 10"],
      ["1.2.19", "kube-apiserver", true, "API server: --audit-log-maxsize is at least 100"],
      ["1.2.21", "kube-apiserver", true, "API server: --service-account-lookup is true"],
      ["1.2.22", "kube-apiserver", true, "API server: --service-account-key-file is set"],
      ["1.2.23", "kube-apiserver", true, "API server: --etcd-certfile and --etcd-keyfile are set"],
      ["1.2.24", "kube-apiserver", true, "API server: --tls-cert-file and --tls-private-key-file are set"],
      ["1.2.25", "kube-apiserver", true, "API server: --client-ca-file is set"],
      ["1.2.26", "kube-apiserver", true, "API server: --etcd-cafile is set"],
      ["1.2.27", "kube-apiserver", false, "API server: --encryption-provider-config is set"],
      ["1.2.28", "kube-apiserver", false, "API server: secrets are encrypted with aescbc, kms or secretbox"],
      ["1.2.29", "kube-apiserver", false, "API server: only strong TLS cipher suites"],
      ["1.2.30", "kube-apiserver", true, "API server: --service-account-extend-token-expiration is false"],
      ["1.3.1", "kube-controller-manager", false, "Controller manager: --terminated-pod-gc-threshold is set"],
      ["1.3.2", "kube-controller-manager", true, "Controller manager: --profiling is false"],
      ["1.3.3", "kube-controller-manager", true, "Controller manager: --use-service-account-credentials is true"],
      ["1.3.4", "kube-controller-manager", true, "Controller manager: --service-account-private-key-file is set"],
      ["1.3.5", "kube-controller-manager", true, "Controller manager: --root-ca-file is set"],
      ["1.3.6", "kube-controller-manager", true, "Controller manager: RotateKubeletServerCertificate is not disabled"],
      ["1.3.7", "kube-controller-manager", true, "Controller manager: --bind-address is 127.0.0.1"],
      ["1.4.1", "kube-scheduler", true, "Scheduler: profiling is off"],
      ["1.4.2", "kube-scheduler", true, "Scheduler: --bind-address is 127.0.0.1"],
    ]);
  });

  test("1.2.20 is listed as not evaluated, with its reason", () => {
    expect(CIS_NOT_EVALUATED).toEqual([
      {
        id: "1.2.20",
        reason:
          "--request-timeout 'as appropriate' has no testable condition; the 60 s default suits us and long requests (watch, exec, logs) are not bound by it.",
      },
    ]);
  });
});

describe("flag checks", () => {
  test.each<[string, Flags, boolean, string]>([
    // equals
    ["1.2.1", { "anonymous-auth": "false" }, true, "--anonymous-auth=false"],
    ["1.2.1", { "anonymous-auth": "true" }, false, "--anonymous-auth=true; want --anonymous-auth=false"],
    ["1.2.1", {}, false, "--anonymous-auth not set; want --anonymous-auth=false"],
    ["1.2.15", { profiling: "false" }, true, "--profiling=false"],
    ["1.2.15", { profiling: "true" }, false, "--profiling=true; want --profiling=false"],
    ["1.2.30", { "service-account-extend-token-expiration": "false" }, true, "--service-account-extend-token-expiration=false"],
    ["1.2.30", {}, false, "--service-account-extend-token-expiration not set; want --service-account-extend-token-expiration=false"],
    ["1.3.2", { profiling: "false" }, true, "--profiling=false"],
    ["1.3.2", {}, false, "--profiling not set; want --profiling=false"],
    ["1.3.3", { "use-service-account-credentials": "true" }, true, "--use-service-account-credentials=true"],
    [
      "1.3.3",
      { "use-service-account-credentials": "false" },
      false,
      "--use-service-account-credentials=false; want --use-service-account-credentials=true",
    ],
    ["1.3.7", { "bind-address": "127.0.0.1" }, true, "--bind-address=127.0.0.1"],
    ["1.3.7", { "bind-address": "0.0.0.0" }, false, "--bind-address=0.0.0.0; want --bind-address=127.0.0.1"],
    ["1.4.2", { "bind-address": "127.0.0.1" }, true, "--bind-address=127.0.0.1"],
    ["1.4.2", {}, false, "--bind-address not set; want --bind-address=127.0.0.1"],
    // notSet
    ["1.2.2", {}, true, "--token-auth-file not set"],
    ["1.2.2", { "token-auth-file": "/etc/tokens.csv" }, false, "--token-auth-file=/etc/tokens.csv must not be set"],
    ["1.2.2", { "token-auth-file": "" }, false, "--token-auth-file= must not be set"],
    // isSet
    ["1.2.5", { "kubelet-certificate-authority": "/pki/ca.crt" }, true, "--kubelet-certificate-authority=/pki/ca.crt"],
    ["1.2.5", {}, false, "--kubelet-certificate-authority is not set"],
    ["1.2.5", { "kubelet-certificate-authority": "" }, false, "--kubelet-certificate-authority is not set"],
    ["1.2.16", { "audit-log-path": "/var/log/audit.log" }, true, "--audit-log-path=/var/log/audit.log"],
    ["1.2.16", {}, false, "--audit-log-path is not set"],
    ["1.2.22", { "service-account-key-file": "/pki/sa.pub" }, true, "--service-account-key-file=/pki/sa.pub"],
    ["1.2.22", {}, false, "--service-account-key-file is not set"],
    ["1.2.25", { "client-ca-file": "/pki/ca.crt" }, true, "--client-ca-file=/pki/ca.crt"],
    ["1.2.25", {}, false, "--client-ca-file is not set"],
    ["1.2.26", { "etcd-cafile": "/pki/etcd/ca.crt" }, true, "--etcd-cafile=/pki/etcd/ca.crt"],
    ["1.2.26", {}, false, "--etcd-cafile is not set"],
    ["1.2.27", { "encryption-provider-config": "/etc/enc.yaml" }, true, "--encryption-provider-config=/etc/enc.yaml"],
    ["1.2.27", {}, false, "--encryption-provider-config is not set"],
    ["1.3.1", { "terminated-pod-gc-threshold": "1000" }, true, "--terminated-pod-gc-threshold=1000"],
    ["1.3.1", {}, false, "--terminated-pod-gc-threshold is not set"],
    ["1.3.4", { "service-account-private-key-file": "/pki/sa.key" }, true, "--service-account-private-key-file=/pki/sa.key"],
    ["1.3.4", {}, false, "--service-account-private-key-file is not set"],
    ["1.3.5", { "root-ca-file": "/pki/ca.crt" }, true, "--root-ca-file=/pki/ca.crt"],
    ["1.3.5", {}, false, "--root-ca-file is not set"],
    // bothSet
    [
      "1.2.4",
      { "kubelet-client-certificate": "/pki/kc.crt", "kubelet-client-key": "/pki/kc.key" },
      true,
      "--kubelet-client-certificate=/pki/kc.crt, --kubelet-client-key=/pki/kc.key",
    ],
    [
      "1.2.4",
      { "kubelet-client-certificate": "/pki/kc.crt" },
      false,
      "both --kubelet-client-certificate and --kubelet-client-key must be set (--kubelet-client-certificate=/pki/kc.crt; --kubelet-client-key not set)",
    ],
    [
      "1.2.4",
      { "kubelet-client-key": "/pki/kc.key" },
      false,
      "both --kubelet-client-certificate and --kubelet-client-key must be set (--kubelet-client-certificate not set; --kubelet-client-key=/pki/kc.key)",
    ],
    [
      "1.2.4",
      { "kubelet-client-certificate": "", "kubelet-client-key": "/pki/kc.key" },
      false,
      "both --kubelet-client-certificate and --kubelet-client-key must be set (--kubelet-client-certificate=; --kubelet-client-key=/pki/kc.key)",
    ],
    ["1.2.23", { "etcd-certfile": "/e.crt", "etcd-keyfile": "/e.key" }, true, "--etcd-certfile=/e.crt, --etcd-keyfile=/e.key"],
    [
      "1.2.23",
      { "etcd-certfile": "/e.crt" },
      false,
      "both --etcd-certfile and --etcd-keyfile must be set (--etcd-certfile=/e.crt; --etcd-keyfile not set)",
    ],
    [
      "1.2.24",
      { "tls-cert-file": "/t.crt", "tls-private-key-file": "/t.key" },
      true,
      "--tls-cert-file=/t.crt, --tls-private-key-file=/t.key",
    ],
    [
      "1.2.24",
      { "tls-private-key-file": "/t.key" },
      false,
      "both --tls-cert-file and --tls-private-key-file must be set (--tls-cert-file not set; --tls-private-key-file=/t.key)",
    ],
    // equalsOrUnset
    ["1.2.21", {}, true, "--service-account-lookup not set"],
    ["1.2.21", { "service-account-lookup": "true" }, true, "--service-account-lookup=true"],
    ["1.2.21", { "service-account-lookup": "false" }, false, "--service-account-lookup=false; want true or unset"],
    // atLeast: at and one below each threshold, unset, not a finite number
    ["1.2.17", { "audit-log-maxage": "30" }, true, "--audit-log-maxage=30"],
    ["1.2.17", { "audit-log-maxage": "29" }, false, "--audit-log-maxage=29; want ≥ 30"],
    ["1.2.17", {}, false, "--audit-log-maxage not set; want ≥ 30"],
    ["1.2.17", { "audit-log-maxage": "Infinity" }, false, "--audit-log-maxage=Infinity; want ≥ 30"],
    ["1.2.17", { "audit-log-maxage": "thirty" }, false, "--audit-log-maxage=thirty; want ≥ 30"],
    ["1.2.18", { "audit-log-maxbackup": "10" }, true, "--audit-log-maxbackup=10"],
    ["1.2.18", { "audit-log-maxbackup": "9" }, false, "--audit-log-maxbackup=9; want ≥ 10"],
    ["1.2.19", { "audit-log-maxsize": "100" }, true, "--audit-log-maxsize=100"],
    ["1.2.19", { "audit-log-maxsize": "99" }, false, "--audit-log-maxsize=99; want ≥ 100"],
    // includes
    [
      "1.2.3",
      { "enable-admission-plugins": "NodeRestriction,DenyServiceExternalIPs" },
      true,
      "--enable-admission-plugins=NodeRestriction,DenyServiceExternalIPs",
    ],
    [
      "1.2.3",
      { "enable-admission-plugins": "NodeRestriction" },
      false,
      "--enable-admission-plugins=NodeRestriction; must include DenyServiceExternalIPs",
    ],
    ["1.2.3", {}, false, "--enable-admission-plugins not set; must include DenyServiceExternalIPs"],
    ["1.2.7", { "authorization-mode": "Node,RBAC" }, true, "--authorization-mode=Node,RBAC"],
    ["1.2.7", { "authorization-mode": "RBAC" }, false, "--authorization-mode=RBAC; must include Node"],
    ["1.2.8", { "authorization-mode": "Node,RBAC" }, true, "--authorization-mode=Node,RBAC"],
    ["1.2.8", { "authorization-mode": "Node" }, false, "--authorization-mode=Node; must include RBAC"],
    ["1.2.11", { "enable-admission-plugins": "AlwaysPullImages" }, true, "--enable-admission-plugins=AlwaysPullImages"],
    [
      "1.2.11",
      { "enable-admission-plugins": "NodeRestriction" },
      false,
      "--enable-admission-plugins=NodeRestriction; must include AlwaysPullImages",
    ],
    ["1.2.14", { "enable-admission-plugins": "NodeRestriction" }, true, "--enable-admission-plugins=NodeRestriction"],
    [
      "1.2.14",
      { "enable-admission-plugins": "AlwaysPullImages" },
      false,
      "--enable-admission-plugins=AlwaysPullImages; must include NodeRestriction",
    ],
    // setWithout
    ["1.2.6", { "authorization-mode": "Node,RBAC" }, true, "--authorization-mode=Node,RBAC"],
    ["1.2.6", { "authorization-mode": "Node,AlwaysAllow" }, false, "--authorization-mode=Node,AlwaysAllow includes AlwaysAllow"],
    ["1.2.6", {}, false, "--authorization-mode is not set"],
    ["1.2.6", { "authorization-mode": "" }, false, "--authorization-mode is not set"],
    // unsetOrWithout
    ["1.2.10", {}, true, "--enable-admission-plugins not set"],
    ["1.2.10", { "enable-admission-plugins": "NodeRestriction" }, true, "--enable-admission-plugins=NodeRestriction"],
    [
      "1.2.10",
      { "enable-admission-plugins": "NodeRestriction,AlwaysAdmit" },
      false,
      "--enable-admission-plugins=NodeRestriction,AlwaysAdmit includes AlwaysAdmit",
    ],
    ["1.2.12", {}, true, "--disable-admission-plugins not set"],
    ["1.2.12", { "disable-admission-plugins": "NamespaceLifecycle" }, true, "--disable-admission-plugins=NamespaceLifecycle"],
    [
      "1.2.12",
      { "disable-admission-plugins": "ServiceAccount" },
      false,
      "--disable-admission-plugins=ServiceAccount includes ServiceAccount",
    ],
    ["1.2.13", { "disable-admission-plugins": "ServiceAccount" }, true, "--disable-admission-plugins=ServiceAccount"],
    [
      "1.2.13",
      { "disable-admission-plugins": "ServiceAccount,NamespaceLifecycle" },
      false,
      "--disable-admission-plugins=ServiceAccount,NamespaceLifecycle includes NamespaceLifecycle",
    ],
    ["1.3.6", {}, true, "--feature-gates not set"],
    ["1.3.6", { "feature-gates": "RotateKubeletServerCertificate=true" }, true, "--feature-gates=RotateKubeletServerCertificate=true"],
    [
      "1.3.6",
      { "feature-gates": "Foo=true,RotateKubeletServerCertificate=false" },
      false,
      "--feature-gates=Foo=true,RotateKubeletServerCertificate=false includes RotateKubeletServerCertificate=false",
    ],
  ])("%s with %j → pass %s: %s", (id, flags, pass, detail) => {
    expect(run(id, flags)).toEqual({ pass, detail });
  });
});

describe("1.2.29 strong TLS cipher suites", () => {
  test.each<[string | undefined, boolean, string]>([
    [
      "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256," +
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384," +
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256," +
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384," +
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
      true,
      "11 suites, all strong",
    ],
    ["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", true, "1 suites, all strong"],
    [
      "TLS_RSA_WITH_AES_128_CBC_SHA,TLS_AES_128_GCM_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA",
      false,
      "weak suites: TLS_RSA_WITH_AES_128_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    ],
    [undefined, false, "--tls-cipher-suites is not set (Go's defaults include CBC and RSA key-exchange suites)"],
    ["", false, "--tls-cipher-suites is not set (Go's defaults include CBC and RSA key-exchange suites)"],
  ])("--tls-cipher-suites=%j → pass %s: %s", (suites, pass, detail) => {
    expect(run("1.2.29", suites === undefined ? {} : { "tls-cipher-suites": suites })).toEqual({ pass, detail });
  });
});

describe("file-based checks", () => {
  test.each<[string, Flags, Record<string, unknown>, boolean, string]>([
    // 1.2.9 EventRateLimit
    [
      "1.2.9",
      { "enable-admission-plugins": "NodeRestriction,EventRateLimit", "admission-control-config-file": "/etc/adm.yaml" },
      { "/etc/adm.yaml": { plugins: [{ name: "PodSecurity" }, { name: "EventRateLimit" }] } },
      true,
      "EventRateLimit enabled and configured",
    ],
    [
      "1.2.9",
      { "enable-admission-plugins": "NodeRestriction", "admission-control-config-file": "/etc/adm.yaml" },
      { "/etc/adm.yaml": { plugins: [{ name: "EventRateLimit" }] } },
      false,
      "--enable-admission-plugins=NodeRestriction; must include EventRateLimit",
    ],
    ["1.2.9", {}, {}, false, "--enable-admission-plugins not set; must include EventRateLimit"],
    [
      "1.2.9",
      { "enable-admission-plugins": "EventRateLimit" },
      {},
      false,
      "EventRateLimit enabled but its configuration is missing: --admission-control-config-file is not set",
    ],
    [
      "1.2.9",
      { "enable-admission-plugins": "EventRateLimit", "admission-control-config-file": "/etc/adm.yaml" },
      {},
      false,
      "EventRateLimit enabled but its configuration is missing: /etc/adm.yaml (from --admission-control-config-file) was not provided to the check",
    ],
    [
      "1.2.9",
      { "enable-admission-plugins": "EventRateLimit", "admission-control-config-file": "/etc/adm.yaml" },
      { "/etc/adm.yaml": { plugins: [{ name: "PodSecurity" }] } },
      false,
      "admission config has no EventRateLimit entry",
    ],
    [
      "1.2.9",
      { "enable-admission-plugins": "EventRateLimit", "admission-control-config-file": "/etc/adm.yaml" },
      { "/etc/adm.yaml": { kind: "AdmissionConfiguration" } },
      false,
      "admission config has no EventRateLimit entry",
    ],
    // 1.2.28 encryption providers
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { resources: [{ resources: ["secrets"], providers: [{ aescbc: {} }, { identity: {} }] }] } },
      true,
      "secrets encrypted with aescbc",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { resources: [{ resources: ["*.*"], providers: [{ kms: {} }] }] } },
      true,
      "secrets encrypted with kms",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { resources: [{ resources: ["*."], providers: [{ secretbox: {} }] }] } },
      true,
      "secrets encrypted with secretbox",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      {
        "/etc/enc.yaml": {
          resources: [
            { resources: ["configmaps"], providers: [{ identity: {} }] },
            { providers: [{ identity: {} }] },
            { resources: ["secrets", "configmaps"], providers: [{ aescbc: {} }] },
          ],
        },
      },
      true,
      "secrets encrypted with aescbc",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { resources: [{ resources: ["secrets"], providers: [{ identity: {} }, { aescbc: {} }] }] } },
      false,
      "secrets are written with provider identity; want one of aescbc, kms, secretbox",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      {
        "/etc/enc.yaml": {
          resources: [
            { resources: ["secrets"], providers: [{ aescbc: {} }] },
            { resources: ["*.*"], providers: [{ aesgcm: {} }] },
          ],
        },
      },
      false,
      "secrets are written with provider aesgcm; want one of aescbc, kms, secretbox",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { resources: [{ resources: ["secrets"], providers: [] }] } },
      false,
      "secrets are written with provider (none); want one of aescbc, kms, secretbox",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { resources: [{ resources: ["secrets"] }] } },
      false,
      "secrets are written with provider (none); want one of aescbc, kms, secretbox",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { resources: [{ resources: ["configmaps"], providers: [{ aescbc: {} }] }] } },
      false,
      "no resource entry covers secrets",
    ],
    [
      "1.2.28",
      { "encryption-provider-config": "/etc/enc.yaml" },
      { "/etc/enc.yaml": { kind: "EncryptionConfiguration" } },
      false,
      "no resource entry covers secrets",
    ],
    ["1.2.28", {}, {}, false, "--encryption-provider-config is not set"],
    // 1.4.1 scheduler profiling
    ["1.4.1", { profiling: "false" }, {}, true, "--profiling=false"],
    ["1.4.1", { profiling: "true", config: "/etc/sched.yaml" }, {}, false, "--profiling=true; want --profiling=false"],
    ["1.4.1", {}, {}, false, "--profiling not set; want --profiling=false"],
    [
      "1.4.1",
      { profiling: "false", config: "/etc/sched.yaml" },
      { "/etc/sched.yaml": { enableProfiling: false } },
      true,
      "--profiling=false and enableProfiling: false in --config",
    ],
    [
      "1.4.1",
      { profiling: "false", config: "/etc/sched.yaml" },
      { "/etc/sched.yaml": { enableProfiling: true } },
      false,
      "--config sets enableProfiling: true (the flag is ignored with --config); want false",
    ],
    [
      "1.4.1",
      { profiling: "false", config: "/etc/sched.yaml" },
      { "/etc/sched.yaml": { enableProfiling: "false" } },
      false,
      '--config sets enableProfiling: "false" (the flag is ignored with --config); want false',
    ],
    [
      "1.4.1",
      { profiling: "false", config: "/etc/sched.yaml" },
      {},
      false,
      "--config is set, which makes --profiling ignored, and /etc/sched.yaml (from --config) was not provided to the check",
    ],
    ["1.4.1", { profiling: "false", config: "" }, {}, false, "--config is set, which makes --profiling ignored, and --config is not set"],
  ])("%s with %j and %j → pass %s: %s", (id, flags, files, pass, detail) => {
    expect(run(id, flags, files)).toEqual({ pass, detail });
  });
});

describe("fileOf", () => {
  test.each<[Flags, Record<string, string>, { doc?: unknown; why?: string }]>([
    [{ config: "/etc/c.yaml" }, { "/etc/c.yaml": "a: 1\nb: [x, y]\n" }, { doc: { a: 1, b: ["x", "y"] } }],
    [{}, { "/etc/c.yaml": "a: 1\n" }, { why: "--config is not set" }],
    [{ config: "" }, { "": "a: 1\n" }, { why: "--config is not set" }],
    [{ config: "/etc/c.yaml" }, { "/etc/other.yaml": "a: 1\n" }, { why: "/etc/c.yaml (from --config) was not provided to the check" }],
    [
      { config: "/etc/c.yaml" },
      { "/etc/c.yaml": "a: [1" },
      {
        why: "/etc/c.yaml is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 1, column 6:\n\na: [1\n     ^\n",
      },
    ],
  ])("flags %j, files %j → %j", (flags, files, want) => {
    expect(fileOf(new Map(Object.entries(flags)), "config", { files })).toEqual(want);
  });
});

describe("evaluateControlPlane", () => {
  test("a check passes with its metadata and the outcome's detail", () => {
    const r = evaluateControlPlane([pod("kube-scheduler", ["--bind-address=127.0.0.1"])], { files: {} }, []);
    expect(r.find((x) => x.id === "1.4.2")).toEqual({
      id: "1.4.2",
      component: "kube-scheduler",
      title: "Scheduler: --bind-address is 127.0.0.1",
      status: "pass",
      detail: "--bind-address=127.0.0.1",
    });
  });

  test("a component without a manifest fails each of its checks, naming the known components", () => {
    const r = evaluateControlPlane([pod("kube-scheduler", [])], { files: {} }, []);
    expect(r.find((x) => x.id === "1.3.1")).toEqual({
      id: "1.3.1",
      component: "kube-controller-manager",
      title: "Controller manager: --terminated-pod-gc-threshold is set",
      status: "fail",
      detail: "no kube-controller-manager manifest among the 1 given (known: kube-apiserver, kube-controller-manager, kube-scheduler)",
    });
  });

  test.each<[string, boolean | undefined, { status: string; detail: string; reason?: string }]>([
    ["another check's exception", undefined, { status: "fail", detail: "--profiling=true; want --profiling=false" }],
    [
      "an exception with no compensating control",
      undefined,
      { status: "excepted", detail: "--profiling=true; want --profiling=false", reason: "why not" },
    ],
    [
      "an exception whose compensating control holds",
      true,
      { status: "excepted", detail: "--profiling=true; want --profiling=false; compensating: bound to 127.0.0.1", reason: "why not" },
    ],
    [
      "an exception whose compensating control does not hold",
      false,
      {
        status: "fail",
        detail: "--profiling=true; want --profiling=false; excepted, but the compensating control does not hold: bound to 0.0.0.0",
      },
    ],
  ])("a failing check with %s", (name, compensates, want) => {
    const bind = compensates === false ? "0.0.0.0" : "127.0.0.1";
    const exception: CisException = {
      id: name === "another check's exception" ? "1.4.2" : "1.4.1",
      reason: "why not",
      compensating:
        compensates === undefined
          ? undefined
          : (flags) => ({ pass: flags.get("bind-address") === "127.0.0.1", detail: `bound to ${flags.get("bind-address")}` }),
    };
    const r = evaluateControlPlane([pod("kube-scheduler", ["--profiling=true", `--bind-address=${bind}`])], { files: {} }, [exception]);
    expect(r.find((x) => x.id === "1.4.1")).toEqual({
      id: "1.4.1",
      component: "kube-scheduler",
      title: "Scheduler: profiling is off",
      ...want,
    });
  });
});
