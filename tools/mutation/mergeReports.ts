/**
 * Stryker's incremental file holds one run. Two shared cores cannot mutate every folder in one
 * sitting, so folders are run one at a time (`--mutate`, each with its own incremental file) and
 * merged here into the one file `npm run mutate` reads (reports/stryker-incremental.json).
 *
 * Test ids are numbers local to a run: the same id names different tests in two runs, so each
 * run's ids get the run's index as a prefix before files and tests are put together. A source
 * file mutated in two runs keeps the later run's mutants.
 */

export interface TestDefinition {
  id: string;
  name: string;
  [key: string]: unknown;
}

export interface MutantResult {
  id: string;
  status: string;
  coveredBy?: string[];
  killedBy?: string[];
  [key: string]: unknown;
}

export interface MutationReport {
  schemaVersion: string;
  files: Record<string, { source: string; mutants: MutantResult[]; [key: string]: unknown }>;
  testFiles?: Record<string, { source?: string; tests: TestDefinition[]; [key: string]: unknown }>;
  [key: string]: unknown;
}

export function mergeReports(reports: MutationReport[]): MutationReport {
  if (reports.length === 0) throw new Error("nothing to merge: give at least one report");
  const files: MutationReport["files"] = {};
  const testFiles: NonNullable<MutationReport["testFiles"]> = {};
  reports.forEach((report, run) => {
    const id = (t: string) => `${run}-${t}`;
    for (const [name, file] of Object.entries(report.files)) {
      files[name] = {
        ...file,
        mutants: file.mutants.map((m) => ({
          ...m,
          ...(m.coveredBy ? { coveredBy: m.coveredBy.map(id) } : {}),
          ...(m.killedBy ? { killedBy: m.killedBy.map(id) } : {}),
        })),
      };
    }
    for (const [name, file] of Object.entries(report.testFiles ?? {})) {
      const tests = file.tests.map((t) => ({ ...t, id: id(t.id) }));
      const known = testFiles[name];
      testFiles[name] = known ? { ...known, tests: [...known.tests, ...tests] } : { ...file, tests };
    }
  });
  return { ...reports[reports.length - 1], files, testFiles };
}

export interface Tally {
  killed: number;
  survived: number;
  noCoverage: number;
  ignored: number;
  invalid: number;
  /** (killed + timed out) / (killed + timed out + survived + no coverage), in percent. */
  score: number;
}

const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);
const INVALID = new Set(["CompileError", "RuntimeError"]);

/** Stryker's mutation score, per top-level group of files (`group` maps a path to its group). */
export function tally(report: MutationReport, group: (file: string) => string): Map<string, Tally> {
  const out = new Map<string, Tally>();
  for (const [name, file] of Object.entries(report.files)) {
    const key = group(name);
    const t = out.get(key) ?? { killed: 0, survived: 0, noCoverage: 0, ignored: 0, invalid: 0, score: 0 };
    for (const m of file.mutants) {
      if (DETECTED.has(m.status)) t.killed++;
      else if (m.status === "Survived") t.survived++;
      else if (m.status === "NoCoverage") t.noCoverage++;
      else if (m.status === "Ignored") t.ignored++;
      else if (INVALID.has(m.status)) t.invalid++;
      else if (!UNDETECTED.has(m.status)) throw new Error(`${name}: mutant ${m.id} has an unknown status ${m.status}`);
    }
    const valid = t.killed + t.survived + t.noCoverage;
    t.score = valid === 0 ? 100 : (100 * t.killed) / valid;
    out.set(key, t);
  }
  return out;
}
