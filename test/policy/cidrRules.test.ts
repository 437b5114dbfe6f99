/** The policy pack's own CIDR parsing: exact address bits and prefix of each accepted form, and the malformed strings it refuses. */
import { IpRange, isAnywhere, parseRange, rangeContains } from "../../policy/rules/cidr";

const v4 = (base: bigint, prefix: number): IpRange => ({ v6: false, base, prefix });
const v6 = (base: bigint, prefix: number): IpRange => ({ v6: true, base, prefix });

describe("parseRange accepts", () => {
  test.each<[string, IpRange]>([
    ["10.1.2.3/8", v4(0x0a010203n, 8)],
    [" 10.1.2.3/8 ", v4(0x0a010203n, 8)],
    ["10.0.255.7", v4(0x0a00ff07n, 32)],
    ["255.255.255.255/32", v4(0xffffffffn, 32)],
    ["0.0.0.0/0", v4(0n, 0)],
    ["::1", v6(1n, 128)],
    ["::/0", v6(0n, 0)],
    ["::abcd/112", v6(0xabcdn, 112)],
    ["1::", v6(1n << 112n, 128)],
    ["ABCD::ffff/128", v6((0xabcdn << 112n) | 0xffffn, 128)],
    ["2001:db8::1:2/64", v6((0x20010db8n << 96n) | (1n << 16n) | 2n, 64)],
    ["2001:db8:0:0:0:0:0:1/127", v6((0x20010db8n << 96n) | 1n, 127)],
    ["1:2:3:4:5:6:7::/64", v6(0x0001000200030004000500060007_0000n, 64)],
    ["::2:3:4:5:6:7:8", v6(0x0000000200030004000500060007_0008n, 128)],
  ])("%j", (s, want) => {
    expect(parseRange(s)).toEqual(want);
  });
});

describe("parseRange refuses", () => {
  test.each<[string, string]>([
    ["an IPv4 octet above 255", "256.0.0.0/8"],
    ["an IPv4 octet with a sign", "10.0.0.-1/32"],
    ["an IPv4 octet with a leading plus", "+1.0.0.0/8"],
    ["an IPv4 octet in exponent form", "1e2.0.0.0/8"],
    ["an IPv4 octet of four digits", "0001.0.0.0/8"],
    ["three IPv4 octets", "10.0.0/8"],
    ["five IPv4 octets", "10.0.0.0.0/8"],
    ["two :: in one address", "1::2::3"],
    ["two :: after eight full groups", "1:2:3:4:5:6:7:8::9::a"],
    [":: standing for no group", "1:2:3:4::5:6:7:8"],
    [":: among nine groups", "1:2:3:4::5:6:7:8:9"],
    ["seven IPv6 groups without ::", "1:2:3:4:5:6:7"],
    ["nine IPv6 groups without ::", "1:2:3:4:5:6:7:8:9"],
    ["an IPv6 group of five hex digits", "1::12345"],
    ["an IPv6 group that is not hex", "1::g"],
    ["an empty IPv6 group", "1:::2"],
    ["an IPv4 prefix above 32", "10.0.0.0/33"],
    ["an IPv6 prefix above 128", "::/129"],
    ["a prefix with a sign", "10.0.0.0/+8"],
    ["a prefix in exponent form", "10.0.0.0/1e1"],
    ["an empty prefix", "10.0.0.0/"],
    ["a second slash", "10.0.0.0/8/1"],
    ["an empty string", ""],
  ])("%s (%j)", (_name, s) => {
    expect(parseRange(s)).toBeUndefined();
  });
});

describe("rangeContains", () => {
  test.each<[string, string, boolean]>([
    ["10.0.0.0/8", "10.255.255.255", true],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["10.0.0.0/8", "10.0.0.0/7", false],
    ["10.0.0.0/32", "10.0.0.0/32", true],
    ["2001:db8::/127", "2001:db8::1", true],
    ["2001:db8::/127", "2001:db8::2", false],
    ["::/0", "0.0.0.0/0", false],
  ])("%s contains %s: %s", (outer, inner, want) => {
    expect(rangeContains(parseRange(outer)!, parseRange(inner)!)).toBe(want);
  });
});

describe("isAnywhere", () => {
  test.each<[string, boolean]>([
    ["0.0.0.0/0", true],
    ["::/0", true],
    ["10.0.0.0/0", true],
    ["0.0.0.0/1", false],
    ["::/1", false],
    ["not a cidr", false],
  ])("%s: %s", (cidr, want) => {
    expect(isAnywhere(cidr)).toBe(want);
  });
});
