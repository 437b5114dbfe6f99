/**
 * AWS commercial and GovCloud regions and the zone letters each offers, as of 2026-11 (from the
 * AWS Regions and Availability Zones page and each region's DescribeAvailabilityZones). Zone
 * letters map to physical zones per account, and an account may not see every letter of a region
 * (us-west-1 shows two of its three to any one account; ap-northeast-1b and ca-central-1c exist
 * only for accounts that predate later zones). A zone the account can't use is refused by AWS at
 * `pulumi up`; what the table knows is refused here, at parse time.
 *
 * Regions that need opting in (af-south-1, ap-east-1, me-south-1, …) are listed: opting in is an
 * account setting this project cannot see offline. China regions (aws-cn partition) are not: the
 * project's IAM documents and endpoints assume the aws partition. GovCloud regions are not listed
 * either: the Debian image account the nodes boot from (136693071363) publishes in the aws
 * partition only.
 */
export const REGIONS_AS_OF = "2026-11";

export interface RegionInfo {
  /** Zone letters an account may be offered, e.g. ["a", "b", "c"]. */
  zoneLetters: string[];
  /** Most zones any one account can use at once (us-west-1: 2), when fewer than the letters. */
  zonesPerAccount?: number;
  /** Letters only accounts older than a later zone see (accepted, never a default or a hint). */
  legacyLetters?: string[];
}

const abc = { zoneLetters: ["a", "b", "c"] };

export const REGIONS: Readonly<Record<string, RegionInfo>> = {
  "us-east-1": { zoneLetters: ["a", "b", "c", "d", "e", "f"] },
  "us-east-2": abc,
  "us-west-1": { zoneLetters: ["a", "b", "c"], zonesPerAccount: 2 },
  "us-west-2": { zoneLetters: ["a", "b", "c", "d"] },
  "af-south-1": abc,
  "ap-east-1": abc,
  "ap-east-2": abc,
  "ap-south-1": abc,
  "ap-south-2": abc,
  "ap-northeast-1": { zoneLetters: ["a", "c", "d"], legacyLetters: ["b"] },
  "ap-northeast-2": { zoneLetters: ["a", "b", "c", "d"] },
  "ap-northeast-3": abc,
  "ap-southeast-1": abc,
  "ap-southeast-2": abc,
  "ap-southeast-3": abc,
  "ap-southeast-4": abc,
  "ap-southeast-5": abc,
  "ap-southeast-6": abc,
  "ap-southeast-7": abc,
  "ca-central-1": { zoneLetters: ["a", "b", "d"], legacyLetters: ["c"] },
  "ca-west-1": abc,
  "eu-central-1": abc,
  "eu-central-2": abc,
  "eu-north-1": abc,
  "eu-south-1": abc,
  "eu-south-2": abc,
  "eu-west-1": abc,
  "eu-west-2": abc,
  "eu-west-3": abc,
  "il-central-1": abc,
  "me-central-1": abc,
  "me-south-1": abc,
  "mx-central-1": abc,
  "sa-east-1": abc,
};

export function regionInfo(region: string): RegionInfo | undefined {
  return Object.prototype.hasOwnProperty.call(REGIONS, region) ? REGIONS[region] : undefined;
}

/** Zone names of a region every account is offered, e.g. us-east-2a, us-east-2b, us-east-2c. */
export function zoneNames(region: string): string[] {
  return (regionInfo(region)?.zoneLetters ?? []).map((l) => `${region}${l}`);
}

/** Zone names some (older) accounts also have. */
export function legacyZoneNames(region: string): string[] {
  return (regionInfo(region)?.legacyLetters ?? []).map((l) => `${region}${l}`);
}

/** How many zones one account can use in the region at once. */
export function usableZoneCount(region: string): number {
  const info = regionInfo(region);
  if (!info) return 0;
  return info.zonesPerAccount ?? info.zoneLetters.length;
}
