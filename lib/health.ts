/**
 * Cluster health from the API server's own answers: /livez, /readyz?verbose (which also carries
 * the apiserver's etcd checks — componentstatuses is deprecated and never saw external etcd
 * correctly), the node list and kube-system's pods. Pure: tools/health.ts does the HTTP and
 * hands the responses here, so every verdict is tested against recorded responses. The same for
 * the etcd backups: tools/health.ts lists the snapshot prefix, backupCheck judges the newest.
 * https://kubernetes.io/docs/reference/using-api/health-checks/
 */
import { parse as parseYaml } from "yaml";

export interface HttpResult {
  status: number;
  body: string;
}

export interface HealthResponses {
  livez?: HttpResult;
  readyz?: HttpResult;
  /** GET /api/v1/nodes, parsed. */
  nodes?: unknown;
  /** GET /api/v1/namespaces/kube-system/pods, parsed. */
  pods?: unknown;
}

export interface HealthCheck {
  name: string;
  ok: boolean;
  detail: string;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

function httpProblem(r: HttpResult): string {
  if (r.status === 401) return "401 Unauthorized: the kubeconfig's credentials were rejected";
  if (r.status === 403) return "403 Forbidden: the kubeconfig's user may not read health endpoints";
  const first = r.body.trim().split("\n").slice(-1)[0] ?? "";
  return `HTTP ${r.status}${first ? `: ${first.slice(0, 200)}` : ""}`;
}

function liveCheck(livez?: HttpResult): HealthCheck {
  const name = "API server live (/livez)";
  if (!livez) return { name, ok: false, detail: "no response" };
  const ok = livez.status === 200 && livez.body.trim() === "ok";
  return { name, ok, detail: ok ? "ok" : httpProblem(livez) };
}

/** Lines of a verbose health body: `[+]name ok` / `[-]name failed: reason`. */
export function parseVerboseChecks(body: string): Map<string, { ok: boolean; text: string }> {
  const m = new Map<string, { ok: boolean; text: string }>();
  for (const line of body.split("\n")) {
    const r = /^\[([+-])\]([^\s]+)\s*(.*)$/.exec(line.trim());
    if (r) m.set(r[2], { ok: r[1] === "+", text: r[3] });
  }
  return m;
}

function readyCheck(readyz?: HttpResult): HealthCheck {
  const name = "API server ready (/readyz)";
  if (!readyz) return { name, ok: false, detail: "no response" };
  const checks = parseVerboseChecks(readyz.body);
  const failed = [...checks.entries()].filter(([, v]) => !v.ok).map(([k, v]) => `${k} ${v.text}`.trim());
  const ok = readyz.status === 200 && failed.length === 0;
  if (ok) return { name, ok, detail: `${checks.size} checks passed` };
  return { name, ok, detail: failed.length > 0 ? `failing: ${failed.join("; ")}` : httpProblem(readyz) };
}

function etcdCheck(readyz?: HttpResult): HealthCheck {
  const name = "etcd (via /readyz)";
  if (!readyz) return { name, ok: false, detail: "no response" };
  if (readyz.status === 401 || readyz.status === 403) return { name, ok: false, detail: httpProblem(readyz) };
  const checks = parseVerboseChecks(readyz.body);
  // `etcd` is the apiserver's storage health; `etcd-readiness` (Kubernetes ≥ 1.26 split) is the one
  // readiness should follow. Either missing entirely means the body was not the verbose form.
  const names = ["etcd", "etcd-readiness"].filter((n) => checks.has(n));
  if (names.length === 0) return { name, ok: false, detail: "no etcd lines in /readyz?verbose" };
  const bad = names.filter((n) => !checks.get(n)?.ok);
  if (bad.length > 0) return { name, ok: false, detail: bad.map((n) => `[-]${n} ${checks.get(n)?.text ?? ""}`.trim()).join("; ") };
  return { name, ok: true, detail: names.map((n) => `[+]${n} ok`).join(", ") };
}

/** An API error answer (kind Status) in one line, e.g. `HTTP 403: nodes is forbidden: …`. */
function statusProblem(v: unknown): string | undefined {
  const o = obj(v);
  if (o.kind !== "Status") return undefined;
  return `HTTP ${String(o.code ?? "?")}${o.message ? `: ${str(o.message)}` : ""}`;
}

function nodeReady(n: unknown): boolean {
  const cond = arr(obj(obj(n).status).conditions)
    .map(obj)
    .find((c) => c.type === "Ready");
  return cond?.status === "True";
}

function nodesCheck(nodes?: unknown): HealthCheck {
  const name = "nodes Ready";
  if (nodes === undefined) return { name, ok: false, detail: "no response" };
  const items = arr(obj(nodes).items);
  if (obj(nodes).kind !== "NodeList") return { name, ok: false, detail: statusProblem(nodes) ?? "response is not a NodeList" };
  const notReady = items.filter((n) => !nodeReady(n)).map((n) => str(obj(obj(n).metadata).name));
  const ready = items.length - notReady.length;
  const ok = items.length > 0 && notReady.length === 0;
  const detail = `${ready}/${items.length}${items.length === 0 ? " (no nodes registered)" : ""}${notReady.length ? `; not ready: ${notReady.sort().join(", ")}` : ""}`;
  return { name, ok, detail };
}

/** Why a pod is not healthy, in kubectl's words where the API gives them (CrashLoopBackOff, …). */
function podProblem(p: unknown): string | undefined {
  const status = obj(obj(p).status);
  const phase = str(status.phase);
  if (phase === "Succeeded") return undefined;
  const containers = arr(status.containerStatuses).map(obj);
  const waiting = containers.map((c) => str(obj(obj(c.state).waiting).reason)).find((r) => r !== "");
  if (phase !== "Running") return waiting || str(status.reason) || phase || "Unknown";
  const unready = containers.filter((c) => c.ready !== true);
  if (unready.length > 0) return waiting || `${unready.length}/${containers.length} containers not ready`;
  return undefined;
}

function podsCheck(pods?: unknown): HealthCheck {
  const name = "kube-system pods Running";
  if (pods === undefined) return { name, ok: false, detail: "no response" };
  if (obj(pods).kind !== "PodList") return { name, ok: false, detail: statusProblem(pods) ?? "response is not a PodList" };
  const items = arr(obj(pods).items);
  const bad = items
    .map((p) => ({ name: str(obj(obj(p).metadata).name), why: podProblem(p) }))
    .filter((x): x is { name: string; why: string } => x.why !== undefined)
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const good = items.length - bad.length;
  const ok = items.length > 0 && bad.length === 0;
  const detail = `${good}/${items.length}${items.length === 0 ? " (no pods)" : ""}${bad.length ? `; ${bad.map((b) => `${b.name} ${b.why}`).join(", ")}` : ""}`;
  return { name, ok, detail };
}

/** `s3://bucket/prefix/` → its parts; undefined when it is not such a URI. */
export function parseS3Uri(uri: string): { bucket: string; prefix: string } | undefined {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.*)$/.exec(uri);
  return m ? { bucket: m[1], prefix: m[2] } : undefined;
}

