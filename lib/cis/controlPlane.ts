/**
 * CIS Kubernetes Benchmark v1.12, control-plane recommendations 1.2 (API server), 1.3 (controller
 * manager) and 1.4 (scheduler), evaluated on rendered static pods instead of `ps -ef` on a node.
 * Conditions follow the benchmark's audit procedures (as kube-bench's cis-1.12 controls encode
 * them); checks that need a file's content (encryption providers, scheduler config) read it from
 * the CisContext.
 *
 * Not evaluated: 1.2.20 (--request-timeout "as appropriate": no condition to test; the 60 s
 * default is appropriate for us). Section 1.1 (file permissions) is about modes on disk:
 * bootstrap/controlPlane/files.ts sets them and its tests check them.
 */
import { parse } from "yaml";
import { CIS_EXCEPTIONS } from "./exceptions";
import { Component, COMPONENTS, componentOf, flagsOf, listOf } from "./flags";
import type { CheckOutcome, CisCheck, CisContext, CisException, CisResult } from "./types";

export type { CisCheck, CisContext, CisException, CisResult } from "./types";

const ok = (detail: string): CheckOutcome => ({ pass: true, detail });
const bad = (detail: string): CheckOutcome => ({ pass: false, detail });
const show = (f: Map<string, string>, n: string): string => (f.has(n) ? `--${n}=${f.get(n)}` : `--${n} not set`);

function isSet(n: string) {
  return (f: Map<string, string>): CheckOutcome => (f.get(n) ? ok(show(f, n)) : bad(`--${n} is not set`));
}
function bothSet(a: string, b: string) {
  return (f: Map<string, string>): CheckOutcome =>
    f.get(a) && f.get(b) ? ok(`${show(f, a)}, ${show(f, b)}`) : bad(`both --${a} and --${b} must be set (${show(f, a)}; ${show(f, b)})`);
}
function notSet(n: string) {
  return (f: Map<string, string>): CheckOutcome => (f.has(n) ? bad(`${show(f, n)} must not be set`) : ok(`--${n} not set`));
}
function equals(n: string, v: string) {
  return (f: Map<string, string>): CheckOutcome => (f.get(n) === v ? ok(show(f, n)) : bad(`${show(f, n)}; want --${n}=${v}`));
}
function equalsOrUnset(n: string, v: string) {
  return (f: Map<string, string>): CheckOutcome =>
    !f.has(n) || f.get(n) === v ? ok(show(f, n)) : bad(`${show(f, n)}; want ${v} or unset`);
}
function atLeast(n: string, min: number) {
  return (f: Map<string, string>): CheckOutcome => {
    const v = Number(f.get(n));
    return f.has(n) && Number.isFinite(v) && v >= min ? ok(show(f, n)) : bad(`${show(f, n)}; want ≥ ${min}`);
  };
}
function includes(n: string, item: string) {
  return (f: Map<string, string>): CheckOutcome =>
    listOf(f, n).includes(item) ? ok(show(f, n)) : bad(`${show(f, n)}; must include ${item}`);
}
/** The list flag must be set and exclude `item` (an unset --authorization-mode means AlwaysAllow). */
function setWithout(n: string, item: string) {
  return (f: Map<string, string>): CheckOutcome =>
    !f.get(n) ? bad(`--${n} is not set`) : listOf(f, n).includes(item) ? bad(`${show(f, n)} includes ${item}`) : ok(show(f, n));
}
function unsetOrWithout(n: string, item: string) {
  return (f: Map<string, string>): CheckOutcome => (listOf(f, n).includes(item) ? bad(`${show(f, n)} includes ${item}`) : ok(show(f, n)));
}

/** Reads and parses the file a flag points at, or explains why it cannot. */
export function fileOf(f: Map<string, string>, flag: string, ctx: CisContext): { doc?: Record<string, unknown>; why?: string } {
  const path = f.get(flag);
  if (!path) return { why: `--${flag} is not set` };
  const text = ctx.files[path];
  if (text === undefined) return { why: `${path} (from --${flag}) was not provided to the check` };
  try {
    return { doc: parse(text) as Record<string, unknown> };
  } catch (e) {
    return { why: `${path} is not valid YAML: ${(e as Error).message}` };
  }
}

