import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import {
  ETCD_BACKUP_ENV,
  ETCD_BOOT_HELPERS,
  etcdReleaseUrl,
  renderEtcdBackupScript,
  renderEtcdBackupService,
  renderEtcdBackupTimer,
  renderEtcdBootStep,
  renderEtcdEnv,
  renderEtcdRestoreScript,
} from "../../bootstrap/etcd";
import { renderBootScript } from "../../bootstrap/bootScript";
import { describeWithTool } from "../helpers/tools";
import { memberOptions, memberSpec, shellcheck } from "./etcdFixtures";

const BACKUP = { bucket: "prod-etcd-backups", region: "eu-west-1", cluster: "prod", member: "etcd-1" };

describe("renderEtcdBootStep", () => {
  const step = renderEtcdBootStep(memberSpec(1), memberOptions());

  test("installs the pinned release, attaches ENI and volume, decides, starts", () => {
    const order = [
      `install_release "${etcdReleaseUrl("3.5.21")}" "${"a".repeat(64)}" "/opt/etcd/v3.5.21" 1`,
      'attach_eni "eni-0123456789abcdef0"',
      'wait_for_ip "10.0.32.10"',
      'attach_volume "vol-0123456789abcdef0" "/dev/xvdf"',
      'mount_data_volume "$data_dev" "$ETCD_DATA_DIR"',
      'chgrp etcd "$ETCD_PKI/server.key" "$ETCD_PKI/peer.key"',
      'etcd_decide_state "etcd-1" "https://10.0.32.10:2380" "https://10.0.0.10:2379" "https://10.0.64.10:2379"',
      "systemctl start --no-block etcd.service",
      "systemctl enable --now etcd-backup.timer",
    ];
    const at = order.map((line) => step.indexOf(line));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(etcdReleaseUrl("3.5.21")).toBe("https://github.com/etcd-io/etcd/releases/download/v3.5.21/etcd-v3.5.21-linux-amd64.tar.gz");
    expect(step).toMatchSnapshot();
  });

  test("leaves out what the caller handles itself", () => {
    const bare = renderEtcdBootStep(memberSpec(0), { backupTimer: false });
    expect(bare).not.toContain("install_release ");
    expect(bare).not.toContain('attach_eni "');
    expect(bare).not.toContain('attach_volume "');
    expect(bare).not.toContain("etcd-backup.timer");
    expect(bare).toContain('data_dev=$(data_device "" "/dev/xvdf")');
  });

  test.each([
    [{ volumeId: "vol-XYZ" }, /volumeId must look like/],
    [{ eniId: "eni" }, /eniId must look like/],
    [{ device: "xvdf" }, /device must be a \/dev name/],
    [{ release: { version: "v3.5.21", sha256: "a".repeat(64) } }, /drop the leading v/],
    [{ release: { version: "3.5.21", sha256: "abc" } }, /64 lowercase hex/],
    [{ release: { version: "3.5.21", sha256: "a".repeat(64), url: "https://x/$(reboot)" } }, /https URL/],
  ])("refuses %j", (opts, message) => {
    expect(() => renderEtcdBootStep(memberSpec(0), opts)).toThrow(message);
  });
});

describe("renderEtcdBackupScript", () => {
  const script = renderEtcdBackupScript(BACKUP);

  test("snapshots with the backup client cert, verifies, uploads with SSE-KMS when leader", () => {
    expect(script).toContain('export ETCDCTL_CERT="${ETCDCTL_CERT-/etc/etcd/pki/backup.crt}"');
    expect(script).toContain('export ETCDCTL_KEY="${ETCDCTL_KEY-/etc/etcd/pki/backup.key}"');
    expect(script).toContain('export ETCDCTL_CACERT="${ETCDCTL_CACERT-/etc/etcd/pki/ca.crt}"');
    expect(script).toContain('export ETCDCTL_ENDPOINTS="${ETCDCTL_ENDPOINTS:-https://127.0.0.1:2379}"');
    expect(script).toContain('etcdctl snapshot save "$file"');
    expect(script).toContain('"$tool" snapshot status "$file" -w json');
    expect(script).toContain('dest="s3://$BUCKET/$CLUSTER/$name"');
    expect(script).toContain('aws s3 cp --only-show-errors --region "$REGION" --sse aws:kms --checksum-algorithm SHA256 "$file" "$dest"');
    expect(script).toMatchSnapshot();
  });

  test("names every variable it honours", () => {
    for (const v of ETCD_BACKUP_ENV) expect(script).toContain(v);
  });

  test("takes an endpoint and a KMS key", () => {
    const s = renderEtcdBackupScript({
      ...BACKUP,
      endpoint: "https://127.0.0.2:2379",
      kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/abc",
    });
    expect(s).toContain("${ETCDCTL_ENDPOINTS:-https://127.0.0.2:2379}");
    expect(s).toContain('--sse aws:kms --sse-kms-key-id "arn:aws:kms:eu-west-1:123456789012:key/abc"');
  });

  test.each([
    [{ bucket: "Bad_Bucket" }, /bucket must be/],
    [{ region: "eu" }, /region must be/],
    [{ cluster: "Prod" }, /cluster must be/],
    [{ member: "etcd 1" }, /member must be/],
    [{ endpoint: "https://x;reboot" }, /endpoint must be/],
  ])("refuses %j", (over, message) => {
    expect(() => renderEtcdBackupScript({ ...BACKUP, ...over })).toThrow(message);
  });
});

