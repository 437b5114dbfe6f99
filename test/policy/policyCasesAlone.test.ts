/**
 * Every violating case of test/policy/policyCases.ts, through the whole pack: the case's policy
 * fires and no other does (a change has one root cause, and one policy reports it). Left out of the
 * mutation run (jest.mutate.config.js): every case runs every policy, so it would run for every
 * mutant of every rule; the cases alone, per policy, are in test/policy/policies.test.ts.
 */
import { runPolicies, PolicyPackConfigFile, PolicyReport } from "../../policy/runner";
import prodConfig from "../../policy/prod.json";
import { NOW, happyPlan } from "../helpers/policyFixtures";
import { POLICY_CASES } from "./policyCases";

const prod = prodConfig as PolicyPackConfigFile;
const violated = (r: PolicyReport) => [...new Set(r.violations.map((v) => v.policy))].sort();

// The config comes through a rest parameter, as in policies.test.ts.
test.each(POLICY_CASES)("%s: %s trips that policy and no other", (policy, _what, change, _message, ...config) => {
  const plan = happyPlan();
  change(plan);
  const r = runPolicies(plan, (config[0] as PolicyPackConfigFile | undefined) ?? prod, { now: NOW });
  expect(violated(r)).toEqual([policy]);
});
