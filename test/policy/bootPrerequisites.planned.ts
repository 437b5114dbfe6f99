/**
 * The boot-prerequisites rule on a stack planned under the offline runtime: shared by the dev and
 * prod test files (the SDK's state is per module registry, so one stack per test file).
 */
import type { Plan } from "../../lib/plan/types";
import { PolicyPackConfigFile, runPolicies } from "../../policy/runner";
import { bootParameters, bootPrerequisiteProblems } from "../../policy/rules/bootPrerequisites";
import { T } from "../../policy/rules/graph";
import { graphOfPlan } from "../helpers/policyFixtures";
import { ofType, planStack } from "../helpers/plannedStack";

export function describePlannedStack(stack: string, config: PolicyPackConfigFile): void {
  describe(`boot prerequisites on the planned ${stack} stack`, () => {
    let plan: Plan;
    beforeAll(async () => {
      plan = await planStack(stack);
    }, 120_000);

    test("every group depends on everything its nodes read at boot", () => {
      const { graph, parents } = graphOfPlan(plan);
      expect(bootPrerequisiteProblems(graph, parents).map((f) => f.message)).toEqual([]);
    });

    test("the check is not vacuous: every launch template's boot reads parameters the stack creates", () => {
      const names = new Set(ofType(plan, "aws:ssm/parameter:Parameter").map((p) => p.outputs.name));
      const templates = ofType(plan, T.launchTemplate);
      expect(templates.length).toBeGreaterThanOrEqual(5);
      for (const lt of templates) {
        const boot = bootParameters(lt.outputs.userData);
        expect(boot.parameters.length).toBeGreaterThan(0);
        for (const p of boot.parameters) expect(names).toContain(p);
      }
    });

    test("the policy runs on the graph and finds nothing", () => {
      const r = runPolicies(plan, config, { preview: false });
      expect(r.violations.filter((v) => v.policy === "boot-prerequisites")).toEqual([]);
      expect(r.evaluated["boot-prerequisites"]).toBe(1);
    });

    test("a group stripped of its explicit dependencies is caught", () => {
      const broken: Plan = structuredClone(plan);
      const groups = broken.resources.filter((r) => r.type === T.asg);
      for (const g of groups) g.dependencies = [...new Set(Object.values(g.propertyDependencies).flat())];
      const { graph, parents } = graphOfPlan(broken);
      const named = new Set(bootPrerequisiteProblems(graph, parents).map((f) => f.urn));
      expect(named).toEqual(new Set(groups.map((g) => g.urn)));
    });
  });
}
