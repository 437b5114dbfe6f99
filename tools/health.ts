/**
 * `npm run health -- --stack <env>` (or `--kubeconfig FILE`): asks a deployed cluster's API server
 * how it is — /livez, /readyz?verbose (including etcd), nodes and kube-system pods — through the
 * admin kubeconfig, and S3 how old the newest etcd snapshot is (the stack output etcdBackups, or
 * --backups; the AWS CLI with the caller's credentials lists it), prints ✓/✗ per check and exits
 * non-zero when any fails. The verdicts are lib/health.ts; this file only fetches. Errors a user
 * can act on are printed without a stack.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as https from "node:https";
import {
  backupCheck,
  evaluateHealth,
  parseKubeconfig,
  parseS3Uri,
  type BackupListing,
  type HealthCheck,
  type HealthResponses,
  type HttpResult,
  type KubeTarget,
} from "../lib/health";

export class UserError extends Error {}

export interface Args {
  stack?: string;
  kubeconfig?: string;
  timeoutMs: number;
  /** s3://bucket/prefix/ of the etcd snapshots (default with --stack: the stack output etcdBackups). */
  backups?: string;
  /** Minutes the newest snapshot may be old (default: the stack's backup alarm threshold, else 180). */
  backupMaxAgeMinutes?: number;
  /** Skip the backup check. */
  noBackups?: boolean;
}

const USAGE =
  "usage: npm run health -- --stack <env> | --kubeconfig FILE [--timeout SECONDS] [--backups s3://BUCKET/PREFIX/ [--backup-max-age MINUTES] | --no-backups]";
/** The backup check's limit without the stack's alarm threshold: the default with hourly backups. */
export const DEFAULT_BACKUP_MAX_AGE_MINUTES = 180;

