import { configProblems, parseClusterConfig } from "../../../lib/config/parse";
import { ConfigError, formatProblem } from "../../../lib/config/problems";
import { rawOf, withChange } from "../../helpers/stackValues";

describe("the shipped stacks", () => {
  test.each(["dev", "prod"])("%s is valid", (stack) => {
    expect(configProblems(rawOf(stack))).toEqual([]);
  });
  test("dev is cheap, prod is HA", () => {
    const dev = parseClusterConfig(rawOf("dev"));
    const prod = parseClusterConfig(rawOf("prod"));
    expect(dev.network.natGateways).toBe("single");
    expect(prod.network.natGateways).toBe("perAz");
    expect(prod.controlPlane.nodes).toBe(3);
    expect(prod.etcd.members).toBe(3);
    expect(prod.protect).toBe(true);
    expect(prod.enforcement).toBe("mandatory");
    expect(dev.enforcement).toBe("advisory");
    expect(prod.kubernetes.clusterDnsIp).toBe("10.96.0.10");
    expect(prod.checksums.kubelet).toMatch(/^[0-9a-f]{64}$/);
    expect(prod.etcd.sha256).toMatch(/^[0-9a-f]{64}$/);
  });
  test("the two stack files set the same keys (they differ only in values)", () => {
    expect(Object.keys(rawOf("dev").values).sort()).toEqual(Object.keys(rawOf("prod").values).sort());
  });
});

