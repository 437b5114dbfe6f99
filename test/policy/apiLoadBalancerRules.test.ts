/** apiLoadBalancerProblems on small hand-built graphs: one valid API load balancer, changed one piece at a time. */
import { API_PORT } from "../../policy/rules/apiTargets";
import { apiLoadBalancerProblems } from "../../policy/rules/apiLoadBalancer";
import { GraphResource, T, TAG, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const cfg = { minZones: 3 };

const res = (type: string, name: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(`urn:${name}`, type, props, deps, name);

const subnets = ["a", "b", "c"].map((z) => res(T.subnet, `subnet-${z}`, { id: `subnet-${z}`, availabilityZone: `us-east-1${z}` }));

const lb = (props: Record<string, unknown> = {}): GraphResource =>
  res(T.loadBalancer, "api", {
    id: "lb-id",
    arn: "lb-arn",
    loadBalancerType: "network",
    enableCrossZoneLoadBalancing: true,
    subnets: subnets.map((s) => s.name),
    tags: { [TAG.role]: "api-lb" },
    ...props,
  });

const tg = (props: Record<string, unknown> = {}): GraphResource =>
  res(T.targetGroup, "api-tg", {
    id: "tg-id",
    arn: "tg-arn",
    port: API_PORT,
    protocol: "TCP",
    healthCheck: { enabled: true, protocol: "HTTPS", path: "/readyz" },
    tags: { [TAG.role]: "api-lb" },
    ...props,
  });

const listener = (props: Record<string, unknown> = {}, deps: Record<string, string[]> = {}): GraphResource =>
  res(
    T.listener,
    "api-listener",
    {
      port: API_PORT,
      protocol: "TCP",
      loadBalancerArn: "lb-arn",
      defaultActions: [{ type: "forward", targetGroupArn: "tg-arn" }],
      ...props,
    },
    deps,
  );

const problems = (...rs: GraphResource[]) => apiLoadBalancerProblems(makeGraph([...subnets, ...rs]), cfg);
const noListener = (found: number) =>
  `API load balancer api has no listener on TCP ${API_PORT} forwarding to the API target group (found ${found} listener(s)).`;

describe("apiLoadBalancerProblems", () => {
  test("a network load balancer in three zones with a TCP 6443 listener forwarding to the API target group is fine", () => {
    expect(problems(lb(), tg(), listener())).toEqual([]);
  });

  test("an empty stack has neither the load balancer nor the target group", () => {
    expect(apiLoadBalancerProblems(makeGraph([]), cfg)).toEqual([
      { message: "no load balancer tagged kubestead.io/role=api-lb: the control plane has no stable endpoint." },
      { message: `no target group tagged kubestead.io/role=api-lb on port ${API_PORT}.` },
    ]);
  });

  test("a target group alone misses only the load balancer; a load balancer alone misses the target group and its listener", () => {
    expect(problems(tg())).toEqual([
      { message: "no load balancer tagged kubestead.io/role=api-lb: the control plane has no stable endpoint." },
    ]);
    expect(problems(lb(), listener())).toEqual([
      { message: `no target group tagged kubestead.io/role=api-lb on port ${API_PORT}.` },
      { urn: "urn:api", message: noListener(1) },
    ]);
  });

  test.each([
    ["an unknown health check", UNKNOWN, []],
    ["a TCP health check without a path", { protocol: "TCP" }, []],
    ["an HTTPS health check with an unknown path", { protocol: "HTTPS", path: UNKNOWN }, []],
    [
      "an HTTP health check without a path",
      { protocol: "http" },
      ["API target group api-tg health check uses HTTP without a path; use /readyz."],
    ],
    ["no health check", undefined, [`API target group api-tg has no healthCheck; set one (HTTPS /readyz on ${API_PORT}).`]],
  ])("%s", (_what, healthCheck, want) => {
    expect(problems(lb(), tg({ healthCheck }), listener())).toEqual(want.map((message) => ({ urn: "urn:api-tg", message })));
  });

  test("a load balancer in two zones names itself in the zone finding", () => {
    expect(problems(lb({ subnets: ["subnet-a", "subnet-b"] }), tg(), listener())).toEqual([
      { urn: "urn:api", message: "API load balancer api spans 2 availability zone(s) (us-east-1a, us-east-1b), needs at least 3." },
    ]);
  });

  test.each([
    ["its ARN", { loadBalancerArn: "lb-arn" }, {}],
    ["its ID", { loadBalancerArn: "lb-id" }, {}],
    ["an unknown value that depends on it", { loadBalancerArn: UNKNOWN }, { loadBalancerArn: ["urn:api"] }],
  ])("a listener names its load balancer by %s", (_what, props, deps) => {
    expect(problems(lb(), tg(), listener(props, deps))).toEqual([]);
  });

  test.each([
    ["its ARN", [{ type: "forward", targetGroupArn: "tg-arn" }], {}],
    ["its ID", [{ type: "forward", targetGroupArn: "tg-id" }], {}],
    ["forward.targetGroups", [{ type: "forward", forward: { targetGroups: [{ arn: "tg-arn" }] } }], {}],
    ["an unknown ARN that depends on it", [{ type: "forward", targetGroupArn: UNKNOWN }], { defaultActions: ["urn:api-tg"] }],
    ["unknown default actions", UNKNOWN, {}],
    [
      "an unknown ARN it cannot follow (checked again on up)",
      [{ type: "forward", targetGroupArn: UNKNOWN }],
      { defaultActions: ["urn:api"] },
    ],
  ])("a listener forwards to the API target group by %s", (_what, defaultActions, deps) => {
    expect(problems(lb(), tg(), listener({ defaultActions }, deps))).toEqual([]);
  });

  test.each([
    ["a redirect, even one naming the target group", [{ type: "redirect", targetGroupArn: "tg-arn" }], {}],
    [
      "an unknown ARN that depends on another target group",
      [{ type: "forward", targetGroupArn: UNKNOWN }],
      { defaultActions: ["urn:other-tg"] },
    ],
    ["no action", [], {}],
  ])("a listener whose default action is %s forwards nowhere", (_what, defaultActions, deps) => {
    const other = res(T.targetGroup, "other-tg", { arn: "other-tg-arn", port: 443 });
    expect(problems(lb(), tg(), other, listener({ defaultActions }, deps))).toEqual([{ urn: "urn:api", message: noListener(1) }]);
  });

  test("only listeners count as listeners, however a resource names the load balancer", () => {
    const notListener = res(T.targetGroup, "other", { loadBalancerArn: "lb-arn", port: API_PORT, protocol: "TCP", defaultActions: [] });
    expect(problems(lb(), tg(), notListener)).toEqual([{ urn: "urn:api", message: noListener(0) }]);
  });
});
