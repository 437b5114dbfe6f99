import { capacityCheck, type CapacityReport } from "../../../lib/capacity";
import { estimateMonthlyCost } from "../../../lib/cost";
import { renderReport, reportMarker, type PolicyReportLike } from "../../../tools/report/markdown";
import { samplePlan } from "../../fixtures/plan/samplePlan";

const plan = samplePlan();
const cost = estimateMonthlyCost(plan, "us-east-1");
const capacity: CapacityReport = {
  ok: false,
  rows: [
    {
      name: "nodes the pod CIDR allows",
      value: 4096,
      limit: 5000,
      ok: false,
      detail: "10.32.0.0/12 in /24 slices",
      source: "kube-controller-manager",
    },
    { name: "service IPs", value: 1048574, limit: 10000, ok: true, detail: "10.96.0.0/12", source: "SIG Scalability" },
    { name: "Elastic IPs", value: 3, limit: 5, ok: true, advisory: true, detail: "3 NAT gateways", source: "VPC quotas" },
  ],
  problems: [
    "kubestead:kubernetes.podCidr 10.32.0.0/12 with nodeCidrMaskSize 24 allows 4,096 nodes, below maxNodes 5,000: use a /11 pod CIDR",
  ],
};
const policy: PolicyReportLike = {
  violations: [
    {
      policy: "require-tags",
      message: "missing tag | owner",
      name: "prod-network-igw",
      type: "aws:ec2/internetGateway:InternetGateway",
      enforcementLevel: "advisory",
    },
    { policy: "etcd-quorum", message: "etcd needs an odd member count ≥ 3 over 3 zones", enforcementLevel: "mandatory" },
  ],
};
const certificates = [
  { name: "kubernetes-ca", notAfter: "2036-11-25T00:00:00Z" },
  { name: "apiserver", notAfter: "2027-11-27T00:00:00Z" },
  { name: "front-proxy-client", notAfter: new Date("2026-12-07T00:00:00Z") },
];

describe("renderReport", () => {
  const md = renderReport({ plan, policy, cost, capacity, certificates });

  test("starts with the hidden marker and a title naming the stack", () => {
    expect(md.split("\n")[0]).toBe("<!-- kubestead-plan:prod -->");
    expect(reportMarker("dev")).toBe("<!-- kubestead-plan:dev -->");
    expect(md).toContain("## kubestead plan: `kubestead/prod`");
  });

  test("summary line: resources, policy, monthly cost, capacity", () => {
    const s = md.split("\n")[3];
    expect(s).toBe(
      `**33 resources** · policy ✗ (1 mandatory, 1 advisory) · **$${cost.total.toLocaleString("en-US", { minimumFractionDigits: 2 })}/month** · capacity ✗ (1)`,
    );
    const ok = renderReport({ plan, policy: { violations: [] }, capacity: { ...capacity, ok: true, problems: [] } });
    expect(ok.split("\n")[3]).toBe("**33 resources** · policy ✓ · capacity ✓");
    expect(renderReport({ plan }).split("\n")[3]).toBe("**33 resources** · policy not run");
  });

  test("resources grouped by top-level component with counts per type", () => {
    expect(md).toContain(
      "| Network `prod-network` | 14 | 3 × aws:ec2/eip:Eip<br>1 × aws:ec2/internetGateway:InternetGateway<br>3 × aws:ec2/natGateway:NatGateway<br>6 × aws:ec2/subnet:Subnet<br>1 × aws:ec2/vpc:Vpc |",
    );
    expect(md).toContain("| EtcdCluster `prod-etcd` | 11 |");
    expect(md).toContain("| (stack) | 1 | 1 × pulumi:providers:aws |");
  });

  test("policy table: mandatory first, pipes escaped", () => {
    const i = md.indexOf("| ✗ mandatory | `etcd-quorum` | (stack) |");
    const j = md.indexOf(
      "| ⚠ advisory | `require-tags` | aws:ec2/internetGateway:InternetGateway prod-network-igw | missing tag \\| owner |",
    );
    expect(i).toBeGreaterThan(0);
    expect(j).toBeGreaterThan(i);
  });

  test("mermaid block with the generated diagram", () => {
    expect(md).toMatch(/```mermaid\nflowchart TB\n[\s\S]*api_lb -->\|6443\|[\s\S]*\n```/);
  });

  test("certificates soonest first with days left from the plan time", () => {
    const rows = md.split("\n").filter((l) => /^\| (front-proxy-client|apiserver|kubernetes-ca) \|/.test(l));
    expect(rows).toEqual([
      "| front-proxy-client | 2026-12-07 | ⚠ 10 |",
      "| apiserver | 2027-11-27 | 365 |",
      "| kubernetes-ca | 2036-11-25 | 3651 |",
    ]);
    const later = renderReport({ plan, certificates, now: new Date("2026-12-08T00:00:00Z") });
    expect(later).toContain("| front-proxy-client | 2026-12-07 | ✗ expired 1 days ago |");
  });

  test("capacity and cost tables", () => {
    expect(md).toContain("| Check | Value | Limit | OK | Detail | Source |");
    expect(md).toContain("| nodes the pod CIDR allows | 4,096 | 5,000 | ✗ | 10.32.0.0/12 in /24 slices | kube-controller-manager |");
    // An account quota is a warning to check, never a pass or a failure.
    expect(md).toContain("| Elastic IPs | 3 | 5 | ⚠ check | 3 NAT gateways | VPC quotas |");
    expect(md).toContain("- ✗ kubestead:kubernetes.podCidr 10.32.0.0/12");
    expect(md).toContain("### Cost (us-east-1, prices as of 2026-11)");
    expect(md).toContain("| EC2 m6i.xlarge (prod-controlplane-controllers) | 3 instance-month | $140.16 † | $420.48 |");
    expect(md).toMatch(/\| \*\*Total\*\* \|  \|  \| \*\*\$[\d,]+\.\d\d\*\* \|/);
  });

  test("works with a real capacity report and is deterministic", () => {
    const real = capacityCheck(
      {
        stack: "prod",
        environment: "production",
        maxNodes: 10,
        kubernetes: { podCidr: "10.244.0.0/16", nodeCidrMaskSize: 24, serviceCidr: "10.96.0.0/12" },
        zones: ["us-east-1a", "us-east-1b", "us-east-1c"],
        controlPlane: { nodes: 3, instanceType: "m6i.xlarge", apiLoadBalancer: { scheme: "internal" } },
        etcd: { members: 3, instanceType: "m6i.large", volumeIops: 3000, volumeSizeGiB: 20 },
        workers: [{ name: "general", maxSize: 4, desiredCapacity: 2, instanceTypes: ["m6i.large"] }],
        network: { natGateways: "perAz" },
      } as never,
      ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
    );
    const a = renderReport({ plan, cost, capacity: real, certificates, policy });
    expect(a).toContain("capacity ✓");
    // Every row cites its source, the new limits among them.
    expect(real.rows.every((r) => r.source.length > 0)).toBe(true);
    expect(a).toContain("| control-plane vCPUs | 4 | 2 | ✓ |");
    expect(a).toContain("| etcd volume IOPS | 3,000 | 500 | ✓ |");
    expect(renderReport({ plan, cost, capacity: real, certificates, policy })).toBe(a);
    // Each node group with its instance types and architecture.
    expect(a).toContain("| prod-general | pool general | m6i.large, m6a.large | amd64 | 3–30 |");
    expect(a).toContain("| prod-etcd-0 | etcd | m6i.large | amd64 | 1–1 |");
    expect(md).toMatchSnapshot();
  });
});