/** CIS 1.2.29's list of strong cipher suites. */
export const STRONG_CIPHERS = new Set([
  "TLS_AES_128_GCM_SHA256",
  "TLS_AES_256_GCM_SHA384",
  "TLS_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
]);
const STRONG_PROVIDERS = ["aescbc", "kms", "secretbox"];

function strongCiphers(f: Map<string, string>): CheckOutcome {
  const list = listOf(f, "tls-cipher-suites");
  if (list.length === 0) return bad("--tls-cipher-suites is not set (Go's defaults include CBC and RSA key-exchange suites)");
  const weak = list.filter((c) => !STRONG_CIPHERS.has(c));
  return weak.length === 0 ? ok(`${list.length} suites, all strong`) : bad(`weak suites: ${weak.join(", ")}`);
}

function eventRateLimit(f: Map<string, string>, ctx: CisContext): CheckOutcome {
  if (!listOf(f, "enable-admission-plugins").includes("EventRateLimit"))
    return bad(`${show(f, "enable-admission-plugins")}; must include EventRateLimit`);
  const { doc, why } = fileOf(f, "admission-control-config-file", ctx);
  if (!doc) return bad(`EventRateLimit enabled but its configuration is missing: ${why}`);
  const plugins = (doc.plugins as { name?: string }[] | undefined) ?? [];
  return plugins.some((p) => p.name === "EventRateLimit")
    ? ok("EventRateLimit enabled and configured")
    : bad("admission config has no EventRateLimit entry");
}

/** Every resource entry covering secrets must encrypt with aescbc, kms or secretbox first. */
function encryptionProviders(f: Map<string, string>, ctx: CisContext): CheckOutcome {
  const { doc, why } = fileOf(f, "encryption-provider-config", ctx);
  if (!doc) return bad(why as string);
  const entries = (doc.resources as { resources?: string[]; providers?: Record<string, unknown>[] }[] | undefined) ?? [];
  const forSecrets = entries.filter((e) => (e.resources ?? []).some((r) => r === "secrets" || r === "*.*" || r === "*."));
  if (forSecrets.length === 0) return bad("no resource entry covers secrets");
  for (const e of forSecrets) {
    const first = Object.keys(e.providers?.[0] ?? {})[0];
    if (!STRONG_PROVIDERS.includes(first))
      return bad(`secrets are written with provider ${first ?? "(none)"}; want one of ${STRONG_PROVIDERS.join(", ")}`);
  }
  return ok(`secrets encrypted with ${Object.keys(forSecrets[0].providers?.[0] ?? {})[0]}`);
}

/** With --config the scheduler ignores --profiling, so the config file must say it too. */
function schedulerProfiling(f: Map<string, string>, ctx: CisContext): CheckOutcome {
  const flag = equals("profiling", "false")(f);
  if (!flag.pass) return flag;
  if (!f.has("config")) return flag;
  const { doc, why } = fileOf(f, "config", ctx);
  if (!doc) return bad(`--config is set, which makes --profiling ignored, and ${why}`);
  return doc.enableProfiling === false
    ? ok("--profiling=false and enableProfiling: false in --config")
    : bad(`--config sets enableProfiling: ${JSON.stringify(doc.enableProfiling)} (the flag is ignored with --config); want false`);
}

/**
 * Stricter than kube-bench, which passes an unset --bind-address: the upstream default is 0.0.0.0,
 * exactly what the recommendation is about.
 */
const bindLoopback = equals("bind-address", "127.0.0.1");

const A: Component = "kube-apiserver";
const CM: Component = "kube-controller-manager";
const S: Component = "kube-scheduler";

