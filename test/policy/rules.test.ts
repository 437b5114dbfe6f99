import { certExpiryProblem } from "../../policy/rules/certificates";
import { isAnywhere, parseRange, rangeContains } from "../../policy/rules/cidr";
import { etcdQuorumProblems } from "../../policy/rules/etcdQuorum";
import { makeGraph, subnetZones, zoneCountProblem } from "../../policy/rules/graph";
import { coversPort, ingressRules } from "../../policy/rules/securityGroups";
import { asBool, containsUnknown } from "../../policy/rules/unknown";
import { etcdMemberView, graphResource } from "../helpers/graphResource";
import { UNKNOWN } from "../helpers/fixtureValues";

describe("cidr", () => {
  test.each([
    ["10.0.0.0/8", "10.20.0.0/16", true],
    ["10.0.0.0/16", "10.20.0.0/16", false],
    ["10.0.0.0/16", "10.0.0.0/8", false],
    ["10.0.0.0/16", "10.0.255.7", true],
    ["2001:db8::/32", "2001:db8:1::/48", true],
    ["2001:db8::/32", "2001:db9::/48", false],
    ["::/0", "2001:db8::1/128", true],
    ["0.0.0.0/0", "::/0", false],
  ])("%s contains %s: %s", (outer, inner, want) => {
    const o = parseRange(outer);
    const i = parseRange(inner);
    expect(o && i && rangeContains(o, i)).toBe(want);
  });

  test.each(["10.0.0.0/33", "10.0.0/8", "256.0.0.0/8", "1:2:3/64", "::1::/64", "10.0.0.0/8/1", "x"])("%s is refused", (s) => {
    expect(parseRange(s)).toBeUndefined();
  });

  test("anywhere is prefix 0 in either family", () => {
    expect(["0.0.0.0/0", "::/0", "10.0.0.0/8", "::/1"].map(isAnywhere)).toEqual([true, true, false, false]);
  });
});

describe("ingress ports", () => {
  const rule = (protocol: unknown, fromPort: unknown, toPort: unknown) => ({ protocol, fromPort, toPort, cidrs: [], prefixLists: [] });
  test.each([
    [rule("tcp", 2379, 2379), 2379, true],
    [rule("tcp", 2000, 3000), 2380, true],
    [rule("6", 2381, 2400), 2380, false],
    [rule("udp", 0, 65535), 2379, false],
    [rule("-1", 0, 0), 2379, true],
    [rule("all", undefined, undefined), 6443, true],
    [rule(UNKNOWN, 0, 0), 2379, undefined],
    [rule("tcp", UNKNOWN, 2379), 2379, undefined],
  ])("%j covers %d: %s", (r, port, want) => {
    expect(coversPort(r, port)).toBe(want);
  });

  test("egress SecurityGroupRules are not ingress", () => {
    expect(
      ingressRules("aws:ec2/securityGroupRule:SecurityGroupRule", {
        type: "egress",
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        cidrBlocks: ["0.0.0.0/0"],
      }),
    ).toEqual([]);
  });
});

describe("certificate windows", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const at = (days: number) => new Date(now.getTime() + days * 86_400_000).toISOString();
  test.each([
    [29.9, { withinDays: 30 }, true],
    [30, { withinDays: 30 }, false],
    [-5, { withinDays: 30 }, true],
    [60, { withinDays: 90, notWithinDays: 30 }, true],
    [10, { withinDays: 90, notWithinDays: 30 }, false],
    [90, { withinDays: 90, notWithinDays: 30 }, false],
  ])("%d days against %j reports: %s", (days, w, want) => {
    expect(certExpiryProblem({ name: "c", validityEndTime: at(days) }, now, w) !== undefined).toBe(want);
  });

  test("a missing or malformed end time is reported, an unknown one is not", () => {
    expect(certExpiryProblem({ name: "c", validityEndTime: "next year" }, now, { withinDays: 30 })).toMatch(/no RFC3339 validityEndTime/);
    expect(certExpiryProblem({ name: "c", validityEndTime: undefined }, now, { withinDays: 30 })).toMatch(/got null/);
    expect(certExpiryProblem({ name: "c", validityEndTime: UNKNOWN }, now, { withinDays: 30 })).toBeUndefined();
  });
});

describe("zones", () => {
  const res = (name: string, type: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
    graphResource(`urn:${name}`, type, props, deps, name);
  const subnet = (z: string) => res(`s-${z}`, "aws:ec2/subnet:Subnet", { id: `subnet-${z}`, availabilityZone: z });

  test("subnets outside the stack are named in the problem", () => {
    const asg = res("asg", "aws:autoscaling/group:Group", {});
    const g = makeGraph([subnet("a"), asg]);
    const zs = subnetZones(g, asg, "vpcZoneIdentifiers", ["subnet-a", "subnet-adopted"]);
    expect(zs).toEqual({ zones: ["a"], unknown: false, unresolved: ["subnet-adopted"] });
    expect(zoneCountProblem("pool x", zs, 2)).toMatch(
      /pool x spans 1 availability zone\(s\) \(a\), needs at least 2; subnets subnet-adopted are not Subnet resources/,
    );
  });

  test("more unknown IDs than known dependencies stays unknown", () => {
    const asg = res("asg", "aws:autoscaling/group:Group", {}, { vpcZoneIdentifiers: ["urn:s-a"] });
    const g = makeGraph([subnet("a"), asg]);
    const zs = subnetZones(g, asg, "vpcZoneIdentifiers", [UNKNOWN, UNKNOWN]);
    expect(zs.unknown).toBe(true);
    expect(zoneCountProblem("x", zs, 3)).toBeUndefined();
  });
});

describe("etcd quorum counts", () => {
  test.each([
    [1, false],
    [3, true],
    [4, false],
    [5, true],
  ])("%d members ok: %s", (n, ok) => {
    const zones = ["a", "b", "c"];
    const ms = Array.from({ length: n }, (_, i) => etcdMemberView(i, zones[i % 3]));
    const problems = etcdQuorumProblems(ms).map((f) => f.message);
    expect(problems.some((m) => /needs an odd number/.test(m))).toBe(!ok);
  });
});

test("value helpers read provider string booleans and find nested unknowns", () => {
  expect([asBool("true"), asBool(false), asBool("yes")]).toEqual([true, false, undefined]);
  expect(containsUnknown({ a: [{ b: UNKNOWN }] })).toBe(true);
  expect(containsUnknown({ a: [{ b: "x" }] })).toBe(false);
});
