/**
 * Real tools from Debian (etcd, containerd, cloud-init, shellcheck). A test that needs one calls
 * `describeWithTool`: without the tool it skips with a message when CI is unset, and fails under
 * CI=true, where `.ci/run` must have installed it.
 */
import { spawnSync } from "node:child_process";

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
