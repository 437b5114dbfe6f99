/** terminationHookProblems and instanceRefreshProblems on small hand-built graphs: hook matching, waits, refresh defaults. */
import { GraphResource, makeGraph, T } from "../../policy/rules/graph";
import { instanceRefreshProblems, LIFECYCLE_HOOK, terminationHookProblems } from "../../policy/rules/nodeDrains";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";
const res = (urn: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(urn, type, props, deps, urn.replace(/^urn:/, ""));
const asg = (role: string, props: Record<string, unknown> = {}) =>
  res("urn:asg", T.asg, { name: "pool", tags: { "kubestead.io/role": role }, ...props });
const hook = (urn: string, props: Record<string, unknown>, dependsOnGroup = false, type = LIFECYCLE_HOOK) =>
  res(
    urn,
    type,
    { lifecycleTransition: TERMINATING, heartbeatTimeout: 300, ...props },
    dependsOnGroup ? { autoscalingGroupName: ["urn:asg"] } : {},
  );

const NO_HOOK = `worker group pool has no ${TERMINATING} lifecycle hook: an instance refresh, a scale-in or a spot reclaim terminates its nodes without draining them.`;
const waits = (s: number, min: number) =>
  `the terminating lifecycle hook of worker group pool waits ${s} s, fewer than the ${min} s a drain is given.`;

describe("terminationHookProblems", () => {
  const hooks = (...hs: GraphResource[]) => terminationHookProblems(makeGraph([asg("worker"), ...hs]), { minHeartbeatSeconds: 120 });

  test.each<[string, GraphResource[], string[]]>([
    ["a hook naming the group, with no property dependency, counts", [hook("urn:h", { autoscalingGroupName: "pool" })], []],
    [
      "a hook naming another group does not count, even depending on this one",
      [hook("urn:h", { autoscalingGroupName: "other" }, true)],
      [NO_HOOK],
    ],
    [
      "a hook whose group name is unknown counts when it depends on the group",
      [hook("urn:h", { autoscalingGroupName: UNKNOWN }, true)],
      [],
    ],
    ["a hook without a group name counts when it depends on the group", [hook("urn:h", {}, true)], []],
    ["a hook without a group name and no dependency does not count", [hook("urn:h", {})], [NO_HOOK]],
    [
      "a resource of another type with a terminating transition is no hook",
      [hook("urn:x", { autoscalingGroupName: "pool" }, true, "aws:autoscaling/notification:Notification")],
      [NO_HOOK],
    ],
  ])("%s", (_, hs, expected) => {
    expect(hooks(...hs).map((f) => f.message)).toEqual(expected);
  });

  test("while the group's name is unknown, a hook is matched through its dependency", () => {
    const g = makeGraph([asg("worker", { name: UNKNOWN }), hook("urn:h", { autoscalingGroupName: UNKNOWN }, true)]);
    expect(terminationHookProblems(g, { minHeartbeatSeconds: 120 })).toEqual([]);
  });

  test("of two terminating hooks, the longer wait counts", () => {
    const h = (urn: string, s: number) => hook(urn, { autoscalingGroupName: "pool", heartbeatTimeout: s });
    expect(hooks(h("urn:a", 60), h("urn:b", 119))).toEqual([{ urn: "urn:a", message: waits(119, 120) }]);
    expect(hooks(h("urn:a", 60), h("urn:b", 120))).toEqual([]);
  });

  test.each<[unknown, number, string[]]>([
    [undefined, 3601, [waits(3600, 3601)]],
    [undefined, 3600, []],
    [UNKNOWN, 3601, []],
  ])("a heartbeat of %s against a limit of %i s (AWS's default is 3600 s; an unknown one is skipped)", (timeout, min, expected) => {
    const g = makeGraph([asg("worker"), hook("urn:a", { autoscalingGroupName: "pool", heartbeatTimeout: timeout })]);
    expect(terminationHookProblems(g, { minHeartbeatSeconds: min }).map((f) => f.message)).toEqual(expected);
  });

  test("one unknown wait among known ones skips the group", () => {
    const h = (urn: string, s: unknown) => hook(urn, { autoscalingGroupName: "pool", heartbeatTimeout: s });
    const g = makeGraph([asg("worker"), h("urn:a", UNKNOWN), h("urn:b", 10)]);
    expect(terminationHookProblems(g, { minHeartbeatSeconds: 4000 })).toEqual([]);
  });
});

describe("instanceRefreshProblems for the control plane", () => {
  const cp = (props: Record<string, unknown>) =>
    instanceRefreshProblems(makeGraph([asg("controlplane", props)]), { minControlPlaneHealthyPercentage: 95 });
  const below = (v: string) =>
    `control-plane group pool refreshes with minHealthyPercentage ${v}, below 95: too many apiservers could be out of service at once.`;

  test.each<[string, Record<string, unknown>, string[]]>([
    ["no instance refresh is not checked, whatever AWS's default", {}, []],
    ["a refresh without preferences gets AWS's 90 %", { instanceRefresh: { strategy: "Rolling" } }, [below("90")]],
    ["a refresh keeping 95 % passes", { instanceRefresh: { preferences: { minHealthyPercentage: 95 } } }, []],
    ["a refresh with an unknown percentage waits for `up`", { instanceRefresh: { preferences: { minHealthyPercentage: UNKNOWN } } }, []],
    [
      "a refresh with a percentage that is no number fails",
      { instanceRefresh: { preferences: { minHealthyPercentage: "lots" } } },
      [below("lots")],
    ],
  ])("%s", (_, props, expected) => {
    expect(cp(props)).toEqual(expected.map((message) => ({ urn: "urn:asg", message })));
  });
});
