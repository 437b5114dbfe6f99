import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import {
  ETCD_BACKUP_ENV,
  ETCD_BOOT_HELPERS,
  ETCD_RESTORE_REVISION_BUMP,
  etcdReleaseUrl,
  etcdStateParameters,
  renderEtcdBackupScript,
  renderEtcdBackupService,
  renderEtcdBackupTimer,
  renderEtcdBootStep,
  renderEtcdEnv,
  renderEtcdRestoreScript,
} from "../../bootstrap/etcd";
import { renderBootScript } from "../../bootstrap/bootScript";
import { awsCalls, installStandInAws, setSsmValue, ssmValue } from "../helpers/standInAws";
import { describeWithTool } from "../helpers/tools";
import { memberOptions, memberSpec, shellcheck } from "./etcdFixtures";

const STATE = etcdStateParameters("prod", "0a1b2c3d4e5f");

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

  test("knows its token parameter and the revision bump", () => {
    const s = renderEtcdRestoreScript({ region: "eu-west-1", cluster: "prod", tokenParameter: STATE.clusterToken });
    expect(s).toContain(`readonly TOKEN_PARAM="${STATE.clusterToken}"`);
    expect(s).toContain(`readonly REVISION_BUMP=${ETCD_RESTORE_REVISION_BUMP}`);
    expect(ETCD_RESTORE_REVISION_BUMP).toBe(1_000_000_000);
    expect(() => renderEtcdRestoreScript({ region: "eu-west-1", cluster: "prod", tokenParameter: "x;reboot" })).toThrow(/tokenParameter/);
  });
});

