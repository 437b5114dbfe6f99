import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { renderUnit } from "../../bootstrap/systemd";
import { renderEtcdBackupService, renderEtcdBackupTimer, renderEtcdService } from "../../bootstrap/etcd";
import { describeWithTool } from "../helpers/tools";

describe("renderUnit", () => {
  test("sections in systemd order, keys in caller order, arrays repeat the key", () => {
    const out = renderUnit({
      Install: { WantedBy: "multi-user.target" },
      Service: { ExecStartPre: ["/bin/a", "/bin/b"], ExecStart: "/bin/c" },
      Unit: { Description: "x", After: ["a.service", "b.service"] },
    });
    expect(out).toBe(
      "[Unit]\nDescription=x\nAfter=a.service\nAfter=b.service\n\n[Service]\nExecStartPre=/bin/a\nExecStartPre=/bin/b\nExecStart=/bin/c\n\n[Install]\nWantedBy=multi-user.target\n",
    );
  });

  test("an empty value renders as a reset (Key=)", () => {
    expect(renderUnit({ Service: { CapabilityBoundingSet: "" } })).toBe("[Service]\nCapabilityBoundingSet=\n");
  });

  test("is byte-stable", () => {
    const unit = { Unit: { Description: "d" }, Timer: { OnBootSec: "1min" } };
    expect(renderUnit(unit)).toBe(renderUnit(JSON.parse(JSON.stringify(unit))));
  });

  test.each([
    [{ Service: { ExecStart: "/bin/a\nExecStart=/bin/evil" } }, /single line/],
    [{ Service: { "Exec Start": "/bin/a" } }, /letters and digits/],
    [{}, /at least one section/],
  ])("refuses %j", (unit, message) => {
    expect(() => renderUnit(unit)).toThrow(message);
  });
});

// systemd-analyze checks that ExecStart exists, so verify under a scratch root holding the
// distro's units (for the targets) and stub executables.
describeWithTool(["systemd-analyze"], "etcd units pass systemd-analyze verify", () => {
  test("etcd.service, etcd-backup.service and etcd-backup.timer", () => {
    const root = mkdtempSync(join(tmpdir(), "kubestead-units-"));
    try {
      mkdirSync(join(root, "lib/systemd"), { recursive: true });
      cpSync("/lib/systemd/system", join(root, "lib/systemd/system"), { recursive: true });
      mkdirSync(join(root, "etc/systemd/system"), { recursive: true });
      for (const dir of ["usr/local/bin", "opt/kubestead/bin"]) mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, "usr/local/bin/etcd"), "#!/bin/sh\n", { mode: 0o755 });
      writeFileSync(join(root, "opt/kubestead/bin/etcd-backup.sh"), "#!/bin/sh\n", { mode: 0o755 });
      writeFileSync(join(root, "etc/systemd/system/etcd.service"), renderEtcdService({ version: "3.5.21" }));
      writeFileSync(join(root, "etc/systemd/system/etcd-backup.service"), renderEtcdBackupService());
      writeFileSync(join(root, "etc/systemd/system/etcd-backup.timer"), renderEtcdBackupTimer(60));
      const r = spawnSync("systemd-analyze", ["verify", `--root=${root}`, "etcd.service", "etcd-backup.service", "etcd-backup.timer"], {
        encoding: "utf8",
      });
      // Unknown keys and bad values are only warnings (exit 0), so stderr must be empty too.
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
