/** api-cidrs-bounded on hand-built ranges and ingress rules: the union of the CIDRs, each family's share, and the finding. */
import { apiCidrShareProblems, shareOf, unionSize } from "../../policy/rules/apiCidrs";
import { parseRange } from "../../policy/rules/cidr";
import { GraphResource, T, makeGraph } from "../../policy/rules/graph";
import { graphResource } from "../helpers/graphResource";

const ranges = (...cidrs: string[]) => cidrs.map((c) => parseRange(c)!);

/** A SecurityGroupIngressRule admitting TCP `port` from `cidr`. */
const ingress = (urn: string, cidr: string, port = 6443): GraphResource =>
  graphResource(urn, T.ingressRule, {
    ipProtocol: "tcp",
    fromPort: port,
    toPort: port,
    [cidr.includes(":") ? "cidrIpv6" : "cidrIpv4"]: cidr,
  });

const problems = (sources: GraphResource[], maxShare: number) => apiCidrShareProblems(makeGraph(sources), sources, maxShare);

const message = (share: string, family: string, maxShare: number, list: string) =>
  `ingress to the apiserver port 6443 covers ${share}% of the ${family} address space, more than maxAllowedShare ${maxShare} allows: ${list}; list only the networks that need the API (kubestead:controlPlane.apiLoadBalancer.allowedCidrs).`;

describe("unionSize", () => {
  test.each<[string, string[], bigint]>([
    ["a /32 inside a range that starts at the same address counts once", ["10.0.0.0/32", "10.0.0.0/24"], 256n],
    ["a /32 at the last address counted, then the next one", ["10.0.0.0/24", "10.0.0.255/32", "10.0.1.0/32"], 257n],
    ["a half before the whole range it starts", ["10.0.0.0/25", "10.0.0.0/24"], 256n],
    ["ranges given from the highest start down", ["10.0.0.128/25", "10.0.0.0/24"], 256n],
    ["disjoint ranges given out of order", ["10.0.2.0/24", "10.0.0.0/24", "10.0.1.0/25"], 640n],
    ["IPv6 halves of a /63 in reverse order", ["2001:db8:0:1::/64", "2001:db8::/63"], 2n ** 65n],
    ["no range", [], 0n],
  ])("%s", (_name, cidrs, size) => {
    expect(unionSize(ranges(...cidrs))).toBe(size);
  });
});

describe("shareOf", () => {
  test.each<[string[], "IPv4" | "IPv6", number]>([
    [["0.0.0.0/1", "::/1"], "IPv4", 0.5],
    [["0.0.0.0/1", "::/2"], "IPv6", 0.25],
    [["::/0"], "IPv4", 0],
    [["10.0.0.0/8"], "IPv6", 0],
  ])("%j covers only its own ranges of the %s space: share %d", (cidrs, family, share) => {
    expect(shareOf(ranges(...cidrs), family === "IPv6")).toBe(share);
  });
});

describe("apiCidrShareProblems", () => {
  test.each<[string, GraphResource[], number, { urn: string; message: string }[]]>([
    ["a /8 is exactly at a 1/256 bound", [ingress("admins", "10.0.0.0/8")], 1 / 256, []],
    [
      "a /7 is above a 1/256 bound",
      [ingress("admins", "10.0.0.0/7")],
      1 / 256,
      [{ urn: "admins", message: message("0.781", "IPv4", 1 / 256, "10.0.0.0/7 (admins)") }],
    ],
    [
      "rules that do not admit the apiserver port do not count",
      [ingress("ssh", "0.0.0.0/0", 22), ingress("https", "0.0.0.0/0", 443), ingress("admins", "10.0.0.0/8")],
      1 / 256,
      [],
    ],
    [
      "the widest CIDR names the finding, wherever it comes in the list",
      [ingress("office", "10.0.0.0/8"), ingress("halfnet", "0.0.0.0/1"), ingress("vpn", "192.168.0.0/16")],
      1 / 256,
      [{ urn: "halfnet", message: message("50", "IPv4", 1 / 256, "10.0.0.0/8 (office), 0.0.0.0/1 (halfnet), 192.168.0.0/16 (vpn)") }],
    ],
    [
      "each family is judged and listed alone",
      [ingress("v6-doc", "2001:db8::/32"), ingress("low", "0.0.0.0/1"), ingress("v6-half", "8000::/1"), ingress("high", "128.0.0.0/1")],
      1 / 256,
      [
        { urn: "low", message: message("100", "IPv4", 1 / 256, "0.0.0.0/1 (low), 128.0.0.0/1 (high)") },
        { urn: "v6-half", message: message("50", "IPv6", 1 / 256, "2001:db8::/32 (v6-doc), 8000::/1 (v6-half)") },
      ],
    ],
    [
      "an IPv6 range wide enough for its family does not make a small IPv4 list fail",
      [ingress("v4", "10.0.0.0/16"), ingress("v6", "::/0")],
      0.5,
      [{ urn: "v6", message: message("100", "IPv6", 0.5, "::/0 (v6)") }],
    ],
  ])("%s", (_name, sources, maxShare, want) => {
    expect(problems(sources, maxShare)).toStrictEqual(want);
  });
});
