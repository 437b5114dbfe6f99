/**
 * Run real etcd members from rendered node files on one host: parse and rewrite a member's
 * etcd.env onto loopback, start and SIGKILL members as process groups, run etcdctl, poll.
 *
 * Loopback layout: every member listens on 127.0.0.1, member j on ports base+10j (client),
 * base+10j+1 (peer) and base+10j+2 (metrics) — a rendered port p becomes base+10j+(p-2379). One
 * address for all keeps TLS verification real: the certificates carry 127.0.0.1 next to the
 * member's private IP, and etcd checks peer certs against the dialled URL and the remote address.
 */
import { ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { join } from "node:path";

export type Env = Map<string, string>;

/** KEY=VALUE lines of an environment file; blank lines and # comments ignored, last one wins. */
export function parseEnvFile(text: string): Env {
  const env: Env = new Map();
  for (const line of text.split("\n")) {
    if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new Error(`not a KEY=VALUE line in env file: ${JSON.stringify(line)}`);
    env.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return env;
}

export function formatEnvFile(env: Env): string {
  return [...env].map(([k, v]) => `${k}=${v}\n`).join("");
}

/** `etcd-0=https://10.10.0.4:2380,…` → [{ name, ip }] in order. */
export function initialClusterMembers(initialCluster: string): { name: string; ip: string }[] {
  return initialCluster.split(",").map((entry) => {
    const m = /^([a-z0-9-]+)=https:\/\/([0-9.]+):\d+$/.exec(entry);
    if (!m) throw new Error(`unexpected ETCD_INITIAL_CLUSTER entry ${JSON.stringify(entry)}`);
    return { name: m[1], ip: m[2] };
  });
}

export interface LoopbackLayout {
  /** Private IPs of all members in index order (from ETCD_INITIAL_CLUSTER). */
  memberIps: string[];
  /** Index of the member whose env this is: its own 127.0.0.1 listeners move with it. */
  index: number;
  /** First port of the block (see the module comment). */
  portBase: number;
  dataDir: string;
  /** Replaces /etc/etcd/pki. */
  pkiDir: string;
}

const RENDERED_PKI = "/etc/etcd/pki";

/**
 * The member's env with addresses moved to the loopback layout and paths to the test's dirs;
 * everything else exactly as rendered. URL lists whose entries collapse onto one address (the
 * member IP and its 127.0.0.1 listener) keep one entry. Throws on any address or path it does
 * not know, so a new rendered value makes this test fail loudly instead of escaping the sandbox.
 */
export function loopbackEnv(env: Env, layout: LoopbackLayout): Env {
  const port = (p: number, j: number): number => {
    if (p < 2379 || p > 2388) throw new Error(`rendered port ${p} is outside the 2379-2388 range the loopback layout maps`);
    return layout.portBase + 10 * j + (p - 2379);
  };
  const url = (scheme: string, host: string, p: string): string => {
    const j = host === "127.0.0.1" ? layout.index : layout.memberIps.indexOf(host);
    if (j < 0) throw new Error(`rendered URL ${scheme}://${host}:${p} names no member`);
    return `${scheme}://127.0.0.1:${port(Number(p), j)}`;
  };
  const out: Env = new Map();
  for (const [key, value] of env) {
    let v = value.replace(/\b(https?):\/\/([0-9.]+):(\d+)/g, (_, scheme: string, host: string, p: string) => url(scheme, host, p));
    if (/^https?:\/\//.test(v)) v = [...new Set(v.split(","))].join(",");
    if (key === "ETCD_DATA_DIR") v = layout.dataDir;
    if (v.startsWith(`${RENDERED_PKI}/`)) v = join(layout.pkiDir, v.slice(RENDERED_PKI.length + 1));
    if (/(^|[=,])\/(etc|var|opt)\//.test(v) || layout.memberIps.some((ip) => v.includes(ip))) {
      throw new Error(`${key}=${value} still points at the node after the loopback rewrite (${v})`);
    }
    out.set(key, v);
  }
  return out;
}

/** First port of a block of `span` ports on 127.0.0.1 that are free now (bind-tested). */
export async function freePortBlock(span: number, avoid: number[] = []): Promise<number> {
  if (span > 100) throw new Error(`freePortBlock: a block is at most 100 ports (asked ${span})`);
  const free = (p: number) =>
    new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once("error", () => resolve(false));
      s.listen(p, "127.0.0.1", () => s.close(() => resolve(true)));
    });
  // Below Linux's ephemeral range (32768-60999 by default): a port in it can be taken as the local
  // end of any outgoing connection between this check and etcd's bind, as a restarted member once
  // found ("bind: address already in use" on its own port). 20000-32699 in blocks of 100, starting
  // from the pid so two runs on one machine tend to pick different blocks.
  const first = 20000;
  const blocks = 127;
  for (let n = 0, base = first + (process.pid % blocks) * 100; n < blocks; n++, base = first + ((base - first + 100) % (blocks * 100))) {
    if (avoid.some((a) => Math.abs(a - base) < span)) continue;
    let ok = true;
    for (let p = base; p < base + span && ok; p++) ok = await free(p);
    if (ok) return base;
  }
  throw new Error(`no block of ${span} free ports on 127.0.0.1`);
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command without a shell; never rejects (the result says how it ended). */
export function run(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: opts.env ?? { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${e.message}` });
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface TlsFiles {
  cacert?: string;
  cert?: string;
  key?: string;
}

/** etcdctl (API v3) against the given endpoints, TLS files as flags, no ETCDCTL_* from the caller. */
export function etcdctl(endpoints: string[], tls: TlsFiles, args: string[], timeoutMs = 20_000): Promise<RunResult> {
  const flags = [`--endpoints=${endpoints.join(",")}`, "--dial-timeout=3s"];
  if (tls.cacert) flags.push(`--cacert=${tls.cacert}`);
  if (tls.cert) flags.push(`--cert=${tls.cert}`);
  if (tls.key) flags.push(`--key=${tls.key}`);
  return run("etcdctl", [...flags, ...args], { env: { PATH: process.env.PATH, ETCDCTL_API: "3" }, timeoutMs });
}

/** Retry `probe` until it returns without throwing; on timeout throw its last error. */
export async function waitFor<T>(what: string, probe: () => Promise<T>, timeoutMs: number, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (e) {
      if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${(e as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** etcd members as detached process groups, logs appended to <logDir>/<name>.log. */
export class EtcdProcesses {
  private readonly running = new Map<string, ChildProcess>();

  constructor(private readonly logDir: string) {}

  /** Start `etcd` configured only by `env` (plus PATH): nothing leaks in from the test's env. */
  start(name: string, env: Env): void {
    if (this.running.has(name)) throw new Error(`${name} is already running`);
    const fd = openSync(this.logFile(name), "a");
    const child = spawn("etcd", [], {
      env: { PATH: process.env.PATH, ...Object.fromEntries(env) },
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    this.running.set(name, child);
    child.on("exit", () => {
      if (this.running.get(name) === child) this.running.delete(name);
    });
  }

  isRunning(name: string): boolean {
    return this.running.has(name);
  }

  /** SIGKILL the member's process group and wait until it has exited. */
  async kill(name: string): Promise<void> {
    const child = this.running.get(name);
    if (!child || child.pid === undefined) throw new Error(`${name} is not running`);
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone: the exit event has fired or is about to.
      }
      await exited;
    }
    this.running.delete(name);
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((n) => this.kill(n)));
  }

  logFile(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  /** The last lines of a member's log, for failure messages. */
  logTail(name: string, lines = 15): string {
    try {
      return readFileSync(this.logFile(name), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
    } catch {
      return "(no log)";
    }
  }
}

/** `etcdctl endpoint status -w fields` → MemberID and Leader as exact decimal strings. */
export function statusFields(stdout: string): { memberId: string; leader: string } {
  const field = (name: string) => new RegExp(`^"${name}" : (\\d+)$`, "m").exec(stdout)?.[1];
  const memberId = field("MemberID");
  const leader = field("Leader");
  if (memberId === undefined || leader === undefined) throw new Error(`no MemberID/Leader in endpoint status: ${stdout}`);
  return { memberId, leader };
}

/**
 * One HTTPS request over HTTP/1.1 with the given PEM files (the peer port and the gRPC gateway
 * speak it); rejects on any TLS or socket error.
 */
export function httpsRequest(
  url: string,
  tls: { ca: string; cert?: string; key?: string },
  body?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: body === undefined ? "GET" : "POST",
        ca: readFileSync(tls.ca),
        cert: tls.cert ? readFileSync(tls.cert) : undefined,
        key: tls.key ? readFileSync(tls.key) : undefined,
        agent: false,
        timeout: 5000,
      },
      (res) => {
        let data = "";
        res.on("data", (d: Buffer) => (data += d.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: data }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url}: timed out`)));
    req.on("error", reject);
    req.end(body);
  });
}
