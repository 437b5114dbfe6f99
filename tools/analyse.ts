/** Everything the plan command derives from a plan: console tree, policy results, cost, capacity, report. */
import * as fs from "node:fs";
import * as path from "node:path";
import { capacityCheck, CapacityReport } from "../lib/capacity";
import { ClusterConfig } from "../lib/config/types";
import { CostEstimate, estimateMonthlyCost } from "../lib/cost";
import { Plan } from "../lib/plan/types";
import { formatReport, PolicyPackConfigFile, PolicyReport, runPolicies } from "../policy/runner";
import { formatBringup } from "../lib/bringup";
import { nodeBootKnown, solvePlanBringup } from "./bringup";
import { AddonRow, renderReport } from "./report/markdown";
import { renderTree } from "./report/tree";

export interface Analysis {
  tree: string;
  summary: string;
  report: string;
  policy: PolicyReport;
  policyText: string;
  cost: CostEstimate;
  capacity: CapacityReport;
  bringup: BringupVerdict;
  mandatoryViolations: number;
}

export interface BringupVerdict {
  /** False when some add-on can never run or some node never becomes Ready; undefined when not checked. */
  converged?: boolean;
  /** The bring-up sequence, one line per step. */
  sequence: string[];
  /** What is stuck and why, one line each. */
  stuck: string[];
}

/** The bring-up solver's verdict on the plan's stored add-ons and rendered nodes. */
export function bringupOf(plan: Plan): BringupVerdict {
  let r;
  try {
    r = solvePlanBringup(plan);
  } catch (e) {
    return { converged: false, sequence: [], stuck: [(e as Error).message] };
  }
  const byRound = new Map<number, string[]>();
  for (const s of r.order) byRound.set(s.round, [...(byRound.get(s.round) ?? []), s.workload]);
  const sequence = [...byRound.entries()].sort(([a], [b]) => a - b).map(([round, ws]) => `round ${round}: ${ws.join(", ")}`);
  return { converged: r.converged, sequence, stuck: formatBringup(r) };
}

/** policy/<stack>.json when the stack has one, else the file for the stack's enforcement level. */
export function policyConfigFor(root: string, stack: string, config: ClusterConfig): { file: string; config: PolicyPackConfigFile } {
  const own = path.join(root, "policy", `${stack}.json`);
  const file = fs.existsSync(own) ? own : path.join(root, "policy", config.enforcement === "mandatory" ? "prod.json" : "dev.json");
  return { file, config: JSON.parse(fs.readFileSync(file, "utf8")) as PolicyPackConfigFile };
}

/** The node subnets' CIDRs: created Subnet resources, or an adopted VPC's as the Network component read them. */
function privateSubnetCidrs(plan: Plan): string[] {
  const created = plan.resources
    .filter(
      (r) =>
        r.type === "aws:ec2/subnet:Subnet" && (r.inputs.tags as Record<string, string> | undefined)?.["kubestead.io/tier"] === "private",
    )
    .map((r) => String(r.outputs.cidrBlock ?? r.inputs.cidrBlock));
  if (created.length > 0) return created;
  const network = plan.resources.find((r) => r.type === "kubestead:components:Network");
  const adopted = network?.outputs.privateSubnetCidrs;
  return Array.isArray(adopted) ? adopted.map(String) : [];
}

/** The stored add-on manifests the plan writes, in apply order. */
export function addonsOf(plan: Plan): AddonRow[] {
  return plan.resources
    .filter((r) => r.type === "aws:s3/bucketObjectv2:BucketObjectv2" && (r.inputs.metadata as Record<string, string> | undefined)?.addon)
    .map((r) => {
      const m = r.inputs.metadata as Record<string, string>;
      return { addon: m.addon, version: m.version, sha256: m.sha256, file: String(r.inputs.key).replace(/^.*\//, "") };
    })
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

export function certificatesOf(plan: Plan): { name: string; notAfter: string }[] {
  const expiries = (plan.outputs.certificateNotAfter ?? {}) as Record<string, string>;
  return Object.entries(expiries).map(([name, notAfter]) => ({ name, notAfter }));
}

export function analysePlan(
  plan: Plan,
  config: ClusterConfig,
  policyConfig: PolicyPackConfigFile,
  opts: { preview?: boolean; now?: Date } = {},
): Analysis {
  const policy = runPolicies(plan, policyConfig, { preview: opts.preview ?? false, now: opts.now });
  const cost = estimateMonthlyCost(plan, config.region);
  const subnets = privateSubnetCidrs(plan);
  const capacity = capacityCheck(config, subnets);
  const addons = addonsOf(plan);
  // In a preview a manifest or a node's user data can be unknown: the solver then has nothing to check.
  const bringup: BringupVerdict = addons.length > 0 && nodeBootKnown(plan) ? bringupOf(plan) : { sequence: [], stuck: [] };
  const report = renderReport({
    plan,
    policy,
    cost,
    capacity,
    certificates: certificatesOf(plan),
    addons,
    bringup:
      bringup.converged === undefined ? undefined : { converged: bringup.converged, sequence: bringup.sequence, stuck: bringup.stuck },
  });
  const mandatory = policy.mandatoryCount + (capacity.ok ? 0 : 1) + (bringup.converged === false ? 1 : 0);
  const summary = [
    `Resources: ${plan.resources.length} (${plan.resources.filter((r) => r.custom).length} cloud/provider resources)`,
    `Policies:  ${policy.mandatoryCount} mandatory, ${policy.advisoryCount} advisory violation(s)`,
    `Bring-up:  ${bringup.converged === undefined ? "not checked (add-on manifests or node user data unknown in this preview)" : bringup.converged ? `converges in ${bringup.sequence.length} rounds` : "stuck"}${bringup.converged === false ? `\n  - ${bringup.stuck.join("\n  - ")}` : ""}`,
    `Capacity:  ${capacity.ok ? "ok" : "does not fit"}${capacity.problems.length ? `\n  - ${capacity.problems.join("\n  - ")}` : ""}`,
    `Cost:      ~$${cost.total.toFixed(0)}/month at ${cost.region} on-demand list prices (${cost.pricesAsOf})${cost.complete ? "" : ", lower bound"}`,
  ].join("\n");
  return {
    tree: renderTree(plan),
    summary,
    report,
    policy,
    policyText: formatReport(policy),
    cost,
    capacity,
    bringup,
    mandatoryViolations: mandatory,
  };
}
