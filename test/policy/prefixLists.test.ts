/**
 * Rules that admit "the VPC" through a managed prefix list of its blocks (components/securityGroups.ts):
 * the policies read a prefix list of the stack as the CIDRs it holds — a VPC block passes, a
 * public range in the list is caught like one written in the rule — in a preview too, where the
 * rule's prefix-list ID is unknown and its property dependency names the list.
 */
import type { Plan } from "../../lib/plan/types";
import type { PolicyPackConfigFile } from "../../policy/runner";
import { runPolicies } from "../../policy/runner";
import { T } from "../../policy/rules/graph";
import { prefixListCidrs, withPrefixListEntries } from "../../policy/rules/prefixLists";
import prodConfig from "../../policy/prod.json";
import { addResource, find, graphOfPlan, happyPlan, NOW, setProp, tags, UNKNOWN } from "../helpers/policyFixtures";
import { WIDE_INGRESS_CONFIG } from "./accessCases";

const LIST = "kc-vpc-blocks";
const LIST_ID = "pl-0123456789abcdef0";
const prod = prodConfig as PolicyPackConfigFile;
const run = (plan: Plan, config = prod) => runPolicies(plan, config, { now: NOW }).violations;
const policiesOf = (plan: Plan, config = prod) => [...new Set(run(plan, config).map((v) => v.policy))].sort();

/** The happy plan with the control plane's "API from the VPC" rule admitting a prefix list of `entries` instead of the CIDR. */
function viaPrefixList(entries: string[]): Plan {
  const plan = happyPlan();
  addResource(plan, {
    type: T.prefixList,
    name: LIST,
    inputs: {
      name: "kc-vpc-blocks",
      addressFamily: "IPv4",
      maxEntries: 5,
      entries: entries.map((cidr) => ({ cidr, description: "VPC block" })),
      tags: tags("network"),
    },
    computed: { id: LIST_ID },
  });
  setProp(plan, "kc-cp-api-from-vpc", "cidrIpv4", undefined);
  setProp(plan, "kc-cp-api-from-vpc", "prefixListId", LIST_ID);
  find(plan, "kc-cp-api-from-vpc").propertyDependencies.prefixListId = [find(plan, LIST).urn];
  return plan;
}

/** An adopted VPC: no Vpc resource, the Network component's outputs carry its blocks. */
function adopted(plan: Plan, vpcCidrs: string[] | undefined): Plan {
  plan.resources = plan.resources.filter((r) => r.type !== T.vpc);
  addResource(plan, {
    type: "kubestead:components:Network",
    name: "kc-network",
    inputs: {},
    outputsOnly: { vpcCidr: "10.0.0.0/16", ...(vpcCidrs ? { vpcCidrs } : {}) },
    component: true,
  });
  return plan;
}

describe("apiserver-ingress-restricted and api-cidrs-bounded read a prefix list of the stack as its CIDRs", () => {
  test("the VPC's block through the prefix list passes every policy", () => {
    expect(run(viaPrefixList(["10.0.0.0/16"]))).toEqual([]);
  });

  test("a public range in the list is caught, named by its CIDR", () => {
    const v = run(viaPrefixList(["10.0.0.0/16", "203.0.113.0/24"]));
    expect(v.map((x) => x.policy)).toEqual(["apiserver-ingress-restricted"]);
    expect(v[0].message).toMatch(/ingress from 203\.0\.113\.0\/24 admits the apiserver port 6443 but is outside the allowed ranges/);
    expect(v[0].urn).toBe(find(viaPrefixList([]), "kc-cp-api-from-vpc").urn);
  });

  test("the internet in two halves inside a prefix list counts against the share", () => {
    expect(policiesOf(viaPrefixList(["0.0.0.0/1", "128.0.0.0/1"]), WIDE_INGRESS_CONFIG)).toEqual(["api-cidrs-bounded"]);
  });

  test("a prefix list of no resource of the stack cannot be checked: reported as before", () => {
    const plan = viaPrefixList(["10.0.0.0/16"]);
    setProp(plan, "kc-cp-api-from-vpc", "prefixListId", "pl-0fffffffffffffff0");
    const v = run(plan);
    expect(v.map((x) => x.policy)).toEqual(["apiserver-ingress-restricted"]);
    expect(v[0].message).toMatch(
      /ingress from prefix list pl-0fffffffffffffff0 admits the apiserver port 6443; its CIDRs cannot be checked/,
    );
  });

  test("preview: an unknown ID is followed through the rule's property dependency on the list", () => {
    const plan = viaPrefixList(["10.0.0.0/16", "203.0.113.0/24"]);
    setProp(plan, "kc-cp-api-from-vpc", "prefixListId", UNKNOWN);
    setProp(plan, LIST, "id", UNKNOWN, ["outputs"]);
    expect(run(plan).map((x) => x.policy)).toEqual(["apiserver-ingress-restricted"]);
    // Without the dependency there is nothing to follow: skipped, not reported.
    find(plan, "kc-cp-api-from-vpc").propertyDependencies.prefixListId = [];
    expect(run(plan)).toEqual([]);
  });
});

