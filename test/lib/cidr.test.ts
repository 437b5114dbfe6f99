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
