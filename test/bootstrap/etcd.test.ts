import {
  ETCD_CIPHER_SUITES,
  etcdInitialCluster,
  etcdKeyParameters,
  etcdMemberFiles,
  etcdSpecProblems,
  etcdUrls,
  renderEtcdEnv,
  renderEtcdService,
} from "../../bootstrap/etcd";
import { BOOT_SCRIPT_PATH } from "../../bootstrap/bootScript";
import { MEMBERS, memberOptions, memberSpec } from "./etcdFixtures";

function envMap(env: string): Map<string, string> {
  const lines = env.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  return new Map(lines.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
}

const EXPECTED_KEYS = [
  "ETCD_NAME",
  "ETCD_DATA_DIR",
  "ETCD_LISTEN_CLIENT_URLS",
  "ETCD_ADVERTISE_CLIENT_URLS",
  "ETCD_LISTEN_PEER_URLS",
  "ETCD_INITIAL_ADVERTISE_PEER_URLS",
  "ETCD_INITIAL_CLUSTER",
  "ETCD_INITIAL_CLUSTER_TOKEN",
  "ETCD_INITIAL_CLUSTER_STATE",
  "ETCD_CERT_FILE",
  "ETCD_KEY_FILE",
  "ETCD_TRUSTED_CA_FILE",
  "ETCD_CLIENT_CERT_AUTH",
  "ETCD_PEER_CERT_FILE",
  "ETCD_PEER_KEY_FILE",
  "ETCD_PEER_TRUSTED_CA_FILE",
  "ETCD_PEER_CLIENT_CERT_AUTH",
  "ETCD_PEER_CERT_ALLOWED_CN",
  "ETCD_CIPHER_SUITES",
  "ETCD_LISTEN_METRICS_URLS",
  "ETCD_SNAPSHOT_COUNT",
  "ETCD_AUTO_COMPACTION_MODE",
  "ETCD_AUTO_COMPACTION_RETENTION",
  "ETCD_QUOTA_BACKEND_BYTES",
  "ETCD_PRE_VOTE",
  "ETCD_LOGGER",
];

describe("etcdInitialCluster", () => {
  test.each([
    [[], ""],
    [[{ name: "etcd-0", peerUrl: "https://10.0.0.10:2380" }], "etcd-0=https://10.0.0.10:2380"],
    [
      [
        { name: "etcd-0", peerUrl: "https://10.0.0.10:2380" },
        { name: "etcd-1", peerUrl: "https://10.0.32.10:2380" },
        { name: "etcd-2", peerUrl: "https://10.0.64.10:2380" },
      ],
      "etcd-0=https://10.0.0.10:2380,etcd-1=https://10.0.32.10:2380,etcd-2=https://10.0.64.10:2380",
    ],
  ])("%j → %s", (members, expected) => {
    expect(etcdInitialCluster(members)).toBe(expected);
  });
});

describe("renderEtcdEnv", () => {
  const env = renderEtcdEnv(memberSpec(1));
  const vars = envMap(env);

  test("has exactly the expected ETCD_* keys, once each", () => {
    expect([...vars.keys()]).toEqual(EXPECTED_KEYS);
    expect(env.split("\n").filter((l) => l.startsWith("ETCD_")).length).toBe(EXPECTED_KEYS.length);
    expect(env).toMatchSnapshot();
  });

  test.each([
    ["ETCD_NAME", "etcd-1"],
    ["ETCD_DATA_DIR", "/var/lib/etcd"],
    ["ETCD_LISTEN_CLIENT_URLS", "https://10.0.32.10:2379,https://127.0.0.1:2379"],
    ["ETCD_ADVERTISE_CLIENT_URLS", "https://10.0.32.10:2379"],
    ["ETCD_LISTEN_PEER_URLS", "https://10.0.32.10:2380"],
    ["ETCD_INITIAL_ADVERTISE_PEER_URLS", "https://10.0.32.10:2380"],
    ["ETCD_INITIAL_CLUSTER", "etcd-0=https://10.0.0.10:2380,etcd-1=https://10.0.32.10:2380,etcd-2=https://10.0.64.10:2380"],
    ["ETCD_INITIAL_CLUSTER_TOKEN", "prod-etcd"],
    ["ETCD_INITIAL_CLUSTER_STATE", "new"],
    ["ETCD_CERT_FILE", "/etc/etcd/pki/server.crt"],
    ["ETCD_KEY_FILE", "/etc/etcd/pki/server.key"],
    ["ETCD_TRUSTED_CA_FILE", "/etc/etcd/pki/ca.crt"],
    ["ETCD_CLIENT_CERT_AUTH", "true"],
    ["ETCD_PEER_CERT_FILE", "/etc/etcd/pki/peer.crt"],
    ["ETCD_PEER_KEY_FILE", "/etc/etcd/pki/peer.key"],
    ["ETCD_PEER_TRUSTED_CA_FILE", "/etc/etcd/pki/ca.crt"],
    ["ETCD_PEER_CLIENT_CERT_AUTH", "true"],
    ["ETCD_PEER_CERT_ALLOWED_CN", "etcd-peer"],
    ["ETCD_LISTEN_METRICS_URLS", "http://127.0.0.1:2381"],
    ["ETCD_SNAPSHOT_COUNT", "10000"],
    ["ETCD_QUOTA_BACKEND_BYTES", String(8 * 1024 ** 3)],
  ])("%s=%s", (key, value) => {
    expect(vars.get(key)).toBe(value);
  });

  test("restricts TLS to ECDHE AES-GCM suites", () => {
    const suites = vars.get("ETCD_CIPHER_SUITES")!.split(",");
    expect(suites).toEqual(ETCD_CIPHER_SUITES);
    for (const s of suites) expect(s).toMatch(/^TLS_ECDHE_(ECDSA|RSA)_WITH_AES_(128|256)_GCM_SHA(256|384)$/);
  });

  test("every member agrees on the initial cluster and token", () => {
    const clusters = [0, 1, 2].map((i) => envMap(renderEtcdEnv(memberSpec(i))).get("ETCD_INITIAL_CLUSTER"));
    expect(new Set(clusters).size).toBe(1);
  });

  test("honours ports, data dir and quota overrides", () => {
    const v = envMap(
      renderEtcdEnv(
        memberSpec(0, { clientPort: 12379, peerPort: 12380, metricsPort: 12381, dataDir: "/data/etcd", quotaBackendBytes: 2 ** 31 }),
      ),
    );
    expect(v.get("ETCD_LISTEN_CLIENT_URLS")).toBe("https://10.0.0.10:12379,https://127.0.0.1:12379");
    expect(v.get("ETCD_INITIAL_CLUSTER")).toBe(
      "etcd-0=https://10.0.0.10:12380,etcd-1=https://10.0.32.10:12380,etcd-2=https://10.0.64.10:12380",
    );
    expect(v.get("ETCD_LISTEN_METRICS_URLS")).toBe("http://127.0.0.1:12381");
    expect(v.get("ETCD_DATA_DIR")).toBe("/data/etcd");
    expect(v.get("ETCD_QUOTA_BACKEND_BYTES")).toBe(String(2 ** 31));
  });

  test("a member on a loopback address listens only there (tests run 3 members on 127.0.0.x)", () => {
    const members = MEMBERS.map((p, i) => ({ ...p, ip: `127.0.0.${i + 1}` }));
    const v = envMap(renderEtcdEnv({ ...members[1], members, clusterToken: "t", snapshotCount: 100 }));
    expect(v.get("ETCD_LISTEN_CLIENT_URLS")).toBe("https://127.0.0.2:2379");
    expect(v.get("ETCD_LISTEN_METRICS_URLS")).toBe("http://127.0.0.2:2381");
    expect(etcdUrls({ ...members[1], members, clusterToken: "t", snapshotCount: 100 }).localClientUrl).toBe("https://127.0.0.2:2379");
  });

  test("reports every problem of a bad spec at once", () => {
    const bad = { ...memberSpec(0), ip: "10.0.0.999", clusterToken: "", snapshotCount: 0, members: [...MEMBERS, { ...MEMBERS[1] }] };
    const keys = etcdSpecProblems(bad).map((p) => p.key);
    expect(keys).toEqual(expect.arrayContaining(["ip", "clusterToken", "snapshotCount", "members[3].name", "members[3].ip"]));
    expect(() => renderEtcdEnv(bad)).toThrow(/invalid etcd member spec for "etcd-0" \(\d+ problems\)/);
  });

  test.each([
    ["a member missing from members", { name: "etcd-9" }, /name must be one of members\[\]\.name/],
    ["an IP that disagrees with members", { ip: "10.0.0.11" }, /ip must equal the ip of etcd-0/],
    ["a bad port", { clientPort: 70000 }, /clientPort must be a TCP port/],
  ])("refuses %s", (_what, over, message) => {
    expect(() => renderEtcdEnv(memberSpec(0, over))).toThrow(message);
  });

  test("a valid spec has no problems", () => {
    expect(etcdSpecProblems(memberSpec(2))).toEqual([]);
  });
});

describe("renderEtcdService", () => {
  const unit = renderEtcdService({ version: "3.5.21" });

  test("runs etcd from the env file as user etcd, restarted, hardened", () => {
    for (const line of [
      "Type=notify",
      "User=etcd",
      "EnvironmentFile=/etc/etcd/etcd.env",
      "ExecStart=/usr/local/bin/etcd",
      "Restart=always",
      "RestartSec=10s",
      "LimitNOFILE=65536",
      "NoNewPrivileges=true",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/etcd",
      "RequiresMountsFor=/var/lib/etcd",
      "WantedBy=multi-user.target",
    ]) {
      expect(unit.split("\n")).toContain(line);
    }
    expect(unit).toContain("etcd 3.5.21");
    expect(unit).toMatchSnapshot();
  });

  test("follows a custom data dir", () => {
    expect(renderEtcdService({ version: "3.5.21", dataDir: "/data/etcd" })).toContain("ReadWritePaths=/data/etcd");
  });
});

describe("etcdMemberFiles", () => {
  const { files, secrets } = etcdMemberFiles(memberSpec(2), memberOptions());
  const byPath = new Map(files.map((f) => [f.path, f]));

  test("ships env, units, scripts and certs as files", () => {
    expect([...byPath.keys()].sort()).toEqual(
      [
        BOOT_SCRIPT_PATH,
        "/etc/etcd/etcd.env",
        "/etc/etcd/pki/backup.crt",
        "/etc/etcd/pki/ca.crt",
        "/etc/etcd/pki/peer.crt",
        "/etc/etcd/pki/server.crt",
        "/etc/systemd/system/etcd-backup.service",
        "/etc/systemd/system/etcd-backup.timer",
        "/etc/systemd/system/etcd.service",
        "/etc/systemd/system/etcd-settle.service",
        "/etc/systemd/system/kubestead-etcd-network.service",
        "/etc/systemd/networkd.conf.d/60-kubestead-etcd.conf",
        "/opt/kubestead/bin/etcd-backup.sh",
        "/opt/kubestead/bin/etcd-lifecycle.sh",
        "/opt/kubestead/bin/etcd-network.sh",
        "/opt/kubestead/bin/etcd-restore.sh",
      ].sort(),
    );
    expect(byPath.get("/opt/kubestead/bin/etcd-backup.sh")!.mode).toBe("0755");
    expect(byPath.get("/etc/etcd/etcd.env")!.content).toContain("ETCD_NAME=etcd-2\n");
    expect(byPath.get("/etc/systemd/system/etcd-backup.timer")!.content).toContain("OnUnitActiveSec=60min");
    expect(byPath.get(BOOT_SCRIPT_PATH)!.content).toContain('attach_volume "vol-0123456789abcdef0" "/dev/xvdf"');
  });

  test("keys are secrets by SSM parameter name, never file content", () => {
    expect(secrets).toEqual([
      { path: "/etc/etcd/pki/server.key", parameter: "/kubestead/prod/etcd/etcd-2/server.key", mode: "0640" },
      { path: "/etc/etcd/pki/peer.key", parameter: "/kubestead/prod/etcd/etcd-2/peer.key", mode: "0640" },
      { path: "/etc/etcd/pki/backup.key", parameter: "/kubestead/prod/etcd/backup.key", mode: "0600" },
    ]);
    for (const f of files) expect(f.content).not.toMatch(/PRIVATE KEY/);
  });

  test("key parameter names can be overridden", () => {
    const keyParameters = { server: "/x/server.key", peer: "/x/peer.key", backup: "/x/backup.key" };
    expect(etcdMemberFiles(memberSpec(0), memberOptions({ keyParameters })).secrets.map((s) => s.parameter)).toEqual(
      Object.values(keyParameters),
    );
    expect(etcdKeyParameters("dev", "etcd-0").server).toBe("/kubestead/dev/etcd/etcd-0/server.key");
  });

  test("refuses a private key passed as a cert", () => {
    const pki = { ...memberOptions().pki, serverCert: "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n" };
    expect(() => etcdMemberFiles(memberSpec(0), memberOptions({ pki }))).toThrow(/pki\.serverCert must be a PEM certificate/);
  });

  test("is deterministic", () => {
    expect(etcdMemberFiles(memberSpec(2), memberOptions())).toEqual(etcdMemberFiles(memberSpec(2), memberOptions()));
  });
});
