/** rootVolumeProblems on launch-template and instance props. */
import { T } from "../../policy/rules/graph";
import { rootVolumeProblems } from "../../policy/rules/nodeVolumes";
import { UNKNOWN } from "../helpers/fixtureValues";

const noMappings =
  'launch template has no blockDeviceMappings, so the root volume follows the AMI (unencrypted); map the root device with ebs.encrypted "true".';
const mappingNotEncrypted = (device: string) => `block device ${device} is not encrypted; set ebs.encrypted "true".`;
const rootNotEncrypted = "instance root volume is not encrypted; set rootBlockDevice.encrypted: true.";
const volumeNotEncrypted = (device: string) => `instance volume ${device} is not encrypted.`;

describe("rootVolumeProblems: launch templates", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["no blockDeviceMappings", {}, [noMappings]],
    ["an empty blockDeviceMappings list", { blockDeviceMappings: [] }, [noMappings]],
    ["blockDeviceMappings unknown in preview: decided on update", { blockDeviceMappings: UNKNOWN }, []],
    ['a root mapping with ebs.encrypted "true"', { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "true" } }] }, []],
    [
      'a root mapping with ebs.encrypted "false"',
      { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: "false" } }] },
      [mappingNotEncrypted("/dev/xvda")],
    ],
    [
      "a mapping whose ebs block has no encrypted flag",
      { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20 } }] },
      [mappingNotEncrypted("/dev/xvda")],
    ],
    ["a mapping without deviceName", { blockDeviceMappings: [{ ebs: { encrypted: false } }] }, [mappingNotEncrypted("?")]],
    ["ebs.encrypted unknown in preview", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { encrypted: UNKNOWN } }] }, []],
    ["an ebs block unknown in preview", { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: UNKNOWN }] }, []],
    ["an instance-store mapping (no ebs block)", { blockDeviceMappings: [{ deviceName: "/dev/sdb", virtualName: "ephemeral0" }] }, []],
    [
      "one encrypted and one unencrypted mapping",
      {
        blockDeviceMappings: [
          { deviceName: "/dev/xvda", ebs: { encrypted: "true" } },
          { deviceName: "/dev/sdf", ebs: { encrypted: "false" } },
        ],
      },
      [mappingNotEncrypted("/dev/sdf")],
    ],
  ])("%s", (_what, props, want) => {
    expect(rootVolumeProblems(T.launchTemplate, props)).toStrictEqual(want);
  });
});

describe("rootVolumeProblems: instances", () => {
  test.each<[string, Record<string, unknown>, string[]]>([
    ["an encrypted root volume", { rootBlockDevice: { encrypted: true } }, []],
    ["an unencrypted root volume", { rootBlockDevice: { encrypted: false } }, [rootNotEncrypted]],
    ["no rootBlockDevice: the AMI decides", {}, [rootNotEncrypted]],
    ["rootBlockDevice unknown in preview", { rootBlockDevice: UNKNOWN }, []],
    ["rootBlockDevice.encrypted unknown in preview", { rootBlockDevice: { encrypted: UNKNOWN } }, []],
    [
      "an encrypted root volume and an unencrypted named EBS volume",
      { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: false }] },
      [volumeNotEncrypted("/dev/sdf")],
    ],
    [
      "an EBS volume without deviceName nor encrypted flag",
      { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ volumeSize: 10 }] },
      [volumeNotEncrypted("?")],
    ],
    ["encrypted EBS volumes", { rootBlockDevice: { encrypted: true }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: true }] }, []],
    ["ebsBlockDevices unknown in preview", { rootBlockDevice: { encrypted: true }, ebsBlockDevices: UNKNOWN }, []],
    [
      "an unencrypted root volume and two unencrypted EBS volumes",
      {
        rootBlockDevice: { encrypted: false },
        ebsBlockDevices: [
          { deviceName: "/dev/sdf", encrypted: false },
          { deviceName: "/dev/sdg", encrypted: UNKNOWN },
          { deviceName: "/dev/sdh" },
        ],
      },
      [rootNotEncrypted, volumeNotEncrypted("/dev/sdf"), volumeNotEncrypted("/dev/sdh")],
    ],
  ])("%s", (_what, props, want) => {
    expect(rootVolumeProblems(T.instance, props)).toStrictEqual(want);
  });
});

test("rootVolumeProblems ignores resources that are neither launch templates nor instances", () => {
  expect(
    rootVolumeProblems(T.asg, { rootBlockDevice: { encrypted: false }, ebsBlockDevices: [{ deviceName: "/dev/sdf", encrypted: false }] }),
  ).toStrictEqual([]);
});
