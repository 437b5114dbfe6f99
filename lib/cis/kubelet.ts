/**
 * CIS Kubernetes Benchmark v1.12, section 4.2 (kubelet), the checks that can be decided from the
 * kubelet's configuration file and command line. Ids and intent follow the benchmark as encoded in
 * kube-bench's cfg/cis-1.12/node.yaml; the code is ours. Command-line flags win over the config
 * file, as they do in the kubelet.
 */

/** Named apart from types.ts's CisResult: kubelet checks report a plain pass/fail. */
export interface KubeletCisResult {
  /** Benchmark id, e.g. "4.2.1"; our additions are prefixed "kubestead-". */
  id: string;
  title: string;
  pass: boolean;
  /** The value found and, on failure, what to change. */
  detail: string;
}

/** Kubelet flags by name without "--", e.g. { "hostname-override": "x" }. */
export type KubeletFlags = Record<string, string>;

/** The cipher suites 4.2.12 accepts (a subset is fine). */
export const CIS_STRONG_CIPHERS = new Set([
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
]);

/** "--a=b --c" tokens of a kubelet command line (e.g. a unit's ExecStart=) as flags. */
export function parseKubeletFlags(commandLine: string): KubeletFlags {
  const flags: KubeletFlags = {};
  for (const token of commandLine.split(/\s+/)) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(token);
    if (m) flags[m[1]] = m[2] ?? "true";
  }
  return flags;
}

/** Milliseconds of a Go duration ("4h0m0s", "5m", "0"); undefined when unparsable. */
export function goDurationMs(d: string): number | undefined {
  if (d === "0") return 0;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(d); m !== null; m = re.exec(d)) {
    total += Number(m[1]) * units[m[2]];
    consumed += m[0].length;
  }
  return consumed === d.length && consumed > 0 ? total : undefined;
}

