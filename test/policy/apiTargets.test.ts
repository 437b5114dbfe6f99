/** The API target groups every load-balancer and control-plane rule starts from. */
import { API_PORT, apiTargetGroups } from "../../policy/rules/apiTargets";
import { GraphResource, T, TAG, makeGraph } from "../../policy/rules/graph";

const tg = (urn: string, port: unknown, role: string | undefined, type: string = T.targetGroup): GraphResource => ({
  urn,
  type,
  name: urn,
  props: { port, protocol: "TCP", tags: role === undefined ? {} : { [TAG.role]: role } },
  protect: false,
  dependencies: [],
  propertyDependencies: {},
});

describe("apiTargetGroups", () => {
  test("only target groups tagged api-lb on the API port: not another port, role or type", () => {
    const g = makeGraph([
      tg("api", API_PORT, "api-lb"),
      tg("api-as-text", String(API_PORT), "api-lb"),
      tg("other-port", 443, "api-lb"),
      tg("one-below", API_PORT - 1, "api-lb"),
      tg("no-port", undefined, "api-lb"),
      tg("other-role", API_PORT, "ingress"),
      tg("untagged", API_PORT, undefined),
      tg("listener", API_PORT, "api-lb", T.listener),
    ]);
    expect(apiTargetGroups(g).map((r) => r.urn)).toEqual(["api", "api-as-text"]);
  });

  test("none in an empty graph", () => {
    expect(apiTargetGroups(makeGraph([]))).toEqual([]);
  });
});
