/**
 * Node disks encrypted at rest. A launch template without block device mappings inherits the
 * AMI's snapshot settings (unencrypted for public AMIs), so at least one mapping is required.
 * aws v7 types LaunchTemplate `ebs.encrypted` as the string "true"; Instance uses booleans.
 */
import { T } from "./graph";
import { asBool, asList, asRecord, isUnknown } from "./unknown";

function unencrypted(v: unknown): boolean {
  return !isUnknown(v) && asBool(v) !== true;
}

export function rootVolumeProblems(type: string, props: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (type === T.launchTemplate) {
    const bdm = props.blockDeviceMappings;
    if (isUnknown(bdm)) return [];
    const mappings = asList(bdm).map(asRecord);
    if (mappings.length === 0) {
      out.push(
        'launch template has no blockDeviceMappings, so the root volume follows the AMI (unencrypted); map the root device with ebs.encrypted "true".',
      );
    }
    for (const m of mappings) {
      if (!m || isUnknown(m.ebs) || m.ebs === undefined) continue; // instance-store mappings carry no ebs block
      const ebs = asRecord(m.ebs) ?? {};
      if (unencrypted(ebs.encrypted)) out.push(`block device ${String(m.deviceName ?? "?")} is not encrypted; set ebs.encrypted "true".`);
    }
    return out;
  }
  if (type === T.instance) {
    const root = props.rootBlockDevice;
    if (!isUnknown(root) && unencrypted(asRecord(root)?.encrypted))
      out.push("instance root volume is not encrypted; set rootBlockDevice.encrypted: true.");
    // an unknown list is a string, so asList makes it empty
    for (const d of asList(props.ebsBlockDevices).map(asRecord)) {
      if (d && unencrypted(d.encrypted)) out.push(`instance volume ${String(d.deviceName ?? "?")} is not encrypted.`);
    }
  }
  return out;
}
