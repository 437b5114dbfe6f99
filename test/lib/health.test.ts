import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { backupCheck, evaluateHealth, parseKubeconfig, parseS3Uri, parseVerboseChecks, type HealthResponses } from "../../lib/health";

const dir = join(__dirname, "../fixtures/health");
const text = (f: string) => readFileSync(join(dir, f), "utf8");
const data = (f: string) => JSON.parse(text(f)) as unknown;

const healthy = (): HealthResponses => ({
  livez: { status: 200, body: text("livez-ok.txt") },
  readyz: { status: 200, body: text("readyz-ok.txt") },
  nodes: data("nodes-ready.json"),
  pods: data("pods-healthy.json"),
});

function byName(r: ReturnType<typeof evaluateHealth>) {
  return Object.fromEntries(r.map((c) => [c.name, c]));
}

describe("evaluateHealth on recorded API responses", () => {
  test("a healthy cluster passes every check with counts", () => {
    const r = evaluateHealth(healthy());
    expect(r.map((c) => c.name)).toEqual([
      "API server live (/livez)",
      "API server ready (/readyz)",
      "etcd (via /readyz)",
      "nodes Ready",
      "kube-system pods Running",
    ]);
    expect(r.every((c) => c.ok)).toBe(true);
    const c = byName(r);
    expect(c["API server ready (/readyz)"].detail).toBe("34 checks passed");
    expect(c["etcd (via /readyz)"].detail).toBe("[+]etcd ok, [+]etcd-readiness ok");
    expect(c["nodes Ready"].detail).toBe("6/6");
    expect(c["kube-system pods Running"].detail).toBe("26/26");
  });

  test("etcd down: readyz 500 with [-]etcd lines fails ready and etcd, not live", () => {
    const r = byName(evaluateHealth({ ...healthy(), readyz: { status: 500, body: text("readyz-etcd-failed.txt") } }));
    expect(r["API server live (/livez)"].ok).toBe(true);
    expect(r["API server ready (/readyz)"]).toMatchObject({
      ok: false,
      detail: "failing: etcd failed: reason withheld; etcd-readiness failed: reason withheld",
    });
    expect(r["etcd (via /readyz)"]).toMatchObject({
      ok: false,
      detail: "[-]etcd failed: reason withheld; [-]etcd-readiness failed: reason withheld",
    });
  });

  test("one NotReady node is named", () => {
    const r = byName(evaluateHealth({ ...healthy(), nodes: data("nodes-one-not-ready.json") }));
    expect(r["nodes Ready"]).toEqual({
      name: "nodes Ready",
      ok: false,
      detail: "5/6; not ready: ip-10-0-40-17.eu-west-1.compute.internal",
    });
  });

  test("CrashLoopBackOff (phase Running!) and an unschedulable Pending pod both count as not running", () => {
    const r = byName(evaluateHealth({ ...healthy(), pods: data("pods-crashloop.json") }));
    expect(r["kube-system pods Running"]).toMatchObject({
      ok: false,
      detail: "25/27; coredns-6f6b679f8f-q7xkd CrashLoopBackOff, metrics-server-5f9d8c7b6-8bq2t Pending",
    });
  });

  test("missing responses, errors and auth failures fail with a reason", () => {
    const none = evaluateHealth({});
    expect(none.every((c) => !c.ok && c.detail === "no response")).toBe(true);
    const denied = byName(
      evaluateHealth({
        livez: { status: 401, body: '{"kind":"Status","code":401}' },
        readyz: { status: 403, body: "forbidden" },
        nodes: {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          message: 'nodes is forbidden: User "system:anonymous" cannot list resource "nodes"',
          code: 403,
        },
        pods: { kind: "PodList", items: [] },
      }),
    );
    expect(denied["API server live (/livez)"].detail).toMatch(/^401 Unauthorized/);
    expect(denied["etcd (via /readyz)"].detail).toMatch(/^403 Forbidden/);
    expect(denied["nodes Ready"].detail).toBe('HTTP 403: nodes is forbidden: User "system:anonymous" cannot list resource "nodes"');
    expect(denied["kube-system pods Running"]).toMatchObject({ ok: false, detail: "0/0 (no pods)" });
  });

  test("a non-verbose readyz body has no etcd lines: etcd is unproven", () => {
    const r = byName(evaluateHealth({ ...healthy(), readyz: { status: 200, body: "ok" } }));
    expect(r["etcd (via /readyz)"]).toMatchObject({ ok: false, detail: "no etcd lines in /readyz?verbose" });
  });

  test("parseVerboseChecks reads +/- lines and ignores the summary", () => {
    const m = parseVerboseChecks(text("readyz-etcd-failed.txt"));
    expect(m.get("etcd")).toEqual({ ok: false, text: "failed: reason withheld" });
    expect(m.get("poststarthook/rbac/bootstrap-roles")).toEqual({ ok: true, text: "ok" });
    expect(m.size).toBe(34);
  });
});