describe("backup units", () => {
  test("the service is a oneshot running the script", () => {
    const unit = renderEtcdBackupService();
    expect(unit.split("\n")).toEqual(
      expect.arrayContaining(["Type=oneshot", "ExecStart=/opt/kubestead/bin/etcd-backup.sh", "IOSchedulingClass=idle"]),
    );
    expect(unit).toMatchSnapshot();
  });

  test.each([
    [60, "OnUnitActiveSec=60min"],
    [15, "OnUnitActiveSec=15min"],
  ])("the timer runs every %i minutes", (minutes, line) => {
    const timer = renderEtcdBackupTimer(minutes);
    expect(timer.split("\n")).toEqual(expect.arrayContaining([line, "Unit=etcd-backup.service", "WantedBy=timers.target"]));
  });

  test.each([0, 2.5, 100000])("refuses an interval of %p minutes", (minutes) => {
    expect(() => renderEtcdBackupTimer(minutes)).toThrow(/intervalMinutes/);
  });
});

describe("renderEtcdRestoreScript", () => {
  const script = renderEtcdRestoreScript();
  test("prefers etcdutl, falls back to etcdctl, never restores over data", () => {
    expect(script).toContain("if command -v etcdutl >/dev/null 2>&1; then tool=etcdutl; else tool=etcdctl; fi");
    expect(script).toContain('set -- snapshot restore "$snapshot" --data-dir "$staging" --name "$name"');
    expect(script).toContain('--initial-cluster "$cluster" --initial-advertise-peer-urls "$peer_urls"');
    expect(script).toContain('if [ -e "$data_dir/member" ]; then');
    expect(script).toMatchSnapshot();
  });
});

describeWithTool(["shellcheck"], "etcd scripts under shellcheck", () => {
  test.each([
    [
      "boot script with every option",
      () => renderBootScript({ role: "etcd", region: "eu-west-1", steps: [renderEtcdBootStep(memberSpec(0), memberOptions())] }),
    ],
    ["boot script, bare", () => renderBootScript({ role: "etcd", region: "eu-west-1", steps: [renderEtcdBootStep(memberSpec(2))] })],
    ["backup script", () => renderEtcdBackupScript(BACKUP)],
    ["backup script with KMS key", () => renderEtcdBackupScript({ ...BACKUP, kmsKeyId: "alias/kubestead" })],
    ["restore script", () => renderEtcdRestoreScript()],
  ])("%s has no findings", (_what, render) => {
    expect(shellcheck(render())).toBe("");
  });
});

/** A scratch dir with stub tools on PATH. */
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "kubestead-etcd-"));
  mkdirSync(join(dir, "bin"));
  return dir;
}

function stub(dir: string, name: string, body: string): void {
  writeFileSync(join(dir, "bin", name), `#!/usr/bin/env bash\n${body}\n`);
  chmodSync(join(dir, "bin", name), 0o755);
}

