/**
 * The apiserver port is never open to a large share of the address space, however it is split:
 * the CIDRs of every ingress rule admitting TCP 6443, across all security groups, together cover at
 * most `maxShare` of the IPv4 (and, separately, of the IPv6) space. apiserver-ingress-restricted
 * checks each CIDR against a configured list; this bounds the total, so "the internet in two halves"
 * (0.0.0.0/1 + 128.0.0.0/1) fails even where that list is wide. The config refuses the same
 * (kubestead:controlPlane.apiLoadBalancer.maxAllowedShare); this catches what config does not see.
 */
import { IpRange, parseRange } from "./cidr";
import type { Finding } from "./finding";
import type { Graph, GraphResource } from "./graph";
import { withPrefixListEntries } from "./prefixLists";
import { APISERVER_PORT, coversPort, ingressRules } from "./securityGroups";
import { isUnknown } from "./unknown";

/** The default bound: one /8 of IPv4 (what kubestead:controlPlane.apiLoadBalancer.maxAllowedShare defaults to). */
export const DEFAULT_MAX_SHARE = 1 / 256;

/** Addresses the ranges cover together (overlaps count once). */
export function unionSize(ranges: IpRange[]): bigint {
  const width = (r: IpRange) => BigInt(r.v6 ? 128 : 32);
  const spans = ranges
    .map((r) => {
      const size = 1n << (width(r) - BigInt(r.prefix));
      const start = (r.base >> (width(r) - BigInt(r.prefix))) << (width(r) - BigInt(r.prefix));
      return [start, start + size - 1n] as const;
    })
    // Sort only reads the comparator's sign, which Number() keeps for any bigint difference.
    .sort((a, b) => Number(a[0] - b[0]));
  let total = 0n;
  let end = -1n;
  for (const [start, last] of spans) {
    if (last <= end) continue;
    total += last - (start > end ? start : end + 1n) + 1n;
    end = last;
  }
  return total;
}

/** Share of the family's space as a number (exact enough for comparing with a configured share). */
export function shareOf(ranges: IpRange[], v6: boolean): number {
  const covered = unionSize(ranges.filter((r) => r.v6 === v6));
  const bits = v6 ? 128 : 32;
  // Scale down before converting: Number(2^128) is exact, but covered/space must keep precision.
  return Number((covered * 1_000_000_000n) / (1n << BigInt(bits))) / 1_000_000_000;
}

/** `sources`: the stack's ingress resources; prefix lists of the stack count with the CIDRs they hold. */
export function apiCidrShareProblems(g: Graph, sources: GraphResource[], maxShare: number): Finding[] {
  const contributions: { r: GraphResource; cidr: string; range: IpRange }[] = [];
  for (const r of sources) {
    for (const rule of withPrefixListEntries(g, r, "ingress", ingressRules(r.type, r.props))) {
      if (coversPort(rule, APISERVER_PORT) !== true) continue;
      for (const c of rule.cidrs) {
        if (typeof c !== "string" || isUnknown(c)) continue;
        const range = parseRange(c);
        if (range) contributions.push({ r, cidr: c, range });
      }
    }
  }
  const out: Finding[] = [];
  for (const v6 of [false, true]) {
    const mine = contributions.filter((x) => x.range.v6 === v6);
    const share = shareOf(
      mine.map((x) => x.range),
      v6,
    );
    if (share <= maxShare) continue;
    const widest = [...mine].sort((a, b) => a.range.prefix - b.range.prefix)[0];
    const list = mine.map((x) => `${x.cidr} (${x.r.name})`).join(", ");
    out.push({
      urn: widest.r.urn,
      message: `ingress to the apiserver port ${APISERVER_PORT} covers ${Number((share * 100).toPrecision(3))}% of the ${v6 ? "IPv6" : "IPv4"} address space, more than maxAllowedShare ${maxShare} allows: ${list}; list only the networks that need the API (kubestead:controlPlane.apiLoadBalancer.allowedCidrs).`,
    });
  }
  return out;
}