describe("parseKubeconfig", () => {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const cfg = (over: Record<string, unknown> = {}) => ({
    apiVersion: "v1",
    kind: "Config",
    "current-context": "admin@prod",
    clusters: [
      { name: "prod", cluster: { server: "https://prod-api.example.internal:6443/", "certificate-authority-data": b64("CA PEM") } },
    ],
    users: [{ name: "admin", user: { "client-certificate-data": b64("CERT PEM"), "client-key-data": b64("KEY PEM") } }],
    contexts: [{ name: "admin@prod", context: { cluster: "prod", user: "admin" } }],
    ...over,
  });

  test("reads server, CA and client certificate of the current context", () => {
    expect(parseKubeconfig(stringify(cfg()))).toEqual({
      server: "https://prod-api.example.internal:6443",
      ca: "CA PEM",
      cert: "CERT PEM",
      key: "KEY PEM",
      insecureSkipTlsVerify: false,
      context: "admin@prod",
    });
  });

  test("file references and tokens", () => {
    const t = parseKubeconfig(
      JSON.stringify(
        cfg({
          clusters: [{ name: "prod", cluster: { server: "https://1.2.3.4:6443", "certificate-authority": "/etc/kubernetes/pki/ca.crt" } }],
          users: [{ name: "admin", user: { token: "abc.def" } }],
        }),
      ),
    );
    expect(t).toMatchObject({ caFile: "/etc/kubernetes/pki/ca.crt", token: "abc.def" });
  });

  test.each([
    ["not yaml", "a: [", /not valid YAML/],
    ["no context", stringify(cfg({ "current-context": "", contexts: [] })), /no current-context/],
    ["unknown cluster", stringify(cfg({ clusters: [] })), /cluster "prod" is not defined/],
    ["http server", stringify(cfg({ clusters: [{ name: "prod", cluster: { server: "http://x:8080" } }] })), /is not an https:\/\/ URL/],
    [
      "no credentials",
      stringify(cfg({ users: [{ name: "admin", user: { exec: { command: "aws" } } }] })),
      /neither a client certificate nor a token/,
    ],
  ])("%s → a clear error", (_n, input, re) => {
    expect(() => parseKubeconfig(input)).toThrow(re);
  });
});

describe("backupCheck: the newest etcd snapshot's age", () => {
  const now = new Date("2026-12-05T12:00:00Z");
  const listing = (...objects: [string, string][]) => ({
    Contents: objects.map(([Key, LastModified]) => ({ Key, LastModified, Size: 20480 })),
  });
  const check = (l: unknown, maxAgeMinutes = 180) => backupCheck({ uri: "s3://kc-etcd-backups-abc/kc/", listing: l, maxAgeMinutes, now });

  test("the newest of several snapshots, within the alarm's limit", () => {
    const r = check(
      listing(
        ["kc/20261205T090000Z-etcd-1.db", "2026-12-05T09:00:04+00:00"],
        ["kc/20261205T110000Z-etcd-0.db", "2026-12-05T11:00:03.000Z"],
        ["kc/notes.txt", "2026-12-05T11:59:00Z"],
      ),
    );
    expect(r).toEqual({
      name: "etcd backups (newest snapshot)",
      ok: true,
      detail: "20261205T110000Z-etcd-0.db, 59 min old (within the 3.0 h the backup alarm allows); 2 in s3://kc-etcd-backups-abc/kc/",
    });
  });

  test("backups stopped: the newest is older than the limit", () => {
    const r = check(listing(["kc/20261203T110000Z-etcd-0.db", "2026-12-03T11:00:00Z"]));
    expect(r.ok).toBe(false);
    expect(r.detail).toBe(
      "20261203T110000Z-etcd-0.db, 2.0 days old (older than the 3.0 h the backup alarm allows); 1 in s3://kc-etcd-backups-abc/kc/",
    );
  });

  test("no snapshot at all, or no listing", () => {
    expect(check({})).toMatchObject({ ok: false, detail: "no snapshot under s3://kc-etcd-backups-abc/kc/" });
    expect(backupCheck({ uri: "s3://b/p/", error: "cannot list s3://b/p/: AccessDenied", maxAgeMinutes: 180, now })).toMatchObject({
      ok: false,
      detail: "cannot list s3://b/p/: AccessDenied",
    });
  });

  test("parseS3Uri", () => {
    expect(parseS3Uri("s3://kc-etcd-backups-abc/kc/")).toEqual({ bucket: "kc-etcd-backups-abc", prefix: "kc/" });
    expect(parseS3Uri("https://x/y")).toBeUndefined();
  });
});
