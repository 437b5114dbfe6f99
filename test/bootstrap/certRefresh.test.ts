/**
 * The node-side certificate refresh (bootstrap/certRefresh.ts): the rendered files, then the real
 * script against real openssl certificates and a stand-in `aws`, and against a real etcd member
 * whose serving certificate is swapped while it runs.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "node:tls";
import {
  CERT_REFRESH_JITTER_HOURS,
  CERT_REFRESH_PERIOD_HOURS,
  CertRefreshEntry,
  CertRefreshScriptArgs,
  certRefreshDelayHours,
  certRefreshNodeFiles,
  renderCertRefreshManifest,
  renderCertRefreshScript,
  renderCertRefreshService,
  renderCertRefreshTimer,
} from "../../bootstrap/certRefresh";
import { EtcdProcesses, freePortBlock, waitFor } from "../helpers/etcdCluster";
import { installStandInAws, setSsmValue } from "../helpers/standInAws";
import { describeWithTool } from "../helpers/tools";
import { shellcheck } from "./etcdFixtures";

const CP_HEALTH = {
  "kube-controller-manager": "https://127.0.0.1:10257/healthz",
  "kube-scheduler": "https://127.0.0.1:10259/healthz",
};
const ETCD_ARGS: CertRefreshScriptArgs = {
  role: "etcd",
  region: "eu-west-1",
  etcd: {
    endpoint: "https://127.0.0.1:2379",
    caPath: "/etc/etcd/pki/ca.crt",
    certPath: "/etc/etcd/pki/backup.crt",
    keyPath: "/etc/etcd/pki/backup.key",
  },
};
const CP_ARGS: CertRefreshScriptArgs = {
  role: "controlplane",
  region: "eu-west-1",
  controlPlane: { kubeconfig: "/etc/kubernetes/super-admin.conf", manifestsDir: "/etc/kubernetes/manifests", healthUrls: CP_HEALTH },
};
const entry = (name: string, restart?: CertRefreshEntry["restart"]): CertRefreshEntry => ({
  parameter: `/kubestead/c/etcd/etcd-0/${name}.crt`,
  path: `/etc/etcd/pki/${name}.crt`,
  key: `/etc/etcd/pki/${name}.key`,
  ca: "/etc/etcd/pki/ca.crt",
  restart,
});

describe("rendered refresh files", () => {
  test("the manifest lists parameter, certificate, key, CA and restart, one certificate a line", () => {
    const text = renderCertRefreshManifest([entry("server"), entry("scheduler", "kube-scheduler")]);
    const lines = text.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(lines).toEqual([
      "/kubestead/c/etcd/etcd-0/server.crt\t/etc/etcd/pki/server.crt\t/etc/etcd/pki/server.key\t/etc/etcd/pki/ca.crt\t-",
      "/kubestead/c/etcd/etcd-0/scheduler.crt\t/etc/etcd/pki/scheduler.crt\t/etc/etcd/pki/scheduler.key\t/etc/etcd/pki/ca.crt\tkube-scheduler",
    ]);
  });

  test.each([
    ["an empty list", [], /no certificates to refresh/],
    ["a CA among the leaves", [{ ...entry("server"), path: "/etc/etcd/pki/ca.crt" }], /is its own CA: the CAs are never refreshed/],
    ["a path with a space", [{ ...entry("server"), key: "/etc/etcd/pki/my key" }], /key "\/etc\/etcd\/pki\/my key" .* safe characters/],
    ["a parameter with a quote", [{ ...entry("server"), parameter: "/x/'y" }], /parameter .* must be an SSM path/],
    ["one path twice", [entry("server"), entry("server")], /listed twice/],
    ["an unknown restart", [{ ...entry("server"), restart: "kube-apiserver" as never }], /restart "kube-apiserver" .* must be one of/],
  ])("the manifest refuses %s", (_what, entries, message) => {
    expect(() => renderCertRefreshManifest(entries as CertRefreshEntry[])).toThrow(message);
  });

  test("the timer runs every period with a random delay, so the worst case is period + delay", () => {
    const timer = renderCertRefreshTimer();
    expect(timer).toContain(`OnUnitActiveSec=${CERT_REFRESH_PERIOD_HOURS}h`);
    expect(timer).toContain(`RandomizedDelaySec=${CERT_REFRESH_JITTER_HOURS}h`);
    expect(timer).toContain("Unit=kubestead-cert-refresh.service");
    expect(certRefreshDelayHours()).toBe(CERT_REFRESH_PERIOD_HOURS + CERT_REFRESH_JITTER_HOURS);
    expect(renderCertRefreshService()).toMatch(/Type=oneshot\nExecStart=\/opt\/kubestead\/bin\/cert-refresh.sh/);
  });

  test("user data carries the manifest and the units, never the script", () => {
    const files = certRefreshNodeFiles([entry("server")]);
    expect(files.map((f) => f.path)).toEqual([
      "/etc/kubestead/cert-refresh.tsv",
      "/etc/systemd/system/kubestead-cert-refresh.service",
      "/etc/systemd/system/kubestead-cert-refresh.timer",
    ]);
    expect(files.reduce((n, f) => n + f.content.length, 0)).toBeLessThan(1500);
  });

  test("the etcd script checks health over TLS; the control-plane one restarts pods under a Lease", () => {
    const etcd = renderCertRefreshScript(ETCD_ARGS);
    expect(etcd).toContain("endpoint health");
    expect(etcd).not.toContain("kubectl");
    const cp = renderCertRefreshScript(CP_ARGS);
    expect(cp).toContain("readonly LEASE='kubestead-cert-refresh'");
    expect(cp).toContain("kube-scheduler) echo 'https://127.0.0.1:10259/healthz'");
    expect(cp).not.toContain("etcdctl");
  });

  test.each([
    [{ ...ETCD_ARGS, etcd: undefined }, /etcd role needs etcd/],
    [{ ...ETCD_ARGS, region: "mars" }, /region must be an AWS region/],
    [{ ...CP_ARGS, controlPlane: undefined }, /controlplane role needs controlPlane/],
    [
      { ...CP_ARGS, controlPlane: { ...CP_ARGS.controlPlane!, healthUrls: { ...CP_HEALTH, "kube-scheduler": "http://x" } } },
      /healthUrls.kube-scheduler/,
    ],
  ])("refuses incomplete arguments (%#)", (args, message) => {
    expect(() => renderCertRefreshScript(args as CertRefreshScriptArgs)).toThrow(message);
  });
});

describeWithTool(["shellcheck"], "refresh scripts under shellcheck", () => {
  test.each([ETCD_ARGS, CP_ARGS])("$role script is clean", (args) => {
    expect(shellcheck(renderCertRefreshScript(args))).toBe("");
  });
});

// ---- real openssl ----

function sh(cmd: string, cwd: string): string {
  const r = spawnSync("bash", ["-c", cmd], { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return r.stdout;
}

/** A CA (ca.crt/ca.key) in dir. */
function makeCa(dir: string, name: string): void {
  sh(`openssl ecparam -name prime256v1 -genkey -noout -out ${name}.key 2>/dev/null`, dir);
  sh(`openssl req -x509 -new -key ${name}.key -subj /CN=${name} -days 3 -out ${name}.crt`, dir);
}

