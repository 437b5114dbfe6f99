import fc from "fast-check";
import { capacityCheck } from "../../lib/capacity";
import { ENCRYPTION_DEFAULTS } from "../../lib/config/encryption";
import { etcdLifecycleDefaults } from "../../lib/config/etcdLifecycle";
import type { ClusterConfig, WorkerPoolConfig } from "../../lib/config/types";

function pool(name: string, maxSize: number): WorkerPoolConfig {
  return {
    name,
    minSize: 1,
    maxSize,
    desiredCapacity: 1,
    instanceTypes: ["m6i.large"],
    arch: "amd64",
    rootVolumeGiB: 50,
    labels: {},
    taints: [],
    zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    minHealthyPercentage: 90,
    metadataHopLimit: 1,
    kubernetesVersion: "1.33.4",
  };
}

/** A prod-shaped config that is provable for 5,000 nodes; tests change one field each. */
function prod(over: Partial<ClusterConfig> = {}, k8s: Partial<ClusterConfig["kubernetes"]> = {}): ClusterConfig {
  return {
    stack: "prod",
    name: "prod",
    environment: "production",
    region: "eu-west-1",
    zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    network: {
      vpcCidr: "10.0.0.0/16",
      natGateways: "perAz",
      privateSubnetPrefix: 19,
      publicSubnetPrefix: 24,
      flowLogs: { enabled: true, destination: "cloudwatch", retentionDays: 90, trafficType: "ALL" },
    },
    kubernetes: {
      version: "1.33.4",
      podCidr: "10.32.0.0/11",
      nodeCidrMaskSize: 24,
      serviceCidr: "10.96.0.0/12",
      clusterDnsIp: "10.96.0.10",
      clusterDomain: "cluster.local",
      containerdVersion: "2.1.4",
      runcVersion: "1.3.0",
      cniPluginsVersion: "1.7.1",
      pauseVersion: "3.10",
      proxyMode: "ipvs",
      ...k8s,
    },
    etcd: {
      members: 3,
      version: "3.5.21",
      sha256: "0".repeat(64),
      // Sizes that hold 5,000 nodes (lib/capacityLimits.ts; test/lib/capacityLimits.test.ts).
      instanceType: "m7i.2xlarge",
      arch: "amd64",
      volumeSizeGiB: 50,
      volumeIops: 6000,
      snapshotCount: 10000,
      backup: { intervalMinutes: 60, retentionDays: 14, objectLockMode: "governance", objectLockDays: 14, accessLogRetentionDays: 365 },
      lifecycle: etcdLifecycleDefaults(60),
    },
    controlPlane: {
      nodes: 3,
      instanceType: "c7i.12xlarge",
      arch: "amd64",
      rootVolumeGiB: 50,
      encryption: ENCRYPTION_DEFAULTS,
      apiLoadBalancer: { scheme: "internal", allowedCidrs: [], maxAllowedShare: 1 / 256 },
      auditLogMaxAgeDays: 30,
      auditLogMaxBackups: 10,
      auditLogMaxSizeMiB: 100,
      podSecurity: { enforce: "baseline", warn: "restricted", audit: "restricted", exemptNamespaces: ["kube-system"] },
      alwaysPullImages: true,
      clusterAdminsBinding: true,
    },
    workers: [pool("general", 4000), pool("memory", 994)],
    pki: { caValidityHours: 87600, leafValidityHours: 8760, earlyRenewalHours: 720, bootstrapTokenMaxAgeDays: 30, adminValidityHours: 168 },
    addons: {
      clusterAutoscaler: true,
      metricsServer: true,
      ebsCsiDriver: true,
      ciliumVersion: "1.17.6",
      corednsVersion: "1.12.1",
      cloudControllerManagerVersion: "1.33.0",
      clusterAutoscalerVersion: "1.33.0",
      csrApproverVersion: "1.2.6",
      metricsServerVersion: "0.7.2",
      ebsCsiDriverVersion: "1.36.0",
      nodeTerminationHandler: true,
      nodeTerminationHandlerVersion: "1.25.3",
    },
    maxNodes: 5000,
    protect: true,
    enforcement: "mandatory",
    tags: {},
    checksums: {},
    acknowledge: [],
    ...over,
  };
}

