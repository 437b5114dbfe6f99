/**
 * A small, dated table of AWS on-demand list prices (USD, Linux, shared tenancy) for what a
 * kubestead cluster is made of. It exists so a plan can carry a cost estimate offline; it is not a
 * bill. Prices as of 2026-11, regions us-east-1, us-west-2, eu-west-1, eu-central-1.
 *
 * Sources, read 2026-11 (third-party pages quote the AWS pricing pages; each value below says
 * whether it was confirmed there — `checked` — or recalled from the AWS price list and not
 * re-confirmed while writing this file):
 * - EC2 hourly rates: https://aws.amazon.com/ec2/pricing/on-demand/ — us-east-1 c6i.large $0.085 and
 *   m6a.large $0.0864 confirmed via an Infracost worked example (730 h = $62.05 / $63.07); the
 *   other rates are recalled. us-west-2 matches us-east-1 for these families. Graviton (arm64)
 *   rates are listed for the US regions only; elsewhere an arm64 pool makes the estimate a lower bound.
 * - EBS gp3 $0.08/GB-month, $0.005 per provisioned IOPS-month above 3,000, $0.04 per MiB/s-month
 *   above 125 (us-east-1): https://aws.amazon.com/ebs/pricing/ (quoted by saisci.com).
 * - NLB $0.0225 per hour and $0.006 per NLCU-hour (us-east-1): https://aws.amazon.com/elasticloadbalancing/pricing/
 *   (worked examples on that page, transcribed 2026-09-20).
 * - NAT gateway $0.045 per hour and $0.045 per GB processed (us-east-1, US West the same; Europe
 *   $0.048–0.052): https://aws.amazon.com/vpc/pricing/ (quoted by several 2026 guides).
 * - KMS $1 per key-month, $0.03 per 10,000 requests, 20,000 free requests per month account-wide:
 *   https://aws.amazon.com/kms/pricing/
 * - S3 Standard $0.023 per GB-month for the first 50 TB (us-east-1): https://aws.amazon.com/s3/pricing/
 * - Public IPv4 $0.005 per address-hour in every region since 2024-02-01:
 *   https://aws.amazon.com/vpc/pricing/ (Public IPv4 Address tab).
 *
 * Unknown stays unknown: a type or region missing here makes the estimate say so.
 */

export const PRICES_AS_OF = "2026-11";
export const PRICE_CURRENCY = "USD";
export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** On-demand Linux price per instance-hour. */
  ec2Hourly: Record<string, number>;
  ebs: {
    gp3GbMonth: number;
    /** Per provisioned IOPS-month above the free 3,000. */
    gp3IopsMonth: number;
    /** Per provisioned MiB/s-month above the free 125 MiB/s. */
    gp3ThroughputMonth: number;
    gp2GbMonth: number;
  };
  nlb: { hourly: number; nlcuHourly: number };
  nat: { hourly: number; perGb: number };
  kms: { keyMonth: number; per10kRequests: number };
  s3: { standardGbMonth: number };
  publicIpv4Hourly: number;
  /** Dotted keys (`ec2Hourly.c6i.large`, `nat`, …) confirmed against a source; the rest are recalled. */
  checked: string[];
}

export const GP3_FREE_IOPS = 3000;
export const GP3_FREE_THROUGHPUT_MIBPS = 125;

// The same families cost the same in us-east-1 and us-west-2.
const US_EC2: Record<string, number> = {
  "t3.medium": 0.0416,
  "t3.large": 0.0832,
  "t3.xlarge": 0.1664,
  "m5.large": 0.096,
  "m6i.large": 0.096,
  "m6i.xlarge": 0.192,
  "m6i.2xlarge": 0.384,
  "m7i.large": 0.1008,
  "m7i.xlarge": 0.2016,
  "m7i.2xlarge": 0.4032,
  "m6a.large": 0.0864,
  "m6a.xlarge": 0.1728,
  "c6i.large": 0.085,
  "c6i.xlarge": 0.17,
  "c7i.large": 0.08925,
  "c7i.12xlarge": 2.142,
  "r6i.large": 0.126,
  "r6i.xlarge": 0.252,
  // Graviton (arm64): about a fifth below the x86 type of the same size.
  "t4g.medium": 0.0336,
  "t4g.large": 0.0672,
  "m6g.large": 0.077,
  "m6g.xlarge": 0.154,
  "m7g.large": 0.0816,
  "m7g.xlarge": 0.1632,
  "m8g.large": 0.08976,
  "m8g.xlarge": 0.17952,
  "c6g.large": 0.068,
  "c7g.large": 0.0725,
  "c7g.xlarge": 0.145,
  "r6g.large": 0.1008,
  "r7g.large": 0.1071,
};

