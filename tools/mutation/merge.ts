/**
 * npx tsx tools/mutation/merge.ts OUT.json RUN.json [RUN.json ...]
 *
 * Merges the incremental files of Stryker runs over different folders into OUT.json and prints
 * the mutation score of each mutated file and folder (tools/mutation/mergeReports.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { mergeReports, MutationReport, tally } from "./mergeReports";

function main(argv: string[]): number {
  const [out, ...runs] = argv;
  if (!out || runs.length === 0) {
    process.stderr.write("usage: npx tsx tools/mutation/merge.ts OUT.json RUN.json [RUN.json ...]\n");
    return 2;
  }
  const merged = mergeReports(runs.map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as MutationReport));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(merged));
  // Per file, then per folder (a top-level lib/ file is its own group in the mutated set).
  for (const group of [(f: string) => f, (f: string) => path.dirname(f)]) {
    for (const [name, t] of [...tally(merged, group).entries()].sort()) {
      const undetected = t.survived + t.noCoverage;
      process.stdout.write(
        `${name.padEnd(40)} ${t.score.toFixed(2).padStart(6)} %  killed ${t.killed}, undetected ${undetected}, ignored ${t.ignored}\n`,
      );
    }
    process.stdout.write("\n");
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