export const CIS_CHECKS: CisCheck[] = [
  { id: "1.2.1", component: A, automated: false, title: "API server: --anonymous-auth is false", check: equals("anonymous-auth", "false") },
  { id: "1.2.2", component: A, automated: true, title: "API server: --token-auth-file is not set", check: notSet("token-auth-file") },
  {
    id: "1.2.3",
    component: A,
    automated: false,
    title: "API server: DenyServiceExternalIPs admission plugin is enabled",
    check: includes("enable-admission-plugins", "DenyServiceExternalIPs"),
  },
  {
    id: "1.2.4",
    component: A,
    automated: true,
    title: "API server: --kubelet-client-certificate and --kubelet-client-key are set",
    check: bothSet("kubelet-client-certificate", "kubelet-client-key"),
  },
  {
    id: "1.2.5",
    component: A,
    automated: true,
    title: "API server: --kubelet-certificate-authority is set",
    check: isSet("kubelet-certificate-authority"),
  },
  {
    id: "1.2.6",
    component: A,
    automated: true,
    title: "API server: --authorization-mode does not include AlwaysAllow",
    check: setWithout("authorization-mode", "AlwaysAllow"),
  },
  {
    id: "1.2.7",
    component: A,
    automated: true,
    title: "API server: --authorization-mode includes Node",
    check: includes("authorization-mode", "Node"),
  },
  {
    id: "1.2.8",
    component: A,
    automated: true,
    title: "API server: --authorization-mode includes RBAC",
    check: includes("authorization-mode", "RBAC"),
  },
  {
    id: "1.2.9",
    component: A,
    automated: false,
    title: "API server: EventRateLimit admission plugin is enabled and configured",
    check: eventRateLimit,
  },
  {
    id: "1.2.10",
    component: A,
    automated: true,
    title: "API server: AlwaysAdmit admission plugin is not enabled",
    check: unsetOrWithout("enable-admission-plugins", "AlwaysAdmit"),
  },
  {
    id: "1.2.11",
    component: A,
    automated: false,
    title: "API server: AlwaysPullImages admission plugin is enabled",
    check: includes("enable-admission-plugins", "AlwaysPullImages"),
  },
  {
    id: "1.2.12",
    component: A,
    automated: true,
    title: "API server: ServiceAccount admission plugin is not disabled",
    check: unsetOrWithout("disable-admission-plugins", "ServiceAccount"),
  },
  {
    id: "1.2.13",
    component: A,
    automated: true,
    title: "API server: NamespaceLifecycle admission plugin is not disabled",
    check: unsetOrWithout("disable-admission-plugins", "NamespaceLifecycle"),
  },
  {
    id: "1.2.14",
    component: A,
    automated: true,
    title: "API server: NodeRestriction admission plugin is enabled",
    check: includes("enable-admission-plugins", "NodeRestriction"),
  },
  { id: "1.2.15", component: A, automated: true, title: "API server: --profiling is false", check: equals("profiling", "false") },
  { id: "1.2.16", component: A, automated: true, title: "API server: --audit-log-path is set", check: isSet("audit-log-path") },
  {
    id: "1.2.17",
    component: A,
    automated: true,
    title: "API server: --audit-log-maxage is at least 30",
    check: atLeast("audit-log-maxage", 30),
  },
  {
    id: "1.2.18",
    component: A,
    automated: true,
    title: "API server: --audit-log-maxbackup is at least 10",
    check: atLeast("audit-log-maxbackup", 10),
  },
  {
    id: "1.2.19",
    component: A,
    automated: true,
    title: "API server: --audit-log-maxsize is at least 100",
    check: atLeast("audit-log-maxsize", 100),
  },
  {
    id: "1.2.21",
    component: A,
    automated: true,
    title: "API server: --service-account-lookup is true",
    check: equalsOrUnset("service-account-lookup", "true"),
  },
  {
    id: "1.2.22",
    component: A,
    automated: true,
    title: "API server: --service-account-key-file is set",
    check: isSet("service-account-key-file"),
  },
  {
    id: "1.2.23",
    component: A,
    automated: true,
    title: "API server: --etcd-certfile and --etcd-keyfile are set",
    check: bothSet("etcd-certfile", "etcd-keyfile"),
  },
  {
    id: "1.2.24",
    component: A,
    automated: true,
    title: "API server: --tls-cert-file and --tls-private-key-file are set",
    check: bothSet("tls-cert-file", "tls-private-key-file"),
  },
  { id: "1.2.25", component: A, automated: true, title: "API server: --client-ca-file is set", check: isSet("client-ca-file") },
  { id: "1.2.26", component: A, automated: true, title: "API server: --etcd-cafile is set", check: isSet("etcd-cafile") },
  {
    id: "1.2.27",
    component: A,
    automated: false,
    title: "API server: --encryption-provider-config is set",
    check: isSet("encryption-provider-config"),
  },
  {
    id: "1.2.28",
    component: A,
    automated: false,
    title: "API server: secrets are encrypted with aescbc, kms or secretbox",
    check: encryptionProviders,
  },
  { id: "1.2.29", component: A, automated: false, title: "API server: only strong TLS cipher suites", check: strongCiphers },
  {
    id: "1.2.30",
    component: A,
    automated: true,
    title: "API server: --service-account-extend-token-expiration is false",
    check: equals("service-account-extend-token-expiration", "false"),
  },
  {
    id: "1.3.1",
    component: CM,
    automated: false,
    title: "Controller manager: --terminated-pod-gc-threshold is set",
    check: isSet("terminated-pod-gc-threshold"),
  },
  { id: "1.3.2", component: CM, automated: true, title: "Controller manager: --profiling is false", check: equals("profiling", "false") },
  {
    id: "1.3.3",
    component: CM,
    automated: true,
    title: "Controller manager: --use-service-account-credentials is true",
    check: equals("use-service-account-credentials", "true"),
  },
  {
    id: "1.3.4",
    component: CM,
    automated: true,
    title: "Controller manager: --service-account-private-key-file is set",
    check: isSet("service-account-private-key-file"),
  },
  { id: "1.3.5", component: CM, automated: true, title: "Controller manager: --root-ca-file is set", check: isSet("root-ca-file") },
  {
    id: "1.3.6",
    component: CM,
    automated: true,
    title: "Controller manager: RotateKubeletServerCertificate is not disabled",
    check: unsetOrWithout("feature-gates", "RotateKubeletServerCertificate=false"),
  },
  { id: "1.3.7", component: CM, automated: true, title: "Controller manager: --bind-address is 127.0.0.1", check: bindLoopback },
  { id: "1.4.1", component: S, automated: true, title: "Scheduler: profiling is off", check: schedulerProfiling },
  { id: "1.4.2", component: S, automated: true, title: "Scheduler: --bind-address is 127.0.0.1", check: bindLoopback },
];

