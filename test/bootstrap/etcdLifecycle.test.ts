/**
 * What keeps a member sound after it started (bootstrap/etcdLifecycle.ts): the renderers, and the
 * rendered etcd-lifecycle.sh run against a stub etcdctl and the stand-in aws CLI.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ETCD_DEFRAG_TIMER,
  ETCD_LIFECYCLE_SCRIPT_PATH,
  ETCD_SETTLE_UNIT,
  SSM_ADVANCED_VALUE_LIMIT,
  etcdCorruptCheckEnv,
  etcdDefragMinute,
  etcdMemberFiles,
  etcdSharedFileParameters,
  etcdStateParameters,
  renderEtcdBootStep,
  renderEtcdDefragService,
  renderEtcdDefragTimer,
  renderEtcdEnv,
  renderEtcdLifecycleScript,
  renderEtcdSettleService,
} from "../../bootstrap/etcd";
import { awsCalls, installStandInAws, setSsmValue, ssmValue } from "../helpers/standInAws";
import { describeWithTool } from "../helpers/tools";
import { MEMBERS, memberOptions, memberSpec, shellcheck } from "./etcdFixtures";

const STATE = etcdStateParameters("prod", "0a1b2c3d4e5f");
const CLIENT_URLS = MEMBERS.map((m) => `https://${m.ip}:2379`);
const DEFRAG = { enabled: true, hourUtc: 3, staggerMinutes: 20, minFreePercent: 20 };
const script = () => renderEtcdLifecycleScript({ region: "eu-west-1", clientUrls: CLIENT_URLS, state: STATE, defrag: DEFRAG });

describe("renderers", () => {
  test("the state parameters live under etcd's own path, per incarnation", () => {
    expect(STATE).toEqual({
      founded: "/kubestead/prod/etcd/state/0a1b2c3d4e5f/founded",
      clusterToken: "/kubestead/prod/etcd/state/0a1b2c3d4e5f/cluster-token",
    });
    expect(() => etcdStateParameters("prod", "../x")).toThrow(/incarnation must be 6–32 lowercase letters and digits/);
  });

  test.each([
    ["3.6.14", [["ETCD_FEATURE_GATES", "InitialCorruptCheck=true,CompactHashCheck=true"]]],
    [
      "3.5.27",
      [
        ["ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", "true"],
        ["ETCD_EXPERIMENTAL_COMPACT_HASH_CHECK_ENABLED", "true"],
      ],
    ],
    ["3.4.23", [["ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK", "true"]]],
  ])("corruption checks of etcd %s", (version, env) => {
    expect(etcdCorruptCheckEnv(version)).toEqual(env);
    const rendered = renderEtcdEnv(memberSpec(0), { version });
    for (const [k, v] of env) expect(rendered).toContain(`\n${k}=${v}\n`);
  });

  test("no version, no corruption flags (the env of a member whose release is not known)", () => {
    expect(renderEtcdEnv(memberSpec(0))).not.toMatch(/CORRUPT|FEATURE_GATES/);
    expect(() => etcdCorruptCheckEnv("v3.6")).toThrow(/like 3.6.14/);
  });

  test.each([
    [0, DEFRAG, "*-*-* 03:00:00 UTC"],
    [1, DEFRAG, "*-*-* 03:20:00 UTC"],
    [2, DEFRAG, "*-*-* 03:40:00 UTC"],
    [2, { hourUtc: 23, staggerMinutes: 40 }, "*-*-* 00:20:00 UTC"],
  ])("member %i defragments at its own time: %j", (index, d, calendar) => {
    const timer = renderEtcdDefragTimer(index, d);
    expect(timer.split("\n")).toEqual(
      expect.arrayContaining([`OnCalendar=${calendar}`, "Unit=etcd-defrag.service", "WantedBy=timers.target"]),
    );
  });

  test("members never share a defrag minute", () => {
    const minutes = [0, 1, 2, 3, 4].map((i) => etcdDefragMinute(i, DEFRAG));
    expect(new Set(minutes).size).toBe(5);
  });

  test("units: settle after etcd on every boot, restarted on failure; defrag a oneshot", () => {
    const settle = renderEtcdSettleService();
    expect(settle.split("\n")).toEqual(
      expect.arrayContaining([
        "After=etcd.service",
        "After=network-online.target",
        `ExecStart=${ETCD_LIFECYCLE_SCRIPT_PATH} settle`,
        "Restart=on-failure",
        "WantedBy=multi-user.target",
      ]),
    );
    expect(renderEtcdDefragService().split("\n")).toEqual(
      expect.arrayContaining(["Type=oneshot", `ExecStart=${ETCD_LIFECYCLE_SCRIPT_PATH} defrag`]),
    );
  });

  test("the script refuses what it cannot use", () => {
    expect(() => renderEtcdLifecycleScript({ region: "eu", clientUrls: [], defrag: { minFreePercent: 101 } })).toThrow(
      /region must be an AWS region.*clientUrls must be the members' client URLs.*minFreePercent must be 0–90/,
    );
  });

  test("the boot step reads the live token, decides, then starts settle and the defrag timer", () => {
    const step = renderEtcdBootStep(memberSpec(1), memberOptions({ state: STATE, defragTimer: true }));
    const order = [
      `readonly ETCD_FOUNDED_PARAM="${STATE.founded}"`,
      "etcd_live_token",
      'etcd_decide_state "etcd-1"',
      "systemctl start --no-block etcd.service",
      `systemctl enable ${ETCD_SETTLE_UNIT}`,
      `systemctl start --no-block ${ETCD_SETTLE_UNIT}`,
      `systemctl enable --now ${ETCD_DEFRAG_TIMER}`,
    ];
    const at = order.map((l) => step.indexOf(l));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(renderEtcdBootStep(memberSpec(1), memberOptions())).not.toContain(`systemctl enable ${ETCD_SETTLE_UNIT}`);
  });

  test("a member with state and defrag: units and timer in user data, shared scripts from SSM", () => {
    const opts = memberOptions({ state: STATE, defrag: DEFRAG, sharedFilesPrefix: "/kubestead/prod/etcd/files/" });
    const { files, secrets } = etcdMemberFiles(memberSpec(2), opts);
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/etc/systemd/system/etcd-settle.service",
        "/etc/systemd/system/etcd-defrag.service",
        "/etc/systemd/system/etcd-defrag.timer",
      ]),
    );
    expect(files.find((f) => f.path.endsWith("etcd-defrag.timer"))!.content).toContain("OnCalendar=*-*-* 03:40:00 UTC");
    for (const p of ["/opt/kubestead/bin/etcd-backup.sh", "/opt/kubestead/bin/etcd-restore.sh", ETCD_LIFECYCLE_SCRIPT_PATH]) {
      expect(paths).not.toContain(p);
      expect(secrets).toContainEqual({ path: p, parameter: `/kubestead/prod/etcd/files/${p.slice(p.lastIndexOf("/") + 1)}`, mode: "0755" });
    }
    // The same text for every member: one parameter serves the cluster.
    const shared = (i: number) => etcdSharedFileParameters(memberSpec(i), { ...opts, sharedFilesPrefix: "/kubestead/prod/etcd/files/" });
    expect(shared(0)).toEqual(shared(2));
    for (const f of shared(0)) expect(Buffer.byteLength(f.content)).toBeLessThanOrEqual(SSM_ADVANCED_VALUE_LIMIT);
    expect(files.find((f) => f.path === "/etc/etcd/etcd.env")!.content).toContain("ETCD_EXPERIMENTAL_INITIAL_CORRUPT_CHECK=true");
  });

  test("without a prefix the shared scripts travel in user data; defrag off leaves no timer", () => {
    const { files } = etcdMemberFiles(memberSpec(0), memberOptions({ state: STATE, defrag: { ...DEFRAG, enabled: false } }));
    const paths = files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining([ETCD_LIFECYCLE_SCRIPT_PATH, "/opt/kubestead/bin/etcd-restore.sh"]));
    expect(paths.filter((p) => p.includes("defrag"))).toEqual([]);
    expect(() => etcdSharedFileParameters(memberSpec(0), { ...memberOptions(), sharedFilesPrefix: "no-slash" })).toThrow(
      /SSM path ending in \//,
    );
  });
});

describeWithTool(["shellcheck"], "etcd-lifecycle.sh under shellcheck", () => {
  test("has no findings, with and without a founded marker", () => {
    expect(shellcheck(script())).toBe("");
    expect(shellcheck(renderEtcdLifecycleScript({ region: "eu-west-1", clientUrls: CLIENT_URLS, defrag: DEFRAG }))).toBe("");
  });
});

describe("etcd-lifecycle.sh, run with a stub etcdctl and a stand-in aws", () => {
  let dir: string;
  const aws = () => join(dir, "aws");

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "kubestead-lifecycle-"));
    installStandInAws(join(dir, "bin"), aws());
    // Healthy endpoints in $dir/healthy; members in $dir/members; a promote succeeds from the Nth
    // attempt on ($dir/promote-after, default 1) and turns the learner into a voter.
    const etcdctl = [
      'echo "etcdctl $*" >>"$STUB_DIR/calls"',
      'endpoint=""; for a in "$@"; do case "$a" in --endpoints=*) endpoint=${a#--endpoints=} ;; esac; done',
      'args=(); for a in "$@"; do case "$a" in --*) ;; *) args+=("$a") ;; esac; done',
      'case "${args[0]} ${args[1]}" in',
      '  "endpoint health") grep -qxF "$endpoint" "$STUB_DIR/healthy" ;;',
      '  "member list") cat "$STUB_DIR/members" ;;',
      '  "member promote")',
      '    n=$(($(cat "$STUB_DIR/promotes" 2>/dev/null || echo 0) + 1)); echo "$n" >"$STUB_DIR/promotes"',
      '    if [ "$n" -lt "$(cat "$STUB_DIR/promote-after" 2>/dev/null || echo 1)" ]; then',
      '      echo "Error: etcdserver: can only promote a learner member which is in sync with leader" >&2; exit 1',
      "    fi",
      '    sed -i "s/^${args[2]}, \\(.*\\), true$/${args[2]}, \\1, false/" "$STUB_DIR/members" ;;',
      '  "endpoint status")',
      '    case "$*" in',
      "      *fields*) echo '\"ClusterID\" : 4242' ;;",
      '      *) printf \'[{"Endpoint":"%s","Status":{"dbSize":%s,"dbSizeInUse":%s}}]\\n\' "$endpoint" "$(cat "$STUB_DIR/db-size")" "$(cat "$STUB_DIR/db-in-use")" ;;',
      "    esac ;;",
      "esac",
    ].join("\n");
    writeFileSync(join(dir, "bin", "etcdctl"), `#!/usr/bin/env bash\n${etcdctl}\n`);
    chmodSync(join(dir, "bin", "etcdctl"), 0o755);
    writeFileSync(join(dir, "etcd.env"), renderEtcdEnv(memberSpec(1)));
    writeFileSync(join(dir, "lifecycle.sh"), script());
    writeFileSync(join(dir, "db-size"), "1000000");
    writeFileSync(join(dir, "db-in-use"), "400000");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const VOTERS = `1111, started, etcd-0, https://10.0.0.10:2380, https://10.0.0.10:2379, false
2222, started, etcd-1, https://10.0.32.10:2380, https://10.0.32.10:2379, false
3333, started, etcd-2, https://10.0.64.10:2380, https://10.0.64.10:2379, false
`;
  const LEARNER = VOTERS.replace(
    "etcd-1, https://10.0.32.10:2380, https://10.0.32.10:2379, false",
    "etcd-1, https://10.0.32.10:2380, https://10.0.32.10:2379, true",
  );

  function run(cmd: "settle" | "defrag", o: { healthy: string[]; members?: string; promoteAfter?: number; ssmDown?: boolean }) {
    writeFileSync(join(dir, "healthy"), o.healthy.map((h) => `${h}\n`).join(""));
    writeFileSync(join(dir, "members"), o.members ?? VOTERS);
    if (o.promoteAfter !== undefined) writeFileSync(join(dir, "promote-after"), String(o.promoteAfter));
    if (o.ssmDown) writeFileSync(join(dir, "aws", "ssm-down"), "");
    const r = spawnSync("bash", [join(dir, "lifecycle.sh"), cmd], {
      env: {
        ...process.env,
        PATH: `${join(dir, "bin")}:${process.env.PATH}`,
        STUB_DIR: dir,
        AWS_STANDIN_DIR: aws(),
        ETCD_ENV_FILE: join(dir, "etcd.env"),
        ETCD_PKI: "/nonexistent",
        ETCD_LIFECYCLE_TRIES: "4",
        ETCD_LIFECYCLE_DELAY: "0",
      },
      encoding: "utf8",
    });
    const calls = existsSync(join(dir, "calls")) ? readFileSync(join(dir, "calls"), "utf8") : "";
    return { status: r.status, stderr: r.stderr, calls, members: readFileSync(join(dir, "members"), "utf8") };
  }

  test("settle: once a member answers, it records the founded marker with the cluster ID, and never rewrites it", () => {
    const r = run("settle", { healthy: [CLIENT_URLS[2]] });
    expect(r.status).toBe(0);
    expect(ssmValue(aws(), STATE.founded)).toMatch(
      /^cluster 4242 answered through https:\/\/10\.0\.64\.10:2379; recorded by etcd-1 at \d{4}-/,
    );
    expect(r.stderr).toContain(`recorded that cluster 4242 was founded: ${STATE.founded}`);
    expect(r.stderr).toContain("etcd-1 (2222) is a voting member");
    const first = ssmValue(aws(), STATE.founded);
    const again = run("settle", { healthy: CLIENT_URLS });
    expect(again.status).toBe(0);
    expect(ssmValue(aws(), STATE.founded)).toBe(first);
    const puts = awsCalls(aws()).filter((c) => c.startsWith("aws ssm put-parameter"));
    expect(puts).toHaveLength(2);
    for (const p of puts) expect(p).not.toContain("--overwrite");
  });

  test("settle: no member answers (no quorum yet), no marker; the unit tries again", () => {
    const r = run("settle", { healthy: [] });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no member answered a health check after 4 tries");
    expect(ssmValue(aws(), STATE.founded)).toBeUndefined();
  });

  test("settle: SSM refusing the marker fails the run (the unit retries)", () => {
    const r = run("settle", { healthy: CLIENT_URLS, ssmDown: true });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`cannot record ${STATE.founded}`);
    expect(r.calls).not.toContain("member promote");
  });

  test("settle: a learner is promoted as soon as etcd accepts (refused while it catches up)", () => {
    const r = run("settle", { healthy: [CLIENT_URLS[0], CLIENT_URLS[2]], members: LEARNER, promoteAfter: 3 });
    expect(r.status).toBe(0);
    expect(r.calls.match(/member promote 2222/g)).toHaveLength(3);
    expect(r.stderr).toContain("promoted learner etcd-1 (2222) to a voting member");
    expect(r.members).toContain("2222, started, etcd-1, https://10.0.32.10:2380, https://10.0.32.10:2379, false");
    expect(ssmValue(aws(), STATE.founded)).toBeDefined();
  });

  test("settle: a learner etcd keeps refusing fails the run after its tries", () => {
    const r = run("settle", { healthy: [CLIENT_URLS[0]], members: LEARNER, promoteAfter: 99 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("learner etcd-1 (2222) not promoted after 4 tries");
  });

  test("settle: a member missing from the cluster's list is reported, not promoted", () => {
    setSsmValue(aws(), STATE.founded, "cluster 1");
    const r = run("settle", {
      healthy: CLIENT_URLS,
      members: VOTERS.split("\n")
        .filter((l) => !l.includes("etcd-1"))
        .join("\n"),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("https://10.0.32.10:2380 is not a member of the cluster");
  });

  test("defrag: every member healthy and 60% free: this member, and only it", () => {
    const r = run("defrag", { healthy: CLIENT_URLS });
    expect(r.status).toBe(0);
    const defrags = r.calls.split("\n").filter((l) => / defrag( |$)/.test(l));
    expect(defrags).toHaveLength(1);
    expect(defrags[0]).toContain("--endpoints=https://10.0.32.10:2379 ");
    expect(defrags[0]).toContain("--command-timeout=10m");
    expect(r.stderr).toContain("defragmenting https://10.0.32.10:2379: 60% of 1000000 bytes free");
  });

  test("defrag: any member unhealthy, nothing happens", () => {
    const r = run("defrag", { healthy: [CLIENT_URLS[1], CLIENT_URLS[2]] });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("https://10.0.0.10:2379 is not healthy: no defragmentation while any member is down");
    expect(r.calls).not.toMatch(/ defrag/);
  });

  test("defrag: too little free space to be worth the pause", () => {
    writeFileSync(join(dir, "db-in-use"), "900000");
    const r = run("defrag", { healthy: CLIENT_URLS });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("10% of 1000000 bytes free, below 20%: nothing to defragment");
    expect(r.calls).not.toMatch(/ defrag/);
  });

  test("an unknown command is a usage error", () => {
    const r = spawnSync("bash", [join(dir, "lifecycle.sh"), "compact"], {
      encoding: "utf8",
      env: { ...process.env, ETCD_ENV_FILE: join(dir, "etcd.env") },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("usage:");
  });
});
