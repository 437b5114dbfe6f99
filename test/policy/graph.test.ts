import {
  GraphResource,
  NETWORK_COMPONENT,
  T,
  ZoneSet,
  adoptedSubnetZones,
  dependsThrough,
  lbSubnetValues,
  makeGraph,
  resolveRefs,
  subnetZones,
  zoneCountProblem,
} from "../../policy/rules/graph";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const res = (name: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(`urn:${name}`, type, props, deps, name);
const subnet = (z: string, props: Record<string, unknown> = { availabilityZone: `us-east-1${z}` }) =>
  res(`s-${z}`, T.subnet, { id: `subnet-${z}`, ...props });
const vpc = res("vpc", T.vpc, { id: "vpc-1" });
const network = (subnetZones: unknown, type: string = NETWORK_COMPONENT) => res(`net-${type}`, type, { subnetZones });
const asg = (deps: Record<string, string[]> = {}) => res("asg", T.asg, {}, deps);

describe("dependsThrough", () => {
  const holder = res("holder", T.listener, {}, { role: ["urn:a", "urn:b"], other: ["urn:c"] });
  test.each([
    ["role", "urn:b", true],
    ["role", "urn:c", false],
    ["other", "urn:c", true],
    ["missing", "urn:a", false],
  ])("property %s depends on %s: %s", (prop, urn, want) => {
    expect(dependsThrough(holder, prop, urn)).toBe(want);
  });
});

describe("resolveRefs", () => {
  // The VPC comes first: a value must match a resource of the target type, not the first with that id.
  const stack = (holder: GraphResource) => makeGraph([vpc, subnet("a"), subnet("b"), holder]);
  const resolve = (values: unknown, deps: Record<string, string[]> = {}) => {
    const holder = asg(deps);
    const r = resolveRefs(stack(holder), holder, "vpcZoneIdentifiers", values, T.subnet, ["id"]);
    return { targets: r.targets.map((t) => t.urn), unresolved: r.unresolved, unknown: r.unknown };
  };

  test.each<[string, unknown, Record<string, string[]>, { targets: string[]; unresolved: string[]; unknown: boolean }]>([
    ["known IDs resolve in list order", ["subnet-b", "subnet-a"], {}, { targets: ["urn:s-b", "urn:s-a"], unresolved: [], unknown: false }],
    ["a single ID is a list of one", "subnet-a", {}, { targets: ["urn:s-a"], unresolved: [], unknown: false }],
    ["an ID of another type is unresolved", ["vpc-1", "subnet-a"], {}, { targets: ["urn:s-a"], unresolved: ["vpc-1"], unknown: false }],
    ["an absent value refers to nothing", undefined, {}, { targets: [], unresolved: [], unknown: false }],
    [
      "entries that are no strings are skipped",
      [5, null, undefined, "subnet-a"],
      {},
      { targets: ["urn:s-a"], unresolved: [], unknown: false },
    ],
    [
      "a whole-list unknown is covered by one dependency",
      UNKNOWN,
      { vpcZoneIdentifiers: ["urn:s-a"] },
      { targets: ["urn:s-a"], unresolved: [], unknown: false },
    ],
    ["a whole-list unknown without dependencies stays unknown", UNKNOWN, {}, { targets: [], unresolved: [], unknown: true }],
    [
      "one unknown element is covered by one dependency",
      [UNKNOWN],
      { vpcZoneIdentifiers: ["urn:s-b"] },
      { targets: ["urn:s-b"], unresolved: [], unknown: false },
    ],
    [
      "two unknown elements with one dependency stay unknown",
      [UNKNOWN, UNKNOWN],
      { vpcZoneIdentifiers: ["urn:s-a"] },
      { targets: ["urn:s-a"], unresolved: [], unknown: true },
    ],
    [
      "two unknown elements with two dependencies are covered",
      [UNKNOWN, UNKNOWN],
      { vpcZoneIdentifiers: ["urn:s-a", "urn:s-b"] },
      { targets: ["urn:s-a", "urn:s-b"], unresolved: [], unknown: false },
    ],
    [
      "dependencies outside the stack or of another type cover nothing",
      [UNKNOWN],
      { vpcZoneIdentifiers: ["urn:gone", "urn:vpc"] },
      { targets: [], unresolved: [], unknown: true },
    ],
    [
      "dependencies of another property cover nothing",
      [UNKNOWN],
      { launchTemplate: ["urn:s-a"] },
      { targets: [], unresolved: [], unknown: true },
    ],
  ])("%s", (_, values, deps, want) => {
    expect(resolve(values, deps)).toEqual(want);
  });
});

describe("adoptedSubnetZones", () => {
  test.each<[string, unknown, [string, string][]]>([
    [
      "a map of subnet IDs to zones",
      { "subnet-x": "us-east-1c", "subnet-y": "us-east-1a" },
      [
        ["subnet-x", "us-east-1c"],
        ["subnet-y", "us-east-1a"],
      ],
    ],
    [
      "a map with unknown or non-string zones keeps the known ones",
      { "subnet-x": UNKNOWN, "subnet-y": 3, "subnet-z": "us-east-1b" },
      [["subnet-z", "us-east-1b"]],
    ],
    ["no map", undefined, []],
    ["null", null, []],
    ["an unknown map (preview)", UNKNOWN, []],
    ["a string", "us-east-1a", []],
  ])("the Network component's subnetZones as %s", (_, value, want) => {
    expect([...adoptedSubnetZones(makeGraph([vpc, network(value)]))]).toEqual(want);
  });

  test("subnetZones of a resource other than the Network component are not read", () => {
    const g = makeGraph([network({ "subnet-x": "us-east-1c" }, T.vpc), network({ "subnet-y": "us-east-1a" })]);
    expect([...adoptedSubnetZones(g)]).toEqual([["subnet-y", "us-east-1a"]]);
  });
});

describe("subnetZones", () => {
  test("zones are sorted and counted once", () => {
    const g = makeGraph([subnet("c"), subnet("a"), subnet("a2", { availabilityZone: "us-east-1a" }), asg()]);
    expect(subnetZones(g, asg(), "vpcZoneIdentifiers", ["subnet-c", "subnet-a", "subnet-a2"])).toEqual({
      zones: ["us-east-1a", "us-east-1c"],
      unknown: false,
      unresolved: [],
    });
  });

  test.each<[string, Record<string, unknown>]>([
    ["unknown", { availabilityZone: UNKNOWN }],
    ["absent", {}],
  ])("a subnet whose zone is %s makes the zones unknown", (_, props) => {
    const g = makeGraph([subnet("a"), subnet("b", props), asg()]);
    expect(subnetZones(g, asg(), "vpcZoneIdentifiers", ["subnet-a", "subnet-b"])).toEqual({
      zones: ["us-east-1a"],
      unknown: true,
      unresolved: [],
    });
  });

  test("adopted subnets take their zone from the Network component; others stay unresolved", () => {
    const g = makeGraph([
      subnet("a"),
      network({ "subnet-adopted": "us-east-1b" }),
      network({ "subnet-other": "us-east-1c" }, T.vpc),
      asg(),
    ]);
    expect(subnetZones(g, asg(), "vpcZoneIdentifiers", ["subnet-adopted", "subnet-a", "subnet-other"])).toEqual({
      zones: ["us-east-1a", "us-east-1b"],
      unknown: false,
      unresolved: ["subnet-other"],
    });
  });
});

describe("zoneCountProblem", () => {
  const zs = (zones: string[], unresolved: string[] = [], unknown = false): ZoneSet => ({ zones, unknown, unresolved });
  test.each<[ZoneSet, number, string | undefined]>([
    [zs([]), 1, "pool x spans no known availability zone, needs at least 1."],
    [zs(["us-east-1a"]), 2, "pool x spans 1 availability zone(s) (us-east-1a), needs at least 2."],
    [zs(["us-east-1a", "us-east-1b"]), 2, undefined],
    [zs([], [], true), 2, undefined],
    [
      zs(["us-east-1a", "us-east-1b"], ["subnet-x", "subnet-y"]),
      3,
      "pool x spans 2 availability zone(s) (us-east-1a, us-east-1b), needs at least 3; subnets subnet-x, subnet-y are not Subnet resources of this stack, so their zones are unknown to the policy.",
    ],
  ])("%j with at least %d zones needed: %s", (set, min, want) => {
    expect(zoneCountProblem("pool x", set, min)).toBe(want);
  });
});

describe("lbSubnetValues", () => {
  test.each<[string, Record<string, unknown>, { prop: string; values: unknown }]>([
    ["an unknown subnetMappings", { subnetMappings: UNKNOWN, subnets: ["subnet-a"] }, { prop: "subnetMappings", values: UNKNOWN }],
    [
      "subnetMappings, each by its subnetId",
      { subnetMappings: [{ subnetId: "subnet-a" }, { allocationId: "eipalloc-1" }], subnets: ["subnet-z"] },
      { prop: "subnetMappings", values: ["subnet-a", undefined] },
    ],
    ["subnets when subnetMappings is empty", { subnetMappings: [], subnets: ["subnet-a"] }, { prop: "subnets", values: ["subnet-a"] }],
    ["an unknown subnets", { subnets: UNKNOWN }, { prop: "subnets", values: UNKNOWN }],
  ])("reads %s", (_, props, want) => {
    expect(lbSubnetValues(props)).toEqual(want);
  });
});
