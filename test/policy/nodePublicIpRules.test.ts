/** publicIpProblems on launch-template and instance props of private (etcd, control-plane) nodes. */
import { T } from "../../policy/rules/graph";
import { PRIVATE_ROLES, publicIpProblems } from "../../policy/rules/nodePublicIp";
import { UNKNOWN } from "../helpers/fixtureValues";

const noInterfaces =
  'etcd launch template has no networkInterfaces; add one with associatePublicIpAddress "false" so the subnet default cannot assign a public IP.';
const interfacePublic = (i: number, v: string) =>
  `etcd launch template networkInterfaces[${i}].associatePublicIpAddress is ${v}; set it to "false".`;
const instancePublic = (v: string) => `controlplane instance associatePublicIpAddress is ${v}; set it to false.`;

test("the private roles are etcd and controlplane", () => {
  expect([...PRIVATE_ROLES]).toStrictEqual(["etcd", "controlplane"]);
});

describe("publicIpProblems: launch templates", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["no networkInterfaces", {}, [noInterfaces]],
    ["an empty networkInterfaces list", { networkInterfaces: [] }, [noInterfaces]],
    ["networkInterfaces unknown in preview: decided on update", { networkInterfaces: UNKNOWN }, []],
    ['associatePublicIpAddress "false"', { networkInterfaces: [{ associatePublicIpAddress: "false" }] }, []],
    ["associatePublicIpAddress false", { networkInterfaces: [{ associatePublicIpAddress: false }] }, []],
    ["associatePublicIpAddress unknown in preview", { networkInterfaces: [{ associatePublicIpAddress: UNKNOWN }] }, []],
    ['associatePublicIpAddress "true"', { networkInterfaces: [{ associatePublicIpAddress: "true" }] }, [interfacePublic(0, '"true"')]],
    ["associatePublicIpAddress unset: the subnet decides", { networkInterfaces: [{ deviceIndex: 0 }] }, [interfacePublic(0, '"unset"')]],
    [
      "a private first interface and a public second one",
      { networkInterfaces: [{ associatePublicIpAddress: "false" }, { associatePublicIpAddress: true }] },
      [interfacePublic(1, "true")],
    ],
  ])("%s", (_what, props, want) => {
    expect(publicIpProblems(T.launchTemplate, "etcd", props)).toStrictEqual(want);
  });
});

describe("publicIpProblems: instances", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["associatePublicIpAddress false", { associatePublicIpAddress: false }, []],
    ['associatePublicIpAddress "false"', { associatePublicIpAddress: "false" }, []],
    ["associatePublicIpAddress unknown in preview", { associatePublicIpAddress: UNKNOWN }, []],
    ["associatePublicIpAddress true", { associatePublicIpAddress: true }, [instancePublic("true")]],
    ["associatePublicIpAddress unset: the subnet decides", {}, [instancePublic('"unset"')]],
    ["networkInterfaces are a launch-template field, not read here", { associatePublicIpAddress: false, networkInterfaces: [] }, []],
  ])("%s", (_what, props, want) => {
    expect(publicIpProblems(T.instance, "controlplane", props)).toStrictEqual(want);
  });
});

test("publicIpProblems ignores resources that are neither launch templates nor instances", () => {
  expect(publicIpProblems(T.asg, "etcd", { associatePublicIpAddress: true, networkInterfaces: [] })).toStrictEqual([]);
});