describe("the restore script, run with a stub etcdutl and a stand-in aws", () => {
  let dir: string;
  const aws = () => join(dir, "aws");
  beforeEach(() => {
    dir = scratch();
    installStandInAws(join(dir, "bin"), aws());
    // `snapshot restore --help` lists --bump-revision only while $dir/bump exists (etcdutl 3.6 does,
    // 3.4's etcdctl does not); a restore records its arguments and leaves a member dir.
    const tool = [
      'if [ "$3" = --help ]; then echo "Usage: snapshot restore"; if [ -e "$STUB_DIR/bump" ]; then echo "  --bump-revision uint"; echo "  --mark-compacted"; fi; exit 0; fi',
      'echo "$(basename "$0") $*" >>"$STUB_DIR/calls"',
      'while [ $# -gt 0 ]; do if [ "$1" = --data-dir ]; then mkdir -p "$2/member/wal"; fi; shift; done',
    ].join("\n");
    stub(dir, "etcdutl", tool);
    writeFileSync(join(dir, "snap.db"), "snapshot");
    writeFileSync(join(dir, "etcd.env"), renderEtcdEnv({ ...memberSpec(1), dataDir: join(dir, "data") }));
    writeFileSync(
      join(dir, "restore.sh"),
      renderEtcdRestoreScript({ region: "eu-west-1", cluster: "prod", tokenParameter: STATE.clusterToken }),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function restore(args: string[]) {
    const r = spawnSync("bash", [join(dir, "restore.sh"), ...args], {
      env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, STUB_DIR: dir, AWS_STANDIN_DIR: aws() },
      encoding: "utf8",
    });
    const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8") : "";
    const env = readFileSync(join(dir, "etcd.env"), "utf8");
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, calls, token: /^ETCD_INITIAL_CLUSTER_TOKEN=(.*)$/m.exec(env)?.[1] };
  }
  const snap = () => [join(dir, "snap.db"), "--env-file", join(dir, "etcd.env")];

  test("new-token writes a fresh token to SSM, overwriting the last one, and prints it", () => {
    setSsmValue(aws(), STATE.clusterToken, "prod-etcd-old");
    const r = restore(["new-token"]);
    expect(r.status).toBe(0);
    const token = r.stdout.trim();
    expect(token).toMatch(/^prod-etcd-\d{14}-[0-9a-f]{6}$/);
    expect(ssmValue(aws(), STATE.clusterToken)).toBe(token);
    expect(awsCalls(aws())).toEqual([
      `aws ssm put-parameter --region eu-west-1 --name ${STATE.clusterToken} --type String --overwrite --value ${token}`,
    ]);
    expect(restore(["new-token"]).stdout.trim()).not.toBe(token);
  });

  test("without a new token it refuses: no token in SSM yet, or the one the member's cluster has", () => {
    const none = restore(snap());
    expect(none.status).toBe(1);
    expect(none.stderr).toContain(`cannot read ${STATE.clusterToken}: run 'etcd-restore.sh new-token' once, on one member, first`);
    setSsmValue(aws(), STATE.clusterToken, "prod-etcd");
    const same = restore(snap());
    expect(same.status).toBe(1);
    expect(same.stderr).toContain("token prod-etcd is the one this member's cluster already has");
    expect(restore([...snap(), "--initial-cluster-token", "prod-etcd"]).status).toBe(1);
    expect(same.calls).toBe("");
    expect(existsSync(join(dir, "data", "member"))).toBe(false);
  });

  test("with etcdutl 3.6: the SSM token, the revision bumped by 10^9 and marked compacted; the env file follows", () => {
    writeFileSync(join(dir, "bump"), "");
    setSsmValue(aws(), STATE.clusterToken, "prod-etcd-20261205101500-a1b2c3");
    const r = restore(snap());
    expect(r.status).toBe(0);
    expect(r.calls.trim()).toBe(
      `etcdutl snapshot restore ${join(dir, "snap.db")} --data-dir ${join(dir, "data")}/.restore-${/\.restore-(\d+)/.exec(r.calls)?.[1]} --name etcd-1 ` +
        "--initial-cluster etcd-0=https://10.0.0.10:2380,etcd-1=https://10.0.32.10:2380,etcd-2=https://10.0.64.10:2380 " +
        "--initial-advertise-peer-urls https://10.0.32.10:2380 --initial-cluster-token prod-etcd-20261205101500-a1b2c3 " +
        "--bump-revision 1000000000 --mark-compacted",
    );
    expect(r.stderr).not.toContain("WARNING");
    expect(existsSync(join(dir, "data", "member", "wal"))).toBe(true);
    expect(r.token).toBe("prod-etcd-20261205101500-a1b2c3");
    // Done once: a second run on this member would be a restore with the live token.
    rmSync(join(dir, "data", "member"), { recursive: true });
    expect(restore(snap()).stderr).toContain("is the one this member's cluster already has");
    expect(restore([...snap(), "--rerun"]).status).toBe(0);
  });

  test("with a tool that cannot bump (3.4's etcdctl): it warns and restores without the flags", () => {
    const r = restore([...snap(), "--initial-cluster-token", "prod-etcd-r2"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("WARNING: etcdutl cannot bump the revision (etcdutl 3.6 can)");
    expect(r.calls).toContain("--initial-cluster-token prod-etcd-r2");
    expect(r.calls).not.toContain("--bump-revision");
    expect(awsCalls(aws())).toEqual([]);
  });

  test("never over a member's data, and never a token that is no token", () => {
    mkdirSync(join(dir, "data", "member"), { recursive: true });
    expect(restore([...snap(), "--initial-cluster-token", "prod-etcd-r2"]).stderr).toContain(
      "member exists; stop etcd and move it aside first",
    );
    rmSync(join(dir, "data", "member"), { recursive: true });
    expect(restore([...snap(), "--initial-cluster-token", "a b"]).stderr).toContain("'a b' is not a cluster token");
  });

  test("rendered without its SSM parameter, every restore needs an explicit token", () => {
    writeFileSync(join(dir, "restore.sh"), renderEtcdRestoreScript());
    expect(restore(snap()).stderr).toContain("pass --initial-cluster-token (the same new token on every member)");
    expect(restore(["new-token"]).stderr).toContain("no SSM parameter for the cluster token here");
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
    [
      "restore script with its SSM token",
      () => renderEtcdRestoreScript({ region: "eu-west-1", cluster: "prod", tokenParameter: STATE.clusterToken }),
    ],
    [
      "boot script with the founded marker",
      () =>
        renderBootScript({
          role: "etcd",
          region: "eu-west-1",
          steps: [renderEtcdBootStep(memberSpec(1), memberOptions({ state: STATE }))],
        }),
    ],
    ["backup script shared by every member", () => renderEtcdBackupScript({ ...BACKUP, member: undefined })],
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
    stub(
      dir,
      "aws",
      'echo "aws $*" >>"$STUB_DIR/calls"; if [ "$1" = cloudwatch ] && [ -e "$STUB_DIR/cloudwatch-down" ]; then exit 254; fi',
    );
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

  test("after the upload the leader counts it in CloudWatch: what the backup alarm watches", () => {
    const r = run("yes");
    expect(r.status).toBe(0);
    const calls = r.calls.split("\n").filter((l) => l.startsWith("aws "));
    expect(calls.map((c) => c.split(" ").slice(0, 3).join(" "))).toEqual(["aws s3 cp", "aws cloudwatch put-metric-data"]);
    expect(calls[1]).toBe(
      "aws cloudwatch put-metric-data --region eu-west-1 --namespace Kubestead/etcd --metric-name BackupsUploaded --dimensions Cluster=prod --unit Count --value 1",
    );
  });

  test("a metric that cannot be published does not fail a backup that was uploaded", () => {
    writeFileSync(join(dir, "cloudwatch-down"), "");
    const r = run("yes");
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("could not publish BackupsUploaded: the backup alarm may fire");
  });

  test("the script shared by every member takes the member's name from its env file", () => {
    writeFileSync(join(dir, "backup.sh"), renderEtcdBackupScript({ ...BACKUP, member: undefined }));
    writeFileSync(join(dir, "etcd.env"), renderEtcdEnv(memberSpec(2)));
    const out = join(dir, "snaps");
    try {
      process.env.ETCD_ENV_FILE = join(dir, "none.env");
      const missing = run("no", ["--local-only", out]);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain(`etcd-backup: cannot read ${join(dir, "none.env")}`);
      process.env.ETCD_ENV_FILE = join(dir, "etcd.env");
      const r = run("no", ["--local-only", out]);
      expect(r.status).toBe(0);
      expect(readdirSync(out)).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z-etcd-2\.db$/)]);
    } finally {
      delete process.env.ETCD_ENV_FILE;
    }
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

describe("the new/existing decision, run with a stub etcdctl and a stand-in aws", () => {
  let dir: string;
  beforeEach(() => {
    dir = scratch();
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "etcd.env"), renderEtcdEnv(memberSpec(2)));
    installStandInAws(join(dir, "bin"), join(dir, "aws"));
    // Healthy endpoints are listed in $dir/healthy (all of them from the Nth health check on when
    // $dir/healthy-after says N); the member list lives in $dir/members; $dir/learner-busy counts
    // the learner adds etcd refuses (one learner at a time) before it accepts one.
    stub(
      dir,
      "etcdctl",
      [
        'echo "etcdctl $*" >>"$STUB_DIR/calls"',
        'endpoint=""; for a in "$@"; do case "$a" in --endpoints=*) endpoint=${a#--endpoints=} ;; esac; done',
        'args=(); for a in "$@"; do case "$a" in --*) ;; *) args+=("$a") ;; esac; done',
        'case "${args[0]} ${args[1]}" in',
        '  "endpoint health")',
        '    n=$(($(cat "$STUB_DIR/health-calls" 2>/dev/null || echo 0) + 1)); echo "$n" >"$STUB_DIR/health-calls"',
        '    if [ -f "$STUB_DIR/healthy-after" ] && [ "$n" -ge "$(cat "$STUB_DIR/healthy-after")" ]; then exit 0; fi',
        '    grep -qxF "$endpoint" "$STUB_DIR/healthy" ;;',
        '  "member list") cat "$STUB_DIR/members" ;;',
        '  "member remove") grep -v "^${args[2]}," "$STUB_DIR/members" >"$STUB_DIR/m2"; mv "$STUB_DIR/m2" "$STUB_DIR/members" ;;',
        '  "member add")',
        '    busy=$(cat "$STUB_DIR/learner-busy" 2>/dev/null || echo 0)',
        '    if [ "$busy" -gt 0 ]; then echo $((busy - 1)) >"$STUB_DIR/learner-busy"; echo "Error: etcdserver: too many learner members in cluster" >&2; exit 1; fi',
        '    url="" learner=false; for a in "$@"; do case "$a" in --peer-urls=*) url=${a#--peer-urls=} ;; --learner) learner=true ;; esac; done',
        '    echo "aaaa, unstarted, , $url, , $learner" >>"$STUB_DIR/members" ;;',
        "esac",
      ].join("\n"),
    );
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const PEERS = ["https://10.0.0.10:2379", "https://10.0.32.10:2379"];
  const OTHERS =
    "1111, started, etcd-0, https://10.0.0.10:2380, https://10.0.0.10:2379, false\n2222, started, etcd-1, https://10.0.32.10:2380, https://10.0.32.10:2379, false\n";

  interface Decide {
    healthy: string[];
    members: string;
    wal?: boolean;
    /** The founded marker's value in SSM (absent: never founded). */
    founded?: string;
    /** The live cluster token in SSM (absent: never restored). */
    token?: string;
    /** SSM answers every call with an error. */
    ssmDown?: boolean;
    /** Every peer answers from the Nth health check on. */
    healthyAfter?: number;
    /** Learner adds refused before one is accepted. */
    learnerBusy?: number;
    /** Leave out the token read (etcd_live_token), to see the decision on its own. */
    skipToken?: boolean;
  }

  function decide(opts: Decide) {
    writeFileSync(join(dir, "healthy"), opts.healthy.map((h) => `${h}\n`).join(""));
    writeFileSync(join(dir, "members"), opts.members);
    if (opts.wal) {
      mkdirSync(join(dir, "data/member/wal"), { recursive: true });
      writeFileSync(join(dir, "data/member/wal/0000000000000000-0000000000000000.wal"), "");
    }
    if (opts.founded !== undefined) setSsmValue(join(dir, "aws"), STATE.founded, opts.founded);
    if (opts.token !== undefined) setSsmValue(join(dir, "aws"), STATE.clusterToken, opts.token);
    if (opts.ssmDown) writeFileSync(join(dir, "aws", "ssm-down"), "");
    if (opts.healthyAfter !== undefined) writeFileSync(join(dir, "healthy-after"), String(opts.healthyAfter));
    if (opts.learnerBusy !== undefined) writeFileSync(join(dir, "learner-busy"), String(opts.learnerBusy));
    const script = [
      "set -euo pipefail",
      'log() { echo "LOG: $*" >&2; }',
      'die() { echo "DIE: $*" >&2; exit 1; }',
      `ETCD_PKI=/nonexistent; ETCD_DATA_DIR="${dir}/data"; ETCD_ENV_FILE="${dir}/etcd.env"; AWS_REGION=eu-west-1`,
      `ETCD_FOUNDED_PARAM="${STATE.founded}"; ETCD_TOKEN_PARAM="${STATE.clusterToken}"`,
      "ETCD_SSM_TRIES=2 ETCD_SSM_DELAY=0 ETCD_PEER_TIMEOUT=1s ETCD_PEER_TRIES=3 ETCD_PEER_DELAY=0 ETCD_JOIN_TRIES=3",
      ETCD_BOOT_HELPERS,
      opts.skipToken ? "" : "etcd_live_token",
      `etcd_decide_state etcd-2 https://10.0.64.10:2380 ${PEERS.join(" ")}`,
    ].join("\n");
    const r = spawnSync("bash", ["-c", script], {
      env: { ...process.env, PATH: `${join(dir, "bin")}:${process.env.PATH}`, STUB_DIR: dir, AWS_STANDIN_DIR: join(dir, "aws") },
      encoding: "utf8",
    });
    const env = readFileSync(join(dir, "etcd.env"), "utf8");
    const get = (k: string) =>
      env
        .split("\n")
        .filter((l) => l.startsWith(`${k}=`))
        .map((l) => l.slice(k.length + 1));
    const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8") : "";
    return {
      status: r.status,
      stderr: r.stderr,
      state: get("ETCD_INITIAL_CLUSTER_STATE"),
      cluster: get("ETCD_INITIAL_CLUSTER"),
      token: get("ETCD_INITIAL_CLUSTER_TOKEN"),
      calls,
      aws: awsCalls(join(dir, "aws")),
      members: readFileSync(join(dir, "members"), "utf8"),
    };
  }

  const ORIGINAL = "etcd-0=https://10.0.0.10:2380,etcd-1=https://10.0.32.10:2380,etcd-2=https://10.0.64.10:2380";

  test("1. a WAL on the volume: existing, no cluster calls", () => {
    const r = decide({ healthy: PEERS, members: OTHERS, wal: true });
    expect(r.status).toBe(0);
    expect(r.state).toEqual(["existing"]);
    expect(r.cluster).toEqual([ORIGINAL]);
    expect(r.calls).toBe("");
  });

  test("2a. no healthy peer and no founded marker: a new cluster", () => {
    const r = decide({ healthy: [], members: "" });
    expect(r.status).toBe(0);
    expect(r.state).toEqual(["new"]);
    expect(r.cluster).toEqual([ORIGINAL]);
    expect(r.calls).not.toContain("member");
    expect(r.aws).toContain(`aws ssm get-parameter --region eu-west-1 --name ${STATE.founded} --query Parameter.Value --output text`);
  });

  test("2b. no healthy peer but the cluster was founded: fails closed with the runbook, founds nothing", () => {
    const r = decide({ healthy: [], members: "", founded: "cluster 42 answered through https://10.0.0.10:2379" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`LOG: ${STATE.founded}: cluster 42 answered through https://10.0.0.10:2379`);
    expect(r.stderr).toMatch(/DIE: refusing to found a new etcd cluster: this member's data volume is empty, no other member answers/);
    expect(r.stderr).toContain("'etcd: backups and restore runbook', 'Restoring after losing quorum'");
    expect(r.stderr).toContain(`delete ${STATE.founded} first`);
    // It waited for a peer (ETCD_PEER_TRIES rounds over both), then gave up; the env is as rendered.
    expect(r.calls.match(/endpoint health/g)).toHaveLength(2 + 3 * 2);
    expect(r.state).toEqual(["new"]);
    expect(r.calls).not.toContain("member");
  });

  test("2c. a founded marker SSM cannot read counts as founded: fails closed", () => {
    const r = decide({ healthy: [], members: "", ssmDown: true, skipToken: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("ThrottlingException");
    expect(r.stderr).toContain(`cannot read ${STATE.founded}: assuming the cluster was founded`);
    expect(r.stderr).toContain("DIE: refusing to found a new etcd cluster");
  });

  test("2d. founded, and a peer comes back while it waits: it joins instead", () => {
    const r = decide({ healthy: [], members: OTHERS, founded: "cluster 42", healthyAfter: 5 });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("no healthy peer yet (1/3)");
    expect(r.state).toEqual(["existing"]);
    expect(r.calls).toContain("member add etcd-2 --peer-urls=https://10.0.64.10:2380 --learner");
  });

  test("the live cluster token: SSM's after a restore, the rendered one before", () => {
    expect(decide({ healthy: [], members: "", token: "prod-etcd-20261205101500-a1b2c3" }).token).toEqual([
      "prod-etcd-20261205101500-a1b2c3",
    ]);
  });

  test("the rendered token stands while no restore wrote one", () => {
    const r = decide({ healthy: [], members: "" });
    expect(r.token).toEqual(["prod-etcd"]);
    expect(r.aws[0]).toBe(`aws ssm get-parameter --region eu-west-1 --name ${STATE.clusterToken} --query Parameter.Value --output text`);
  });

  test("a token SSM cannot be read stops the boot", () => {
    const r = decide({ healthy: [], members: "", ssmDown: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`DIE: cannot read the cluster token ${STATE.clusterToken} from SSM`);
  });

  test("so does a value that is no token", () => {
    const bad = decide({ healthy: [], members: "", token: "x y" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("holds 'x y', not a cluster token");
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
    expect(r.calls).toMatch(/member add etcd-2 --peer-urls=https:\/\/10\.0\.64\.10:2380 --learner/);
    expect(r.calls.indexOf("member remove")).toBeLessThan(r.calls.indexOf("member add"));
    expect(r.members).toContain("aaaa, unstarted, , https://10.0.64.10:2380, , true");
    expect(r.calls).toContain("--cert=/nonexistent/backup.crt");
    expect(r.state).toEqual(["existing"]);
    expect(r.cluster).toEqual([ORIGINAL]);
  });

  test("3d. no entry at all: add, existing", () => {
    const r = decide({ healthy: PEERS, members: OTHERS });
    expect(r.status).toBe(0);
    expect(r.calls).not.toContain("member remove");
    expect(r.calls).toContain("member add etcd-2 --peer-urls=https://10.0.64.10:2380 --learner");
    expect(r.state).toEqual(["existing"]);
    expect(r.cluster).toEqual([ORIGINAL]);
  });

  test("a learner add refused while another learner catches up is retried", () => {
    const r = decide({ healthy: PEERS, members: OTHERS, learnerBusy: 2 });
    expect(r.status).toBe(0);
    expect(r.calls.match(/member add etcd-2/g)).toHaveLength(3);
    expect(r.members.match(/10\.0\.64\.10:2380/g)).toHaveLength(1);
    expect(r.state).toEqual(["existing"]);
  });

  test("a learner add refused for good fails the boot", () => {
    const r = decide({ healthy: PEERS, members: OTHERS, learnerBusy: 10 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("DIE: cannot add etcd-2 as a learner through https://10.0.0.10:2379");
  });
});
