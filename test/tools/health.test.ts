import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseArgs, run } from "../../tools/health";
import { describeWithTool } from "../helpers/tools";

const fixtures = join(__dirname, "../fixtures/health");
const fixture = (f: string) => readFileSync(join(fixtures, f), "utf8");

async function runCapture(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const code = await run(argv, (s) => lines.push(s));
  return { code, out: lines.join("\n") };
}

describe("health CLI arguments", () => {
  test("needs a stack or a kubeconfig, and says so without a trace", async () => {
    const r = await runCapture([]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/^✗ no kubeconfig: pass --stack <env> .* or --kubeconfig FILE/);
  });

  test("parses --backups, --backup-max-age, --no-backups", () => {
    expect(parseArgs(["--kubeconfig", "k", "--backups", "s3://kc-etcd-backups-abc/kc/", "--backup-max-age", "90"])).toEqual({
      kubeconfig: "k",
      timeoutMs: 10000,
      backups: "s3://kc-etcd-backups-abc/kc/",
      backupMaxAgeMinutes: 90,
    });
    expect(parseArgs(["--stack", "prod", "--no-backups"])).toEqual({ stack: "prod", timeoutMs: 10000, noBackups: true });
    expect(() => parseArgs(["--kubeconfig", "k", "--backups", "kc-etcd-backups"])).toThrow(/--backups must be s3:\/\/BUCKET\/PREFIX\//);
    expect(() => parseArgs(["--kubeconfig", "k", "--backup-max-age", "soon"])).toThrow(/whole number of minutes/);
  });

  test("parses --stack, --kubeconfig=, --timeout", () => {
    expect(parseArgs(["--stack", "prod"])).toEqual({ stack: "prod", timeoutMs: 10000 });
    expect(parseArgs(["--kubeconfig=/tmp/k", "--timeout", "2"])).toEqual({ kubeconfig: "/tmp/k", timeoutMs: 2000 });
    expect(() => parseArgs(["--bogus"])).toThrow(/unknown argument --bogus/);
  });

  test("a missing kubeconfig file is named", async () => {
    const r = await runCapture(["--kubeconfig", "/nonexistent/kubeconfig"]);
    expect(r).toEqual({ code: 2, out: "✗ cannot read kubeconfig /nonexistent/kubeconfig: ENOENT" });
  });

  test("--stack without the pulumi CLI tells the user what to do", async () => {
    const path = process.env.PATH;
    process.env.PATH = mkdtempSync(join(tmpdir(), "nopath-"));
    try {
      const r = await runCapture(["--stack", "dev"]);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/pulumi CLI not found on PATH: install it .* or pass --kubeconfig FILE/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describeWithTool(["openssl"], "health CLI against a local mTLS API server", () => {
  let dir: string;
  let server: https.Server;
  let port: number;
  let readyz = "readyz-ok.txt";
  const seen: string[] = [];

  const ssl = (args: string[]) => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
  };
  const kubeconfig = (server: string, certFile = "client.crt") =>
    stringify({
      apiVersion: "v1",
      kind: "Config",
      "current-context": "admin@test",
      clusters: [
        {
          name: "test",
          cluster: { server, "certificate-authority-data": Buffer.from(readFileSync(join(dir, "ca.crt"))).toString("base64") },
        },
      ],
      users: [
        {
          name: "admin",
          user: {
            "client-certificate": join(dir, certFile),
            "client-key-data": Buffer.from(readFileSync(join(dir, "client.key"))).toString("base64"),
          },
        },
      ],
      contexts: [{ name: "admin@test", context: { cluster: "test", user: "admin" } }],
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "health-"));
    const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
    ssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "1", "-subj", "/CN=kubernetes-ca"]);
    for (const [name, subj, ext] of [
      ["server", "/CN=kube-apiserver", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth"],
      ["client", "/O=system:masters/CN=kubernetes-admin", "extendedKeyUsage=clientAuth"],
    ]) {
      ssl(["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj]);
      writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
      ssl([
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.crt`,
        "-days",
        "1",
        "-extfile",
        `${name}.ext`,
      ]);
    }
    server = https.createServer(
      {
        key: readFileSync(join(dir, "server.key")),
        cert: readFileSync(join(dir, "server.crt")),
        ca: readFileSync(join(dir, "ca.crt")),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        seen.push(req.url ?? "");
        const routes: Record<string, [number, string]> = {
          "/livez": [200, fixture("livez-ok.txt")],
          "/readyz?verbose": [readyz === "readyz-ok.txt" ? 200 : 500, fixture(readyz)],
          "/api/v1/nodes": [200, fixture("nodes-ready.json")],
          "/api/v1/namespaces/kube-system/pods": [200, fixture("pods-healthy.json")],
        };
        const [status, body] = routes[req.url ?? ""] ?? [404, '{"kind":"Status","code":404}'];
        res.writeHead(status).end(body);
      },
    );
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  test("a healthy cluster: ✓ per check, exit 0, over mutual TLS", async () => {
    writeFileSync(join(dir, "kubeconfig"), kubeconfig(`https://127.0.0.1:${port}`));
    const r = await runCapture(["--kubeconfig", join(dir, "kubeconfig")]);
    expect(r.out.split("\n")).toEqual([
      `cluster https://127.0.0.1:${port} (context admin@test)`,
      "✓ API server live (/livez): ok",
      "✓ API server ready (/readyz): 34 checks passed",
      "✓ etcd (via /readyz): [+]etcd ok, [+]etcd-readiness ok",
      "✓ nodes Ready: 6/6",
      "✓ kube-system pods Running: 26/26",
      "healthy",
    ]);
    expect(r.code).toBe(0);
    expect(seen).toEqual(expect.arrayContaining(["/livez", "/readyz?verbose", "/api/v1/nodes", "/api/v1/namespaces/kube-system/pods"]));
  });

  test("etcd failing: ✗ lines and exit 1", async () => {
    readyz = "readyz-etcd-failed.txt";
    try {
      const r = await runCapture(["--kubeconfig", join(dir, "kubeconfig")]);
      expect(r.code).toBe(1);
      expect(r.out).toContain("✗ etcd (via /readyz): [-]etcd failed: reason withheld");
      expect(r.out).toMatch(/2 of 5 checks failed$/);
    } finally {
      readyz = "readyz-ok.txt";
    }
  });

  test("unreachable API server: one clear line naming the endpoint", async () => {
    const closed = https.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    writeFileSync(join(dir, "dead"), kubeconfig(`https://127.0.0.1:${deadPort}`));
    const r = await runCapture(["--kubeconfig", join(dir, "dead"), "--timeout", "3"]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(
      new RegExp(`^✗ cannot reach the API server at https://127\\.0\\.0\\.1:${deadPort} \\(admin@test\\): ECONNREFUSED`, "m"),
    );
    expect(r.out).not.toMatch(/\n\s+at /);
  });

  test("--backups: the newest snapshot's age, listed through the aws CLI; a stale one fails the run", async () => {
    const bin = join(dir, "bin");
    mkdirSync(bin, { recursive: true });
    const listed = (minutesAgo: number) =>
      JSON.stringify({
        Contents: [{ Key: "kc/20261205T110000Z-etcd-0.db", LastModified: new Date(Date.now() - minutesAgo * 60000).toISOString() }],
      });
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      writeFileSync(join(bin, "aws"), `#!/bin/sh\necho "$*" >"${join(dir, "aws-args")}"\ncat "${join(dir, "listing.json")}"\n`);
      chmodSync(join(bin, "aws"), 0o755);
      writeFileSync(join(dir, "listing.json"), listed(42));
      writeFileSync(join(dir, "kubeconfig"), kubeconfig(`https://127.0.0.1:${port}`));
      const args = ["--kubeconfig", join(dir, "kubeconfig"), "--backups", "s3://kc-etcd-backups-abc/kc/"];
      const fresh = await runCapture(args);
      expect(fresh.code).toBe(0);
      expect(fresh.out).toContain(
        "✓ etcd backups (newest snapshot): 20261205T110000Z-etcd-0.db, 42 min old (within the 3.0 h the backup alarm allows)",
      );
      expect(readFileSync(join(dir, "aws-args"), "utf8").trim()).toBe(
        "s3api list-objects-v2 --bucket kc-etcd-backups-abc --prefix kc/ --output json",
      );
      writeFileSync(join(dir, "listing.json"), listed(200));
      const stale = await runCapture(args);
      expect(stale.code).toBe(1);
      expect(stale.out).toMatch(/✗ etcd backups \(newest snapshot\): .*3\.3 h old \(older than the 3\.0 h the backup alarm allows\)/);
      expect(stale.out).toMatch(/1 of 6 checks failed$/);
      rmSync(join(bin, "aws"));
      process.env.PATH = bin;
      const noCli = await runCapture(args);
      expect(noCli.out).toContain("✗ etcd backups (newest snapshot): aws CLI not found on PATH");
    } finally {
      process.env.PATH = path;
    }
  });

  test("a client certificate file named in the kubeconfig that is missing is reported", async () => {
    writeFileSync(join(dir, "badcert"), kubeconfig(`https://127.0.0.1:${port}`, "missing.crt"));
    const r = await runCapture(["--kubeconfig", join(dir, "badcert")]);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/cannot read client-certificate .*missing\.crt named in the kubeconfig: ENOENT/);
  });
});
