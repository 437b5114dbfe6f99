import { estimateMonthlyCost } from "../../lib/cost";
import { PRICES, PRICES_AS_OF, instanceHourly, isChecked } from "../../lib/prices";
import { samplePlan } from "../fixtures/plan/samplePlan";

function line(est: ReturnType<typeof estimateMonthlyCost>, prefix: string) {
  const l = est.lines.find((x) => x.item.startsWith(prefix));
  if (!l) throw new Error(`no line ${prefix}: ${est.lines.map((x) => x.item).join(" | ")}`);
  return l;
}

describe("price table", () => {
  test("covers the four regions and the instance types we use", () => {
    const types = [
      "t3.medium",
      "t3.large",
      "m6i.large",
      "m6i.xlarge",
      "m7i.large",
      "m7i.xlarge",
      "c6i.large",
      "c7i.large",
      "r6i.large",
      "m6a.large",
    ];
    for (const region of ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]) {
      for (const t of types) expect(instanceHourly(region, t)).toBeGreaterThan(0);
    }
    expect(PRICES_AS_OF).toMatch(/^\d{4}-\d{2}$/);
  });

  test("sizes within a family scale linearly (a typo guard)", () => {
    for (const [region, p] of Object.entries(PRICES)) {
      for (const [t, price] of Object.entries(p.ec2Hourly)) {
        const [fam, size] = t.split(".");
        if (size !== "large") continue;
        const x = p.ec2Hourly[`${fam}.xlarge`];
        if (x !== undefined) expect({ region, t, ratio: Math.round((x / price) * 100) / 100 }).toEqual({ region, t, ratio: 2 });
      }
    }
  });

  test("unknown type or region is undefined; checked marks are per region", () => {
    expect(instanceHourly("us-east-1", "m99.huge")).toBeUndefined();
    expect(instanceHourly("ap-south-9", "m6i.large")).toBeUndefined();
    expect(instanceHourly("us-east-1", "constructor")).toBeUndefined();
    expect(isChecked("us-east-1", "ec2Hourly.c6i.large")).toBe(true);
    expect(isChecked("eu-west-1", "ec2Hourly.c6i.large")).toBe(false);
    expect(isChecked("us-east-1", "ebs.gp3")).toBe(true);
  });
});