/** Recommendations with no testable condition, and why that is fine here. */
export const CIS_NOT_EVALUATED: { id: string; reason: string }[] = [
  {
    id: "1.2.20",
    reason:
      "--request-timeout 'as appropriate' has no testable condition; the 60 s default suits us and long requests (watch, exec, logs) are not bound by it.",
  },
];

export function cisContextFromFiles(files: { path: string; content: string }[]): CisContext {
  return { files: Object.fromEntries(files.map((f) => [f.path, f.content])) };
}

/**
 * Evaluates every check against the rendered manifests (objects or YAML). A failing check listed
 * in `exceptions` is "excepted" if its compensating control holds, else "fail".
 */
export function evaluateControlPlane(
  manifests: unknown[],
  ctx: CisContext = { files: {} },
  exceptions: CisException[] = CIS_EXCEPTIONS,
): CisResult[] {
  const byComponent = new Map<Component, Map<string, string>>();
  for (const m of manifests) {
    const c = componentOf(m);
    if (c) byComponent.set(c, flagsOf(m));
  }
  return CIS_CHECKS.map((chk) => {
    const base = { id: chk.id, component: chk.component, title: chk.title };
    const flags = byComponent.get(chk.component);
    if (!flags)
      return {
        ...base,
        status: "fail",
        detail: `no ${chk.component} manifest among the ${manifests.length} given (known: ${COMPONENTS.join(", ")})`,
      };
    const out = chk.check(flags, ctx);
    if (out.pass) return { ...base, status: "pass", detail: out.detail };
    const ex = exceptions.find((e) => e.id === chk.id);
    if (!ex) return { ...base, status: "fail", detail: out.detail };
    const comp = ex.compensating?.(flags, ctx);
    if (comp && !comp.pass)
      return { ...base, status: "fail", detail: `${out.detail}; excepted, but the compensating control does not hold: ${comp.detail}` };
    return { ...base, status: "excepted", detail: comp ? `${out.detail}; compensating: ${comp.detail}` : out.detail, reason: ex.reason };
  });
}
