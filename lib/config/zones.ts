/** aws:region and kubestead:zones, checked against the dated region table (lib/aws/regions.ts). */
import { legacyZoneNames, REGIONS, REGIONS_AS_OF, regionInfo, usableZoneCount, zoneNames } from "../aws/regions";
import { didYouMean } from "../suggest";
import { Raw, Reader } from "./reader";

/** The region, or "" when it is missing or unknown (zone checks then stay quiet: one root cause, one message). */
export function readRegion(r: Reader, region: string | undefined): string {
  if (region === undefined || region === "") {
    r.problems.push({
      key: "aws:region",
      rule: "is required",
      got: region,
      fix: "run `pulumi config set aws:region us-east-1` (or set it in Pulumi.<stack>.yaml)",
    });
    return "";
  }
  if (!regionInfo(region)) {
    const hint = didYouMean(region, Object.keys(REGIONS));
    r.problems.push({
      key: "aws:region",
      rule: `must be an AWS region (table of ${REGIONS_AS_OF})`,
      got: region,
      fix: `${hint ? `${hint} ` : ""}set aws:region to a region name such as us-east-1 or eu-west-1`,
    });
    return "";
  }
  if (usableZoneCount(region) < 3) {
    r.problems.push({
      key: "aws:region",
      rule: `must offer three availability zones to one account (${region} offers ${usableZoneCount(region)}): etcd and the control plane need three`,
      got: region,
      fix: "pick a region with three or more zones, e.g. us-east-2 or us-west-2",
    });
  }
  return region;
}

export function readZones(r: Reader, v: Raw, region: string): string[] {
  const known = zoneNames(region);
  // No region to take defaults from: aws:region is already reported.
  if (!region && v.zones === undefined) return [];
  const zones = r.stringList(v, "zones", "", known.slice(0, 3));
  if (region) {
    const legacy = legacyZoneNames(region);
    zones.forEach((z, i) => {
      if (known.includes(z) || legacy.includes(z)) return;
      const hint = didYouMean(z, known);
      r.problem(
        `zones[${i}]`,
        `must be an availability zone of ${region} (${known.join(", ")})`,
        z,
        hint ? `${hint} use a zone of ${region}` : `use zones of ${region}, e.g. ${known.slice(0, 3).join(", ")}`,
      );
    });
  }
  if (new Set(zones).size !== zones.length) {
    r.problem("zones", "must not repeat a zone", zones, "list each availability zone once");
  }
  if (zones.length < 3) {
    r.problem(
      "zones",
      "must list at least 3 availability zones for an HA control plane and etcd",
      zones,
      region ? `list three zones of ${region}, e.g. ${known.slice(0, 3).join(", ")}` : "list three zones of the region",
    );
  }
  return zones;
}