describe("an adopted VPC's secondary block counts as the VPC", () => {
  test("the Network component's vpcCidrs admit the secondary block; without them it is outside", () => {
    expect(run(adopted(viaPrefixList(["10.0.0.0/16", "100.64.0.0/16"]), ["10.0.0.0/16", "100.64.0.0/16"]))).toEqual([]);
    const primaryOnly = run(adopted(viaPrefixList(["10.0.0.0/16", "100.64.0.0/16"]), undefined));
    expect(primaryOnly.map((x) => x.policy)).toEqual(["apiserver-ingress-restricted"]);
    expect(primaryOnly[0].message).toMatch(/ingress from 100\.64\.0\.0\/16 admits the apiserver port/);
  });
});

describe("egress-restricted reads prefix lists too", () => {
  const dnsVia = (entries: string[]) => {
    const plan = viaPrefixList(entries);
    addResource(plan, {
      type: T.egressRule,
      name: "kc-etcd-dns-udp-to-vpc",
      inputs: { securityGroupId: "sg-etcd", ipProtocol: "udp", fromPort: 53, toPort: 53, prefixListId: LIST_ID, tags: tags("etcd") },
    });
    return plan;
  };
  test("DNS to the VPC's blocks is fine; a list holding 0.0.0.0/0 opens DNS to the internet", () => {
    expect(run(dnsVia(["10.0.0.0/16"]))).toEqual([]);
    const v = run(dnsVia(["10.0.0.0/16", "0.0.0.0/0"]), WIDE_INGRESS_CONFIG).filter((x) => x.policy === "egress-restricted");
    expect(v.map((x) => x.message)).toEqual([
      "etcd egress kc-etcd-dns-udp-to-vpc opens udp port 53 to 0.0.0.0/0; only TCP 443 may go to the internet.",
    ]);
  });
});

describe("the pure helpers", () => {
  const fixture = () => {
    const { graph } = graphOfPlan(viaPrefixList(["10.0.0.0/16", "100.64.0.0/16"]));
    const list = graph.resources.find((r) => r.type === T.prefixList)!;
    const rule = graph.resources.find((r) => r.name === "kc-cp-api-from-vpc")!;
    return { graph, list, rule };
  };

  test("a list's CIDRs are its entries'; unknown entries stay unknown", () => {
    const { list } = fixture();
    expect(prefixListCidrs(list)).toEqual(["10.0.0.0/16", "100.64.0.0/16"]);
    expect(prefixListCidrs({ ...list, props: { entries: UNKNOWN } })).toEqual([UNKNOWN]);
    expect(prefixListCidrs({ ...list, props: { entries: [{ cidr: "10.0.0.0/16" }, UNKNOWN] } })).toEqual(["10.0.0.0/16", UNKNOWN]);
  });

  test("withPrefixListEntries: the stack's list becomes CIDRs, others stay prefix lists, rules without lists are untouched", () => {
    const { graph, rule } = fixture();
    const plain = { cidrs: ["10.9.0.0/16"], prefixLists: [] };
    expect(withPrefixListEntries(graph, rule, "ingress", [plain])[0]).toBe(plain);
    expect(withPrefixListEntries(graph, rule, "ingress", [{ cidrs: [], prefixLists: [LIST_ID, "pl-elsewhere"] }])).toEqual([
      { cidrs: ["10.0.0.0/16", "100.64.0.0/16"], prefixLists: ["pl-elsewhere"] },
    ]);
  });
});
