/** egressRulesOf, egressProblems and restrictedEgressProblems on hand-built rules and small graphs. */
import { egressProblems, egressRulesOf, restrictedEgressProblems } from "../../policy/rules/egress";
import { T, TAG, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const res = (type: string, name: string, props: Record<string, unknown>, deps: Record<string, string[]> = {}) =>
  graphResource(`urn:${name}`, type, props, deps, name);

describe("egressRulesOf", () => {
  test.each([
    [
      "inline egress of a security group, IPv4 and IPv6 together",
      T.securityGroup,
      {
        egress: [
          { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], ipv6CidrBlocks: ["::/0"], prefixListIds: ["pl-1"] },
        ],
      },
      [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrs: ["0.0.0.0/0", "::/0"], prefixLists: ["pl-1"] }],
    ],
    [
      "inline egress with unknown CIDR lists",
      T.securityGroup,
      { egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: UNKNOWN, ipv6CidrBlocks: UNKNOWN }] },
      [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrs: [UNKNOWN, UNKNOWN], prefixLists: [] }],
    ],
    [
      "an egress SecurityGroupRule",
      T.securityGroupRule,
      { type: "egress", protocol: "udp", fromPort: 53, toPort: 53, cidrBlocks: ["10.0.0.0/16"], prefixListIds: UNKNOWN },
      [{ protocol: "udp", fromPort: 53, toPort: 53, cidrs: ["10.0.0.0/16"], prefixLists: [UNKNOWN] }],
    ],
    [
      "a SecurityGroupEgressRule without a prefix list",
      T.egressRule,
      { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0" },
      [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["0.0.0.0/0"], prefixLists: [] }],
    ],
    [
      "a SecurityGroupEgressRule to a prefix list",
      T.egressRule,
      { ipProtocol: "tcp", fromPort: 22, toPort: 22, prefixListId: "pl-1" },
      [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrs: [], prefixLists: ["pl-1"] }],
    ],
    ["an ingress rule", T.ingressRule, { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, []],
  ])("%s", (_what, type, props, want) => {
    expect(egressRulesOf(type, props)).toStrictEqual(want);
  });
});

describe("egressProblems", () => {
  const anywhere = ["0.0.0.0/0"];
  test.each([
    ["an unknown fromPort", { protocol: "tcp", fromPort: UNKNOWN, toPort: 22, cidrs: anywhere }, []],
    ["an unknown toPort", { protocol: "tcp", fromPort: 22, toPort: UNKNOWN, cidrs: anywhere }, []],
    [
      "UDP 443",
      { protocol: "udp", fromPort: 443, toPort: 443, cidrs: anywhere },
      ["opens udp port 443 to 0.0.0.0/0; only TCP 443 may go to the internet."],
    ],
    [
      "TCP 443-444",
      { protocol: "tcp", fromPort: 443, toPort: 444, cidrs: anywhere },
      ["opens tcp ports 443-444 to 0.0.0.0/0; only TCP 443 may go to the internet."],
    ],
    [
      "TCP 22 to both internets",
      { protocol: "tcp", fromPort: 22, toPort: 22, cidrs: ["0.0.0.0/0", "10.0.0.0/8", "::/0"] },
      ["opens tcp port 22 to 0.0.0.0/0, ::/0; only TCP 443 may go to the internet."],
    ],
  ])("%s", (_what, rule, want) => {
    expect(egressProblems(rule)).toEqual(want);
  });
});

describe("restrictedEgressProblems", () => {
  const sg = (name: string, role: string | undefined) =>
    res(T.securityGroup, name, { id: `${name}-id`, tags: role === undefined ? {} : { [TAG.role]: role } });
  const ssh = { type: "egress", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] };
  const msg = "etcd egress ssh-out opens tcp port 22 to 0.0.0.0/0; only TCP 443 may go to the internet.";

  test("a rule with an unknown group takes the first tagged group it depends on", () => {
    const rule = res(T.securityGroupRule, "ssh-out", { ...ssh, securityGroupId: UNKNOWN }, { securityGroupId: ["urn:plain", "urn:etcd"] });
    expect(restrictedEgressProblems(makeGraph([sg("plain", undefined), sg("etcd", "etcd"), rule]))).toEqual([
      { urn: "urn:ssh-out", message: msg },
    ]);
  });

  test("a rule of an untagged group falls back to its own role tag; a worker group's rule is left alone", () => {
    const own = res(T.securityGroupRule, "ssh-out", { ...ssh, securityGroupId: "plain-id", tags: { [TAG.role]: "etcd" } });
    const worker = res(T.securityGroupRule, "worker-out", { ...ssh, securityGroupId: "worker-id" });
    expect(restrictedEgressProblems(makeGraph([sg("plain", undefined), sg("worker", "worker"), own, worker]))).toEqual([
      { urn: "urn:ssh-out", message: msg },
    ]);
  });
});
