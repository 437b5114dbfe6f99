/**
 * npm run bench -- [--stack prod] [--runs 3] [--no-scaling] [--json FILE]
 *
 * How long the offline plan takes against its floor: the same number of bare resources through the
 * same mock runtime. Every measurement runs in its own process (tools/bench/child.ts). Then the
 * plan's time as worker pools and etcd members grow, from scratch copies of the stack file.
 * A benchmark, not a test: exit 0 unless a measurement fails (1) or the usage is wrong (2).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseArgs, UsageError } from "./args";
import { BenchResult, formatReport, INCLUDED, ScalePoint, TARGET_RATIO } from "./bench/report";
import { ScaleCase, scratchStack, StackDoc } from "./bench/scratch";
import { ChildFailed, runChild } from "./bench/spawn";
import { Sample, summarise } from "./bench/stats";

const ROOT = path.resolve(__dirname, "..");
const SCALE_CASES: ScaleCase[] = [1, 5, 20].flatMap((pools) => [3, 5].map((members) => ({ pools, members })));

const USAGE = `usage: npm run bench -- [--stack NAME] [--runs N] [--no-scaling] [--json FILE]
  --stack NAME      stack to measure (default: prod); scaling copies its stack file
  --runs N          processes per measurement (plan, floor, each scaling point); medians are reported (default: 3)
  --no-scaling      skip the scaling table
  --json FILE       also write the numbers as JSON`;

function count(v: string, key: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${key} must be a positive integer (got ${JSON.stringify(v)})`);
  return n;
}

const progress = (s: string) => process.stderr.write(`${s}\n`);

async function repeat(times: number, label: string, args: string[]): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let i = 0; i < times; i++) {
    const s = await runChild(args);
    progress(`  ${label} run ${i + 1}/${times}: ${Math.round(s.ms)} ms, ${s.resources} resources`);
    out.push(s);
  }
  return out;
}

async function scaling(stack: string, runs: number): Promise<ScalePoint[]> {
  const base = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as StackDoc;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-bench-"));
  try {
    const points: ScalePoint[] = [];
    for (const c of SCALE_CASES) {
      // One directory per case: the child derives the stack name from Pulumi.<stack>.yaml.
      const file = path.join(dir, `${c.pools}-pools-${c.members}-members`, `Pulumi.${stack}.yaml`);
      fs.mkdirSync(path.dirname(file));
      fs.writeFileSync(file, stringify(scratchStack(base, c)));
      const s = summarise(await repeat(runs, `${c.pools} pools, ${c.members} members`, ["plan", "--stack-file", file]));
      points.push({ ...c, resources: s.resources, resourceCounts: s.resourceCounts, ms: s.ms, cpuMs: s.cpuMs });
    }
    return points;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), { stack: "prod", runs: "3" }, ["stack", "runs", "json"], ["no-scaling", "help"]);
    count(args.values.runs, "runs");
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`${e.message}\n${USAGE}\n`);
    return 2;
  }
  if (args.flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stack = args.values.stack;
  const runs = Number(args.values.runs);

  try {
    // The plan first, once, to learn N; then plan and floor alternate so drift on a shared machine
    // (other jobs, thermal) falls on both sides alike.
    progress(`measuring the ${stack} plan and its floor (${runs} run(s) each)…`);
    // The first plan also writes its data's shape (no values) for the shaped reference floor.
    const shapeDir = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-bench-shape-"));
    const shape = path.join(shapeDir, "shape.json");
    const planRuns: Sample[] = [];
    const floorRuns: Sample[] = [];
    const providerFloorRuns: Sample[] = [];
    const shapedFloorRuns: Sample[] = [];
    try {
      planRuns.push(...(await repeat(1, "plan", ["plan", "--stack", stack, "--shape", shape])));
      const n = String(planRuns[0].resources);
      for (let i = 0; i < runs; i++) {
        floorRuns.push(...(await repeat(1, "floor", ["floor", "--resources", n])));
        providerFloorRuns.push(...(await repeat(1, "floor with providers", ["floor", "--resources", n, "--with-providers"])));
        shapedFloorRuns.push(...(await repeat(1, "floor with the plan's data", ["floor", "--resources", n, "--shape", shape])));
        if (i + 1 < runs) planRuns.push(...(await repeat(1, "plan", ["plan", "--stack", stack])));
      }
    } finally {
      fs.rmSync(shapeDir, { recursive: true, force: true });
    }
    const plan = summarise(planRuns);
    const floor = summarise(floorRuns);
    const floorWithProviders = summarise(providerFloorRuns);
    const floorWithData = summarise(shapedFloorRuns);
    const result: BenchResult = {
      stack,
      runs,
      targetRatio: TARGET_RATIO,
      included: INCLUDED,
      plan,
      floor,
      ratio: plan.ms / floor.ms,
      cpuRatio: plan.cpuMs / floor.cpuMs,
      floorWithProviders,
      floorWithData,
      scaling: args.flags["no-scaling"] ? [] : (progress("scaling…"), await scaling(stack, runs)),
    };
    process.stdout.write(`\n${formatReport(result)}`);
    if (args.values.json) {
      const file = path.resolve(args.values.json);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
      process.stdout.write(`\nnumbers: ${path.relative(process.cwd(), file)}\n`);
    }
    return 0;
  } catch (e) {
    if (!(e instanceof ChildFailed)) throw e;
    process.stderr.write(`✗ ${e.message}\n${e.stderr}\n`);
    return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