function get(config: Record<string, unknown>, path: string[]): unknown {
  let v: unknown = config;
  for (const p of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** Flag value if set, else the config value, as a string ("" when neither is set). */
function effective(config: Record<string, unknown>, flags: KubeletFlags, flag: string, path: string[]): { value: string; from: string } {
  if (flag in flags) return { value: flags[flag], from: `--${flag}` };
  const v = get(config, path);
  if (v === undefined || v === null) return { value: "", from: "unset" };
  return { value: Array.isArray(v) ? v.join(",") : String(v), from: path.join(".") };
}

function featureGate(config: Record<string, unknown>, flags: KubeletFlags, gate: string): string | undefined {
  const fromFlag = flags["feature-gates"]
    ?.split(",")
    .map((kv) => kv.split("="))
    .find(([k]) => k === gate);
  if (fromFlag) return fromFlag[1];
  const v = get(config, ["featureGates", gate]);
  return v === undefined ? undefined : String(v);
}

export function evaluateKubelet(config: Record<string, unknown>, flags: KubeletFlags | Map<string, string> = {}): KubeletCisResult[] {
  const f: KubeletFlags = flags instanceof Map ? Object.fromEntries(flags) : flags;
  const results: KubeletCisResult[] = [];
  const add = (id: string, title: string, pass: boolean, detail: string): void => {
    results.push({ id, title, pass, detail });
  };

  const anon = effective(config, f, "anonymous-auth", ["authentication", "anonymous", "enabled"]);
  // The kubelet's own default is true: unset fails.
  add(
    "4.2.1",
    "anonymous-auth is false",
    anon.value === "false",
    `${anon.from}=${anon.value || "(default true)"}; set authentication.anonymous.enabled: false`,
  );

  const authz = effective(config, f, "authorization-mode", ["authorization", "mode"]);
  // The config-file default is Webhook; a flag-only kubelet defaults to AlwaysAllow.
  const authzValue = authz.value || (Object.keys(config).length > 0 ? "Webhook" : "AlwaysAllow");
  add(
    "4.2.2",
    "authorization-mode is not AlwaysAllow",
    !authzValue.split(",").includes("AlwaysAllow"),
    `${authz.from}=${authzValue}; set authorization.mode: Webhook`,
  );

  const ca = effective(config, f, "client-ca-file", ["authentication", "x509", "clientCAFile"]);
  add(
    "4.2.3",
    "client-ca-file is set",
    ca.value !== "",
    `${ca.from}=${ca.value || "(unset)"}; set authentication.x509.clientCAFile to the cluster CA`,
  );

  const ro = effective(config, f, "read-only-port", ["readOnlyPort"]);
  add(
    "4.2.4",
    "read-only-port is 0 if defined",
    ro.value === "" || ro.value === "0",
    `${ro.from}=${ro.value || "(unset, 0)"}; set readOnlyPort: 0`,
  );

  const idle = effective(config, f, "streaming-connection-idle-timeout", ["streamingConnectionIdleTimeout"]);
  const idleMs = goDurationMs(idle.value);
  add(
    "4.2.5",
    "streaming-connection-idle-timeout is not 0",
    idle.value === "" || (idleMs !== undefined && idleMs > 0),
    `${idle.from}=${idle.value || "(default 4h)"}; set a non-zero duration such as 4h0m0s`,
  );

  const chains = effective(config, f, "make-iptables-util-chains", ["makeIPTablesUtilChains"]);
  add(
    "4.2.6",
    "make-iptables-util-chains is true",
    chains.value === "" || chains.value === "true",
    `${chains.from}=${chains.value || "(default true)"}; set makeIPTablesUtilChains: true`,
  );

  add(
    "4.2.7",
    "hostname-override is not set",
    !("hostname-override" in f),
    "hostname-override" in f ? `--hostname-override=${f["hostname-override"]}; remove it, set the host name instead` : "not set",
  );

  const qps = effective(config, f, "event-qps", ["eventRecordQPS"]);
  // Unset ("") reads as 0 and passes, as the default 50 would.
  const qpsN = Number(qps.value);
  add("4.2.8", "eventRecordQPS captures events (>= 0)", Number.isFinite(qpsN) && qpsN >= 0, `${qps.from}=${qps.value || "(default 50)"}`);

  // The benchmark asks for tls-cert-file/tls-private-key-file; a kubelet with serverTLSBootstrap
  // serves a CA-signed certificate it requested itself, which meets the control's intent.
  const cert = effective(config, f, "tls-cert-file", ["tlsCertFile"]);
  const key = effective(config, f, "tls-private-key-file", ["tlsPrivateKeyFile"]);
  const bootstrapServing = effective(config, f, "rotate-server-certificates", ["serverTLSBootstrap"]).value === "true";
  add(
    "4.2.9",
    "kubelet serves a CA-signed certificate (tls-cert-file/tls-private-key-file, or serverTLSBootstrap)",
    (cert.value !== "" && key.value !== "") || bootstrapServing,
    bootstrapServing
      ? "serverTLSBootstrap: true (certificate from an approved kubelet-serving CSR; kube-bench reports this as a manual finding)"
      : `tlsCertFile=${cert.value || "(unset)"}, tlsPrivateKeyFile=${key.value || "(unset)"}; set both or serverTLSBootstrap: true`,
  );

  const rotate = effective(config, f, "rotate-certificates", ["rotateCertificates"]);
  add(
    "4.2.10",
    "rotate-certificates is not false",
    rotate.value !== "false",
    `${rotate.from}=${rotate.value || "(unset)"}; set rotateCertificates: true`,
  );

  const gate = featureGate(config, f, "RotateKubeletServerCertificate");
  add(
    "4.2.11",
    "RotateKubeletServerCertificate is true (and serverTLSBootstrap requests serving certificates)",
    gate !== "false" && bootstrapServing,
    `featureGates.RotateKubeletServerCertificate=${gate ?? "(default true)"}, serverTLSBootstrap=${bootstrapServing}; keep the gate on and set serverTLSBootstrap: true`,
  );

  const ciphers = effective(config, f, "tls-cipher-suites", ["tlsCipherSuites"]);
  // Unset ("") splits to [""], which is no strong suite: unset fails.
  const weak = ciphers.value.split(",").filter((c) => !CIS_STRONG_CIPHERS.has(c));
  add(
    "4.2.12",
    "only strong TLS cipher suites",
    weak.length === 0,
    ciphers.value === ""
      ? "tlsCipherSuites unset (Go defaults include CBC suites); set the ECDHE+AEAD list"
      : weak.length > 0
        ? `weak: ${weak.join(",")}`
        : `${ciphers.from} all strong`,
  );

  const pids = effective(config, f, "pod-max-pids", ["podPidsLimit"]);
  // Unset ("") reads as 0, which is no limit.
  const pidsN = Number(pids.value);
  add(
    "4.2.13",
    "a limit is set on pod PIDs",
    Number.isInteger(pidsN) && pidsN > 0,
    `${pids.from}=${pids.value || "(unset)"}; set podPidsLimit, e.g. 4096`,
  );

  const seccomp = effective(config, f, "seccomp-default", ["seccompDefault"]);
  add(
    "4.2.14",
    "seccomp-default is true",
    seccomp.value === "true",
    `${seccomp.from}=${seccomp.value || "(default false)"}; set seccompDefault: true`,
  );

  // Earlier CIS releases (4.2.6 in v1.8) required it; the kubelet then refuses hosts whose kernel
  // tunables differ from what it expects instead of silently changing them.
  const pkd = effective(config, f, "protect-kernel-defaults", ["protectKernelDefaults"]);
  add(
    "kubestead-protect-kernel-defaults",
    "protect-kernel-defaults is true",
    pkd.value === "true",
    `${pkd.from}=${pkd.value || "(default false)"}; set protectKernelDefaults: true and the sysctls it expects`,
  );

  return results;
}
