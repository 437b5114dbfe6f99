import { formatProblem } from "../../lib/config/problems";
import {
  Offering,
  offeringProblems,
  offeringQuery,
  offeringsFromAwsCli,
  offeringsFromDataSource,
  peerTypes,
  typePlacements,
} from "../../lib/instanceTypeOfferings";

const zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"];
type Placed = Parameters<typeof typePlacements>[0];
const cluster = (): Placed =>
  ({
    zones,
    etcd: { members: 3, instanceType: "m7i.large" },
    controlPlane: { instanceType: "c7i.xlarge" },
    workers: [
      { name: "general", instanceTypes: ["m7i.large"], zones },
      { name: "batch", instanceTypes: ["m7g.large", "m6g.large"], zones: ["eu-west-1a", "eu-west-1c"] },
    ],
  }) as unknown as Placed;

/** Every known type the query asks for, offered in every zone, minus `except` ("type@zone"). */
function offeredExcept(c: Placed, ...except: string[]): Offering[] {
  const q = offeringQuery(c);
  return q.types
    .flatMap((t) => q.zones.map((z) => ({ instanceType: t, zone: z })))
    .filter((o) => !except.includes(`${o.instanceType}@${o.zone}`));
}
const problems = (c: Placed, offered: Offering[]) => offeringProblems(typePlacements(c), offered).map(formatProblem);

test("each type is placed in the zones its node group launches in", () => {
  const c = cluster();
  (c.etcd as { members: number }).members = 1;
  expect(typePlacements(c).map((p) => [p.key, p.type, p.zones.join(" ")])).toEqual([
    ["kubestead:etcd.instanceType", "m7i.large", "eu-west-1a"],
    ["kubestead:controlPlane.instanceType", "c7i.xlarge", "eu-west-1a eu-west-1b eu-west-1c"],
    ["kubestead:workers[0].instanceTypes[0]", "m7i.large", "eu-west-1a eu-west-1b eu-west-1c"],
    ["kubestead:workers[1].instanceTypes[0]", "m7g.large", "eu-west-1a eu-west-1c"],
    ["kubestead:workers[1].instanceTypes[1]", "m6g.large", "eu-west-1a eu-west-1c"],
  ]);
});

test("peers share architecture, vCPUs, memory and burstability, newest generation first", () => {
  expect(peerTypes("m7g.large")).toEqual(["m8g.large", "m7gd.large", "m6g.large", "m6gd.large"]);
  expect(peerTypes("t3.medium")).toEqual(["t3a.medium"]);
  expect(peerTypes("x9.huge")).toEqual([]);
});

test("the query asks for the cluster's types and their peers in the cluster's zones, sorted", () => {
  const q = offeringQuery(cluster());
  expect(q.zones).toEqual(zones);
  expect(q.types).toEqual([...q.types].sort());
  expect(q.types).toEqual(expect.arrayContaining(["m7i.large", "c7i.xlarge", "m7g.large", "m6g.large", "m7a.large", "c7a.xlarge"]));
  expect(q.types).not.toContain("m7i.xlarge");
});

test("everything offered everywhere: no problem", () => {
  expect(problems(cluster(), offeredExcept(cluster()))).toEqual([]);
});

test("a pool type not offered in one zone: refused at its key, naming offered peers of its architecture", () => {
  expect(problems(cluster(), offeredExcept(cluster(), "m6g.large@eu-west-1c", "m8g.large@eu-west-1a"))).toEqual([
    'kubestead:workers[1].instanceTypes[1] must be offered in every zone of the pool batch; EC2 does not offer it in eu-west-1c (got "m6g.large"): pick a type offered in all of eu-west-1a, eu-west-1c (e.g. m7g.large, m7gd.large, m6gd.large), or leave eu-west-1c out of kubestead:workers[1].zones',
  ]);
});

