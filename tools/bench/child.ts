/**
 * One benchmark measurement in a fresh process (the SDK's runtime state and the module caches are
 * per process, so every measurement gets its own). Prints one JSON line, a `Sample`, on stdout.
 *
 *   tsx tools/bench/child.ts plan --stack prod
 *   tsx tools/bench/child.ts plan --stack-file /tmp/x/Pulumi.prod.yaml
 *   tsx tools/bench/child.ts plan --stack prod --shape /tmp/x/shape.json   (also writes the plan's shape)
 *   tsx tools/bench/child.ts floor --resources 194 [--with-providers] [--shape /tmp/x/shape.json]
 *
 * Timed: from just before runProgram (which loads @pulumi/pulumi, sets the mocks and loads the
 * program with its provider SDKs) to the plan being complete. Not timed: node and tsx start-up,
 * loading tools/offline itself, which both sides pay alike, and reading the stack's config, which
 * the floor is handed ready-made.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "../args";
import { runProgram, RunOptions } from "../offline/runtime";
import { stackConfig } from "../offline/stackFile";
import { providerModules } from "./providerModules";
import { shapeOf } from "./shape";
import type { Sample } from "./stats";

const ROOT = path.resolve(__dirname, "../..");

function optionsFor(argv: string[]): { opts: RunOptions; shapeOut?: string } {
  const [kind, ...rest] = argv;
  const args = parseArgs(rest, {}, ["stack", "stack-file", "resources", "shape"], ["with-providers"]);
  if (kind === "floor") {
    const n = Number(args.values.resources);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--resources must be a positive integer (got ${args.values.resources})`);
    return {
      opts: {
        stack: "bench",
        root: ROOT,
        program: path.join(__dirname, "floorProgram.ts"),
        stackFile: {
          path: "(floor)",
          config: {
            "aws:region": "us-east-1",
            "bench:resources": String(n),
            // The module list is read from the program's source here, before the clock starts.
            "bench:providers": JSON.stringify(args.flags["with-providers"] ? providerModules() : []),
            ...(args.values.shape ? { "bench:shape": path.resolve(args.values.shape) } : {}),
          },
          secretKeys: [],
        },
      },
    };
  }
  if (kind === "plan") {
    const file = args.values["stack-file"];
    if (file) {
      // A scratch stack file: Pulumi.<stack>.yaml anywhere; the stack name comes from the file name.
      const stack = /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file))?.[1];
      if (!stack) throw new Error(`--stack-file must be named Pulumi.<stack>.yaml (got ${file})`);
      return { opts: { stack, root: ROOT, stackFile: stackConfig(path.dirname(path.resolve(file)), stack) }, shapeOut: args.values.shape };
    }
    // Read before the clock starts, as the floor's config is: the timed part is the program.
    const stack = args.values.stack ?? "prod";
    return { opts: { stack, root: ROOT, stackFile: stackConfig(ROOT, stack) }, shapeOut: args.values.shape };
  }
  throw new Error(`first argument must be plan or floor (got ${JSON.stringify(kind)})`);
}

const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const { opts, shapeOut } = optionsFor(process.argv.slice(2));
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const { plan } = await runProgram(opts);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const sample: Sample = {
    ms: round(ms),
    cpuMs: round((cpu.user + cpu.system) / 1000),
    maxRssKiB: process.resourceUsage().maxRSS,
    resources: plan.resources.length,
  };
  if (shapeOut) fs.writeFileSync(shapeOut, JSON.stringify(shapeOf(plan.resources)), { mode: 0o600 });
  process.stdout.write(`${JSON.stringify(sample)}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
