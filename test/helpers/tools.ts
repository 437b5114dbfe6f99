/**
 * Real tools from Debian (etcd, containerd, cloud-init, shellcheck). A test that needs one calls
 * `describeWithTool`: without the tool it skips with a message when CI is unset, and fails under
 * CI=true, where `.ci/run` must have installed it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export function hasTool(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

export function missingTools(names: string[]): string[] {
  return names.filter((n) => !hasTool(n));
}

export function describeWithTool(tools: string[], title: string, body: () => void): void {
  const missing = missingTools(tools);
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  if (process.env.CI === "true") {
    describe(title, () => {
      test(`requires ${missing.join(", ")}`, () => {
        throw new Error(
          `${missing.join(", ")} not found on PATH; .ci/run installs it (apt-get install ...). Under CI=true a missing tool is a failure.`,
        );
      });
    });
    return;
  }
  describe(title, () => {
    test.skip(`skipped: ${missing.join(", ")} not installed (apt-get install it to run these tests)`, () => undefined);
  });
  console.warn(`[skip] ${title}: ${missing.join(", ")} not installed; set CI=true to make this a failure`);
}

/**
 * Why this machine cannot give an unprivileged process a user namespace (`unshare -r`), when a
 * setting says so; undefined when nothing known forbids it. A test that needs one may skip for a
 * reason named here even under CI=true; for any other refusal it fails there like a missing tool.
 * `read` returns a /proc file's content, or undefined when the file does not exist.
 */
export function userNamespaceBlocker(
  uid = process.getuid?.() ?? 0,
  read: (path: string) => string | undefined = readProc,
): string | undefined {
  const setting = (path: string) => {
    const v = read(path)?.trim();
    return v === undefined || v === "" ? undefined : Number(v);
  };
  if (setting("/proc/sys/user/max_user_namespaces") === 0) return "user namespaces are disabled (user.max_user_namespaces = 0)";
  if (uid !== 0 && setting("/proc/sys/kernel/unprivileged_userns_clone") === 0) {
    return "unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone = 0)";
  }
  if (uid !== 0 && setting("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === 1) {
    return "AppArmor restricts unprivileged user namespaces (kernel.apparmor_restrict_unprivileged_userns = 1)";
  }
  // Docker's and Podman's default seccomp profiles refuse unshare(CLONE_NEWUSER) to a container.
  if (/^Seccomp:\s*2\s*$/m.test(read("/proc/self/status") ?? ""))
    return "a seccomp filter confines this process (a container's default profile refuses unshare)";
  return undefined;
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}
