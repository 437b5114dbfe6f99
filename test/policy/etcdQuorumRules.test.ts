/** etcdMembers on small hand-built graphs and etcdQuorumProblems on member views: counts, tags, sizes, zones and data volumes. */
import { EtcdMemberView, etcdMembers, etcdQuorumProblems } from "../../policy/rules/etcdQuorum";
import { GraphResource, makeGraph, T, TAG } from "../../policy/rules/graph";
import { etcdMemberView, graphResource } from "../helpers/graphResource";
import { UNKNOWN } from "../helpers/fixtureValues";

describe("etcdMembers", () => {
  const subnet = (z: string) => graphResource(`urn:s-${z}`, T.subnet, { id: `subnet-${z}`, availabilityZone: z });
  /** An ASG carries its tags as a `[{ key, value }]` list. */
  const asg = (urn: string, tags: Record<string, string>, props: Record<string, unknown> = {}, deps: Record<string, string[]> = {}) =>
    graphResource(
      urn,
      T.asg,
      { tags: Object.entries(tags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })), maxSize: 1, ...props },
      deps,
      urn.replace(/^urn:/, ""),
    );
  const volume = (urn: string, tags: Record<string, string>, zone: string) =>
    graphResource(urn, T.volume, { tags, availabilityZone: zone });
  const members = (...rs: GraphResource[]) => etcdMembers(makeGraph([subnet("a"), subnet("b"), ...rs]));

  test("an etcd group takes the etcd volume with its member tag, and the zones of its subnets", () => {
    expect(
      members(
        asg("urn:asg0", { [TAG.role]: "etcd", [TAG.member]: "0" }, { maxSize: 2, vpcZoneIdentifiers: ["subnet-a", "subnet-b"] }),
        asg("urn:worker", { [TAG.role]: "worker", [TAG.member]: "0" }, { vpcZoneIdentifiers: ["subnet-a"] }),
        volume("urn:v1", { [TAG.role]: "etcd", [TAG.member]: "1" }, "b"),
        volume("urn:other0", { [TAG.role]: "worker", [TAG.member]: "0" }, "b"),
        volume("urn:v0", { [TAG.role]: "etcd", [TAG.member]: "0" }, "a"),
      ),
    ).toEqual<EtcdMemberView[]>([
      {
        urn: "urn:asg0",
        name: "asg0",
        member: "0",
        maxSize: 2,
        zones: { zones: ["a", "b"], unknown: false, unresolved: [] },
        volume: { urn: "urn:v0", zone: "a" },
      },
    ]);
  });

  test("a group without a member tag gets no volume, not even an etcd volume without one", () => {
    expect(
      members(asg("urn:asg", { [TAG.role]: "etcd" }, { vpcZoneIdentifiers: ["subnet-a"] }), volume("urn:v", { [TAG.role]: "etcd" }, "a")),
    ).toEqual<EtcdMemberView[]>([
      {
        urn: "urn:asg",
        name: "asg",
        member: undefined,
        maxSize: 1,
        zones: { zones: ["a"], unknown: false, unresolved: [] },
        volume: undefined,
      },
    ]);
  });

  test("unknown subnet IDs resolve through the vpcZoneIdentifiers dependencies", () => {
    const [m] = members(
      asg("urn:asg0", { [TAG.role]: "etcd", [TAG.member]: "0" }, { vpcZoneIdentifiers: [UNKNOWN] }, { vpcZoneIdentifiers: ["urn:s-b"] }),
    );
    expect(m.zones).toEqual({ zones: ["b"], unknown: false, unresolved: [] });
  });
});

describe("etcdQuorumProblems", () => {
  const member = etcdMemberView;
  const zoneSet = (zones: string[], unknown = false) => ({ zones, unknown, unresolved: [] });
  /** Three healthy members in a, b, c with member 0 changed by `over`. */
  const withFirst = (over: Partial<EtcdMemberView>) => [member(0, "a", over), member(1, "b"), member(2, "c")];

  const count = (n: number) =>
    `etcd has ${n} member(s); it needs an odd number, at least 3 (quorum is floor(n/2)+1, so an even count adds no fault tolerance).`;
  const spread = (n: number, zones: string) =>
    `etcd members span ${n} availability zone(s) (${zones}); they need at least 3 so one zone outage keeps quorum.`;
  const first = (message: string) => ({ urn: "urn:m0", message });

  test.each<[string, EtcdMemberView[], { urn?: string; message: string }[]]>([
    ["three members in three zones, each with its volume, pass", withFirst({}), []],
    ["no members is only a count problem", [], [{ message: count(0) }]],
    [
      "two members are too few, and two zones too few",
      [member(0, "a"), member(1, "b")],
      [{ message: count(2) }, { message: spread(2, "a, b") }],
    ],
    ["the zones are listed sorted", [member(0, "c"), member(1, "a"), member(2, "a")], [{ message: spread(2, "a, c") }]],
    [
      "members with no known zone and nothing unknown span none",
      [0, 1, 2].map((i) => member(i, "a", { zones: { zones: [], unknown: false, unresolved: [`subnet-${i}`] } })),
      [{ message: spread(0, "none known") }],
    ],
    [
      "a member whose zones are unknown could still make three zones",
      withFirst({ zones: zoneSet([], true) }).slice(0, 2),
      [{ message: count(2) }],
    ],
    [
      "a member without tag or volume is named by its group",
      withFirst({ member: undefined, volume: undefined }),
      [
        first("etcd member ? (m0) has no kubestead.io/member tag."),
        first("etcd member ? (m0) has no data volume (aws:ebs/volume:Volume tagged kubestead.io/role=etcd, kubestead.io/member=<i>)."),
      ],
    ],
    [
      "a tagged member without volume names the volume's tags",
      withFirst({ volume: undefined }),
      [first("etcd member 0 (m0) has no data volume (aws:ebs/volume:Volume tagged kubestead.io/role=etcd, kubestead.io/member=0).")],
    ],
    [
      "a member spanning two zones is reported once, whichever zone its volume is in",
      withFirst({ zones: zoneSet(["a", "b"]), volume: { urn: "urn:v0", zone: "b" } }),
      [first("etcd member 0 (m0) spans zones a, b; a member must stay in the single zone of its EBS data volume.")],
    ],
    [
      "a member in another zone than its volume",
      withFirst({ volume: { urn: "urn:v0", zone: "b" } }),
      [first("etcd member 0 (m0) runs in a but its data volume is in b; EBS volumes attach only within their zone.")],
    ],
    ["a volume zone that is unknown is not compared", withFirst({ volume: { urn: "urn:v0", zone: UNKNOWN } }), []],
    ["a volume without zone is not compared", withFirst({ volume: { urn: "urn:v0", zone: undefined } }), []],
    [
      "a member without known zone is not compared with its volume",
      [...withFirst({ zones: zoneSet([], true) }), member(3, "a"), member(4, "b")],
      [],
    ],
  ])("%s", (_, members, want) => {
    expect(etcdQuorumProblems(members)).toEqual(want);
  });

  test.each<[unknown, string[]]>([
    [1, []],
    [2, ["etcd member 0 (m0) has maxSize 2; one member's ASG holds one instance (its data volume attaches to one node)."]],
    ["3", ["etcd member 0 (m0) has maxSize 3; one member's ASG holds one instance (its data volume attaches to one node)."]],
    [UNKNOWN, []],
    [undefined, []],
  ])("a member group with maxSize %p", (maxSize, want) => {
    expect(etcdQuorumProblems(withFirst({ maxSize })).map((f) => f.message)).toEqual(want);
  });
});
