/**
 * Runs one program under the offline runtime in this process (the SDK's state is per process):
 *   node --import tsx test/helpers/runProgramChild.ts PROGRAM
 * Prints "settled N" with the number of recorded resources when the program finishes.
 */
import * as path from "node:path";
import { runProgram } from "../../tools/offline/runtime";

const ROOT = path.resolve(__dirname, "../..");

runProgram({
  stack: "test",
  root: ROOT,
  program: path.resolve(process.argv[2]),
  stackFile: { path: "(test)", config: { "aws:region": "us-east-1" }, secretKeys: [] },
}).then(({ plan }) => process.stdout.write(`settled ${plan.resources.length}\n`));
