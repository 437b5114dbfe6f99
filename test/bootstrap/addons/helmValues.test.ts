import { ciliumChart, ciliumValues } from "../../../bootstrap/addons/cilium";
import {
  clusterAutoscalerAsgTags,
  clusterAutoscalerChart,
  clusterAutoscalerPolicy,
  clusterAutoscalerValues,
} from "../../../bootstrap/addons/clusterAutoscaler";
import { csrApproverChart, csrApproverValues, ec2PrivateDnsRegex } from "../../../bootstrap/addons/csrApprover";
import { ebsCsiChart, ebsCsiPolicy, ebsCsiValues } from "../../../bootstrap/addons/ebsCsi";
import { metricsServerChart, metricsServerValues } from "../../../bootstrap/addons/metricsServer";

describe("cilium", () => {
  const v = ciliumValues({ version: "1.17.6", clusterName: "prod", apiServerHost: "prod-api-123.elb.eu-west-1.amazonaws.com" });
  test("kubernetes IPAM, tunnel routing, kube-proxy kept, API via the load balancer, 2 operators", () => {
    expect(v).toMatchObject({
      ipam: { mode: "kubernetes" },
      routingMode: "tunnel",
      tunnelProtocol: "vxlan",
      kubeProxyReplacement: false,
      k8sServiceHost: "prod-api-123.elb.eu-west-1.amazonaws.com",
      k8sServicePort: 6443,
      operator: { replicas: 2 },
      cluster: { name: "prod" },
    });
    expect(ciliumChart({ version: "1.17.6" })).toEqual({
      chart: "cilium",
      repo: "https://helm.cilium.io/",
      version: "1.17.6",
      namespace: "kube-system",
    });
    expect(v).toMatchSnapshot();
  });
  test("refuses a URL where a host is expected", () => {
    expect(() => ciliumValues({ version: "1.17.6", clusterName: "prod", apiServerHost: "https://x:6443" })).toThrow(
      /DNS name without scheme or port/,
    );
  });
});

describe("kubelet-csr-approver", () => {
  test("approves only EC2 private DNS names inside the VPC", () => {
    const v = csrApproverValues({ chartVersion: "1.2.10", region: "eu-west-1", vpcCidr: "10.0.0.0/16" });
    expect(v.providerIpPrefixes).toEqual(["10.0.0.0/16"]);
    expect(v.bypassDnsResolution).toBe(false);
    const re = new RegExp(v.providerRegex as string);
    expect(re.test("ip-10-0-1-2.eu-west-1.compute.internal")).toBe(true);
    expect(re.test("ip-10-0-1-2.eu-west-2.compute.internal")).toBe(false);
    expect(re.test("evil.example.com")).toBe(false);
    expect(new RegExp(ec2PrivateDnsRegex("us-east-1")).test("ip-10-0-1-2.ec2.internal")).toBe(true);
    expect(csrApproverChart({ chartVersion: "1.2.10" }).repo).toBe("https://postfinance.github.io/kubelet-csr-approver");
    expect(v).toMatchSnapshot();
  });
  test("refuses a bad VPC CIDR", () => {
    expect(() => csrApproverValues({ chartVersion: "1.2.10", region: "eu-west-1", vpcCidr: "10.0.0.0/33" })).toThrow(
      /must be an IPv4 CIDR/,
    );
  });
});

describe("cluster-autoscaler", () => {
  test("auto-discovers by the two ASG tags and scales only owned groups", () => {
    const v = clusterAutoscalerValues({ chartVersion: "9.50.1", imageVersion: "1.35.0", clusterName: "prod", region: "eu-west-1" });
    expect(v.autoDiscovery).toEqual({ clusterName: "prod", tags: ["k8s.io/cluster-autoscaler/enabled", "k8s.io/cluster-autoscaler/prod"] });
    expect(v.image).toEqual({ repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: "v1.35.0" });
    expect(clusterAutoscalerAsgTags("prod")).toEqual({
      "k8s.io/cluster-autoscaler/enabled": "true",
      "k8s.io/cluster-autoscaler/prod": "owned",
    });
    const policy = clusterAutoscalerPolicy("prod") as {
      Statement: { Action: string[]; Condition?: Record<string, Record<string, string>> }[];
    };
    const scale = policy.Statement.find((s) => s.Action.includes("autoscaling:SetDesiredCapacity"));
    expect(scale?.Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned" } });
    expect(JSON.parse(JSON.stringify(policy))).toEqual(policy);
    expect(clusterAutoscalerChart({ chartVersion: "9.50.1" }).chart).toBe("cluster-autoscaler");
  });
});

describe("metrics-server and EBS CSI", () => {
  test("metrics-server verifies kubelet certificates", () => {
    expect(JSON.stringify(metricsServerValues())).not.toContain("insecure");
    expect(metricsServerChart("3.13.0").repo).toBe("https://kubernetes-sigs.github.io/metrics-server/");
  });
  test("EBS CSI deletes only volumes it tagged", () => {
    const p = ebsCsiPolicy() as { Statement: { Sid: string; Action: string[]; Condition?: unknown }[] };
    const del = p.Statement.find((s) => s.Action.includes("ec2:DeleteVolume"));
    expect(del?.Condition).toEqual({ StringLike: { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" } });
    expect(new Set(p.Statement.map((s) => s.Sid)).size).toBe(p.Statement.length);
    const v = ebsCsiValues({ clusterName: "prod", region: "eu-west-1" }) as { controller: { k8sTagClusterId: string } };
    expect(v.controller.k8sTagClusterId).toBe("prod");
    expect(ebsCsiChart("2.40.0").chart).toBe("aws-ebs-csi-driver");
  });
});