const PROD_SUBNETS = ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"];

function row(r: ReturnType<typeof capacityCheck>, name: string) {
  const found = r.rows.find((x) => x.name === name);
  if (!found) throw new Error(`no row ${name}`);
  return found;
}

describe("capacityCheck", () => {
  test("prod with a /11 pod CIDR, /24 per node and /19 subnets is provable for 5,000 nodes", () => {
    const r = capacityCheck(prod(), PROD_SUBNETS);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(row(r, "nodes the pod CIDR allows")).toMatchObject({ value: 8192, limit: 5000, ok: true });
    expect(row(r, "pod IPs per node")).toMatchObject({ value: 254, ok: true });
    // 3 × (8192 - 5) usable; 5,000 nodes + 3 internal NLB addresses.
    expect(row(r, "private subnet IPs")).toMatchObject({ value: 24561, limit: 5003, ok: true });
    expect(row(r, "private subnet IPs after losing one zone")).toMatchObject({ value: 16374, ok: true });
    expect(row(r, "instances the ASGs can reach")).toMatchObject({ value: 5000, limit: 5000, ok: true });
    expect(row(r, "service IPs")).toMatchObject({ value: 2 ** 20 - 2, limit: 10000, ok: true });
    expect(r).toMatchSnapshot();
  });

  test("a /12 pod CIDR at /24 per node is NOT enough for 5,000 nodes (4,096)", () => {
    const r = capacityCheck(prod({}, { podCidr: "10.32.0.0/12" }), PROD_SUBNETS);
    expect(r.ok).toBe(false);
    expect(row(r, "nodes the pod CIDR allows")).toMatchObject({ value: 4096, ok: false });
    expect(r.problems).toEqual([
      "kubestead:kubernetes.podCidr 10.32.0.0/12 with nodeCidrMaskSize 24 allows 4,096 nodes, below maxNodes 5,000: " +
        "use a /11 pod CIDR (8,192 nodes at /24 per node) or nodeCidrMaskSize 25 (126 pod IPs per node)",
    ]);
  });

  test("a /12 pod CIDR with /25 per node holds 8,192 nodes", () => {
    const r = capacityCheck(prod({}, { podCidr: "10.32.0.0/12", nodeCidrMaskSize: 25 }), PROD_SUBNETS);
    expect(r.problems).toEqual([]);
    expect(row(r, "nodes the pod CIDR allows").value).toBe(8192);
    expect(row(r, "pod IPs per node").value).toBe(126);
  });

  test("the default 10.244.0.0/16 allows 256 nodes and names the fix", () => {
    const r = capacityCheck(prod({}, { podCidr: "10.244.0.0/16" }), PROD_SUBNETS);
    expect(r.problems[0]).toMatch(
      /^kubestead:kubernetes\.podCidr 10\.244\.0\.0\/16 with nodeCidrMaskSize 24 allows 256 nodes, below maxNodes 5,000: use a \/11 pod CIDR/,
    );
    // A /29 per node would be the only way to fit at /16: too few pod IPs, so it is not offered.
    expect(r.problems[0]).not.toMatch(/nodeCidrMaskSize 29/);
  });

  test("a mask too small for maxPods is a problem", () => {
    const r = capacityCheck(prod({}, { podCidr: "10.32.0.0/11", nodeCidrMaskSize: 26 }), PROD_SUBNETS);
    expect(row(r, "pod IPs per node")).toMatchObject({ value: 62, ok: false });
    expect(r.problems.some((p) => p.startsWith("kubestead:kubernetes.nodeCidrMaskSize 26 gives 62 pod IPs per node"))).toBe(true);
  });

  test("small private subnets fail with the prefix to use", () => {
    const r = capacityCheck(prod(), ["10.0.0.0/22", "10.0.4.0/22", "10.0.8.0/22"]);
    expect(row(r, "private subnet IPs")).toMatchObject({ value: 3 * 1019, ok: false });
    expect(r.problems).toContain(
      "kubestead:network.privateSubnetPrefix: the private subnets hold 3,057 addresses, below the 5,003 that maxNodes 5,000 needs: " +
        "use a /21 or larger private subnet (each needs 1,668 usable addresses)",
    );
  });

  test("zone loss is checked separately from the total", () => {
    // 3 × /21 = 6,129 usable in total (enough), but two of them hold only 4,086.
    const r = capacityCheck(prod(), ["10.0.0.0/21", "10.0.8.0/21", "10.0.16.0/21"]);
    expect(row(r, "private subnet IPs")).toMatchObject({ value: 3 * 2043, ok: true });
    expect(row(r, "private subnet IPs after losing one zone")).toMatchObject({ value: 2 * 2043, ok: false });
    expect(r.problems).toHaveLength(1);
    expect(r.problems[0]).toMatch(
      /after losing one zone the private subnets hold 4,086 addresses, below maxNodes 5,000: use a \/20 or larger/,
    );
  });

  test("an adopted network names the existing subnet key", () => {
    const r = capacityCheck(
      prod({
        network: {
          vpcCidr: "10.0.0.0/16",
          natGateways: "perAz",
          privateSubnetPrefix: 19,
          publicSubnetPrefix: 24,
          existing: { vpcId: "vpc-1", publicSubnetIds: [], privateSubnetIds: [] },
          flowLogs: { enabled: true, destination: "cloudwatch", retentionDays: 90, trafficType: "ALL" },
        },
      }),
      ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"],
    );
    expect(r.problems[0]).toMatch(/^kubestead:network\.existing\.privateSubnetIds: .* adopt larger private subnets/);
  });

  test("ASG max sizes above maxNodes fail", () => {
    const r = capacityCheck(prod({ workers: [pool("general", 5000)] }), PROD_SUBNETS);
    expect(row(r, "instances the ASGs can reach")).toMatchObject({ value: 5006, ok: false });
    expect(r.problems).toEqual([
      "kubestead:workers maxSize sums to 5,000, which with 3 control plane and 3 etcd nodes (5,006) exceeds maxNodes 5,000: " +
        "lower the pools' maxSize or raise kubestead:maxNodes (and prove the networks hold it)",
    ]);
  });

  test("service CIDR: too small, and larger than the apiserver accepts", () => {
    const small = capacityCheck(prod({}, { serviceCidr: "10.96.0.0/20" }), PROD_SUBNETS);
    expect(row(small, "service IPs")).toMatchObject({ value: 4094, limit: 10000, ok: false });
    expect(small.problems).toEqual([
      "kubestead:kubernetes.serviceCidr 10.96.0.0/20 holds 4,094 services, below the 10,000 expected for maxNodes 5,000: use a /18 service CIDR",
    ]);
    const huge = capacityCheck(prod({}, { serviceCidr: "10.96.0.0/11" }), PROD_SUBNETS);
    expect(huge.problems).toEqual([expect.stringContaining("larger than kube-apiserver accepts")]);
  });

  test("dev-sized cluster passes with small networks", () => {
    const r = capacityCheck(prod({ maxNodes: 20, workers: [pool("general", 10)] }, { podCidr: "10.244.0.0/16" }), [
      "10.0.0.0/24",
      "10.0.1.0/24",
      "10.0.2.0/24",
    ]);
    expect(r.problems).toEqual([]);
    expect(row(r, "service IPs").limit).toBe(1024);
  });

  test("unparseable CIDRs are problems, not exceptions", () => {
    const r = capacityCheck(prod({}, { podCidr: "nope" }), ["10.0.0.0/33"]);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^kubestead:kubernetes\.podCidr "nope" is not an IPv4 CIDR/),
        expect.stringMatching(/private subnet CIDRs 10\.0\.0\.0\/33/),
      ]),
    );
  });

  test("property: the pod CIDR row is ok exactly when 2^(mask-prefix) >= maxNodes", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 20 }),
        fc.integer({ min: 20, max: 26 }),
        fc.integer({ min: 1, max: 100000 }),
        (prefix, mask, maxNodes) => {
          const r = capacityCheck(prod({ maxNodes, workers: [] }, { podCidr: `10.0.0.0/${prefix}`, nodeCidrMaskSize: mask }), PROD_SUBNETS);
          const nodes = mask >= prefix ? 2 ** (mask - prefix) : 0;
          return row(r, "nodes the pod CIDR allows").ok === nodes >= maxNodes && row(r, "nodes the pod CIDR allows").value === nodes;
        },
      ),
    );
  });
});

