/**
 * npm run plan -- --stack <name> [--json FILE] [--report FILE] [--preview] [--quiet]
 *
 * The offline plan: the real stack program under the mock runtime with Pulumi.<stack>.yaml, the
 * policy pack run in-process on the planned graph, a JSON plan and a Markdown PR report.
 * Exit codes: 0 clean, 1 a mandatory policy failed, 2 invalid config or usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { maskPlan } from "../lib/plan/mask";
import { parseArgs, UsageError } from "./args";
import { parseClusterConfig } from "../lib/config/parse";
import { analysePlan, policyConfigFor } from "./analyse";
import { runProgram } from "./offline/runtime";
import { rawStackConfig, stackConfig } from "./offline/stackFile";
import { isConfigError } from "./planErrors";

const ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- [--stack NAME] [--json FILE] [--report FILE] [--preview] [--quiet]
  --stack NAME    stack to plan, any NAME with a Pulumi.NAME.yaml (default: dev)
  --json FILE     where to write the JSON plan (default: .kubestead/plan/NAME/plan.json)
  --report FILE   where to write the Markdown report (default: .kubestead/plan/NAME/report.md)
  --preview       plan as a preview: outputs of new resources are unknown
  --quiet         print only the summary and problems`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), { stack: "dev" }, ["stack", "json", "report"], ["preview", "quiet", "help"]);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (args.flags.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const stack = args.values.stack;
  const outDir = path.join(ROOT, ".kubestead", "plan", stack);
  const jsonFile = path.resolve(args.values.json ?? path.join(outDir, "plan.json"));
  const reportFile = path.resolve(args.values.report ?? path.join(outDir, "report.md"));

  let result;
  try {
    result = await runProgram({ stack, root: ROOT, preview: Boolean(args.flags.preview) });
  } catch (e) {
    if (isConfigError(e)) {
      process.stderr.write(`✗ ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }

  const config = parseClusterConfig(rawStackConfig(stackConfig(ROOT, stack), stack));
  const policyConfig = policyConfigFor(ROOT, stack, config);
  const analysis = analysePlan(result.plan, config, policyConfig.config, { preview: Boolean(args.flags.preview) });
  const masked = maskPlan(result.plan);
  fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
  fs.writeFileSync(
    jsonFile,
    JSON.stringify({ ...masked, policy: analysis.policy, cost: analysis.cost, capacity: analysis.capacity }, null, 2) + "\n",
  );
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.writeFileSync(reportFile, analysis.report);

  const out = process.stdout;
  if (!args.flags.quiet) out.write(`${analysis.tree}\n`);
  out.write(`\nOutputs:\n`);
  for (const [k, v] of Object.entries(masked.outputs)) {
    const shown = v === undefined || v === null ? "(known after apply)" : typeof v === "string" ? v : JSON.stringify(v);
    out.write(`    ${k}: ${shown}\n`);
  }
  out.write(`\nPolicies (${path.relative(ROOT, policyConfig.file)}):\n${analysis.policyText}\n`);
  out.write(`\n${analysis.summary}\n`);
  out.write(`\nplan:   ${path.relative(process.cwd(), jsonFile)}\nreport: ${path.relative(process.cwd(), reportFile)}\n`);
  return analysis.mandatoryViolations > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    if (isConfigError(e)) {
      process.stderr.write(`✗ ${(e as Error).message}\n`);
      process.exit(2);
    }
    process.stderr.write(`✗ plan failed: ${(e as Error)?.stack ?? e}\n`);
    process.exit(3);
  },
);
