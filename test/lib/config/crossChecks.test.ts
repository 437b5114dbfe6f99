import { overlappingRanges } from "../../../lib/config/crossChecks";

const r = (key: string, cidr: string) => ({ key, cidr });

test.each([
  ["adjacent blocks do not overlap", "10.0.0.0/16", "10.1.0.0/16", false],
  ["the last address shared overlaps", "10.0.0.0/16", "10.0.255.255/32", true],
  ["a range containing another overlaps", "10.0.0.0/8", "10.96.0.0/12", true],
  ["the same range overlaps", "10.96.0.0/12", "10.96.0.0/12", true],
  ["an unparseable range is left to its own key", "10.0.0.0/16", "10.0.0.1/16", false],
])("%s", (_, a, b, overlap) => {
  const out = overlappingRanges([r("network.vpcCidr", a), r("kubernetes.podCidr", b)]);
  expect(out).toEqual(overlap ? [{ range: r("kubernetes.podCidr", b), other: r("network.vpcCidr", a) }] : []);
});

test("every pair is reported at the later range, in list order", () => {
  const vpc = r("network.vpcCidr", "10.0.0.0/8");
  const pods = r("kubernetes.podCidr", "10.128.0.0/11");
  const services = r("kubernetes.serviceCidr", "10.96.0.0/12");
  expect(overlappingRanges([vpc, pods, services])).toEqual([
    { range: pods, other: vpc },
    { range: services, other: vpc },
  ]);
});
