/**
 * Real etcd members started from exactly what the program renders for etcd-0..2: their etcd.env
 * (addresses moved onto loopback, nothing else changed; see test/helpers/etcdCluster.ts), their
 * certificates and keys, their backup and restore scripts. Proves mutual TLS, quorum behaviour,
 * rejoin from the data dir, and disaster recovery from a snapshot, on the real binaries.
 *
 * The tests run in order and share one cluster: each starts from the state the previous one left.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import {
  Env,
  EtcdProcesses,
  etcdctl,
  formatEnvFile,
  freePortBlock,
  httpsRequest,
  initialClusterMembers,
  loopbackEnv,
  parseEnvFile,
  run,
  RunResult,
  statusFields,
  TlsFiles,
  waitFor,
} from "../helpers/etcdCluster";
import { describeWithTool } from "../helpers/tools";

const ROOT = resolve(__dirname, "../..");
const NAMES = ["etcd-0", "etcd-1", "etcd-2"];

interface Member {
  name: string;
  /** OUT/<node>: the node's rendered filesystem root. */
  root: string;
  env: Env;
  clientUrl: string;
  peerUrl: string;
  metricsUrl: string;
}

const pki = (m: Member, file: string) => join(m.root, "etc/etcd/pki", file);
const clientUrls = (ms: Member[]) => ms.map((m) => m.clientUrl);