function makeKey(dir: string, name: string): void {
  sh(`openssl ecparam -name prime256v1 -genkey -noout -out ${name}.key 2>/dev/null && chmod 0600 ${name}.key`, dir);
}

/** A leaf for key `key`, signed by `ca`, with the given serial (hex) and localhost names. */
function makeLeaf(dir: string, out: string, key: string, ca: string, serial: string, san = "IP:127.0.0.1,DNS:localhost"): string {
  writeFileSync(
    join(dir, `${out}.ext`),
    `subjectAltName=${san}\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  sh(
    `openssl req -new -key ${key}.key -subj /CN=${out} | openssl x509 -req -CA ${ca}.crt -CAkey ${ca}.key -set_serial 0x${serial} -days 2 -extfile ${out}.ext -out ${out}.crt 2>/dev/null`,
    dir,
  );
  return readFileSync(join(dir, `${out}.crt`), "utf8");
}

interface Run {
  status: number | null;
  output: string;
}

function runScript(script: string, bin: string, awsDir: string, extraEnv: Record<string, string> = {}): Run {
  const r = spawnSync("bash", [script], {
    env: { PATH: `${bin}:${process.env.PATH}`, AWS_STANDIN_DIR: awsDir, HOME: awsDir, ...extraEnv },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Base64 body lines of every PEM key in dir: none may ever show up in a log. */
function keyLines(dir: string, names: string[]): string[] {
  return names.flatMap((n) =>
    readFileSync(join(dir, `${n}.key`), "utf8")
      .split("\n")
      .filter((l) => l.length > 20 && !l.startsWith("-----")),
  );
}

describeWithTool(["openssl"], "refresh script with openssl and a stand-in aws", () => {
  let work: string;
  let pki: string;
  let bin: string;
  let aws: string;
  let script: string;
  const param = "/kubestead/test/controlplane/apiserver.crt";

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "cert-refresh-"));
    pki = join(work, "pki");
    bin = join(work, "bin");
    aws = join(work, "aws");
    mkdirSync(pki);
    installStandInAws(bin, aws);
    makeCa(pki, "ca");
    makeCa(pki, "other-ca");
    makeKey(pki, "apiserver");
    makeKey(pki, "stranger");
    makeLeaf(pki, "apiserver", "apiserver", "ca", "1111");
    chmodSync(join(pki, "apiserver.crt"), 0o640);
    writeFileSync(
      join(work, "refresh.tsv"),
      renderCertRefreshManifest([
        { parameter: param, path: join(pki, "apiserver.crt"), key: join(pki, "apiserver.key"), ca: join(pki, "ca.crt") },
      ]),
    );
    script = join(work, "cert-refresh.sh");
    writeFileSync(
      script,
      renderCertRefreshScript({
        ...CP_ARGS,
        manifestPath: join(work, "refresh.tsv"),
        stateDir: join(work, "state"),
        controlPlane: { ...CP_ARGS.controlPlane!, manifestsDir: join(work, "manifests"), kubeconfig: join(work, "kubeconfig") },
      }),
    );
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const current = () => readFileSync(join(pki, "apiserver.crt"), "utf8");
  const serialOf = (file: string) => sh(`openssl x509 -in ${file} -noout -serial`, pki).trim();

  test("replaces a renewed certificate in place: new content, same mode, a new inode (one rename)", () => {
    const before = statSync(join(pki, "apiserver.crt"));
    const renewed = makeLeaf(pki, "renewed", "apiserver", "ca", "2222");
    setSsmValue(aws, param, renewed);
    const r = runScript(script, bin, aws);
    expect(r.status).toBe(0);
    expect(current()).toBe(renewed);
    expect(serialOf("apiserver.crt")).toBe("serial=2222");
    const after = statSync(join(pki, "apiserver.crt"));
    expect(after.mode & 0o777).toBe(0o640);
    expect(after.ino).not.toBe(before.ino);
    expect(r.output).toMatch(/replaced .*apiserver\.crt from \/kubestead\/test\/controlplane\/apiserver\.crt \(serial 2222/);
    for (const l of keyLines(pki, ["apiserver", "ca"])) expect(r.output).not.toContain(l);
  });

  test("leaves identical content alone (the CLI's trailing newline included): mtime and inode unchanged", () => {
    const old = new Date("2026-01-01T00:00:00Z");
    utimesSync(join(pki, "apiserver.crt"), old, old);
    const before = statSync(join(pki, "apiserver.crt"));
    setSsmValue(aws, param, `${current()}\n`);
    const r = runScript(script, bin, aws);
    expect(r.status).toBe(0);
    const after = statSync(join(pki, "apiserver.crt"));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(after.ino).toBe(before.ino);
    expect(r.output).toContain("0 certificate(s) replaced, 0 refused");
  });

  test.each([
    ["a certificate signed by another CA", () => makeLeaf(pki, "foreign", "apiserver", "other-ca", "3333"), /does not chain to the CA/],
    ["a certificate for another key", () => makeLeaf(pki, "mismatch", "stranger", "ca", "4444"), /does not match the private key/],
    ["a private key", () => readFileSync(join(pki, "stranger.key"), "utf8"), /holds key material, not a certificate/],
    [
      "two certificates in one parameter",
      () => makeLeaf(pki, "a", "apiserver", "ca", "5555") + makeLeaf(pki, "b", "apiserver", "ca", "6666"),
      /exactly one PEM/,
    ],
    [
      "a certificate that does not parse",
      () => "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
      /does not parse/,
    ],
  ])("refuses %s: old file kept, non-zero exit, no key in the output", (_what, value, reason) => {
    const before = current();
    setSsmValue(aws, param, value());
    const r = runScript(script, bin, aws);
    expect(r.status).not.toBe(0);
    expect(current()).toBe(before);
    expect(r.output).toMatch(reason);
    expect(r.output).toContain("the current file stays");
    expect(r.output).not.toContain("PRIVATE KEY");
    for (const l of keyLines(pki, ["apiserver", "stranger", "ca", "other-ca"])) expect(r.output).not.toContain(l);
  });

  test("an unreadable parameter fails the run and keeps the file", () => {
    const before = current();
    writeFileSync(join(aws, "ssm-down"), "");
    const r = runScript(script, bin, aws);
    expect(r.status).not.toBe(0);
    expect(current()).toBe(before);
    expect(r.output).toMatch(/cannot read SSM parameter \/kubestead\/test\/controlplane\/apiserver\.crt .*ThrottlingException/);
  });
});

/**
 * Stand-ins for the control plane: `kubectl` keeps the Lease as a file; `curl` answers a
 * component's /healthz while its manifest is in the manifests directory (what the kubelet does),
 * and logs each probe.
 */
const STANDIN_KUBECTL = [
  "#!/usr/bin/env bash",
  'lease="$STANDIN_DIR/lease"',
  'args=(); while [ $# -gt 0 ]; do case "$1" in --kubeconfig) shift 2 ;; --request-timeout=*|-n) [ "$1" = -n ] && shift; shift ;; *) args+=("$1"); shift ;; esac; done',
  'echo "kubectl ${args[*]}" >>"$STANDIN_DIR/calls"',
  'case "${args[0]}" in',
  '  create) if [ -f "$lease" ]; then echo \'Error from server (AlreadyExists): leases.coordination.k8s.io "kubestead-cert-refresh" already exists\' >&2; exit 1; fi; cat >"$lease" ;;',
  '  replace) cat >"$lease" ;;',
  '  get) [ -f "$lease" ] || { echo "NotFound" >&2; exit 1; }',
  "       holder=$(awk '/holderIdentity:/ { print $2 }' \"$lease\"); renew=$(awk '/renewTime:/ { print $2 }' \"$lease\")",
  '       case "${args[*]}" in *renewTime*) echo "$holder $renew 42" ;; *) echo "$holder" ;; esac ;;',
  '  delete) rm -f "$lease" ;;',
  "esac",
  "",
].join("\n");

const STANDIN_CURL = [
  "#!/usr/bin/env bash",
  'url="${!#}"',
  'case "$url" in *10257*) c=kube-controller-manager ;; *10259*) c=kube-scheduler ;; *) exit 7 ;; esac',
  'if [ -f "$STANDIN_MANIFESTS/$c.yaml" ]; then echo "$c up" >>"$STANDIN_DIR/calls"; exit 0; fi',
  'echo "$c down" >>"$STANDIN_DIR/calls"; exit 7',
  "",
].join("\n");

describeWithTool(["openssl"], "control-plane refresh: static pods restarted under a Lease, only where needed", () => {
  let work: string;
  let pki: string;
  let bin: string;
  let aws: string;
  let manifests: string;
  let script: string;
  const param = (n: string) => `/kubestead/test/controlplane/${n}.crt`;

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), "cert-refresh-cp-"));
    pki = join(work, "pki");
    bin = join(work, "bin");
    aws = join(work, "aws");
    manifests = join(work, "manifests");
    for (const d of [pki, manifests]) mkdirSync(d);
    installStandInAws(bin, aws);
    writeFileSync(join(bin, "kubectl"), STANDIN_KUBECTL);
    writeFileSync(join(bin, "curl"), STANDIN_CURL);
    chmodSync(join(bin, "kubectl"), 0o755);
    chmodSync(join(bin, "curl"), 0o755);
    makeCa(pki, "ca");
    for (const n of ["apiserver", "scheduler", "controller-manager"]) {
      makeKey(pki, n);
      const pem = makeLeaf(pki, n, n, "ca", "1000");
      setSsmValue(aws, param(n), pem);
    }
    for (const c of ["kube-scheduler", "kube-controller-manager"]) writeFileSync(join(manifests, `${c}.yaml`), `# ${c}\n`);
    const cert = (n: string, restart?: CertRefreshEntry["restart"]): CertRefreshEntry => ({
      parameter: param(n),
      path: join(pki, `${n}.crt`),
      key: join(pki, `${n}.key`),
      ca: join(pki, "ca.crt"),
      restart,
    });
    writeFileSync(
      join(work, "refresh.tsv"),
      renderCertRefreshManifest([
        cert("apiserver"),
        cert("controller-manager", "kube-controller-manager"),
        cert("scheduler", "kube-scheduler"),
      ]),
    );
    script = join(work, "cert-refresh.sh");
    writeFileSync(
      script,
      renderCertRefreshScript({
        ...CP_ARGS,
        manifestPath: join(work, "refresh.tsv"),
        stateDir: join(work, "state"),
        controlPlane: {
          kubeconfig: join(work, "kubeconfig"),
          manifestsDir: manifests,
          healthUrls: CP_HEALTH,
          waitSeconds: 10,
          leaseTries: 1,
          leaseDelaySeconds: 1,
        },
      }),
    );
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  const env = () => ({ STANDIN_DIR: aws, STANDIN_MANIFESTS: manifests });
  const calls = () => (existsSync(join(aws, "calls")) ? readFileSync(join(aws, "calls"), "utf8").split("\n").filter(Boolean) : []);

  test("a renewed scheduler and apiserver certificate restart the scheduler only, then release the Lease", () => {
    setSsmValue(aws, param("scheduler"), makeLeaf(pki, "scheduler-2", "scheduler", "ca", "2000"));
    setSsmValue(aws, param("apiserver"), makeLeaf(pki, "apiserver-2", "apiserver", "ca", "2000"));
    const r = runScript(script, bin, aws, env());
    expect(r.status).toBe(0);
    const probes = calls().filter((l) => / (up|down)$/.test(l));
    // Parked until the pod stopped, put back, healthy again; the controller manager never touched.
    expect(probes).toEqual(["kube-scheduler down", "kube-scheduler up"]);
    expect(existsSync(join(manifests, "kube-scheduler.yaml"))).toBe(true);
    expect(calls().some((l) => l.startsWith("kubectl create -f -"))).toBe(true);
    expect(calls().some((l) => l.startsWith("kubectl delete lease kubestead-cert-refresh"))).toBe(true);
    expect(existsSync(join(aws, "lease"))).toBe(false);
    expect(existsSync(join(work, "state", "pending"))).toBe(false);
    expect(r.output).toContain("kube-scheduler restarted and healthy");
  });

  test("a Lease held by another node defers the restart; the next run restarts though the file is already current", () => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, ".000000Z");
    writeFileSync(join(aws, "lease"), `spec:\n  holderIdentity: other-node\n  leaseDurationSeconds: 2400\n  renewTime: ${now}\n`);
    setSsmValue(aws, param("controller-manager"), makeLeaf(pki, "cm-2", "controller-manager", "ca", "3000"));
    const first = runScript(script, bin, aws, env());
    expect(first.status).toBe(0);
    expect(first.output).toMatch(/restarts of kube-controller-manager deferred to the next run/);
    expect(readFileSync(join(work, "state", "pending"), "utf8")).toBe("kube-controller-manager\n");
    expect(calls().filter((l) => / (up|down)$/.test(l))).toEqual([]);

    rmSync(join(aws, "lease"));
    const second = runScript(script, bin, aws, env());
    expect(second.status).toBe(0);
    expect(second.output).toContain("0 certificate(s) replaced");
    expect(second.output).toContain("kube-controller-manager restarted and healthy");
    expect(existsSync(join(work, "state", "pending"))).toBe(false);
  });
});