describe("edges", () => {
  const SUBNETS_24 = ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"];
  const publicLb = (): ClusterConfig["controlPlane"] => ({
    ...prod().controlPlane,
    apiLoadBalancer: { scheme: "internet-facing", allowedCidrs: [], maxAllowedShare: 1 / 256 },
  });

  test("a node mask one shorter than the pod prefix allows 0 nodes and names the mask range", () => {
    const r = capacityCheck(prod({}, { nodeCidrMaskSize: 10 }), PROD_SUBNETS);
    expect(row(r, "nodes the pod CIDR allows")).toMatchObject({ value: 0, limit: 5000, ok: false });
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      "kubestead:kubernetes.nodeCidrMaskSize 10 is shorter than the pod CIDR prefix /11 of 10.32.0.0/11: " +
        "no node can get a pod range; use a mask size between 11 and 26 (24 is the default)",
    ]);
  });

  test("a node mask equal to the pod prefix gives one node, reported as too few nodes", () => {
    const r = capacityCheck(
      prod({ maxNodes: 8, workers: [pool("general", 2)] }, { podCidr: "10.32.0.0/24", nodeCidrMaskSize: 24 }),
      PROD_SUBNETS,
    );
    expect(row(r, "nodes the pod CIDR allows")).toMatchObject({ value: 1, limit: 8, ok: false });
    // /27 per node would hold only 30 pods, so it is not offered.
    expect(r.problems).toEqual([
      "kubestead:kubernetes.podCidr 10.32.0.0/24 with nodeCidrMaskSize 24 allows 1 nodes, below maxNodes 8: use a /21 pod CIDR (8 nodes at /24 per node)",
    ]);
  });

  test("a pod CIDR holding exactly maxNodes passes; one more node fails", () => {
    const at = capacityCheck(
      prod({ maxNodes: 8, workers: [pool("general", 2)] }, { podCidr: "10.32.0.0/21", nodeCidrMaskSize: 24 }),
      PROD_SUBNETS,
    );
    expect(row(at, "nodes the pod CIDR allows")).toMatchObject({ value: 8, limit: 8, ok: true });
    expect(at.problems).toEqual([]);
    expect(at.ok).toBe(true);
    const over = capacityCheck(
      prod({ maxNodes: 9, workers: [pool("general", 3)] }, { podCidr: "10.32.0.0/21", nodeCidrMaskSize: 24 }),
      PROD_SUBNETS,
    );
    expect(row(over, "nodes the pod CIDR allows")).toMatchObject({ value: 8, limit: 9, ok: false });
    expect(over.problems).toEqual([
      "kubestead:kubernetes.podCidr 10.32.0.0/21 with nodeCidrMaskSize 24 allows 8 nodes, below maxNodes 9: use a /20 pod CIDR (16 nodes at /24 per node) or nodeCidrMaskSize 25 (126 pod IPs per node)",
    ]);
  });

  test("a /32 node mask leaves -1 pod IPs and a /33 mask none", () => {
    const at = capacityCheck(prod({}, { nodeCidrMaskSize: 32 }), PROD_SUBNETS);
    expect(row(at, "pod IPs per node")).toMatchObject({ value: -1, limit: 110, ok: false });
    expect(at.problems).toEqual([
      "kubestead:kubernetes.nodeCidrMaskSize 32 gives -1 pod IPs per node, below kubelet's maxPods 110: " +
        "use 25 or smaller (24 is the default) and widen the pod CIDR instead",
    ]);
    const past = capacityCheck(prod({}, { nodeCidrMaskSize: 33 }), PROD_SUBNETS);
    expect(row(past, "pod IPs per node")).toMatchObject({ value: 0, limit: 110, ok: false });
    expect(past.problems).toEqual([
      "kubestead:kubernetes.nodeCidrMaskSize 33 gives 0 pod IPs per node, below kubelet's maxPods 110: " +
        "use 25 or smaller (24 is the default) and widen the pod CIDR instead",
    ]);
  });

  test("private subnets holding exactly maxNodes plus the internal NLB pass; one more node fails", () => {
    const at = capacityCheck(prod({ maxNodes: 750, workers: [pool("general", 10)] }), SUBNETS_24);
    expect(row(at, "private subnet IPs")).toEqual(
      expect.objectContaining({
        value: 753,
        limit: 753,
        ok: true,
        detail: "3 subnets, size - 5 reserved by AWS each; 1 IP per node, 3 for the internal NLB",
      }),
    );
    expect(at.problems).toEqual([
      "kubestead:network.privateSubnetPrefix: after losing one zone the private subnets hold 502 addresses, below maxNodes 750: " +
        "use a /23 or larger private subnet (each needs 376 usable addresses)",
    ]);
    const over = capacityCheck(prod({ maxNodes: 751, workers: [pool("general", 10)] }), SUBNETS_24);
    expect(row(over, "private subnet IPs")).toMatchObject({ value: 753, limit: 754, ok: false });
    expect(over.problems[0]).toBe(
      "kubestead:network.privateSubnetPrefix: the private subnets hold 753 addresses, below the 754 that maxNodes 751 needs: " +
        "use a /23 or larger private subnet (each needs 252 usable addresses)",
    );
  });

  test("an internet-facing API load balancer takes no private subnet addresses", () => {
    const r = capacityCheck(prod({ maxNodes: 753, workers: [pool("general", 10)], controlPlane: publicLb() }), SUBNETS_24);
    expect(row(r, "private subnet IPs")).toEqual(
      expect.objectContaining({ value: 753, limit: 753, ok: true, detail: "3 subnets, size - 5 reserved by AWS each; 1 IP per node" }),
    );
    expect(row(r, "private subnet IPs after losing one zone")).toMatchObject({ value: 502, limit: 753, ok: false });
  });

  test("two zones: the smaller one holding exactly maxNodes plus its NLB address passes; one more node fails", () => {
    const two = ["10.0.0.0/24", "10.0.1.0/24"];
    const at = capacityCheck(prod({ maxNodes: 250, workers: [pool("general", 10)] }), two);
    expect(row(at, "private subnet IPs after losing one zone")).toEqual(
      expect.objectContaining({ value: 251, limit: 251, ok: true, detail: "the 1 smallest subnets must hold every node" }),
    );
    expect(at.problems).toEqual([]);
    expect(at.ok).toBe(true);
    const over = capacityCheck(prod({ maxNodes: 251, workers: [pool("general", 10)] }), two);
    expect(row(over, "private subnet IPs after losing one zone")).toMatchObject({ value: 251, limit: 252, ok: false });
    expect(over.problems).toEqual([
      "kubestead:network.privateSubnetPrefix: after losing one zone the private subnets hold 251 addresses, below maxNodes 251: " +
        "use a /23 or larger private subnet (each needs 252 usable addresses)",
    ]);
  });

  test("a single private subnet has no zone-loss row", () => {
    const r = capacityCheck(prod(), ["10.0.0.0/19"]);
    expect(r.rows.map((x) => x.name)).not.toContain("private subnet IPs after losing one zone");
    expect(row(r, "private subnet IPs")).toMatchObject({ value: 8187, limit: 5001, ok: true });
    expect(r.problems).toEqual([]);
  });

  test("zone loss drops the largest subnet whatever the order they are given in", () => {
    const r = capacityCheck(prod({ maxNodes: 250, workers: [pool("general", 10)] }), ["10.0.0.0/24", "10.0.1.0/24", "10.0.4.0/22"]);
    expect(row(r, "private subnet IPs")).toMatchObject({ value: 251 + 251 + 1019 });
    expect(row(r, "private subnet IPs after losing one zone")).toMatchObject({ value: 502, limit: 252, ok: true });
  });

  test("a service CIDR holding exactly 2 per node passes; one more node fails with the prefix to use", () => {
    const at = capacityCheck(prod({ maxNodes: 2047, workers: [pool("general", 10)] }, { serviceCidr: "10.96.0.0/20" }), PROD_SUBNETS);
    expect(row(at, "service IPs")).toMatchObject({ value: 4094, limit: 4094, ok: true });
    expect(at.problems).toEqual([]);
    const over = capacityCheck(prod({ maxNodes: 2048, workers: [pool("general", 10)] }, { serviceCidr: "10.96.0.0/20" }), PROD_SUBNETS);
    expect(row(over, "service IPs")).toMatchObject({ value: 4094, limit: 4096, ok: false });
    expect(over.problems).toEqual([
      "kubestead:kubernetes.serviceCidr 10.96.0.0/20 holds 4,094 services, below the 4,096 expected for maxNodes 2,048: use a /19 service CIDR",
    ]);
  });

  test("a /11 service CIDR holds enough but fails the row as larger than the apiserver accepts", () => {
    const r = capacityCheck(prod({}, { serviceCidr: "10.96.0.0/11" }), PROD_SUBNETS);
    expect(row(r, "service IPs")).toMatchObject({ value: 2 ** 21 - 2, limit: 10000, ok: false });
    expect(r.problems).toEqual([
      "kubestead:kubernetes.serviceCidr 10.96.0.0/11 is larger than kube-apiserver accepts (at most /12 for IPv4): use a /12 or smaller",
    ]);
    expect(r.ok).toBe(false);
  });

  test("unparseable private subnets are listed in one problem", () => {
    const r = capacityCheck(prod(), ["10.0.0.0/33", "nope"]);
    expect(r.problems).toEqual(["private subnet CIDRs 10.0.0.0/33, nope are not IPv4 CIDRs: pass the subnets' cidrBlock values"]);
    expect(r.rows.map((x) => x.name)).not.toContain("private subnet IPs");
  });

  test("no private subnets is a problem, not a zero-address row", () => {
    const r = capacityCheck(prod(), []);
    expect(r.problems).toEqual(["no private subnet CIDRs were given: pass one per zone so node addresses can be counted"]);
    expect(r.rows.map((x) => x.name)).not.toContain("private subnet IPs");
    expect(r.ok).toBe(false);
  });

  test("an unparseable service CIDR is a problem with an example", () => {
    const r = capacityCheck(prod({}, { serviceCidr: "nope" }), PROD_SUBNETS);
    expect(r.problems).toEqual(['kubestead:kubernetes.serviceCidr "nope" is not an IPv4 CIDR: use e.g. 10.96.0.0/12']);
    expect(r.rows.map((x) => x.name)).not.toContain("service IPs");
    expect(r.ok).toBe(false);
  });
});
