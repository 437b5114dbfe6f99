/** prefixListCidrs and withPrefixListEntries on small hand-built graphs, for each kind of rule holder. */
import { GraphResource, T, makeGraph } from "../../policy/rules/graph";
import { PeerSet, prefixListCidrs, withPrefixListEntries } from "../../policy/rules/prefixLists";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const LIST_ID = "pl-0123456789abcdef0";
const list = graphResource(
  "urn:blocks",
  T.prefixList,
  { id: LIST_ID, entries: [{ cidr: "10.0.0.0/16" }, { cidr: "100.64.0.0/16" }] },
  {},
  "blocks",
);
const listWith = (entries: unknown) => graphResource("urn:blocks", T.prefixList, { entries }, {}, "blocks");

describe("prefixListCidrs", () => {
  test.each<[string, unknown, unknown[]]>([
    ["every entry's CIDR", [{ cidr: "10.0.0.0/16" }, { cidr: "100.64.0.0/16" }], ["10.0.0.0/16", "100.64.0.0/16"]],
    ["entries unknown as a whole", UNKNOWN, [UNKNOWN]],
    ["an unknown entry stays unknown", [{ cidr: "10.0.0.0/16" }, UNKNOWN], ["10.0.0.0/16", UNKNOWN]],
    [
      "entries without a CIDR, or no record, are left out",
      [{ description: "none" }, "10.1.0.0/16", { cidr: "10.0.0.0/16" }],
      ["10.0.0.0/16"],
    ],
    ["no entries", undefined, []],
  ])("%s", (_what, entries, want) => {
    expect(prefixListCidrs(listWith(entries))).toStrictEqual(want);
  });
});

describe("withPrefixListEntries", () => {
  const ruleOf = (type: string, prop: string) => graphResource("urn:holder", type, {}, { [prop]: ["urn:blocks"] }, "holder");
  const peers = (prefixLists: unknown[], cidrs: unknown[] = []): PeerSet => ({ cidrs, prefixLists });
  const resolved = peers([], ["10.0.0.0/16", "100.64.0.0/16"]);

  test.each<[string, GraphResource, "ingress" | "egress"]>([
    ["a security group's ingress block", ruleOf(T.securityGroup, "ingress"), "ingress"],
    ["a security group's egress block", ruleOf(T.securityGroup, "egress"), "egress"],
    ["a SecurityGroupRule's prefixListIds", ruleOf(T.securityGroupRule, "prefixListIds"), "ingress"],
    ["an ingress rule's prefixListId", ruleOf(T.ingressRule, "prefixListId"), "ingress"],
    ["an egress rule's prefixListId", ruleOf(T.egressRule, "prefixListId"), "egress"],
  ])("preview: an unknown ID is followed through %s", (_what, holder, direction) => {
    expect(withPrefixListEntries(makeGraph([list, holder]), holder, direction, [peers([UNKNOWN])])).toStrictEqual([resolved]);
  });

  test.each<[string, GraphResource, "ingress" | "egress"]>([
    ["a security group's egress block is not its ingress", ruleOf(T.securityGroup, "egress"), "ingress"],
    ["a security group's prefixListId is no block of it", ruleOf(T.securityGroup, "prefixListId"), "ingress"],
    ["a SecurityGroupRule's prefixListId is not its property", ruleOf(T.securityGroupRule, "prefixListId"), "ingress"],
    ["an ingress rule's prefixListIds is not its property", ruleOf(T.ingressRule, "prefixListIds"), "ingress"],
  ])("preview: an unknown ID is not followed through another property (%s)", (_what, holder, direction) => {
    expect(withPrefixListEntries(makeGraph([list, holder]), holder, direction, [peers([UNKNOWN])])).toStrictEqual([peers([UNKNOWN])]);
  });

  test("known IDs: the stack's list becomes its CIDRs after the rule's own, another stays a prefix list", () => {
    const holder = ruleOf(T.ingressRule, "prefixListId");
    expect(
      withPrefixListEntries(makeGraph([list, holder]), holder, "ingress", [peers([LIST_ID, "pl-elsewhere"], ["10.9.0.0/16"])]),
    ).toStrictEqual([peers(["pl-elsewhere"], ["10.9.0.0/16", "10.0.0.0/16", "100.64.0.0/16"])]);
  });

  test("an unknown ID that cannot be followed stays once beside the known IDs of no list", () => {
    const holder = graphResource("urn:holder", T.securityGroupRule, {}, {}, "holder");
    expect(withPrefixListEntries(makeGraph([list, holder]), holder, "ingress", [peers(["pl-elsewhere", UNKNOWN])])).toStrictEqual([
      peers(["pl-elsewhere", UNKNOWN]),
    ]);
  });

  test("a rule without prefix lists is returned as it is", () => {
    const holder = ruleOf(T.ingressRule, "prefixListId");
    const plain = peers([], ["10.9.0.0/16"]);
    expect(withPrefixListEntries(makeGraph([list, holder]), holder, "ingress", [plain])[0]).toBe(plain);
  });
});