export function parseArgs(argv: string[]): Args {
  const a: Args = { timeoutMs: 10_000 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new UserError(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    if (flag === "--stack" || flag === "-s") a.stack = value();
    else if (flag === "--kubeconfig") a.kubeconfig = value();
    else if (flag === "--timeout") {
      const s = Number(value());
      if (!Number.isFinite(s) || s <= 0) throw new UserError(`--timeout must be a positive number of seconds\n${USAGE}`);
      a.timeoutMs = s * 1000;
    } else if (flag === "--backups") {
      a.backups = value();
      if (!parseS3Uri(a.backups)) throw new UserError(`--backups must be s3://BUCKET/PREFIX/ (got ${a.backups})\n${USAGE}`);
    } else if (flag === "--backup-max-age") {
      const m = Number(value());
      if (!Number.isInteger(m) || m <= 0) throw new UserError(`--backup-max-age must be a whole number of minutes\n${USAGE}`);
      a.backupMaxAgeMinutes = m;
    } else if (flag === "--no-backups") a.noBackups = true;
    else if (flag === "--help" || flag === "-h") throw new UserError(USAGE);
    else throw new UserError(`unknown argument ${argv[i]}\n${USAGE}`);
  }
  if (!a.stack && !a.kubeconfig)
    throw new UserError(`no kubeconfig: pass --stack <env> (reads the stack output adminKubeconfig) or --kubeconfig FILE\n${USAGE}`);
  return a;
}

/** The kubeconfig text: the file, else the stack's secret output through the Pulumi CLI. */
export function readKubeconfigText(a: Args): string {
  if (a.kubeconfig) {
    try {
      return readFileSync(a.kubeconfig, "utf8");
    } catch (e) {
      throw new UserError(`cannot read kubeconfig ${a.kubeconfig}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const stack = a.stack as string;
  const r = spawnSync("pulumi", ["stack", "output", "adminKubeconfig", "--show-secrets", "-s", stack], { encoding: "utf8" });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new UserError("pulumi CLI not found on PATH: install it (https://www.pulumi.com/docs/install/) or pass --kubeconfig FILE");
  }
  if (r.status !== 0 || !r.stdout.trim()) {
    const why = (r.stderr || "").trim().split("\n").slice(-1)[0] || "empty output";
    throw new UserError(`no kubeconfig from stack ${stack} (pulumi stack output adminKubeconfig): ${why}`);
  }
  return r.stdout;
}

function readMaybe(path: string | undefined, what: string): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(
      `cannot read ${what} ${path} named in the kubeconfig: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
}

export interface Client {
  get(path: string): Promise<HttpResult>;
  server: string;
}

export function makeClient(t: KubeTarget, timeoutMs: number): Client {
  const agent = new https.Agent({
    ca: t.ca ?? readMaybe(t.caFile, "certificate-authority"),
    cert: t.cert ?? readMaybe(t.certFile, "client-certificate"),
    key: t.key ?? readMaybe(t.keyFile, "client-key"),
    rejectUnauthorized: !t.insecureSkipTlsVerify,
    keepAlive: true,
  });
  const get = (path: string) =>
    new Promise<HttpResult>((resolve, reject) => {
      const req = https.get(
        `${t.server}${path}`,
        {
          agent,
          headers: { Accept: "application/json, text/plain", ...(t.token ? { Authorization: `Bearer ${t.token}` } : {}) },
          timeout: timeoutMs,
        },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (c: string) => (body += c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error(`no answer within ${timeoutMs / 1000}s`), { code: "ETIMEDOUT" })));
      req.on("error", (e: NodeJS.ErrnoException) =>
        reject(
          new UserError(
            `cannot reach the API server at ${t.server} (${t.context}): ${e.code ?? ""} ${e.message}`.replace(/\s+/g, " ").trim(),
          ),
        ),
      );
    });
  return { get, server: t.server };
}

interface BackupTarget {
  uri: string;
  maxAgeMinutes: number;
}

/**
 * Where the etcd snapshots are: --backups, else with --stack the stack output etcdBackups
 * ({ uri, alarmAfterMinutes }); undefined when the check is off (--no-backups, or a kubeconfig
 * alone). A stack without that output (deployed before it existed) is a failed check, not a skip.
 */
export function readBackupTarget(a: Args): BackupTarget | { error: string } | undefined {
  if (a.noBackups) return undefined;
  if (a.backups) return { uri: a.backups, maxAgeMinutes: a.backupMaxAgeMinutes ?? DEFAULT_BACKUP_MAX_AGE_MINUTES };
  if (!a.stack) return undefined;
  const r = spawnSync("pulumi", ["stack", "output", "etcdBackups", "--json", "-s", a.stack], { env: process.env, encoding: "utf8" });
  let out: { uri?: unknown; alarmAfterMinutes?: unknown } | undefined;
  try {
    out = r.status === 0 ? (JSON.parse(r.stdout) as typeof out) : undefined;
  } catch {
    out = undefined;
  }
  if (!out || typeof out.uri !== "string" || !parseS3Uri(out.uri)) {
    return { error: `stack ${a.stack} has no etcdBackups output: run pulumi up, or pass --backups s3://BUCKET/PREFIX/ or --no-backups` };
  }
  const alarm = typeof out.alarmAfterMinutes === "number" ? out.alarmAfterMinutes : DEFAULT_BACKUP_MAX_AGE_MINUTES;
  return { uri: out.uri, maxAgeMinutes: a.backupMaxAgeMinutes ?? alarm };
}

/** `aws s3api list-objects-v2` of the snapshot prefix (the AWS CLI pages through it). */
export function listBackups(t: BackupTarget, now: Date, timeoutMs: number): BackupListing {
  const { bucket, prefix } = parseS3Uri(t.uri)!;
  const r = spawnSync("aws", ["s3api", "list-objects-v2", "--bucket", bucket, "--prefix", prefix, "--output", "json"], {
    env: process.env,
    encoding: "utf8",
    timeout: Math.max(timeoutMs, 30_000),
    maxBuffer: 64 * 1024 * 1024,
  });
  const base = { uri: t.uri, maxAgeMinutes: t.maxAgeMinutes, now };
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT")
    return {
      ...base,
      error: "aws CLI not found on PATH: install it (with credentials that may list the backup bucket) or pass --no-backups",
    };
  if (r.status !== 0) {
    const why = (r.stderr || "").trim().split("\n").slice(-1)[0] || `exit ${String(r.status)}`;
    return { ...base, error: `cannot list ${t.uri}: ${why}` };
  }
  try {
    // An empty prefix prints nothing at all.
    return { ...base, listing: r.stdout.trim() ? (JSON.parse(r.stdout) as unknown) : {} };
  } catch {
    return { ...base, error: `cannot list ${t.uri}: the AWS CLI printed no JSON` };
  }
}

/** The parsed body; a non-JSON error body becomes a Status like the API server's own. */
function json(r: HttpResult): unknown {
  try {
    return JSON.parse(r.body);
  } catch {
    return r.status === 200 ? {} : { kind: "Status", code: r.status, message: r.body.trim().slice(0, 200) };
  }
}

/** Fetches what evaluateHealth needs. Reachability is checked first so an outage is one clear line. */
export async function fetchResponses(c: Client): Promise<HealthResponses> {
  const livez = await c.get("/livez");
  const [readyz, nodes, pods] = await Promise.all([
    c.get("/readyz?verbose"),
    c.get("/api/v1/nodes"),
    c.get("/api/v1/namespaces/kube-system/pods"),
  ]);
  return { livez, readyz, nodes: json(nodes), pods: json(pods) };
}

export function formatChecks(checks: HealthCheck[]): string {
  return checks.map((c) => `${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`).join("\n");
}

export async function run(argv: string[], out: (s: string) => void): Promise<number> {
  try {
    const args = parseArgs(argv);
    const target = parseKubeconfig(readKubeconfigText(args));
    out(`cluster ${target.server} (context ${target.context})`);
    const checks = evaluateHealth(await fetchResponses(makeClient(target, args.timeoutMs)));
    const backups = readBackupTarget(args);
    if (backups && "error" in backups) checks.push({ name: "etcd backups (newest snapshot)", ok: false, detail: backups.error });
    else if (backups) checks.push(backupCheck(listBackups(backups, new Date(), args.timeoutMs)));
    out(formatChecks(checks));
    const failed = checks.filter((c) => !c.ok).length;
    out(failed === 0 ? "healthy" : `${failed} of ${checks.length} checks failed`);
    return failed === 0 ? 0 : 1;
  } catch (e) {
    // Known failures (no kubeconfig, unreachable API, bad kubeconfig) are messages, not traces.
    if (e instanceof UserError || /^kubeconfig/.test((e as Error).message)) {
      out(`✗ ${(e as Error).message}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) {
  run(process.argv.slice(2), (s) => process.stdout.write(`${s}\n`)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`health: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
      process.exit(3);
    },
  );
}
