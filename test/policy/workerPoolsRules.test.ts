/** workerPoolProblems on small hand-built graphs: zone spread and the minSize floor of each worker pool. */
import type { Finding } from "../../policy/rules/finding";
import { GraphResource, T, TAG, makeGraph } from "../../policy/rules/graph";
import { workerPoolProblems } from "../../policy/rules/workerPools";
import { UNKNOWN } from "../helpers/fixtureValues";
import { graphResource } from "../helpers/graphResource";

const CFG = { minZones: 2, minSize: 2 };
const subnet = (name: string, zone: string) =>
  graphResource(`urn:${name}`, T.subnet, { id: `subnet-${name}`, availabilityZone: zone }, {}, name);
const subnetA = subnet("a", "eu-west-1a");
const subnetB = subnet("b", "eu-west-1b");
const workerTags = (pool?: string) => [
  { key: TAG.role, value: "worker", propagateAtLaunch: true },
  ...(pool ? [{ key: TAG.pool, value: pool, propagateAtLaunch: true }] : []),
];
const asg = (props: Record<string, unknown>, deps: Record<string, string[]> = {}, tags = workerTags("general")) =>
  graphResource("urn:workers", T.asg, { minSize: 2, vpcZoneIdentifiers: ["subnet-a", "subnet-b"], tags, ...props }, deps, "workers");

const oneZone = (pool: string) => `worker pool ${pool} spans 1 availability zone(s) (eu-west-1a), needs at least 2.`;

describe("workerPoolProblems", () => {
  test.each<[string, GraphResource[], Finding[]]>([
    ["a pool over two zones at the floor", [subnetA, subnetB, asg({})], []],
    ["a pool above the floor", [subnetA, subnetB, asg({ minSize: 3 })], []],
    [
      "a pool one below the floor",
      [subnetA, subnetB, asg({ minSize: 1 })],
      [{ urn: "urn:workers", message: "worker pool general has minSize 1, needs at least 2." }],
    ],
    [
      "a pool without minSize",
      [subnetA, subnetB, asg({ minSize: undefined })],
      [{ urn: "urn:workers", message: "worker pool general has minSize unset, needs at least 2." }],
    ],
    ["a pool whose minSize is unknown in preview", [subnetA, subnetB, asg({ minSize: UNKNOWN })], []],
    ["a pool in one zone", [subnetA, asg({ vpcZoneIdentifiers: ["subnet-a"] })], [{ urn: "urn:workers", message: oneZone("general") }]],
    [
      "a pool without pool tag is named by its resource",
      [subnetA, asg({ vpcZoneIdentifiers: ["subnet-a"], minSize: 0 }, {}, workerTags())],
      [
        { urn: "urn:workers", message: oneZone("workers") },
        { urn: "urn:workers", message: "worker pool workers has minSize 0, needs at least 2." },
      ],
    ],
    [
      "preview: unknown subnets followed through the dependency on vpcZoneIdentifiers land in one zone",
      [subnetA, subnetB, asg({ vpcZoneIdentifiers: UNKNOWN }, { vpcZoneIdentifiers: ["urn:a"] })],
      [{ urn: "urn:workers", message: oneZone("general") }],
    ],
    [
      "preview: unknown subnets followed through vpcZoneIdentifiers over two zones",
      [subnetA, subnetB, asg({ vpcZoneIdentifiers: UNKNOWN }, { vpcZoneIdentifiers: ["urn:a", "urn:b"] })],
      [],
    ],
    ["preview: unknown subnets without dependency are decided on update", [subnetA, asg({ vpcZoneIdentifiers: UNKNOWN })], []],
    [
      "an autoscaling group of another role is no worker pool",
      [subnetA, asg({ vpcZoneIdentifiers: ["subnet-a"], minSize: 0 }, {}, [{ key: TAG.role, value: "etcd", propagateAtLaunch: true }])],
      [],
    ],
  ])("%s", (_what, resources, want) => {
    expect(workerPoolProblems(makeGraph(resources), CFG)).toStrictEqual(want);
  });
});
