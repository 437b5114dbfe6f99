import fc from "fast-check";
import {
  allocate,
  awsUsableAddresses,
  contains,
  formatCidr,
  hostAddress,
  mustParseCidr,
  overlaps,
  parseCidr,
  containsIp,
  isIpv4,
  unionSize,
  planSubnets,
} from "../../lib/cidr";

describe("parseCidr", () => {
  test.each([
    ["10.0.0.0/16", "10.0.0.0/16"],
    ["192.168.1.0/24", "192.168.1.0/24"],
    ["0.0.0.0/0", "0.0.0.0/0"],
  ])("parses %s", (s, want) => {
    expect(formatCidr(parseCidr(s)!)).toBe(want);
  });
  test.each(["10.0.0.1/16", "10.0.0.0/33", "10.0.0/16", "300.0.0.0/8", "banana", "10.0.0.0"])("refuses %s", (s) => {
    expect(parseCidr(s)).toBeUndefined();
  });
});

describe("planSubnets", () => {
  test("three zones of a /16: private /19s then public /24s, all inside the VPC, none overlapping", () => {
    const plan = planSubnets("10.0.0.0/16", ["a", "b", "c"], 19, 24);
    expect(plan).toEqual([
      { zone: "a", privateCidr: "10.0.0.0/19", publicCidr: "10.0.96.0/24" },
      { zone: "b", privateCidr: "10.0.32.0/19", publicCidr: "10.0.97.0/24" },
      { zone: "c", privateCidr: "10.0.64.0/19", publicCidr: "10.0.98.0/24" },
    ]);
  });
  test("throws when the VPC is too small", () => {
    expect(() => planSubnets("10.0.0.0/24", ["a", "b", "c"], 19, 24)).toThrow(/no room|cannot fit/);
  });
  test("property: a layout that fits is inside the VPC, private blocks first, pairwise disjoint; one that does not is refused", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 22 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        (vpcPrefix, zones, privExtra, pubExtra) => {
          const vpc = `10.0.0.0/${vpcPrefix}`;
          const names = Array.from({ length: zones }, (_, i) => `z${i}`);
          const [privPrefix, pubPrefix] = [Math.min(28, vpcPrefix + 2 + privExtra), Math.min(28, vpcPrefix + 4 + pubExtra)];
          // Same-size blocks pack from the VPC's start: the private ones end at zones × their size,
          // the public ones start at the next boundary of their own size.
          const [V, P, Q] = [2 ** (32 - vpcPrefix), 2 ** (32 - privPrefix), 2 ** (32 - pubPrefix)];
          const fits = zones * P <= V && Math.ceil((zones * P) / Q) * Q + zones * Q <= V;
          if (!fits) {
            expect(() => planSubnets(vpc, names, privPrefix, pubPrefix)).toThrow(/has no room left for a \/\d+ block/);
            return;
          }
          const plan = planSubnets(vpc, names, privPrefix, pubPrefix);
          expect(plan.map((p) => p.zone)).toEqual(names);
          const priv = plan.map((p) => mustParseCidr(p.privateCidr));
          const pub = plan.map((p) => mustParseCidr(p.publicCidr));
          expect(priv.map((c) => c.prefix).concat(pub.map((c) => c.prefix))).toEqual([
            ...names.map(() => privPrefix),
            ...names.map(() => pubPrefix),
          ]);
          expect(priv[0].base).toBe(mustParseCidr(vpc).base);
          expect(Math.min(...pub.map((c) => c.base))).toBeGreaterThan(Math.max(...priv.map((c) => c.base)));
          const v = mustParseCidr(vpc);
          const all = [...priv, ...pub];
          for (const [i, a] of all.entries()) {
            expect(contains(v, a)).toBe(true);
            for (const b of all.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

test("allocate skips taken blocks and aligns", () => {
  const got = allocate(mustParseCidr("10.0.0.0/16"), [24, 20], [mustParseCidr("10.0.0.0/23")]);
  expect(got.map(formatCidr)).toEqual(["10.0.2.0/24", "10.0.16.0/20"]);
});

test("hostAddress and AWS usable addresses", () => {
  expect(hostAddress(mustParseCidr("10.96.0.0/12"), 10)).toBe("10.96.0.10");
  expect(() => hostAddress(mustParseCidr("10.0.0.0/30"), 4)).toThrow(/outside/);
  expect(awsUsableAddresses(mustParseCidr("10.0.0.0/24"))).toBe(251);
});

describe("edges (each case sits on a boundary a one-character change would move)", () => {
  test("parseCidr anchors both ends and trims only surrounding blanks", () => {
    expect(parseCidr("x10.0.0.0/16")).toBeUndefined();
    expect(parseCidr("10.0.0.0/16x")).toBeUndefined();
    expect(parseCidr("10.0.0.0/1600")).toBeUndefined();
    expect(formatCidr(parseCidr(" 10.0.0.0/16\n")!)).toBe("10.0.0.0/16");
  });

  test("parseCidr accepts /32 and refuses /33", () => {
    expect(parseCidr("10.0.0.7/32")).toEqual({ base: 0x0a000007, prefix: 32 });
    expect(parseCidr("10.0.0.7/33")).toBeUndefined();
  });

  test("mustParseCidr names the value it refuses", () => {
    expect(() => mustParseCidr("10.0.0.1/16")).toThrow("not an IPv4 CIDR with a clean network address: 10.0.0.1/16");
  });

  test("isIpv4: four decimal parts, nothing around them, each at most 255", () => {
    expect(isIpv4("10.0.0.10")).toBe(true);
    expect(isIpv4("x10.0.0.10")).toBe(false);
    expect(isIpv4("10.0.0.10x")).toBe(false);
    expect(isIpv4("10.0.0.256")).toBe(false);
    expect(isIpv4("10.0.10")).toBe(false);
    expect(isIpv4("0x0a.0.0.1")).toBe(false);
    expect(isIpv4("010.0.0.1")).toBe(false);
    expect(isIpv4(" 10.0.0.10")).toBe(false);
  });

  test("overlaps: blocks that touch do not overlap; sharing one address does", () => {
    const a = mustParseCidr("10.0.0.0/24");
    expect(overlaps(a, mustParseCidr("10.0.1.0/24"))).toBe(false);
    expect(overlaps(mustParseCidr("10.0.1.0/24"), a)).toBe(false);
    expect(overlaps(a, mustParseCidr("10.0.0.255/32"))).toBe(true);
    expect(overlaps(mustParseCidr("10.0.0.255/32"), a)).toBe(true);
    expect(overlaps(a, mustParseCidr("10.0.0.0/32"))).toBe(true);
    expect(overlaps(mustParseCidr("10.0.0.0/32"), a)).toBe(true);
  });

  test("contains: itself, its last address, not a neighbour, not a larger block starting at the same base", () => {
    const a = mustParseCidr("10.0.0.0/24");
    expect(contains(a, a)).toBe(true);
    expect(contains(a, mustParseCidr("10.0.0.255/32"))).toBe(true);
    expect(contains(a, mustParseCidr("10.0.1.0/32"))).toBe(false);
    expect(contains(a, mustParseCidr("9.255.255.255/32"))).toBe(false);
    expect(contains(a, mustParseCidr("10.0.0.0/23"))).toBe(false);
    expect(contains(mustParseCidr("10.0.1.0/24"), mustParseCidr("10.0.0.0/23"))).toBe(false);
  });

  test("containsIp: first and last address in, one either side out", () => {
    const a = mustParseCidr("10.0.1.0/24");
    expect(containsIp(a, "10.0.1.0")).toBe(true);
    expect(containsIp(a, "10.0.1.255")).toBe(true);
    expect(containsIp(a, "10.0.0.255")).toBe(false);
    expect(containsIp(a, "10.0.2.0")).toBe(false);
  });

  test("hostAddress refuses fractions, negatives and the block size itself", () => {
    const a = mustParseCidr("10.0.0.0/30");
    expect(hostAddress(a, 3)).toBe("10.0.0.3");
    expect(() => hostAddress(a, 1.5)).toThrow("address index 1.5 is outside 10.0.0.0/30");
    expect(() => hostAddress(a, -1)).toThrow("address index -1 is outside 10.0.0.0/30");
    expect(() => hostAddress(a, 4)).toThrow("address index 4 is outside 10.0.0.0/30");
  });

  test("allocate: a block as large as the space fits, a larger one is refused with both sizes", () => {
    const within = mustParseCidr("10.0.0.0/24");
    expect(allocate(within, [24]).map(formatCidr)).toEqual(["10.0.0.0/24"]);
    expect(() => allocate(within, [23])).toThrow("a /23 block cannot fit inside 10.0.0.0/24");
  });

  test("allocate fills a space exactly, then has no room for one address more", () => {
    const within = mustParseCidr("10.0.0.0/24");
    expect(allocate(within, [25, 25]).map(formatCidr)).toEqual(["10.0.0.0/25", "10.0.0.128/25"]);
    expect(() => allocate(within, [25, 25, 32])).toThrow("10.0.0.0/24 has no room left for a /32 block");
  });

  test("allocate at the top of the address space stops instead of wrapping", () => {
    const top = mustParseCidr("255.255.255.0/24");
    expect(allocate(top, [25, 25]).map(formatCidr)).toEqual(["255.255.255.0/25", "255.255.255.128/25"]);
    expect(() => allocate(top, [25, 25, 25])).toThrow("255.255.255.0/24 has no room left for a /25 block");
  });

  test("allocate skips to the first aligned block after a taken one, not before its end", () => {
    const within = mustParseCidr("10.0.0.0/24");
    const taken = [mustParseCidr("10.0.0.0/26")];
    expect(allocate(within, [26], taken).map(formatCidr)).toEqual(["10.0.0.64/26"]);
    expect(allocate(within, [32], [mustParseCidr("10.0.0.0/31")]).map(formatCidr)).toEqual(["10.0.0.2/32"]);
  });

  test("unionSize counts overlaps once, adjacent blocks in full, in any order", () => {
    const c = (s: string) => mustParseCidr(s);
    expect(unionSize([])).toBe(0);
    expect(unionSize([c("10.0.0.0/24")])).toBe(256);
    expect(unionSize([c("10.0.1.0/24"), c("10.0.0.0/24")])).toBe(512);
    expect(unionSize([c("10.0.0.0/23"), c("10.0.1.0/24")])).toBe(512);
    expect(unionSize([c("10.0.0.0/24"), c("10.0.0.0/24")])).toBe(256);
    expect(unionSize([c("10.0.0.128/25"), c("10.0.0.0/24"), c("10.0.2.0/32")])).toBe(257);
    expect(unionSize([c("10.0.0.0/32"), c("10.0.0.1/32")])).toBe(2);
    expect(unionSize([c("10.0.0.0/24"), c("10.0.0.255/32"), c("10.0.1.0/32")])).toBe(257);
    expect(unionSize([c("10.0.0.0/23"), c("10.0.0.64/26")])).toBe(512);
    expect(unionSize([c("0.0.0.0/32")])).toBe(1);
    // Same start, the smaller block first: the larger one adds only what lies past it.
    expect(unionSize([c("10.0.0.0/24"), c("10.0.0.0/23")])).toBe(512);
    expect(unionSize([c("10.0.3.0/24"), c("10.0.1.0/24"), c("10.0.2.0/24"), c("10.0.0.0/24")])).toBe(1024);
  });
});