const US_COMMON = {
  ebs: { gp3GbMonth: 0.08, gp3IopsMonth: 0.005, gp3ThroughputMonth: 0.04, gp2GbMonth: 0.1 },
  nlb: { hourly: 0.0225, nlcuHourly: 0.006 },
  nat: { hourly: 0.045, perGb: 0.045 },
  kms: { keyMonth: 1, per10kRequests: 0.03 },
  s3: { standardGbMonth: 0.023 },
  publicIpv4Hourly: 0.005,
};

export const PRICES: Readonly<Record<string, RegionPrices>> = {
  "us-east-1": {
    ec2Hourly: US_EC2,
    ...US_COMMON,
    checked: ["ec2Hourly.c6i.large", "ec2Hourly.m6a.large", "ebs.gp3", "nlb", "nat", "kms", "s3", "publicIpv4Hourly"],
  },
  "us-west-2": {
    ec2Hourly: US_EC2,
    ...US_COMMON,
    checked: ["nat", "kms", "publicIpv4Hourly"],
  },
  "eu-west-1": {
    ec2Hourly: {
      "t3.medium": 0.0456,
      "t3.large": 0.0912,
      "t3.xlarge": 0.1824,
      "m5.large": 0.107,
      "m6i.large": 0.107,
      "m6i.xlarge": 0.214,
      "m6i.2xlarge": 0.428,
      "m7i.large": 0.1124,
      "m7i.xlarge": 0.2247,
      "m6a.large": 0.0963,
      "m6a.xlarge": 0.1926,
      "c6i.large": 0.0956,
      "c6i.xlarge": 0.1912,
      "c7i.large": 0.1004,
      "r6i.large": 0.141,
      "r6i.xlarge": 0.282,
    },
    ebs: { gp3GbMonth: 0.088, gp3IopsMonth: 0.0055, gp3ThroughputMonth: 0.044, gp2GbMonth: 0.11 },
    nlb: { hourly: 0.0252, nlcuHourly: 0.006 },
    nat: { hourly: 0.048, perGb: 0.048 },
    kms: { keyMonth: 1, per10kRequests: 0.03 },
    s3: { standardGbMonth: 0.023 },
    publicIpv4Hourly: 0.005,
    checked: ["kms", "publicIpv4Hourly"],
  },
  "eu-central-1": {
    ec2Hourly: {
      "t3.medium": 0.048,
      "t3.large": 0.096,
      "t3.xlarge": 0.192,
      "m5.large": 0.115,
      "m6i.large": 0.115,
      "m6i.xlarge": 0.23,
      "m6i.2xlarge": 0.46,
      "m7i.large": 0.12075,
      "m7i.xlarge": 0.2415,
      "m6a.large": 0.1035,
      "m6a.xlarge": 0.207,
      "c6i.large": 0.097,
      "c6i.xlarge": 0.194,
      "c7i.large": 0.10185,
      "r6i.large": 0.152,
      "r6i.xlarge": 0.304,
    },
    ebs: { gp3GbMonth: 0.0952, gp3IopsMonth: 0.006, gp3ThroughputMonth: 0.048, gp2GbMonth: 0.119 },
    nlb: { hourly: 0.027, nlcuHourly: 0.006 },
    nat: { hourly: 0.052, perGb: 0.052 },
    kms: { keyMonth: 1, per10kRequests: 0.03 },
    s3: { standardGbMonth: 0.0245 },
    publicIpv4Hourly: 0.005,
    checked: ["kms", "publicIpv4Hourly"],
  },
};

export function regionPrices(region: string): RegionPrices | undefined {
  return Object.prototype.hasOwnProperty.call(PRICES, region) ? PRICES[region] : undefined;
}

/** Hourly on-demand price, or undefined when the type or region is not in the table. */
export function instanceHourly(region: string, instanceType: string): number | undefined {
  const r = regionPrices(region);
  if (!r || !Object.prototype.hasOwnProperty.call(r.ec2Hourly, instanceType)) return undefined;
  return r.ec2Hourly[instanceType];
}

/** Whether `key` (e.g. `ec2Hourly.m6i.large`, `nat`) was confirmed against a source for `region`. */
export function isChecked(region: string, key: string): boolean {
  const r = regionPrices(region);
  return !!r && r.checked.some((k) => key === k || key.startsWith(`${k}.`));
}
