import type { Plan } from "../../lib/plan/types";
import { makePolicies } from "../../policy/policies";
import { PolicyPackConfigFile, PolicyReport, RunOptions, runPolicies } from "../../policy/runner";
import { NOW } from "./policyFixtures";

/**
 * runPolicies with only the named policies, and only their entries (and `all`) of `config`: what a
 * rule's own tests need. The whole pack runs all 30 policies for every test, and the mutation run
 * runs a rule's tests for each of its mutants; whole-pack behaviour (no other policy fires) is
 * test/policy/policyCasesAlone.test.ts's.
 */
export function runOnly(plan: Plan, names: readonly string[], config: PolicyPackConfigFile, opts: RunOptions = {}): PolicyReport {
  const now = opts.now ?? NOW;
  const only = makePolicies({ now: () => now }).filter((p) => names.includes(p.name));
  if (only.length !== names.length) throw new Error(`runOnly: not all of ${names.join(", ")} are policies of the pack`);
  const cfg = Object.fromEntries(Object.entries(config).filter(([k]) => k === "all" || names.includes(k)));
  return runPolicies(plan, cfg, { ...opts, now, policies: only });
}
