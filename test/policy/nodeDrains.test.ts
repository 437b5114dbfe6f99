/**
 * Policies node-drain-hooks and instance-refresh-safe on the fixture cluster: each changed at its
 * threshold (one below fails, the limit passes), with the exact messages.
 */
import type { Plan } from "../../lib/plan/types";
import prodConfig from "../../policy/prod.json";
import { PolicyPackConfigFile, runPolicies } from "../../policy/runner";
import { replacedAtOnce } from "../../policy/rules/nodeDrains";
import { NOW, happyPlan, removeResource, setProp, UNKNOWN } from "../helpers/policyFixtures";
import { runOnly } from "../helpers/runOnly";

const prod = prodConfig as PolicyPackConfigFile;
const found = (plan: Plan, policy: string, config = prod) => runOnly(plan, [policy], config, { preview: true }).violations;
const messages = (plan: Plan, policy: string, config = prod) => found(plan, policy, config).map((v) => v.message);

describe("node-drain-hooks", () => {
  test("the fixture's control plane and pool carry terminating hooks: nothing to report, and it is mandatory in prod", () => {
    const r = runPolicies(happyPlan(), prod, { now: NOW });
    expect(r.evaluated["node-drain-hooks"]).toBe(1);
    expect(r.levels["node-drain-hooks"]).toBe("mandatory");
    expect(r.violations.filter((v) => v.policy === "node-drain-hooks")).toEqual([]);
  });

  test("a pool without its hook is reported, naming the group", () => {
    const plan = removeResource(happyPlan(), "kc-general-asg-drain");
    const v = found(plan, "node-drain-hooks");
    expect(v.map((x) => x.message)).toEqual([
      "worker group kc-general-asg has no autoscaling:EC2_INSTANCE_TERMINATING lifecycle hook: an instance refresh, a scale-in or a spot reclaim terminates its nodes without draining them.",
    ]);
    expect(v[0].enforcementLevel).toBe("mandatory");
  });

  test("a launching hook does not count: only the terminating transition drains", () => {
    const plan = setProp(happyPlan(), "kc-controlplane-asg-drain", "lifecycleTransition", "autoscaling:EC2_INSTANCE_LAUNCHING");
    expect(messages(plan, "node-drain-hooks")).toEqual([
      expect.stringMatching(/^controlplane group kc-controlplane-asg has no autoscaling:EC2_INSTANCE_TERMINATING/),
    ]);
  });

  test.each([
    [119, ["the terminating lifecycle hook of worker group kc-general-asg waits 119 s, fewer than the 120 s a drain is given."]],
    [120, []],
  ])("a heartbeat of %i s (limit 120)", (seconds, expected) => {
    const plan = setProp(happyPlan(), "kc-general-asg-drain", "heartbeatTimeout", seconds);
    expect(messages(plan, "node-drain-hooks")).toEqual(expected);
  });

  test("a heartbeat unknown in preview is skipped, not reported", () => {
    const plan = setProp(happyPlan(), "kc-general-asg-drain", "heartbeatTimeout", UNKNOWN);
    expect(messages(plan, "node-drain-hooks")).toEqual([]);
  });

  test("etcd groups need no hook: they are not Kubernetes nodes", () => {
    const plan = happyPlan();
    expect(
      plan.resources
        .filter((r) => r.type === "aws:autoscaling/lifecycleHook:LifecycleHook")
        .map((r) => r.name)
        .sort(),
    ).toEqual(["kc-controlplane-asg-drain", "kc-general-asg-drain"]);
    expect(messages(plan, "node-drain-hooks")).toEqual([]);
  });
});

describe("instance-refresh-safe", () => {
  const refresh = (minHealthyPercentage: number) => ({ strategy: "Rolling", preferences: { minHealthyPercentage } });

  test.each([
    [
      65,
      [
        "control-plane group kc-controlplane-asg refreshes with minHealthyPercentage 65, below 66: too many apiservers could be out of service at once.",
      ],
    ],
    [66, []],
  ])("a control-plane refresh keeping %i %% (limit 66)", (pct, expected) => {
    const plan = setProp(happyPlan(), "kc-controlplane-asg", "instanceRefresh", refresh(pct));
    expect(messages(plan, "instance-refresh-safe")).toEqual(expected);
  });

  test("a control plane without preferences gets AWS's 90 %: fine; the policy is mandatory in prod", () => {
    const plan = setProp(happyPlan(), "kc-controlplane-asg", "instanceRefresh", { strategy: "Rolling" });
    expect(messages(plan, "instance-refresh-safe")).toEqual([]);
    expect(runPolicies(plan, prod, { now: NOW }).levels["instance-refresh-safe"]).toBe("mandatory");
  });

  test("an instance refresh on a member group of a per-member etcd is refused, whatever its percentage", () => {
    const plan = setProp(happyPlan(), "kc-etcd-1-asg", "instanceRefresh", refresh(100));
    expect(messages(plan, "instance-refresh-safe")).toEqual([
      "etcd group kc-etcd-1-asg declares an instance refresh: with one group per member, a change to every member's template would refresh them all at once and lose quorum; replace members one at a time instead.",
    ]);
  });

  test.each([
    [
      33,
      [
        "etcd group kc-etcd-0-asg refreshes 2 of its 3 members at once (minHealthyPercentage 33); at most one member may be replaced at a time.",
      ],
    ],
    [34, []],
  ])("one etcd group of three members refreshing with %i %% kept (one at a time from 34)", (pct, expected) => {
    const plan = happyPlan();
    removeResource(plan, "kc-etcd-1-asg");
    removeResource(plan, "kc-etcd-2-asg");
    setProp(plan, "kc-etcd-0-asg", "maxSize", 3);
    setProp(plan, "kc-etcd-0-asg", "instanceRefresh", refresh(pct));
    expect(messages(plan, "instance-refresh-safe")).toEqual(expected);
  });

  test("replacedAtOnce follows AWS's rounding: the healthy share rounds up, at least one goes", () => {
    expect(replacedAtOnce(3, 66)).toBe(1);
    expect(replacedAtOnce(3, 65)).toBe(1);
    expect(replacedAtOnce(3, 33)).toBe(2);
    expect(replacedAtOnce(3, 67)).toBe(1);
    expect(replacedAtOnce(1, 100)).toBe(1);
    expect(replacedAtOnce(10, 90)).toBe(1);
    expect(replacedAtOnce(10, 89)).toBe(1);
    expect(replacedAtOnce(10, 80)).toBe(2);
  });
});
