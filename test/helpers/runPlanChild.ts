/**
 * Plans a stack under the offline runtime in a process of its own, with the run options in SPEC
 * (the SDK's state is per process, and a test runner takes a program's unhandled rejections for
 * itself):
 *   node --import tsx test/helpers/runPlanChild.ts SPEC.json
 * SPEC holds RunOptions without `root`. Prints "planned N" and one line per S3 bucket name, or,
 * on failure, the error's message and exits 2.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { runProgram } from "../../tools/offline/runtime";

const ROOT = path.resolve(__dirname, "../..");
const spec = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));

runProgram({ ...spec, root: ROOT }).then(
  ({ plan }) => {
    const buckets = plan.resources
      .filter((r) => r.type === "aws:s3/bucket:Bucket")
      .map((r) => `bucket ${String(r.inputs.bucket ?? r.name)}`);
    process.stdout.write([`planned ${plan.resources.length}`, ...buckets].join("\n") + "\n");
  },
  (e: Error) => {
    process.stdout.write(`${e.message}\n`);
    process.exit(2);
  },
);
