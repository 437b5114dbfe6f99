/** control-plane-ha on hand-built graphs and group views: finding the API target group and the subnets, and summing the groups. */
import { ControlPlaneGroupView, controlPlaneGroups, controlPlaneProblems } from "../../policy/rules/controlPlane";
import { GraphResource, T, TAG, ZoneSet, makeGraph } from "../../policy/rules/graph";
import { UNKNOWN_VALUE } from "../../lib/plan/types";
import { graphResource } from "../helpers/graphResource";

const API_TG = graphResource("tg-api", T.targetGroup, { arn: "arn:tg/api", id: "tg-api-id", port: 6443, tags: { [TAG.role]: "api-lb" } });
const OTHER_TG = graphResource("tg-other", T.targetGroup, {
  arn: "arn:tg/other",
  id: "tg-other-id",
  port: 443,
  tags: { [TAG.role]: "ingress" },
});
const SUBNET_A = graphResource("subnet-a", T.subnet, { id: "subnet-a-id", availabilityZone: "us-east-1a" });
const SUBNET_B = graphResource("subnet-b", T.subnet, { id: "subnet-b-id", availabilityZone: "us-east-1b" });

const cpAsg = (props: Record<string, unknown>, propertyDependencies: Record<string, string[]> = {}): GraphResource =>
  graphResource(
    "cp",
    T.asg,
    { minSize: 3, tags: [{ key: TAG.role, value: "controlplane", propagateAtLaunch: true }], ...props },
    propertyDependencies,
    "kc-cp",
  );

const zoneSet = (zones: string[], unknown = false, unresolved: string[] = []): ZoneSet => ({ zones, unknown, unresolved });

describe("controlPlaneGroups", () => {
  test.each<[string, GraphResource, boolean | undefined, ZoneSet]>([
    [
      "a target group named by its ARN, subnets by their IDs",
      cpAsg({ targetGroupArns: ["arn:tg/api"], vpcZoneIdentifiers: ["subnet-a-id", "subnet-b-id"] }),
      true,
      zoneSet(["us-east-1a", "us-east-1b"]),
    ],
    [
      "a target group named by its ID",
      cpAsg({ targetGroupArns: ["tg-api-id"], vpcZoneIdentifiers: ["subnet-b-id"] }),
      true,
      zoneSet(["us-east-1b"]),
    ],
    [
      "another target group only",
      cpAsg({ targetGroupArns: ["arn:tg/other"], vpcZoneIdentifiers: ["subnet-a-id", "subnet-elsewhere"] }),
      false,
      zoneSet(["us-east-1a"], false, ["subnet-elsewhere"]),
    ],
    [
      "unknown ARNs and subnet IDs followed through the properties' dependencies",
      cpAsg(
        { targetGroupArns: [UNKNOWN_VALUE], vpcZoneIdentifiers: UNKNOWN_VALUE },
        { targetGroupArns: ["tg-api"], vpcZoneIdentifiers: ["subnet-a", "subnet-b"] },
      ),
      true,
      zoneSet(["us-east-1a", "us-east-1b"]),
    ],
    [
      "unknown ARNs and subnet IDs without dependencies",
      cpAsg({ targetGroupArns: [UNKNOWN_VALUE], vpcZoneIdentifiers: UNKNOWN_VALUE }),
      undefined,
      zoneSet([], true),
    ],
  ])("%s", (_name, asg, behindApiTargetGroup, zones) => {
    const g = makeGraph([API_TG, OTHER_TG, SUBNET_A, SUBNET_B, asg]);
    expect(controlPlaneGroups(g)).toStrictEqual([{ urn: "cp", name: "kc-cp", minSize: 3, zones, behindApiTargetGroup }]);
  });
});

describe("controlPlaneProblems", () => {
  const cfg = { minControlPlaneNodes: 3, minZones: 3 };
  const group = (
    urn: string,
    minSize: unknown,
    zones: ZoneSet,
    behindApiTargetGroup: boolean | undefined = true,
  ): ControlPlaneGroupView => ({
    urn,
    name: `kc-${urn}`,
    minSize,
    zones,
    behindApiTargetGroup,
  });
  const THREE_ZONES = zoneSet(["us-east-1a", "us-east-1b", "us-east-1c"]);
  const nodes = (n: number) => `control plane keeps ${n} node(s) (sum of minSize), needs at least 3.`;

  test.each<[string, ControlPlaneGroupView[], { urn: string | undefined; message: string }[]]>([
    ["three nodes in three zones behind the API target group", [group("a", 3, THREE_ZONES)], []],
    [
      "no group: the findings name no resource",
      [],
      [
        { urn: undefined, message: nodes(0) },
        { urn: undefined, message: "the control plane spans no known availability zone, needs at least 3." },
      ],
    ],
    ["an unknown minimum size is not counted as too few", [group("a", UNKNOWN_VALUE, THREE_ZONES)], []],
    ["a minimum size that is no number is not counted as too few", [group("a", "three", THREE_ZONES), group("b", 1, THREE_ZONES)], []],
    ["minimum sizes add up across groups", [group("a", 1, THREE_ZONES), group("b", 2, THREE_ZONES)], []],
    ["two nodes are one too few", [group("a", 1, THREE_ZONES), group("b", 1, THREE_ZONES)], [{ urn: "a", message: nodes(2) }]],
    [
      "zones join across groups and are listed in order",
      [group("a", 2, zoneSet(["us-east-1b"])), group("b", 1, zoneSet(["us-east-1a", "us-east-1b"], false, ["subnet-x"]))],
      [
        {
          urn: "a",
          message:
            "the control plane spans 2 availability zone(s) (us-east-1a, us-east-1b), needs at least 3; subnets subnet-x are not Subnet resources of this stack, so their zones are unknown to the policy.",
        },
      ],
    ],
    [
      "zones unknown in any group leave the zone count open",
      [group("a", 2, zoneSet(["us-east-1a"])), group("b", 1, zoneSet([], true))],
      [],
    ],
    [
      "a group not behind the API target group",
      [group("a", 3, THREE_ZONES, false), group("b", 0, THREE_ZONES, undefined)],
      [
        {
          urn: "a",
          message:
            "control plane group kc-a is not registered behind the API target group (role api-lb, port 6443); add that target group's ARN to targetGroupArns.",
        },
      ],
    ],
  ])("%s", (_name, groups, want) => {
    expect(controlPlaneProblems(groups, cfg)).toStrictEqual(want);
  });
});
