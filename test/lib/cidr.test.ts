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
  test("property: any layout that fits is inside the VPC and pairwise disjoint", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 22 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 8 }),
        (vpcPrefix, zones, privExtra, pubExtra) => {
          const vpc = `10.${vpcPrefix}.0.0/${vpcPrefix}`.replace(/^10\.(\d+)\.0\.0/, "10.0.0.0");
          const names = Array.from({ length: zones }, (_, i) => `z${i}`);
          let plan;
          try {
            plan = planSubnets(vpc, names, Math.min(28, vpcPrefix + 2 + privExtra), Math.min(28, vpcPrefix + 4 + pubExtra));
          } catch {
            return true;
          }
          const v = mustParseCidr(vpc);
          const all = plan.flatMap((p) => [mustParseCidr(p.privateCidr), mustParseCidr(p.publicCidr)]);
          for (const [i, a] of all.entries()) {
            expect(contains(v, a)).toBe(true);
            for (const b of all.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
          }
          return true;
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
