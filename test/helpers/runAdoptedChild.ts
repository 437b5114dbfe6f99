/**
 * Plans a stack file with given network facts under the offline runtime in a process of its own
 * (the SDK's state is per process, and a test runner takes unhandled rejections for itself):
 *   node --import tsx test/helpers/runAdoptedChild.ts SPEC.json
 * SPEC holds { stack, stackFile, networkFacts, offerings? }. Prints "planned N" or, on failure, the error's
 * message and exits 2.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram } from "../../tools/offline/runtime";

const ROOT = path.resolve(__dirname, "../..");
const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

runProgram({ stack: spec.stack, root: ROOT, stackFile: spec.stackFile, networkFacts: spec.networkFacts, offerings: spec.offerings }).then(
  ({ plan }) => process.stdout.write(`planned ${plan.resources.length}\n`),
  (e: Error) => {
    process.stdout.write(`${e.message}\n`);
    process.exit(2);
  },
);
