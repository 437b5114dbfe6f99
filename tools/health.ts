/**
 * `npm run health -- --stack <env>` (or `--kubeconfig FILE`): asks a deployed cluster's API server
 * how it is — /livez, /readyz?verbose (including etcd), nodes and kube-system pods — through the
 * admin kubeconfig, prints ✓/✗ per check and exits non-zero when any fails. The verdicts are
 * lib/health.ts; this file only fetches. Errors a user can act on are printed without a stack.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as https from "node:https";
import { evaluateHealth, parseKubeconfig, type HealthCheck, type HealthResponses, type HttpResult, type KubeTarget } from "../lib/health";

export class UserError extends Error {}

export interface Args {
  stack?: string;
  kubeconfig?: string;
  timeoutMs: number;
}

const USAGE = "usage: npm run health -- --stack <env> | --kubeconfig FILE [--timeout SECONDS]";

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
    } else if (flag === "--help" || flag === "-h") throw new UserError(USAGE);
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
