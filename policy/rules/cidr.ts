/**
 * Just enough CIDR maths for ingress rules, IPv4 and IPv6: parse, "is this the whole internet",
 * "is this range inside that one". Kept here (not lib/cidr.ts) so the pack needs no other module.
 */
export interface IpRange {
  v6: boolean;
  /** Address bits as an unsigned integer (32 or 128 bits). */
  base: bigint;
  prefix: number;
}

function parseV4(s: string): bigint | undefined {
  const parts = s.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function parseV6(s: string): bigint | undefined {
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  if ((halves.length === 2 && fill < 1) || head.length + fill + tail.length !== 8) return undefined;
  const groups = [...head, ...new Array<string>(fill).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n);
}

/** Parses `addr/prefix` (a bare address is a /32 or /128); undefined when malformed. */
export function parseRange(s: string): IpRange | undefined {
  const [addr, pfx, ...rest] = s.trim().split("/");
  if (rest.length > 0) return undefined;
  const v6 = addr.includes(":");
  const base = v6 ? parseV6(addr) : parseV4(addr);
  const width = v6 ? 128 : 32;
  const prefix = pfx === undefined ? width : /^\d{1,3}$/.test(pfx) ? Number(pfx) : NaN;
  if (base === undefined || !(prefix <= width)) return undefined;
  return { v6, base, prefix };
}

/** True when every address of `inner` lies in `outer`. */
export function rangeContains(outer: IpRange, inner: IpRange): boolean {
  if (outer.v6 !== inner.v6 || inner.prefix < outer.prefix) return false;
  const width = BigInt(outer.v6 ? 128 : 32);
  const shift = width - BigInt(outer.prefix);
  return outer.base >> shift === inner.base >> shift;
}

/** 0.0.0.0/0, ::/0 and anything else with prefix 0. */
export function isAnywhere(cidr: string): boolean {
  return parseRange(cidr)?.prefix === 0;
}
