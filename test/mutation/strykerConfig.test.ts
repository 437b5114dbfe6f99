/**
 * Stryker's TypeScript checker refuses a mutant in a file outside its project
 * (tsconfig.mutate.json), and the refusal ends the whole run, not the one mutant: every file the
 * mutation run mutates must be in that project.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");

function mutatePatterns(): string[] {
  const script = 'import("./stryker.config.mjs").then((m) => process.stdout.write(JSON.stringify(m.default.mutate)))';
  const run = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
  expect(run.stderr).toBe("");
  return JSON.parse(run.stdout) as string[];
}

function checkerProject(): Set<string> {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    path.join(ROOT, "tsconfig.mutate.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      },
    },
  );
  return new Set((parsed?.fileNames ?? []).map((f) => path.relative(ROOT, f)));
}

test("every file the mutation run mutates is in the checker's project (tsconfig.mutate.json)", () => {
  const mutated = ts.sys
    .readDirectory(ROOT, [".ts"], ["node_modules"], mutatePatterns())
    .map((f) => path.relative(ROOT, f))
    .sort();
  expect(mutated.length).toBeGreaterThan(50);
  expect(mutated).toContain("lib/iamNames.ts");
  const project = checkerProject();
  expect(mutated.filter((f) => !project.has(f))).toEqual([]);
});
