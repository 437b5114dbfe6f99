/**
 * npm run plan -- --stack <name> [--json FILE] [--report FILE] [--base FILE] [--network-facts FILE] [--offerings FILE] [--preview] [--quiet]
 *
 * The offline plan: the real stack program under the mock runtime with Pulumi.<stack>.yaml, the
 * policy pack run in-process on the planned graph, a JSON plan and a Markdown PR report.
 * With --base (the plan JSON of the base branch) it also reports the change: resources replaced,
 * node groups that roll and in what order, destructive changes.
 * Exit codes: 0 clean, 1 a mandatory policy failed (or, with mandatory enforcement, a destructive
 * change the stack's `acknowledge` list doesn't name), 2 invalid config or usage.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { networkFactsFromAwsCli } from "../lib/adoptedNetwork";
import { offeringsFromAwsCli } from "../lib/instanceTypeOfferings";
import { diffPlans, PlanSettings, renderDiff, unacknowledged } from "../lib/plan/diff";
import { maskPlan } from "../lib/plan/mask";
import type { Plan } from "../lib/plan/types";
import { parseArgs, UsageError } from "./args";
import { parseClusterConfig } from "../lib/config/parse";
import { analysePlan, policyConfigFor } from "./analyse";
import { runProgram } from "./offline/runtime";
import { rawStackConfig, stackConfig } from "./offline/stackFile";
import { isConfigError } from "./planErrors";

const ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run plan -- [--stack NAME] [--json FILE] [--report FILE] [--base FILE] [--network-facts FILE] [--offerings FILE] [--preview] [--quiet]
  --stack NAME    stack to plan, any NAME with a Pulumi.NAME.yaml (default: dev)
  --json FILE     where to write the JSON plan (default: .kubestead/plan/NAME/plan.json)
  --report FILE   where to write the Markdown report (default: .kubestead/plan/NAME/report.md)
  --base FILE     the base branch's plan JSON: report what this change replaces, rolls and destroys
  --network-facts FILE
                  an adopted VPC as AWS describes it: the JSON of \`aws ec2 describe-subnets\` and
                  \`aws ec2 describe-vpcs\` (one object, or a list of both); default: the layout
                  the config implies; a subnet or VPC the JSON lacks is one AWS does not know
  --offerings FILE
                  which zones offer which instance types: the JSON of
                  \`aws ec2 describe-instance-type-offerings --location-type availability-zone\`
                  (one object, or a list of pages); default: every type in every zone
  --preview       plan as a preview: outputs of new resources are unknown
  --quiet         print only the summary and problems`;

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(
      process.argv.slice(2),
      { stack: "dev" },
      ["stack", "json", "report", "base", "network-facts", "offerings"],
      ["preview", "quiet", "help"],
    );
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

  let networkFacts;
  if (args.values["network-facts"]) {
    try {
      networkFacts = networkFactsFromAwsCli(JSON.parse(fs.readFileSync(path.resolve(args.values["network-facts"]), "utf8")));
    } catch (e) {
      process.stderr.write(
        `✗ --network-facts ${args.values["network-facts"]}: cannot read AWS CLI JSON there (${(e as Error).message})\n${USAGE}\n`,
      );
      return 2;
    }
  }
  let offerings;
  if (args.values.offerings) {
    try {
      offerings = offeringsFromAwsCli(JSON.parse(fs.readFileSync(path.resolve(args.values.offerings), "utf8")));
    } catch (e) {
      process.stderr.write(
        `✗ --offerings ${args.values.offerings}: cannot read describe-instance-type-offerings JSON there (${(e as Error).message})\n${USAGE}\n`,
      );
      return 2;
    }
  }
  let result;
  try {
    result = await runProgram({ stack, root: ROOT, preview: Boolean(args.flags.preview), networkFacts, offerings });
  } catch (e) {
    if (isConfigError(e)) {
      process.stderr.write(`✗ ${(e as Error).message}\n`);
      return 2;
    }
    throw e;
  }

  const config = parseClusterConfig(rawStackConfig(stackConfig(ROOT, stack), stack));
  let base: (Plan & { config?: PlanSettings }) | undefined;
  if (args.values.base) {
    try {
      base = JSON.parse(fs.readFileSync(path.resolve(args.values.base), "utf8"));
    } catch (e) {
      process.stderr.write(`✗ --base ${args.values.base}: cannot read a plan JSON there (${(e as Error).message})\n${USAGE}\n`);
      return 2;
    }
  }
  const policyConfig = policyConfigFor(ROOT, stack, config);
  const analysis = analysePlan(result.plan, config, policyConfig.config, { preview: Boolean(args.flags.preview) });
  const masked = maskPlan(result.plan);
  // The settings a later --base comparison needs (public values only: no checksums, no secrets).
  const { checksums: _checksums, ...settings } = config;
  const head = { ...masked, config: settings };
  const diff = base ? diffPlans(base, head) : undefined;
  const blocked = diff && config.enforcement === "mandatory" ? unacknowledged(diff, config.acknowledge) : [];
  const diffText = diff ? renderDiff(diff, config.acknowledge) : "";
  fs.mkdirSync(path.dirname(jsonFile), { recursive: true });
  fs.writeFileSync(
    jsonFile,
    JSON.stringify({ ...head, policy: analysis.policy, cost: analysis.cost, capacity: analysis.capacity, diff }, null, 2) + "\n",
  );
  fs.mkdirSync(path.dirname(reportFile), { recursive: true });
  fs.writeFileSync(reportFile, diff ? insertBeforeFooter(analysis.report, diffText) : analysis.report);

  const out = process.stdout;
  if (!args.flags.quiet) out.write(`${analysis.tree}\n`);
  out.write(`\nOutputs:\n`);
  for (const [k, v] of Object.entries(masked.outputs)) {
    const shown = v === undefined || v === null ? "(known after apply)" : typeof v === "string" ? v : JSON.stringify(v);
    out.write(`    ${k}: ${shown}\n`);
  }
  out.write(`\nPolicies (${path.relative(ROOT, policyConfig.file)}):\n${analysis.policyText}\n`);
  out.write(`\n${analysis.summary}\n`);
  if (diff) {
    out.write(`\n${diffText}`);
    for (const x of blocked)
      out.write(
        `✗ destructive change ${x.id} is not acknowledged: ${x.message}. To make it on purpose, add ${x.id} to kubestead:acknowledge in Pulumi.${stack}.yaml\n`,
      );
  }
  out.write(`\nplan:   ${path.relative(process.cwd(), jsonFile)}\nreport: ${path.relative(process.cwd(), reportFile)}\n`);
  // A version move Kubernetes or etcd does not support in one step is refused in every environment.
  const refused = diff?.refused ?? [];
  for (const x of refused) out.write(`✗ refused: ${x.message}. Move ${x.key} one minor per update (README: Upgrades)\n`);
  return analysis.mandatoryViolations > 0 || blocked.length > 0 || refused.length > 0 ? 1 : 0;
}

/** The change section goes above the report's footer line. */
function insertBeforeFooter(report: string, section: string): string {
  const i = report.lastIndexOf("\n<sub>");
  return i < 0 ? `${report}\n${section}` : `${report.slice(0, i)}\n${section}${report.slice(i)}`;
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