describe("estimateMonthlyCost", () => {
  const est = estimateMonthlyCost(samplePlan(), "us-east-1");

  test("instances: ASG desired × launch template type × 730 h", () => {
    expect(line(est, "EC2 m6i.xlarge (prod-controlplane-controllers)")).toMatchObject({
      quantity: 3,
      unitPrice: 0.192 * 730,
      monthly: 420.48,
    });
    expect(line(est, "EC2 m6i.large (prod-etcd-0)")).toMatchObject({ quantity: 1, monthly: 70.08 });
    const workers = line(est, "EC2 m6i.large (prod-general-workers)");
    expect(workers).toMatchObject({ quantity: 6, monthly: 420.48 });
    expect(workers.note).toContain("spot capacity priced at on-demand");
  });

  test("root volumes from launch templates and standalone volumes with IOPS/throughput above baseline", () => {
    expect(line(est, "EBS gp3 root volumes (prod-general-workers)")).toMatchObject({ quantity: 480, unitPrice: 0.08, monthly: 38.4 });
    expect(line(est, "EBS gp3 volume prod-etcd-data-0")).toMatchObject({ quantity: 20, monthly: 1.6 });
    expect(line(est, "EBS gp3 IOPS above 3000 volume prod-etcd-data-0")).toMatchObject({ quantity: 3000, monthly: 15 });
    expect(line(est, "EBS gp3 throughput above 125 MiB/s volume prod-etcd-data-0")).toMatchObject({ quantity: 125, monthly: 5 });
  });

  test("NLB, NAT, EIPs, KMS and S3", () => {
    expect(line(est, "NLB prod-controlplane-api")).toMatchObject({ quantity: 1, monthly: 16.43 });
    expect(line(est, "NLB capacity units")).toMatchObject({ quantity: 730, monthly: 4.38 });
    expect(est.lines.some((l) => l.item.startsWith("public IPv4 of NLB"))).toBe(false); // internal NLB
    expect(line(est, "NAT gateways")).toMatchObject({ quantity: 3, monthly: 98.55 });
    expect(line(est, "NAT data processed")).toMatchObject({ quantity: 300, monthly: 13.5 });
    expect(line(est, "Elastic IPs")).toMatchObject({ quantity: 3, monthly: 10.95 });
    expect(line(est, "KMS keys")).toMatchObject({ quantity: 1, monthly: 1 });
    expect(line(est, "KMS requests")).toMatchObject({ quantity: 10, monthly: 0.3 });
    expect(line(est, "S3 Standard")).toMatchObject({ quantity: 50, monthly: 1.15 });
  });

  test("total is the sum of the lines, complete, dated", () => {
    expect(est.complete).toBe(true);
    expect(est.pricesAsOf).toBe(PRICES_AS_OF);
    expect(est.total).toBeCloseTo(
      est.lines.reduce((s, l) => s + l.monthly, 0),
      2,
    );
    expect(est).toMatchSnapshot();
  });

  test("unknown instance type is a line that says so, not a crash", () => {
    const e = estimateMonthlyCost(samplePlan({ workerType: "m99.huge" }), "us-east-1");
    const l = line(e, "EC2 m99.huge");
    expect(l).toMatchObject({ quantity: 6, unitPrice: undefined, monthly: 0 });
    expect(l.note).toMatch(/no price for instance type m99.huge in us-east-1/);
    expect(e.complete).toBe(false);
    expect(e.notes.join(" ")).toMatch(/lower bound/);
  });

  test("unknown region prices nothing and says which region", () => {
    const e = estimateMonthlyCost(samplePlan(), "ap-south-9");
    expect(e.total).toBe(0);
    expect(e.lines.every((l) => l.unitPrice === undefined)).toBe(true);
    expect(line(e, "NAT gateways").note).toMatch(/no prices for region ap-south-9/);
  });

  test("prices not confirmed against a source are marked", () => {
    const e = estimateMonthlyCost(samplePlan(), "eu-west-1");
    expect(line(e, "EC2 m6i.xlarge").checked).toBe(false);
    expect(line(e, "KMS keys").checked).toBeUndefined();
    expect(e.notes.join(" ")).toMatch(/marked † were recalled/);
    const us = estimateMonthlyCost(samplePlan({ workerType: "c6i.large" }), "us-east-1");
    expect(line(us, "EC2 c6i.large").checked).toBeUndefined();
    expect(line(us, "EC2 m6i.xlarge").checked).toBe(false);
  });

  test("assumptions change the traffic lines; a single NAT is cheaper", () => {
    const e = estimateMonthlyCost(samplePlan({ natPerAz: false }), "us-east-1", {
      natProcessedGbPerGateway: 1000,
      s3StorageGbPerBucket: 200,
    });
    expect(line(e, "NAT gateways").quantity).toBe(1);
    expect(line(e, "NAT data processed").quantity).toBe(1000);
    expect(line(e, "S3 Standard").quantity).toBe(200);
    // Each NAT gateway dropped saves its hours (32.85), 100 GB processed (4.50) and its EIP (3.65).
    const single = estimateMonthlyCost(samplePlan({ natPerAz: false }), "us-east-1");
    expect(single.total).toBeCloseTo(est.total - 2 * (32.85 + 4.5 + 3.65), 2);
  });

  test("an ASG whose launch template is missing gets an unpriced line", () => {
    const plan = samplePlan();
    plan.resources = plan.resources.filter((r) => r.name !== "prod-controlplane-lt");
    const e = estimateMonthlyCost(plan, "us-east-1");
    expect(line(e, "EC2 instances (prod-controlplane-controllers)")).toMatchObject({ unitPrice: undefined, monthly: 0 });
  });
});

describe("VPC flow logs", () => {
  test("a traffic-dependent line without a price: the total becomes a lower bound", () => {
    const plan = samplePlan();
    const base = estimateMonthlyCost(plan, "us-east-1");
    plan.resources.push({
      ...plan.resources[plan.resources.length - 1],
      urn: "urn:flow",
      type: "aws:ec2/flowLog:FlowLog",
      name: "flow",
      inputs: { logDestinationType: "cloud-watch-logs" },
    });
    const est = estimateMonthlyCost(plan, "us-east-1");
    expect(line(est, "VPC flow logs")).toMatchObject({
      quantity: 1,
      unitPrice: undefined,
      monthly: 0,
      item: "VPC flow logs (1 to CloudWatch Logs, 0 to S3)",
    });
    expect(est.total).toBe(base.total);
    expect(est.complete).toBe(false);
  });
});
