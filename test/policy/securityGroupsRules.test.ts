/** The security-group rules on hand-built ingress rules: the three ways to write ingress, and the etcd and apiserver port checks. */
import { T } from "../../policy/rules/graph";
import {
  APISERVER_PORT,
  Ingress,
  apiserverIngressProblems,
  coversPort,
  etcdPortProblems,
  ingressRules,
} from "../../policy/rules/securityGroups";
import { UNKNOWN } from "../helpers/fixtureValues";

const rule = (protocol: unknown, fromPort: unknown, toPort: unknown, cidrs: unknown[] = [], prefixLists: unknown[] = []): Ingress => ({
  protocol,
  fromPort,
  toPort,
  cidrs,
  prefixLists,
});

describe("ingressRules", () => {
  test.each<[string, string, Record<string, unknown>, Ingress[]]>([
    [
      "an inline ingress list keeps unknown CIDR lists as one unknown entry and skips entries that are not records",
      T.securityGroup,
      {
        ingress: [
          { protocol: "tcp", fromPort: 6443, toPort: 6443, cidrBlocks: UNKNOWN, ipv6CidrBlocks: ["::/0"], prefixListIds: UNKNOWN },
          "not-a-rule",
        ],
      },
      [rule("tcp", 6443, 6443, [UNKNOWN, "::/0"], [UNKNOWN])],
    ],
    ["an unknown inline ingress list gives no rules", T.securityGroup, { ingress: UNKNOWN }, []],
    [
      "a SecurityGroupRule of type ingress reads its CIDR and prefix-list lists",
      T.securityGroupRule,
      { type: "ingress", protocol: "tcp", fromPort: 2379, toPort: 2380, cidrBlocks: ["10.0.0.0/16"], prefixListIds: ["pl-1"] },
      [rule("tcp", 2379, 2380, ["10.0.0.0/16"], ["pl-1"])],
    ],
    [
      "a SecurityGroupRule with unknown CIDR lists keeps them as unknown entries",
      T.securityGroupRule,
      { type: "ingress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: UNKNOWN, ipv6CidrBlocks: UNKNOWN },
      [rule("tcp", 22, 22, [UNKNOWN, UNKNOWN], [])],
    ],
    [
      "a SecurityGroupIngressRule with only an IPv4 CIDR has no IPv6 entry and no prefix list",
      T.ingressRule,
      { ipProtocol: "tcp", fromPort: 6443, toPort: 6443, cidrIpv4: "10.0.0.0/8" },
      [rule("tcp", 6443, 6443, ["10.0.0.0/8"], [])],
    ],
    [
      "a SecurityGroupIngressRule with an IPv6 CIDR and a prefix list keeps both",
      T.ingressRule,
      { ipProtocol: "-1", cidrIpv6: "::/0", prefixListId: "pl-2" },
      [rule("-1", undefined, undefined, ["::/0"], ["pl-2"])],
    ],
    ["an egress rule is not ingress", T.egressRule, { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, []],
  ])("%s", (_name, type, props, want) => {
    expect(ingressRules(type, props)).toStrictEqual(want);
  });
});

describe("coversPort", () => {
  test.each<[Ingress, number, boolean | undefined]>([
    [rule("tcp", 2379, 2379), 2379, true],
    [rule("TCP", 2379, 2380), 2380, true],
    [rule("6", 2379, 2380), 2379, true],
    [rule("6", 2380, 2400), 2379, false],
    [rule("tcp", 2000, 2378), 2379, false],
    [rule("udp", 0, 65535), 2379, false],
    [rule("17", 0, 65535), 2379, false],
    [rule("-1", 0, 0), 2379, true],
    [rule("all", undefined, undefined), 6443, true],
    [rule("tcp", undefined, 2379), 2379, false],
    [rule("tcp", 2379, "not-a-port"), 2379, false],
    [rule("tcp", "2379", "2380"), 2380, true],
    [rule(UNKNOWN, 0, 0), 2379, undefined],
    [rule("tcp", 2379, UNKNOWN), 2379, undefined],
  ])("%j covers %d: %s", (r, port, want) => {
    expect(coversPort(r, port)).toBe(want);
  });
});

const etcdMessage = (cidr: string, ports: string) =>
  `ingress from ${cidr} admits etcd port(s) ${ports}; allow only the etcd and control-plane security groups.`;

describe("etcdPortProblems", () => {
  test.each<[string, Ingress[], string[]]>([
    [
      "both etcd ports open to the internet in both families",
      [rule("tcp", 2379, 2380, ["0.0.0.0/0", "::/0"])],
      [etcdMessage("0.0.0.0/0", "2379, 2380"), etcdMessage("::/0", "2379, 2380")],
    ],
    ["only the client port open names only that port", [rule("tcp", 2379, 2379, ["0.0.0.0/0"])], [etcdMessage("0.0.0.0/0", "2379")]],
    ["only the peer port open names only that port", [rule("tcp", 2380, 2380, ["0.0.0.0/0"])], [etcdMessage("0.0.0.0/0", "2380")]],
    ["a rule that covers no etcd port is fine from anywhere", [rule("tcp", 22, 22, ["0.0.0.0/0"])], []],
    ["an etcd port open to a private range is fine", [rule("-1", 0, 0, ["10.0.0.0/8", "0.0.0.0/1"])], []],
    ["an unknown CIDR is not reported", [rule("tcp", 2379, 2380, [UNKNOWN])], []],
    ["an etcd port with unknown ports is not reported", [rule("tcp", UNKNOWN, UNKNOWN, ["0.0.0.0/0"])], []],
  ])("%s", (_name, rules, want) => {
    expect(etcdPortProblems(rules)).toEqual(want);
  });
});

const apiMessage = (cidr: string, allowed: string) =>
  `ingress from ${cidr} admits the apiserver port ${APISERVER_PORT} but is outside the allowed ranges (allowedApiCidrs and the VPC: ${allowed}); add it to allowedApiCidrs in the policy config or narrow the rule.`;
const prefixListMessage = (id: string) =>
  `ingress from prefix list ${id} admits the apiserver port ${APISERVER_PORT}; its CIDRs cannot be checked against allowedApiCidrs, list them instead.`;

describe("apiserverIngressProblems", () => {
  const allowed = ["10.0.0.0/16", "203.0.113.0/24"];
  test.each<[string, Ingress[], string[], string[]]>([
    [
      "CIDRs inside an allowed range pass and others are named with the allowed list",
      [rule("tcp", 6443, 6443, ["10.0.4.0/24", "203.0.113.7/32", "198.51.100.0/24", "0.0.0.0/0"])],
      allowed,
      [apiMessage("198.51.100.0/24", "10.0.0.0/16, 203.0.113.0/24"), apiMessage("0.0.0.0/0", "10.0.0.0/16, 203.0.113.0/24")],
    ],
    [
      "with nothing allowed every CIDR is outside and the message says none",
      [rule("tcp", 6000, 7000, ["10.0.0.0/16"])],
      [],
      [apiMessage("10.0.0.0/16", "none")],
    ],
    [
      "a CIDR that does not parse is outside",
      [rule("-1", 0, 0, ["not-a-cidr"])],
      allowed,
      [apiMessage("not-a-cidr", "10.0.0.0/16, 203.0.113.0/24")],
    ],
    ["a rule that does not cover the apiserver port is fine from anywhere", [rule("tcp", 22, 22, ["0.0.0.0/0"], ["pl-1"])], allowed, []],
    ["a rule with unknown ports is not reported", [rule("tcp", UNKNOWN, 6443, ["0.0.0.0/0"], ["pl-1"])], allowed, []],
    ["unknown and non-string CIDRs are skipped", [rule("tcp", 6443, 6443, [UNKNOWN, null, 7])], allowed, []],
    [
      "known prefix lists are named, unknown and non-string ones skipped",
      [rule("tcp", 6443, 6443, [], [UNKNOWN, null, 7, "pl-0abc"])],
      allowed,
      [prefixListMessage("pl-0abc")],
    ],
  ])("%s", (_name, rules, allowedCidrs, want) => {
    expect(apiserverIngressProblems(rules, allowedCidrs)).toEqual(want);
  });
});