test("a zone the pool doesn't use may lack the type (the edge)", () => {
  expect(problems(cluster(), offeredExcept(cluster(), "m6g.large@eu-west-1b", "m7g.large@eu-west-1b"))).toEqual([]);
});

test("one problem per key, every missing zone named; no peer offered: no example", () => {
  const c = cluster();
  const gone = ["eu-west-1b", "eu-west-1c"].flatMap((z) => ["c7i.xlarge", ...peerTypes("c7i.xlarge")].map((t) => `${t}@${z}`));
  expect(problems(c, offeredExcept(c, ...gone))).toEqual([
    'kubestead:controlPlane.instanceType must be offered in every zone of kubestead:zones (the control plane spans them all); EC2 does not offer it in eu-west-1b, eu-west-1c (got "c7i.xlarge"): pick a type offered in all of eu-west-1a, eu-west-1b, eu-west-1c, or replace eu-west-1b, eu-west-1c in kubestead:zones',
  ]);
});

test("etcd members occupy the first zones only; the type shared with a pool is reported at both keys", () => {
  const c = cluster();
  const out = problems(c, offeredExcept(c, "m7i.large@eu-west-1b"));
  expect(out).toEqual([
    'kubestead:etcd.instanceType must be offered in every zone that holds an etcd member (the first 3 of kubestead:zones); EC2 does not offer it in eu-west-1b (got "m7i.large"): pick a type offered in all of eu-west-1a, eu-west-1b, eu-west-1c (e.g. m7a.large, m7i-flex.large, m6a.large), or put zones that offer it first in kubestead:zones',
    'kubestead:workers[0].instanceTypes[0] must be offered in every zone of the pool general; EC2 does not offer it in eu-west-1b (got "m7i.large"): pick a type offered in all of eu-west-1a, eu-west-1b, eu-west-1c (e.g. m7a.large, m7i-flex.large, m6a.large), or leave eu-west-1b out of kubestead:workers[0].zones',
  ]);
});

test("a mixed pool needs every type in every zone, not one type per zone", () => {
  const c = cluster();
  // m7g.large is in both of the pool's zones; m6g.large only in one: still refused.
  expect(problems(c, offeredExcept(c, "m6g.large@eu-west-1a")).map((p) => p.slice(0, p.indexOf(" must")))).toEqual([
    "kubestead:workers[1].instanceTypes[1]",
  ]);
});

test("the data source's parallel lists become offerings", () => {
  expect(offeringsFromDataSource({ instanceTypes: ["m7i.large", "m7a.large"], locations: ["eu-west-1a", "eu-west-1b"] })).toEqual([
    { instanceType: "m7i.large", zone: "eu-west-1a" },
    { instanceType: "m7a.large", zone: "eu-west-1b" },
  ]);
});

describe("describe-instance-type-offerings JSON", () => {
  test("one document or a list of pages", () => {
    const page = (t: string, z: string) => ({
      InstanceTypeOfferings: [{ InstanceType: t, LocationType: "availability-zone", Location: z }],
    });
    expect(offeringsFromAwsCli(page("m7i.large", "eu-west-1a"))).toEqual([{ instanceType: "m7i.large", zone: "eu-west-1a" }]);
    expect(offeringsFromAwsCli([page("m7i.large", "eu-west-1a"), page("m7a.large", "eu-west-1b")])).toHaveLength(2);
  });

  test("region offerings are refused: they say nothing of the zones", () => {
    expect(() =>
      offeringsFromAwsCli({ InstanceTypeOfferings: [{ InstanceType: "m7i.large", LocationType: "region", Location: "eu-west-1" }] }),
    ).toThrow(
      "an offering of location type region (m7i.large): run describe-instance-type-offerings with --location-type availability-zone",
    );
  });

  test("another command's JSON is refused", () => {
    expect(() => offeringsFromAwsCli({ Subnets: [] })).toThrow('expected {"InstanceTypeOfferings": [...]}');
  });
});