describe("bad configs are refused with the exact message", () => {
  test.each<[string, string, (v: Record<string, any>) => void, string]>([
    ["even etcd members", "dev", (v) => (v.etcd.members = 2), "kubestead:etcd.members must be odd and ≥ 3 (got 2): set it to 3 or 5"],
    [
      "etcd members above zones",
      "dev",
      (v) => (v.etcd.members = 5),
      "kubestead:etcd.members must not exceed the number of zones (3): each member needs its own zone (got 5): add zones to kubestead:zones or set kubestead:etcd.members to 3",
    ],
    [
      "a non-etcd version",
      "dev",
      (v) => (v.etcd.version = "v3.5-latest"),
      'kubestead:etcd.version must be an etcd release like 3.6.14 (no leading v) (got "v3.5-latest"): pin an etcd 3.5 or 3.6 release, e.g. 3.6.14',
    ],
    [
      "an unknown etcd release",
      "dev",
      (v) => (v.etcd.version = "3.6.99"),
      "kubestead:etcd.sha256 must be the sha256 of etcd-v3.6.99-linux-amd64.tar.gz (no checksum is known for this release) (got nothing): set kubestead:etcd.sha256 from the release's SHA256SUMS, or pin 3.6.14",
    ],
    [
      "overlapping pod and VPC CIDRs",
      "dev",
      (v) => (v.kubernetes.podCidr = "10.10.0.0/16"),
      'kubestead:kubernetes.podCidr must not overlap kubestead:network.vpcCidr (10.10.0.0/16) (got "10.10.0.0/16"): pick non-overlapping ranges, e.g. VPC 10.0.0.0/16, pods 10.128.0.0/11, services 10.96.0.0/12',
    ],
    [
      "an unparsable CIDR",
      "dev",
      (v) => (v.network.vpcCidr = "10.0.0.1/16"),
      'kubestead:network.vpcCidr must be an IPv4 CIDR with a clean network address (got "10.0.0.1/16"): use a private range such as 10.0.0.0/16',
    ],
    [
      "too few zones",
      "dev",
      (v) => (v.zones = ["us-east-1a", "us-east-1b"]),
      'kubestead:zones must list at least 3 availability zones for an HA control plane and etcd (got ["us-east-1a","us-east-1b"]): list three zones of the region, e.g. us-east-1a, us-east-1b, us-east-1c',
    ],
    [
      "inverted pool sizes",
      "dev",
      (v) => Object.assign(v.workers[0], { minSize: 5, maxSize: 2 }),
      "kubestead:workers[0].minSize must not exceed maxSize (2) (got 5): lower minSize or raise maxSize",
    ],
    [
      "negative pool size",
      "dev",
      (v) => (v.workers[0].minSize = -1),
      "kubestead:workers[0].minSize must be from 0 to 5000 (got -1): set kubestead:workers[0].minSize to a whole number from 0 to 5000",
    ],
    [
      "desired outside [min, max]",
      "dev",
      (v) => (v.workers[0].desiredCapacity = 9),
      "kubestead:workers[0].desiredCapacity must lie within [minSize, maxSize] = [1, 3] (got 9): set desiredCapacity between minSize and maxSize",
    ],
    [
      "unknown taint effect",
      "dev",
      (v) => (v.workers[0].taints = [{ key: "a", effect: "NoWay" }]),
      'kubestead:workers[0].taints[0].effect must be one of NoSchedule, PreferNoSchedule, NoExecute (got "NoWay"): set kubestead:workers[0].taints[0].effect to one of: NoSchedule, PreferNoSchedule, NoExecute',
    ],
    [
      "a pool with zero zones",
      "dev",
      (v) => (v.workers[0].zones = []),
      "kubestead:workers[0].zones must list at least one zone (got []): leave it unset to span every cluster zone",
    ],
    [
      "a worker pool whose pods would reach IMDS",
      "dev",
      (v) => (v.workers[0].metadataHopLimit = 2),
      "kubestead:workers[0].metadataHopLimit must be 1: above 1, every pod on the pool's nodes reaches IMDS and acts as the worker node role (got 2): remove it; pods that need AWS get their own IAM role through the cluster's service-account issuer (README: Pods and AWS credentials)",
    ],
    [
      "cluster DNS outside the service CIDR",
      "dev",
      (v) => (v.kubernetes.clusterDnsIp = "10.200.0.10"),
      'kubestead:kubernetes.clusterDnsIp must lie inside the service CIDR 10.96.0.0/12 (kubelets point pods at it and the DNS Service takes it) (got "10.200.0.10"): use 10.96.0.10 or leave it unset',
    ],
    [
      "two control-plane nodes in prod",
      "prod",
      (v) => (v.controlPlane.nodes = 2),
      "kubestead:controlPlane.nodes must be ≥ 3 in prod (one per zone, so a zone outage leaves a working control plane) (got 2): set it to 3",
    ],
    [
      "a public API without allowed CIDRs",
      "dev",
      (v) => (v.controlPlane.apiLoadBalancer = { scheme: "internet-facing", allowedCidrs: [] }),
      "kubestead:controlPlane.apiLoadBalancer.allowedCidrs must list the client CIDRs allowed to reach a public API endpoint (got []): list your office/VPN egress CIDRs, or set controlPlane.apiLoadBalancer.scheme to internal",
    ],
    [
      "the internet in two halves as allowed API CIDRs",
      "dev",
      (v) => (v.controlPlane.apiLoadBalancer = { scheme: "internet-facing", allowedCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }),
      'kubestead:controlPlane.apiLoadBalancer.allowedCidrs must together cover at most 1/256 of the IPv4 address space (kubestead:controlPlane.apiLoadBalancer.maxAllowedShare); they cover 100% (got ["0.0.0.0/1","128.0.0.0/1"]): list only the networks that need the API, or raise kubestead:controlPlane.apiLoadBalancer.maxAllowedShare',
    ],
    [
      "allowed API CIDRs one /7 wide",
      "prod",
      (v) => (v.controlPlane.apiLoadBalancer.allowedCidrs = ["10.0.0.0/7"]),
      'kubestead:controlPlane.apiLoadBalancer.allowedCidrs must together cover at most 1/256 of the IPv4 address space (kubestead:controlPlane.apiLoadBalancer.maxAllowedShare); they cover 0.781% (got ["10.0.0.0/7"]): list only the networks that need the API, or raise kubestead:controlPlane.apiLoadBalancer.maxAllowedShare',
    ],
    [
      "a share above the whole address space",
      "prod",
      (v) => (v.controlPlane.apiLoadBalancer.maxAllowedShare = "2/1"),
      'kubestead:controlPlane.apiLoadBalancer.maxAllowedShare must be a share of the IPv4 address space above 0 and at most 1 (got "2/1"): write it as a fraction such as "1/256" (a /8) or "1/4096" (a /12)',
    ],
    [
      "an unknown Pod Security level",
      "prod",
      (v) => (v.controlPlane.podSecurity = { enforce: "strict" }),
      'kubestead:controlPlane.podSecurity.enforce must be one of privileged, baseline, restricted (got "strict"): set kubestead:controlPlane.podSecurity.enforce to one of: privileged, baseline, restricted',
    ],
    [
      "Pod Security exemptions without kube-system",
      "prod",
      (v) => (v.controlPlane.podSecurity = { exemptNamespaces: ["monitoring"] }),
      'kubestead:controlPlane.podSecurity.exemptNamespaces must include kube-system: the add-ons run there with host networking, host paths and privileged containers, which baseline rejects (got ["monitoring"]): add kube-system to the list',
    ],
    [
      "an OIDC group prefix in system:",
      "prod",
      (v) =>
        (v.controlPlane.oidc = {
          issuerUrl: "https://login.example.com",
          clientId: "kubectl",
          groupsClaim: "groups",
          groupsPrefix: "system:",
        }),
      'kubestead:controlPlane.oidc.groupsPrefix must not start with system: (names there are Kubernetes\' own: system:masters, system:nodes, ...) (got "system:"): use a prefix of your own, e.g. "oidc:"',
    ],
    [
      "an OIDC issuer over plain HTTP",
      "prod",
      (v) => (v.controlPlane.oidc = { issuerUrl: "http://login.example.com", clientId: "kubectl" }),
      'kubestead:controlPlane.oidc.issuerUrl must be an https:// URL without query or fragment (got "http://login.example.com"): use the issuer exactly as its tokens\' iss claim spells it, e.g. https://login.example.com',
    ],
    [
      "an OIDC issuer without a client ID",
      "prod",
      (v) => (v.controlPlane.oidc = { issuerUrl: "https://login.example.com" }),
      "kubestead:controlPlane.oidc.clientId is required (got nothing): set kubestead:controlPlane.oidc.clientId",
    ],
    [
      "an exported admin credential outliving the leaves",
      "prod",
      (v) => (v.pki = { ...v.pki, leafValidityHours: 720, adminValidityHours: 1000 }),
      "kubestead:pki.adminValidityHours must not exceed leafValidityHours (720) (got 1000): keep the exported admin credential short-lived, e.g. 168 hours (7 days)",
    ],
    [
      "an end-of-life Kubernetes",
      "dev",
      (v) => (v.kubernetes.version = "1.28.0"),
      'kubestead:kubernetes.version must be a supported Kubernetes minor (1.35, 1.36, 1.37) (got "1.28.0"): pin a supported release, e.g. 1.35.8',
    ],
    [
      "a typo in a key",
      "dev",
      (v) => (v.etcd.member = 3),
      "kubestead:etcd.member is not a known setting (got 3): remove it or use one of: members, version, sha256, instanceType, volumeSizeGiB, volumeIops, snapshotCount, backup",
    ],
    [
      "a pool named like an etcd member",
      "dev",
      (v) => (v.workers[0].name = "etcd-0"),
      'kubestead:workers[0].name must not be a node-role name (etcd, etcd-<i>, controlplane, workers) (got "etcd-0"): pick another name, e.g. general',
    ],
    [
      "a pod CIDR too small for maxNodes",
      "prod",
      (v) => (v.kubernetes.podCidr = "10.128.0.0/16"),
      'kubestead:kubernetes.podCidr with nodeCidrMaskSize 24 allows 256 nodes, fewer than maxNodes (5000) (got "10.128.0.0/16"): use a pod CIDR of /11 or shorter, or lower kubestead:maxNodes',
    ],
    [
      "an autoscaler release of another Kubernetes minor",
      "prod",
      (v) => (v.addons.clusterAutoscalerVersion = "1.34.2"),
      'kubestead:addons.clusterAutoscalerVersion must be a release of the Kubernetes minor (1.35), which is the only one it supports (got "1.34.2"): use a 1.35.x release, e.g. 1.35.0, or leave it out',
    ],
    [
      "an add-on release with a leading v",
      "prod",
      (v) => (v.addons.metricsServerVersion = "v0.7.2"),
      'kubestead:addons.metricsServerVersion must be a release like 1.2.3 (no leading v) (got "v0.7.2"): pin a release, e.g. 0.7.2',
    ],
  ])("%s", (_title, stack, change, message) => {
    const problems = configProblems(withChange(stack, change));
    expect(problems.map(formatProblem)).toContain(message);
  });

  test("every problem at once, in one readable error", () => {
    const raw = withChange("dev", (v) => {
      v.etcd.members = 4;
      v.workers[0].minSize = 9;
      v.network.vpcCidr = "nonsense";
    });
    let err: unknown;
    try {
      parseClusterConfig(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^invalid configuration for stack "dev" \(\d+ problems\):/);
    expect(msg).toContain("kubestead:etcd.members");
    expect(msg).toContain("kubestead:workers[0].minSize");
    expect(msg).toContain("kubestead:network.vpcCidr");
  });

  test("add-on releases and the autoscaler release default to the pinned ones, and can be set", () => {
    const prod = parseClusterConfig(rawOf("prod"));
    expect([prod.addons.csrApproverVersion, prod.addons.metricsServerVersion, prod.addons.ebsCsiDriverVersion]).toEqual([
      "1.2.6",
      "0.7.2",
      "1.36.0",
    ]);
    expect(prod.addons.clusterAutoscalerVersion).toBe(`${prod.kubernetes.version.split(".").slice(0, 2).join(".")}.0`);
    const set = parseClusterConfig(
      withChange("prod", (v) => {
        v.addons.ebsCsiDriverVersion = "1.40.1";
        v.addons.clusterAutoscalerVersion = "1.35.3";
      }),
    );
    expect(set.addons.ebsCsiDriverVersion).toBe("1.40.1");
    expect(set.addons.clusterAutoscalerVersion).toBe("1.35.3");
  });

  test("a Helm-era chart version key is refused with the key that replaced it", () => {
    const problems = configProblems(withChange("prod", (v) => (v.addons.metricsServerChartVersion = "3.12.2")));
    expect(problems).toContainEqual(
      expect.objectContaining({
        key: "kubestead:addons.metricsServerChartVersion",
        fix: "set kubestead:addons.metricsServerVersion to the add-on's release (image tag without v) instead",
      }),
    );
  });

  test("a missing region names aws:region", () => {
    const raw = { ...rawOf("dev"), region: undefined };
    expect(configProblems(raw).map((p) => p.key)).toContain("aws:region");
  });
});

describe("pki.bootstrapTokenMaxAgeDays", () => {
  test("defaults to 30 days (the deploy cadence pki.earlyRenewalHours already assumes)", () => {
    expect(parseClusterConfig(rawOf("prod")).pki.bootstrapTokenMaxAgeDays).toBe(30);
    const weekly = parseClusterConfig(withChange("prod", (v) => (v.pki = { ...v.pki, bootstrapTokenMaxAgeDays: 7 })));
    expect(weekly.pki.bootstrapTokenMaxAgeDays).toBe(7);
  });
  test.each([0, 91, 1.5])("refuses %p with the range", (d) => {
    const problems = configProblems(withChange("prod", (v) => (v.pki = { ...v.pki, bootstrapTokenMaxAgeDays: d }))).map(formatProblem);
    expect(problems.join("\n")).toMatch(/pki\.bootstrapTokenMaxAgeDays .*(from 1 to 90|whole number)/);
  });
});
