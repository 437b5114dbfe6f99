/**
 * IPv4 CIDR maths: parsing, containment, overlap, aligned subnet allocation and host addresses.
 * Pure, so the network layout is known (and tested) before any resource exists.
 */
import * as ipaddr from "ipaddr.js";

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number;
  prefix: number;
}

function toInt(ip: string): number {
  const bytes = ipaddr.IPv4.parse(ip).toByteArray();
  return ((bytes[0] << 24) >>> 0) + (bytes[1] << 16) + (bytes[2] << 8) + bytes[3];
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** Parses `a.b.c.d/n`; returns undefined for anything else, or when host bits are set. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(String(s).trim());
  if (!m || !ipaddr.IPv4.isValidFourPartDecimal(m[1])) return undefined;
  const prefix = Number(m[2]);
  if (prefix > 32) return undefined;
  const base = toInt(m[1]);
  if (base % blockSize(prefix) !== 0) return undefined;
  return { base, prefix };
}

/** Like parseCidr, but throws with the offending value. */
export function mustParseCidr(s: string): Cidr {
  const c = parseCidr(s);
  if (!c) throw new Error(`not an IPv4 CIDR with a clean network address: ${s}`);
  return c;
}

/** Four decimal parts, each 0-255, no leading zeros, nothing around them. */
export function isIpv4(s: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(s);
}

export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`;
}

export function cidrEnd(c: Cidr): number {
  return c.base + blockSize(c.prefix) - 1;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base <= cidrEnd(b) && b.base <= cidrEnd(a);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  // Both ends inside is enough: a block inside another is never the larger one.
  return inner.base >= outer.base && cidrEnd(inner) <= cidrEnd(outer);
}

export function containsIp(c: Cidr, ip: string): boolean {
  const n = toInt(ip);
  return n >= c.base && n <= cidrEnd(c);
}

/** The n-th address of a block (0 = network address). Throws when n is outside the block. */
export function hostAddress(c: Cidr, n: number): string {
  if (!Number.isInteger(n) || n < 0 || n >= blockSize(c.prefix)) {
    throw new Error(`address index ${n} is outside ${formatCidr(c)}`);
  }
  return intToIp(c.base + n);
}

/**
 * Allocates blocks of the given prefixes inside `within`, in order, each aligned to its own
 * size, never overlapping `taken` or each other. Throws when they do not fit.
 */
export function allocate(within: Cidr, prefixes: number[], taken: Cidr[] = []): Cidr[] {
  const out: Cidr[] = [];
  let cursor = within.base;
  for (const prefix of prefixes) {
    if (prefix < within.prefix) {
      throw new Error(`a /${prefix} block cannot fit inside ${formatCidr(within)}`);
    }
    const size = blockSize(prefix);
    let base = Math.ceil(cursor / size) * size;
    for (;;) {
      const candidate = { base, prefix };
      // `within` ends inside the address space, so a candidate past its end is all this must check.
      if (cidrEnd(candidate) > cidrEnd(within)) {
        throw new Error(`${formatCidr(within)} has no room left for a /${prefix} block`);
      }
      const clash = [...taken, ...out].find((t) => overlaps(t, candidate));
      if (!clash) break;
      base = Math.ceil((cidrEnd(clash) + 1) / size) * size;
    }
    out.push({ base, prefix });
    cursor = base + size;
  }
  return out;
}

export interface SubnetPlan {
  zone: string;
  privateCidr: string;
  publicCidr: string;
}

/**
 * One private and one public subnet per zone: the private ones (where nodes live) first and
 * large, the public ones (NAT gateways, internet-facing load balancer) after them and small.
 */
export function planSubnets(vpcCidr: string, zones: string[], privatePrefix: number, publicPrefix: number): SubnetPlan[] {
  const vpc = mustParseCidr(vpcCidr);
  const priv = allocate(
    vpc,
    zones.map(() => privatePrefix),
  );
  const pub = allocate(
    vpc,
    zones.map(() => publicPrefix),
    priv,
  );
  return zones.map((zone, i) => ({ zone, privateCidr: formatCidr(priv[i]), publicCidr: formatCidr(pub[i]) }));
}

/** Usable addresses in an AWS subnet: AWS reserves the first four and the last one. */
export function awsUsableAddresses(c: Cidr): number {
  return Math.max(0, blockSize(c.prefix) - 5);
}

/** Addresses the CIDRs cover together: overlapping ranges count once. */
export function unionSize(cidrs: Cidr[]): number {
  const ranges = cidrs.map((c) => [c.base, cidrEnd(c)] as const).sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -1;
  for (const [start, last] of ranges) {
    // The first address not counted yet; a range that ends before it is inside one already counted.
    const from = Math.max(start, end + 1);
    if (from > last) continue;
    total += last - from + 1;
    end = last;
  }
  return total;
}