export interface BackupListing {
  /** Where the snapshots are, s3://bucket/prefix/. */
  uri: string;
  /** `aws s3api list-objects-v2 --output json` of that prefix, parsed; undefined when listing failed. */
  listing?: unknown;
  /** Why the listing failed. */
  error?: string;
  /** Older than this, the newest snapshot fails the check (the stack's backup alarm threshold). */
  maxAgeMinutes: number;
  now: Date;
}

function ageText(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  const hours = minutes / 60;
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} days`;
}

/** The newest etcd snapshot under the backup prefix, and whether it is recent enough. */
export function backupCheck(b: BackupListing): HealthCheck {
  const name = "etcd backups (newest snapshot)";
  if (b.error !== undefined) return { name, ok: false, detail: b.error };
  const snapshots = arr(obj(b.listing).Contents)
    .map(obj)
    .map((o) => ({ key: str(o.Key), at: Date.parse(str(o.LastModified)) }))
    .filter((o) => o.key.endsWith(".db") && Number.isFinite(o.at));
  if (snapshots.length === 0) return { name, ok: false, detail: `no snapshot under ${b.uri}` };
  const newest = snapshots.reduce((a, x) => (x.at > a.at ? x : a));
  const minutes = Math.max(0, Math.floor((b.now.getTime() - newest.at) / 60000));
  const file = newest.key.slice(newest.key.lastIndexOf("/") + 1);
  const ok = minutes <= b.maxAgeMinutes;
  const limit = `${ok ? "within" : "older than"} the ${ageText(b.maxAgeMinutes)} the backup alarm allows`;
  return { name, ok, detail: `${file}, ${ageText(minutes)} old (${limit}); ${snapshots.length} in ${b.uri}` };
}

export function evaluateHealth(responses: HealthResponses): HealthCheck[] {
  return [
    liveCheck(responses.livez),
    readyCheck(responses.readyz),
    etcdCheck(responses.readyz),
    nodesCheck(responses.nodes),
    podsCheck(responses.pods),
  ];
}

export interface KubeTarget {
  server: string;
  /** PEM, or a path to read when `caFile` is set. */
  ca?: string;
  caFile?: string;
  cert?: string;
  certFile?: string;
  key?: string;
  keyFile?: string;
  token?: string;
  insecureSkipTlsVerify: boolean;
  context: string;
}

function b64(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? Buffer.from(v, "base64").toString("utf8") : undefined;
}
function named(list: unknown, name: string, kind: string): Obj {
  const found = arr(list)
    .map(obj)
    .find((e) => e.name === name);
  if (!found)
    throw new Error(
      `kubeconfig: ${kind} "${name}" is not defined in ${kind}s: regenerate the kubeconfig (pulumi stack output adminKubeconfig)`,
    );
  return obj(found[kind]);
}

/** Reads the current context's server, CA and credentials from a kubeconfig (YAML or JSON). */
export function parseKubeconfig(text: string): KubeTarget {
  let doc: Obj;
  try {
    doc = obj(parseYaml(text));
  } catch (e) {
    throw new Error(`kubeconfig is not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  if (doc.kind !== undefined && doc.kind !== "Config") throw new Error(`kubeconfig: kind is ${String(doc.kind)}, expected Config`);
  const contexts = arr(doc.contexts).map(obj);
  const context = str(doc["current-context"]) || (contexts.length === 1 ? str(contexts[0].name) : "");
  if (!context) throw new Error("kubeconfig: no current-context and not exactly one context: set current-context");
  const ctx = named(doc.contexts, context, "context");
  const cluster = named(doc.clusters, str(ctx.cluster), "cluster");
  const user = ctx.user ? named(doc.users, str(ctx.user), "user") : {};
  const server = str(cluster.server);
  if (!/^https:\/\//.test(server))
    throw new Error(`kubeconfig: cluster "${str(ctx.cluster)}" server ${JSON.stringify(server)} is not an https:// URL`);
  const t: KubeTarget = {
    server: server.replace(/\/+$/, ""),
    insecureSkipTlsVerify: cluster["insecure-skip-tls-verify"] === true,
    context,
  };
  const set = <K extends keyof KubeTarget>(k: K, v: KubeTarget[K] | undefined) => {
    if (v !== undefined && v !== "") t[k] = v;
  };
  set("ca", b64(cluster["certificate-authority-data"]));
  set("caFile", str(cluster["certificate-authority"]) || undefined);
  set("cert", b64(user["client-certificate-data"]));
  set("certFile", str(user["client-certificate"]) || undefined);
  set("key", b64(user["client-key-data"]));
  set("keyFile", str(user["client-key"]) || undefined);
  set("token", str(user.token) || undefined);
  if (!t.token && !(t.cert || t.certFile)) {
    throw new Error(
      `kubeconfig: user of context "${context}" has neither a client certificate nor a token (exec plugins are not supported here)`,
    );
  }
  return t;
}