describe("the backup script, run with stub etcdctl and aws", () => {
  let dir: string;
  beforeEach(() => {
    dir = scratch();
    // endpoint status answers from $dir/leader ("yes"/"no"); snapshot save writes a file.
    const etcdctl = [
      'echo "etcdctl $*" >>"$STUB_DIR/calls"',
      'case "$1 $2" in',
      '  "endpoint status") echo \'"MemberID" : 15985099378392235387\'; if [ "$(cat "$STUB_DIR/leader")" = yes ]; then echo \'"Leader" : 15985099378392235387\'; else echo \'"Leader" : 11417610130673999598\'; fi ;;',
      '  "snapshot save") echo snapshot >"$3" ;;',
      '  "snapshot status") echo \'{"hash":1,"revision":2,"totalKey":3,"totalSize":4}\' ;;',
      "esac",
    ].join("\n");
    stub(dir, "etcdctl", etcdctl);
    stub(dir, "etcdutl", etcdctl);
    stub(dir, "aws", 'echo "aws $*" >>"$STUB_DIR/calls"');
    writeFileSync(join(dir, "backup.sh"), renderEtcdBackupScript(BACKUP));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(leader: "yes" | "no", args: string[] = []) {
    writeFileSync(join(dir, "leader"), leader);
    const env = {
      ...process.env,
      PATH: `${join(dir, "bin")}:${process.env.PATH}`,
      STUB_DIR: dir,
      ETCD_BACKUP_WORK_DIR: dir,
      ETCDCTL_ENDPOINTS: "https://127.0.0.2:2379",
    };
    const r = spawnSync("bash", [join(dir, "backup.sh"), ...args], { env, encoding: "utf8" });
    const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8") : "";
    return { ...r, calls };
  }

  test("the leader snapshots, verifies and uploads to s3://bucket/cluster/<ts>-member.db", () => {
    const r = run("yes");
    expect(r.stderr).toContain("saving snapshot from https://127.0.0.2:2379");
    expect(r.status).toBe(0);
    expect(r.calls).toMatch(/snapshot status .*-etcd-1\.db -w json/);
    expect(r.calls).toMatch(
      /^aws s3 cp --only-show-errors --region eu-west-1 --sse aws:kms --checksum-algorithm SHA256 \S+\/\d{8}T\d{6}Z-etcd-1\.db s3:\/\/prod-etcd-backups\/prod\/\d{8}T\d{6}Z-etcd-1\.db$/m,
    );
    // The staging dir is removed after the upload.
    expect(readdirSync(dir).filter((f) => f.startsWith("etcd-backup."))).toEqual([]);
  });

  test("a follower skips the snapshot and the upload", () => {
    const r = run("no");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("not the leader");
    expect(r.calls).not.toContain("snapshot save");
    expect(r.calls).not.toContain("aws ");
  });

  test("--local-only DIR writes the verified snapshot there, whoever leads, without AWS", () => {
    const out = join(dir, "snaps");
    const r = run("no", ["--local-only", out]);
    expect(r.status).toBe(0);
    const files = readdirSync(out);
    expect(files).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z-etcd-1\.db$/)]);
    expect(r.stdout.trim()).toBe(join(out, files[0]));
    expect(r.calls).not.toContain("endpoint status");
    expect(r.calls).not.toContain("aws ");
  });

  test("a failed verification fails the run and uploads nothing", () => {
    stub(dir, "etcdutl", 'echo "etcdutl $*" >>"$STUB_DIR/calls"; exit 1');
    const r = run("yes");
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("failed verification");
    expect(r.calls).not.toContain("aws ");
  });

  test.each([[["--local-only"]], [["--upload"]], [["--local-only", "a", "b"]]])("refuses arguments %j", (args) => {
    const r = run("yes", args);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage:");
  });
});