function ok(r: RunResult, what: string): string {
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** key → value under a prefix, decoded from `get -w json` (keys and values are base64 there). */
async function readPrefix(endpoints: string[], tls: TlsFiles, prefix: string, serializable = false): Promise<Map<string, string>> {
  const args = ["--command-timeout=5s", "get", "--prefix", prefix, "-w", "json", ...(serializable ? ["--consistency=s"] : [])];
  const out = JSON.parse(ok(await etcdctl(endpoints, tls, args), `get --prefix ${prefix}`)) as { kvs?: { key: string; value: string }[] };
  const b64 = (s: string) => Buffer.from(s, "base64").toString("utf8");
  return new Map((out.kvs ?? []).map((kv) => [b64(kv.key), b64(kv.value)]));
}

describeWithTool(["etcd", "etcdctl", "openssl"], "etcd cluster from the rendered member files (real etcd, mutual TLS)", () => {
  let work = "";
  let procs: EtcdProcesses | undefined;
  let members: Member[] = [];
  let tls: TlsFiles = {};
  let portBase = 0;
  /** Every write the cluster acknowledged: none may ever be missing. */
  const acked = new Map<string, string>();

  const live = () => members.filter((m) => procs?.isRunning(m.name));
  const logSince = (m: Member, offset: number) => readFileSync(procs!.logFile(m.name), "utf8").slice(offset);
  const logSize = (m: Member) => (existsSync(procs!.logFile(m.name)) ? statSync(procs!.logFile(m.name)).size : 0);

  function buildMembers(out: string, portBase: number, dataRoot: string): Member[] {
    const rendered = NAMES.map((n) => parseEnvFile(readFileSync(join(out, n, "etc/etcd/etcd.env"), "utf8")));
    const cluster = initialClusterMembers(rendered[0].get("ETCD_INITIAL_CLUSTER") ?? "");
    expect(cluster.map((c) => c.name)).toEqual(NAMES);
    return NAMES.map((name, i) => {
      expect(rendered[i].get("ETCD_NAME")).toBe(name);
      const env = loopbackEnv(rendered[i], {
        memberIps: cluster.map((c) => c.ip),
        index: i,
        portBase,
        dataDir: join(dataRoot, name),
        pkiDir: join(out, name, "etc/etcd/pki"),
      });
      const get = (k: string) => env.get(k) ?? "";
      return {
        name,
        root: join(out, name),
        env,
        clientUrl: get("ETCD_ADVERTISE_CLIENT_URLS"),
        peerUrl: get("ETCD_INITIAL_ADVERTISE_PEER_URLS"),
        metricsUrl: get("ETCD_LISTEN_METRICS_URLS"),
      };
    });
  }

  async function waitHealthy(ms: Member[]): Promise<void> {
    await waitFor(
      `${ms.map((m) => m.name).join(", ")} healthy`,
      async () => ok(await etcdctl(clientUrls(ms), tls, ["--command-timeout=3s", "endpoint", "health"]), "endpoint health"),
      30_000,
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${ms.map((m) => `--- ${m.name}\n${procs!.logTail(m.name)}`).join("\n")}`);
    });
  }

  async function leaderOf(ms: Member[]): Promise<Member> {
    return waitFor(
      "a leader",
      async () => {
        for (const m of ms) {
          const s = statusFields(
            ok(await etcdctl([m.clientUrl], tls, ["--command-timeout=3s", "endpoint", "status", "-w", "fields"]), "endpoint status"),
          );
          if (s.leader !== "0" && s.leader === s.memberId) return m;
        }
        throw new Error("no member reports itself leader");
      },
      15_000,
    );
  }

  async function put(endpoints: string[], key: string, value: string): Promise<RunResult> {
    return etcdctl(endpoints, tls, ["--command-timeout=3s", "put", key, value]);
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "kubestead-etcd-it-"));
    const out = join(work, "rendered");
    // The program runs in a child: runProgram may run once per process, never inside jest.
    const render = await run(join(ROOT, "node_modules/.bin/tsx"), [join(ROOT, "test/helpers/renderEtcdMembers.ts"), "dev", out], {
      env: process.env,
      timeoutMs: 90_000,
    });
    ok(render, "rendering the dev stack's etcd members");
    expect(render.stdout.trim().split("\n")).toEqual(NAMES);

    portBase = await freePortBlock(30);
    members = buildMembers(out, portBase, join(work, "data"));
    // The backup identity: the client cert every member carries for etcdctl on the node.
    tls = { cacert: pki(members[0], "ca.crt"), cert: pki(members[0], "backup.crt"), key: pki(members[0], "backup.key") };
    mkdirSync(join(work, "logs"));
    procs = new EtcdProcesses(join(work, "logs"));
    for (const m of members) procs.start(m.name, m.env);
  }, 120_000);

  afterAll(async () => {
    await procs?.killAll();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 30_000);

  test("forms a 3-member cluster with TLS on client and peer URLs", async () => {
    await waitHealthy(members);
    const health = await etcdctl(clientUrls(members), tls, ["endpoint", "health"]);
    for (const m of members) expect(`${health.stdout}${health.stderr}`).toContain(`${m.clientUrl} is healthy`);

    const list = JSON.parse(ok(await etcdctl(clientUrls(members), tls, ["member", "list", "-w", "json"]), "member list")) as {
      members: { name: string; peerURLs: string[]; clientURLs: string[] }[];
    };
    const byName = [...list.members].sort((a, b) => a.name.localeCompare(b.name));
    expect(byName.map((x) => x.name)).toEqual(NAMES);
    byName.forEach((x, i) => {
      expect(x.peerURLs).toEqual([members[i].peerUrl]);
      expect(x.clientURLs).toEqual([members[i].clientUrl]);
    });
    expect(byName.flatMap((x) => [...x.peerURLs, ...x.clientURLs]).every((u) => u.startsWith("https://"))).toBe(true);

    // The peer port serves only peers: a member's peer cert from the cluster CA.
    const peerApi = `${members[0].peerUrl}/members`;
    const viaPeer = await httpsRequest(peerApi, { ca: tls.cacert!, cert: pki(members[1], "peer.crt"), key: pki(members[1], "peer.key") });
    expect(viaPeer.status).toBe(200);
    expect((JSON.parse(viaPeer.body) as { name: string }[]).map((x) => x.name).sort()).toEqual(NAMES);
    await expect(httpsRequest(peerApi, { ca: tls.cacert! })).rejects.toThrow();
    // A client identity from the same CA (the backup cert) is not a peer: ETCD_PEER_CERT_ALLOWED_CN.
    await expect(httpsRequest(peerApi, { ca: tls.cacert!, cert: tls.cert, key: tls.key })).rejects.toThrow();

    // Metrics and /health: plain HTTP on loopback, for the node's own probes.
    const metrics = await fetch(`${members[2].metricsUrl}/health`);
    expect(await metrics.json()).toEqual({ health: "true" });
  }, 45_000);

  test("the member's HTTP/JSON gateway reaches the member (server cert valid as its own client cert)", async () => {
    ok(await put(clientUrls(members), "gateway/probe", "through-grpc"), "put");
    const res = await httpsRequest(
      `${members[1].clientUrl}/v3/kv/range`,
      { ca: tls.cacert!, cert: tls.cert, key: tls.key },
      JSON.stringify({ key: Buffer.from("gateway/probe").toString("base64") }),
    );
    expect(res.status).toBe(200);
    const kvs = (JSON.parse(res.body) as { kvs?: { value: string }[] }).kvs ?? [];
    expect(kvs.map((kv) => Buffer.from(kv.value, "base64").toString())).toEqual(["through-grpc"]);
    for (const m of members) expect(readFileSync(procs!.logFile(m.name), "utf8")).not.toContain("incompatible key usage");
  }, 30_000);

  test("refuses clients without a certificate from the cluster CA, and clients refuse a foreign server", async () => {
    // A foreign CA and a client cert from it that claims the backup identity's name.
    const rogue = join(work, "rogue");
    mkdirSync(rogue);
    const openssl = async (...args: string[]) => ok(await run("openssl", args), `openssl ${args[0]}`);
    await openssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=etcd-ca",
      "-keyout",
      join(rogue, "ca.key"),
      "-out",
      join(rogue, "ca.crt"),
    );
    await openssl(
      "req",
      "-new",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=kube-etcd-backup",
      "-keyout",
      join(rogue, "client.key"),
      "-out",
      join(rogue, "client.csr"),
    );
    writeFileSync(join(rogue, "ext.cnf"), "extendedKeyUsage=clientAuth\n");
    await openssl(
      "x509",
      "-req",
      "-in",
      join(rogue, "client.csr"),
      "-CA",
      join(rogue, "ca.crt"),
      "-CAkey",
      join(rogue, "ca.key"),
      "-CAcreateserial",
      "-days",
      "1",
      "-extfile",
      join(rogue, "ext.cnf"),
      "-out",
      join(rogue, "client.crt"),
    );

    const target = members[0];
    const cases: [string, TlsFiles, RegExp | undefined][] = [
      ["no client certificate", { cacert: tls.cacert }, /client didn't provide a certificate/],
      [
        "a client certificate from another CA",
        { cacert: tls.cacert, cert: join(rogue, "client.crt"), key: join(rogue, "client.key") },
        /unknown authority/,
      ],
      // The client side: a valid client that trusts another CA must not talk to our member.
      ["a valid client that trusts another CA", { cacert: join(rogue, "ca.crt"), cert: tls.cert, key: tls.key }, undefined],
    ];
    for (const [what, files, serverSays] of cases) {
      const before = logSize(target);
      const r = await etcdctl([target.clientUrl], files, ["--command-timeout=3s", "put", "authz/probe", what]);
      expect({ what, refused: r.code !== 0 }).toEqual({ what, refused: true });
      expect(r.stdout).not.toContain("OK");
      if (serverSays) {
        // The member logs why it refused the handshake: TLS, not something incidental.
        await waitFor(
          `${target.name} to log the rejected handshake (${what})`,
          async () => {
            if (!serverSays.test(logSince(target, before))) throw new Error(logSince(target, before).slice(-500));
          },
          10_000,
        );
      }
    }
    expect((await readPrefix(clientUrls(members), tls, "authz/")).size).toBe(0);
  }, 45_000);

  test("with the leader SIGKILLed mid-stream, writes keep succeeding and none acknowledged is lost", async () => {
    const leader = await leaderOf(members);
    const all = clientUrls(members);
    let killed: Promise<void> | undefined;
    for (let i = 0; i < 40; i++) {
      // Killed while writes are in flight: the next puts straddle the election.
      if (i === 10) killed = procs!.kill(leader.name);
      const key = `ha/${String(i).padStart(3, "0")}`;
      const value = `value-${i}`;
      // A put that timed out is unknown, not lost: retry the same value until it is acknowledged.
      await waitFor(`put ${key}`, async () => ok(await put(all, key, value), `put ${key}`), 20_000, 100);
      acked.set(key, value);
    }
    await killed;
    expect(procs!.isRunning(leader.name)).toBe(false);

    // Steady state on two members: every write succeeds at the first attempt.
    for (let i = 0; i < 10; i++) {
      const key = `ha/steady-${i}`;
      const r = await put(all, key, `steady-${i}`);
      expect({ key, code: r.code, out: r.stdout.trim() }).toEqual({ key, code: 0, out: "OK" });
      acked.set(key, `steady-${i}`);
    }
    const survivors = live();
    expect(survivors).toHaveLength(2);
    expect(await readPrefix(clientUrls(survivors), tls, "ha/")).toEqual(acked);
    for (const m of survivors) expect(await readPrefix([m.clientUrl], tls, "ha/", true)).toEqual(acked);
  }, 60_000);

  test("with two members SIGKILLed, the survivor refuses writes and linearizable reads", async () => {
    const leader = await leaderOf(live());
    await procs!.kill(leader.name);
    const [survivor] = live();
    expect(live()).toHaveLength(1);
    // Once it has noticed (pre-vote drops the old leader), a proposal has nowhere to go.
    await waitFor(
      `${survivor.name} to lose its leader`,
      async () => {
        const s = statusFields(
          ok(await etcdctl([survivor.clientUrl], tls, ["--command-timeout=3s", "endpoint", "status", "-w", "fields"]), "status"),
        );
        if (s.leader !== "0") throw new Error(`still follows ${s.leader}`);
      },
      15_000,
    );

    const refused = await etcdctl([survivor.clientUrl], tls, ["--command-timeout=2s", "put", "ha/refused", "never"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain("OK");
    const linearizable = await etcdctl([survivor.clientUrl], tls, ["--command-timeout=2s", "get", "ha/000"]);
    expect(linearizable.code).not.toBe(0);
    // The member is up and holds the data: only quorum is missing.
    expect(await readPrefix([survivor.clientUrl], tls, "ha/", true)).toEqual(acked);
  }, 45_000);

  test("the killed members rejoin from their data dirs and catch up", async () => {
    const killed = members.filter((m) => !procs!.isRunning(m.name));
    expect(killed).toHaveLength(2);
    const offsets = new Map(killed.map((m) => [m.name, logSize(m)]));
    // The env as rendered (ETCD_INITIAL_CLUSTER_STATE=new): with a WAL in the data dir etcd
    // ignores it and restarts the member under its own identity.
    for (const m of killed) procs!.start(m.name, m.env);
    await waitHealthy(members);
    for (const m of killed) {
      expect(logSince(m, offsets.get(m.name)!)).toContain("restarting local member");
      await waitFor(
        `${m.name} to catch up`,
        async () => {
          const got = await readPrefix([m.clientUrl], tls, "ha/", true);
          expect(got).toEqual(acked);
        },
        20_000,
      );
    }
    const list = JSON.parse(ok(await etcdctl(clientUrls(members), tls, ["member", "list", "-w", "json"]), "member list")) as {
      members: { name: string }[];
    };
    expect(list.members.map((x) => x.name).sort()).toEqual(NAMES);
    // The write refused without quorum was never committed, not even after the rejoin.
    expect((await readPrefix(clientUrls(members), tls, "ha/refused")).size).toBe(0);
  }, 60_000);

  test("a snapshot from the rendered backup script restores with the rendered restore script", async () => {
    ok(await put(clientUrls(members), "dr/marker", "in-snapshot"), "put marker");
    acked.set("dr/marker", "in-snapshot");
    const snapshots = join(work, "snapshots");
    const backup = await run("bash", [join(members[0].root, "opt/kubestead/bin/etcd-backup.sh"), "--local-only", snapshots], {
      env: {
        PATH: process.env.PATH,
        ETCDCTL_ENDPOINTS: members[0].clientUrl,
        ETCDCTL_CACERT: tls.cacert,
        ETCDCTL_CERT: tls.cert,
        ETCDCTL_KEY: tls.key,
      },
      timeoutMs: 30_000,
    });
    const snapshot = ok(backup, "etcd-backup.sh --local-only").trim();
    expect(dirname(snapshot)).toBe(snapshots);
    expect(basename(snapshot)).toMatch(/^\d{8}T\d{6}Z-etcd-0\.db$/);
    expect(statSync(snapshot).size).toBeGreaterThan(0);
    expect(backup.stderr).toMatch(/verified with etcd(ctl|utl)/);
    ok(await put(clientUrls(members), "dr/after-snapshot", "not-in-snapshot"), "put after snapshot");

    // Disaster: every member's data is gone. The runbook: the same snapshot into every member,
    // on the members' own addresses, into empty data dirs.
    await procs!.killAll();
    const restored = buildMembers(join(work, "rendered"), portBase, join(work, "restored"));
    for (const m of restored) {
      const envFile = join(work, `${m.name}.restore.env`);
      writeFileSync(envFile, formatEnvFile(m.env));
      // Every value (name, data dir, initial cluster, peer URL, token) comes from the env file.
      ok(
        await run("bash", [join(m.root, "opt/kubestead/bin/etcd-restore.sh"), snapshot, "--env-file", envFile], { timeoutMs: 30_000 }),
        `etcd-restore.sh for ${m.name}`,
      );
      expect(existsSync(join(m.env.get("ETCD_DATA_DIR")!, "member/wal"))).toBe(true);
    }
    members = restored;
    for (const m of members) procs!.start(m.name, m.env);
    await waitHealthy(members);

    const list = JSON.parse(ok(await etcdctl(clientUrls(members), tls, ["member", "list", "-w", "json"]), "member list")) as {
      members: { name: string; peerURLs: string[] }[];
    };
    expect(list.members.map((x) => [x.name, x.peerURLs]).sort()).toEqual(members.map((m) => [m.name, [m.peerUrl]]));
    const want = new Map([...acked].filter(([k]) => k.startsWith("ha/")));
    for (const m of members) {
      await waitFor(
        `${m.name} to serve the restored keys`,
        async () => {
          expect(await readPrefix([m.clientUrl], tls, "ha/", true)).toEqual(want);
        },
        20_000,
      );
      expect(await readPrefix([m.clientUrl], tls, "dr/", true)).toEqual(new Map([["dr/marker", "in-snapshot"]]));
    }
    expect(await readPrefix(clientUrls(members), tls, "ha/")).toEqual(want);
  }, 90_000);
});