// ---- real etcd ----

function servingSerial(port: number, pki: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(
      {
        host: "127.0.0.1",
        port,
        ca: readFileSync(join(pki, "ca.crt")),
        cert: readFileSync(join(pki, "client.crt")),
        key: readFileSync(join(pki, "client.key")),
        servername: "localhost",
      },
      () => {
        const serial = s.getPeerCertificate().serialNumber;
        s.end();
        resolve(serial);
      },
    );
    s.on("error", reject);
    s.setTimeout(5000, () => s.destroy(new Error("TLS handshake timed out")));
  });
}

describeWithTool(["openssl", "etcd", "etcdctl"], "refresh against a real etcd member (no restart)", () => {
  let work: string;
  let pki: string;
  let bin: string;
  let aws: string;
  let port: number;
  let script: string;
  let etcd: EtcdProcesses;
  const param = "/kubestead/test/etcd/etcd-0/server.crt";

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), "cert-refresh-etcd-"));
    pki = join(work, "pki");
    bin = join(work, "bin");
    aws = join(work, "aws");
    mkdirSync(pki);
    installStandInAws(bin, aws);
    makeCa(pki, "ca");
    makeKey(pki, "server");
    makeKey(pki, "client");
    makeLeaf(pki, "server", "server", "ca", "a1");
    makeLeaf(pki, "client", "client", "ca", "c1", "DNS:client");
    port = await freePortBlock(2);
    etcd = new EtcdProcesses(work);
    etcd.start(
      "refresh",
      new Map([
        ["ETCD_NAME", "refresh"],
        ["ETCD_DATA_DIR", join(work, "data")],
        ["ETCD_LISTEN_CLIENT_URLS", `https://127.0.0.1:${port}`],
        ["ETCD_ADVERTISE_CLIENT_URLS", `https://127.0.0.1:${port}`],
        ["ETCD_LISTEN_PEER_URLS", `http://127.0.0.1:${port + 1}`],
        ["ETCD_INITIAL_ADVERTISE_PEER_URLS", `http://127.0.0.1:${port + 1}`],
        ["ETCD_INITIAL_CLUSTER", `refresh=http://127.0.0.1:${port + 1}`],
        ["ETCD_CERT_FILE", join(pki, "server.crt")],
        ["ETCD_KEY_FILE", join(pki, "server.key")],
        ["ETCD_TRUSTED_CA_FILE", join(pki, "ca.crt")],
        ["ETCD_CLIENT_CERT_AUTH", "true"],
      ]),
    );
    await waitFor("etcd to serve TLS", () => servingSerial(port, pki), 20_000);
    writeFileSync(
      join(work, "refresh.tsv"),
      renderCertRefreshManifest([
        { parameter: param, path: join(pki, "server.crt"), key: join(pki, "server.key"), ca: join(pki, "ca.crt") },
      ]),
    );
    script = join(work, "cert-refresh.sh");
    writeFileSync(
      script,
      renderCertRefreshScript({
        role: "etcd",
        region: "eu-west-1",
        manifestPath: join(work, "refresh.tsv"),
        stateDir: join(work, "state"),
        etcd: {
          endpoint: `https://127.0.0.1:${port}`,
          caPath: join(pki, "ca.crt"),
          certPath: join(pki, "client.crt"),
          keyPath: join(pki, "client.key"),
          healthDelaySeconds: 1,
        },
      }),
    );
  }, 60_000);
  afterAll(async () => {
    await etcd?.killAll();
    rmSync(work, { recursive: true, force: true });
  });

  test("a renewed serving certificate is served on the next handshake by the same etcd process", async () => {
    expect(await servingSerial(port, pki)).toBe("A1");
    setSsmValue(aws, param, makeLeaf(pki, "server-renewed", "server", "ca", "b2"));
    const r = runScript(script, bin, aws);
    expect(r.status).toBe(0);
    expect(r.output).toContain("etcd answers over TLS with the new certificates");
    expect(await servingSerial(port, pki)).toBe("B2");
    // The process started in beforeAll is still the one serving: nothing restarted etcd.
    expect(etcd.isRunning("refresh")).toBe(true);
    for (const l of keyLines(pki, ["server", "client", "ca"])) expect(r.output).not.toContain(l);
  }, 60_000);

  test("a certificate that passes openssl but breaks etcd's handshake is put back", async () => {
    const before = readFileSync(join(pki, "server.crt"), "utf8");
    // Right key and CA, wrong names: etcdctl dialling 127.0.0.1 refuses it.
    setSsmValue(aws, param, makeLeaf(pki, "server-misnamed", "server", "ca", "c3", "DNS:elsewhere.example"));
    const r = runScript(script, bin, aws);
    expect(r.status).not.toBe(0);
    expect(r.output).toContain("putting the previous files back");
    expect(readFileSync(join(pki, "server.crt"), "utf8")).toBe(before);
    expect(await servingSerial(port, pki)).toBe("B2");
  }, 60_000);
});