describe("the new/existing decision, run with a stub etcdctl", () => {
  let dir: string;
  beforeEach(() => {
    dir = scratch();
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "etcd.env"), renderEtcdEnv(memberSpec(2)));
    // Healthy endpoints are listed in $dir/healthy; the member list lives in $dir/members.
    stub(
      dir,
      "etcdctl",
      [
        'echo "etcdctl $*" >>"$STUB_DIR/calls"',
        'endpoint=""; for a in "$@"; do case "$a" in --endpoints=*) endpoint=${a#--endpoints=} ;; esac; done',
        'args=(); for a in "$@"; do case "$a" in --*) ;; *) args+=("$a") ;; esac; done',
        'case "${args[0]} ${args[1]}" in',
        '  "endpoint health") grep -qxF "$endpoint" "$STUB_DIR/healthy" ;;',
        '  "member list") cat "$STUB_DIR/members" ;;',
        '  "member remove") grep -v "^${args[2]}," "$STUB_DIR/members" >"$STUB_DIR/m2"; mv "$STUB_DIR/m2" "$STUB_DIR/members" ;;',
        '  "member add") url=""; for a in "$@"; do case "$a" in --peer-urls=*) url=${a#--peer-urls=} ;; esac; done; echo "aaaa, unstarted, , $url, , false" >>"$STUB_DIR/members" ;;',
        "esac",
      ].join("\n"),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const PEERS = ["https://10.0.0.10:2379", "https://10.0.32.10:2379"];
  const OTHERS =
    "1111, started, etcd-0, https://10.0.0.10:2380, https://10.0.0.10:2379, false\n2222, started, etcd-1, https://10.0.32.10:2380, https://10.0.32.10:2379, false\n";

  function decide(opts: { healthy: string[]; members: string; wal?: boolean }) {
    writeFileSync(join(dir, "healthy"), opts.healthy.map((h) => `${h}\n`).join(""));
    writeFileSync(join(dir, "members"), opts.members);
    if (opts.wal) {
      mkdirSync(join(dir, "data/member/wal"), { recursive: true });
      writeFileSync(join(dir, "data/member/wal/0000000000000000-0000000000000000.wal"), "");
    }
    const script = [
      "set -euo pipefail",
      'log() { echo "LOG: $*" >&2; }',
      'die() { echo "DIE: $*" >&2; exit 1; }',
      `ETCD_PKI=/nonexistent; ETCD_DATA_DIR="${dir}/data"; ETCD_ENV_FILE="${dir}/etcd.env"`,
      ETCD_BOOT_HELPERS,
      `etcd_decide_state etcd-2 https://10.0.64.10:2380 ${PEERS.join(" ")}`,
    ].join("\n");
    const r = spawnSync("bash", ["-c", script], {
      env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, STUB_DIR: dir },
      encoding: "utf8",
    });
    const env = readFileSync(join(dir, "etcd.env"), "utf8");
    const get = (k: string) =>
      env
        .split("\n")
        .filter((l) => l.startsWith(`${k}=`))
        .map((l) => l.slice(k.length + 1));
    const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8") : "";
    return { status: r.status, stderr: r.stderr, state: get("ETCD_INITIAL_CLUSTER_STATE"), cluster: get("ETCD_INITIAL_CLUSTER"), calls };
  }

  const ORIGINAL = "etcd-0=https://10.0.0.10:2380,etcd-1=https://10.0.32.10:2380,etcd-2=https://10.0.64.10:2380";

  test("1. a WAL on the volume: existing, no cluster calls", () => {
    const r = decide({ healthy: PEERS, members: OTHERS, wal: true });
    expect(r.status).toBe(0);
    expect(r.state).toEqual(["existing"]);
    expect(r.cluster).toEqual([ORIGINAL]);
    expect(r.calls).toBe("");
  });

  test("2. no healthy peer: a new cluster", () => {
    const r = decide({ healthy: [], members: "" });
    expect(r.status).toBe(0);
    expect(r.state).toEqual(["new"]);
    expect(r.cluster).toEqual([ORIGINAL]);
    expect(r.calls).not.toContain("member");
  });

  test("3a. added by an earlier boot, never started: existing, no second add", () => {
    const r = decide({ healthy: [PEERS[1]], members: `${OTHERS}3333, unstarted, , https://10.0.64.10:2380, , false\n` });
    expect(r.status).toBe(0);
    expect(r.state).toEqual(["existing"]);
    expect(r.calls).not.toContain("member add");
    expect(r.calls).not.toContain("member remove");
    expect(r.cluster).toEqual(["etcd-0=https://10.0.0.10:2380,etcd-1=https://10.0.32.10:2380,etcd-2=https://10.0.64.10:2380"]);
  });

  test("3b. a founding member booting late: new, membership untouched", () => {
    const r = decide({ healthy: PEERS, members: `${OTHERS}3333, started, etcd-2, https://10.0.64.10:2380, , false\n` });
    expect(r.status).toBe(0);
    expect(r.state).toEqual(["new"]);
    expect(r.calls).not.toMatch(/member (add|remove)/);
  });

  test("3c. served before, data lost: remove the stale entry, add, existing", () => {
    const r = decide({
      healthy: PEERS,
      members: `${OTHERS}3333, started, etcd-2, https://10.0.64.10:2380, https://10.0.64.10:2379, false\n`,
    });
    expect(r.status).toBe(0);
    expect(r.calls).toMatch(/--endpoints=https:\/\/10\.0\.0\.10:2379 .*member remove 3333/);
    expect(r.calls).toMatch(/member add etcd-2 --peer-urls=https:\/\/10\.0\.64\.10:2380/);
    expect(r.calls.indexOf("member remove")).toBeLessThan(r.calls.indexOf("member add"));
    expect(r.calls).toContain("--cert=/nonexistent/backup.crt");
    expect(r.state).toEqual(["existing"]);
    expect(r.cluster).toEqual([ORIGINAL]);
  });

  test("3d. no entry at all: add, existing", () => {
    const r = decide({ healthy: PEERS, members: OTHERS });
    expect(r.status).toBe(0);
    expect(r.calls).not.toContain("member remove");
    expect(r.calls).toContain("member add etcd-2");
    expect(r.state).toEqual(["existing"]);
    expect(r.cluster).toEqual([ORIGINAL]);
  });
});
