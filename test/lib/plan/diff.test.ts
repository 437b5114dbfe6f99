/** The change between two plans: replacement by ForceNew inputs, rolls in order, destructive changes. */
import { gzipSync } from "node:zlib";
import { diffPlans, normalise, renderDiff, unacknowledged } from "../../../lib/plan/diff";
import type { Plan, PlanResource } from "../../../lib/plan/types";

const PEM = (body: string) => `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----`;

function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource {
  return {
    urn: `urn:pulumi:prod::kubestead::${type}::${name}`,
    type,
    name,
    custom: true,
    dependencies: [],
    propertyDependencies: {},
    inputs,
    outputs: {},
    options: {
      protect: false,
      ignoreChanges: [],
      retainOnDelete: false,
      deleteBeforeReplace: false,
      additionalSecretOutputs: [],
      aliases: [],
    },
    secretPaths: [],
    ...extra,
  };
}

const userData = (doc: string) => gzipSync(doc).toString("base64");
const asgTags = (role: string, member?: string) => [
  { key: "kubestead.io/role", value: role },
  ...(member === undefined ? [] : [{ key: "kubestead.io/member", value: member }]),
];

function cluster(
  o: {
    cert?: string;
    kubelet?: string;
    etcdFlag?: string;
    keyAlgorithm?: string;
    volumeZone?: string;
    caName?: string;
    podCidr?: string;
  } = {},
) {
  const lt = (name: string, doc: string) =>
    res("aws:ec2/launchTemplate:LaunchTemplate", name, { userData: userData(doc), imageId: "ami-1" }, { id: `lt-${name}` });
  const asg = (name: string, role: string, ltName: string, member?: string) =>
    res("aws:autoscaling/group:Group", name, { name, launchTemplate: { id: `lt-${ltName}` }, tags: asgTags(role, member) });
  const plan: Plan & { config: { name: string; kubernetes: { podCidr: string; serviceCidr: string } } } = {
    project: "kubestead",
    stack: "prod",
    createdAt: "2026-12-01T00:00:00Z",
    outputs: {},
    secretOutputs: [],
    config: { name: "kubestead-prod", kubernetes: { podCidr: o.podCidr ?? "10.128.0.0/11", serviceCidr: "10.96.0.0/12" } },
    resources: [
      res("tls:index/privateKey:PrivateKey", o.caName ?? "p-kubernetes-ca-key", {
        algorithm: o.keyAlgorithm ?? "ECDSA",
        ecdsaCurve: "P256",
      }),
      res("tls:index/privateKey:PrivateKey", "p-service-account", { algorithm: "ECDSA", ecdsaCurve: "P256" }),
      res("aws:ebs/volume:Volume", "p-etcd-0-data", {
        availabilityZone: o.volumeZone ?? "us-east-1a",
        size: 50,
        tags: { "kubestead.io/role": "etcd" },
      }),
      lt("etcd-0", `etcd ${o.etcdFlag ?? "--snapshot-count=10000"}\n${PEM(o.cert ?? "AAA")}`),
      lt("etcd-1", `etcd ${o.etcdFlag ?? "--snapshot-count=10000"}\n${PEM(o.cert ?? "BBB")}`),
      lt("controlplane", `kubelet ${o.kubelet ?? "1.35.8"}\n${PEM(o.cert ?? "CCC")}`),
      lt("general", `kubelet ${o.kubelet ?? "1.35.8"}`),
      asg("p-general", "worker", "general"),
      asg("p-etcd-1", "etcd", "etcd-1", "1"),
      asg("p-controlplane", "controlplane", "controlplane"),
      asg("p-etcd-0", "etcd", "etcd-0", "0"),
    ],
  };
  return plan;
}

test("two plans that differ only in freshly made key and certificate bytes differ in nothing", () => {
  const d = diffPlans(cluster(), cluster({ cert: "DIFFERENT-BYTES" }));
  expect(d).toEqual({ changes: [], rolls: [], destructive: [], versions: [], refused: [] });
  expect(normalise({ b: PEM("x"), a: [PEM("y")] })).toEqual({ a: ["⟨PEM CERTIFICATE⟩"], b: "⟨PEM CERTIFICATE⟩" });
});

test("a Kubernetes version bump rolls the control plane, then the worker pools; etcd doesn't roll", () => {
  const d = diffPlans(cluster(), cluster({ kubelet: "1.36.4" }));
  expect(d.rolls.map((r) => [r.group, r.role])).toEqual([
    ["p-controlplane", "controlplane"],
    ["p-general", "worker"],
  ]);
  expect(d.rolls[0].because).toEqual(["launch template userData"]);
  expect(d.changes.filter((c) => c.kind === "update").map((c) => c.name)).toEqual(["controlplane", "general"]);
  // Both stages in one update: their refreshes would overlap, so prod refuses it unless acknowledged.
  expect(d.destructive.map((x) => x.id)).toEqual(["control-plane-and-workers-together"]);
});

test("an etcd flag change rolls every member, one after another, and is destructive as one update", () => {
  const d = diffPlans(cluster(), cluster({ etcdFlag: "--snapshot-count=5000" }));
  expect(d.rolls.map((r) => r.group)).toEqual(["p-etcd-0", "p-etcd-1"]);
  expect(d.destructive.map((x) => x.id)).toEqual(["etcd-members-changed-together"]);
});

test.each([
  ["a CA key algorithm change replaces the CA", { keyAlgorithm: "RSA" }, "ca-replaced"],
  ["a CA renamed is a CA deleted and another created", { caName: "p-kubernetes-ca-key-2" }, "ca-replaced"],
  ["an etcd volume moved to another zone is replaced", { volumeZone: "us-east-1b" }, "etcd-volume-replaced"],
  ["a new pod CIDR", { podCidr: "10.64.0.0/11" }, "pod-cidr-changed"],
])("%s", (_title, change, id) => {
  const d = diffPlans(cluster(), cluster(change));
  expect(d.destructive.map((x) => x.id)).toEqual([id]);
  expect(unacknowledged(d, [])).toHaveLength(1);
  expect(unacknowledged(d, [id])).toEqual([]);
});

test("replace vs update follows the provider's ForceNew inputs; tags never count", () => {
  const base = cluster();
  const head = cluster();
  const vol = head.resources.find((r) => r.name === "p-etcd-0-data")!;
  vol.inputs.size = 100;
  vol.inputs.tags = { "kubestead.io/role": "etcd", team: "storage" };
  const d = diffPlans(base, head);
  expect(d.changes).toEqual([expect.objectContaining({ name: "p-etcd-0-data", kind: "update", properties: ["size"] })]);
  expect(d.destructive).toEqual([]);
});

test("the PR section names destructive changes, acknowledged or not, and the roll order", () => {
  const d = diffPlans(cluster(), cluster({ keyAlgorithm: "RSA", kubelet: "1.36.4" }));
  const md = renderDiff(d, []);
  expect(md).toContain("0 to create · 2 to update · 1 to replace · 0 to delete");
  expect(md).toMatch(/\| `ca-replaced` \| ✗ \| a cluster CA is replaced \(p-kubernetes-ca-key\)/);
  expect(md).toContain("| 1 | p-controlplane | controlplane | launch template userData |");
  expect(renderDiff(d, ["ca-replaced"])).toMatch(/\| `ca-replaced` \| ✓ \|/);
});

test("a replaced key drags along what embeds its PEMs: the certificate it signs is replaced, the nodes that carry it roll", () => {
  const withDeps = (p: Plan) => {
    const key = p.resources.find((r) => r.name === "p-kubernetes-ca-key")!;
    const ca = res("tls:index/selfSignedCert:SelfSignedCert", "p-kubernetes-ca", {
      privateKeyPem: PEM("K"),
      subject: { commonName: "kubernetes" },
    });
    ca.propertyDependencies = { privateKeyPem: [key.urn] };
    const lt = p.resources.find((r) => r.name === "general")!;
    lt.inputs.userData = userData(`kubelet 1.35.8\n${PEM("CA")}`);
    lt.propertyDependencies = { userData: [ca.urn] };
    // A name computed beside the certificates but holding none: compared exactly, never dragged along.
    const param = res("aws:ssm/parameter:Parameter", "p-param", { name: "/kubestead/p/controlplane/x" });
    param.propertyDependencies = { name: [ca.urn] };
    p.resources.push(ca, param);
    return p;
  };
  const d = diffPlans(withDeps(cluster()), withDeps(cluster({ keyAlgorithm: "RSA" })));
  expect(d.changes.map((c) => [c.name, c.kind])).toEqual(
    expect.arrayContaining([
      ["p-kubernetes-ca-key", "replace"],
      ["p-kubernetes-ca", "replace"],
      ["general", "update"],
    ]),
  );
  expect(d.changes.find((c) => c.name === "p-param")).toBeUndefined();
  expect(d.rolls.map((r) => r.group)).toEqual(["p-general"]);
});

test("properties under ignoreChanges are the engine's to leave alone, and don't count", () => {
  const base = cluster();
  const head = cluster();
  const vol = head.resources.find((r) => r.name === "p-etcd-0-data")!;
  vol.inputs.availabilityZone = "us-east-1c";
  vol.options.ignoreChanges = ["availabilityZone"];
  expect(diffPlans(base, head)).toEqual({ changes: [], rolls: [], destructive: [], versions: [], refused: [] });
});

/** The settings a plan carries, as tools/plan.ts writes them (the parsed config without checksums). */
const withSettings = (p: Plan & { config?: object }, s: Record<string, unknown>) => Object.assign(p, { config: { ...p.config, ...s } });
const settings = (k8s: string, pools: Record<string, string | undefined> = {}, etcd = "3.6.14") => ({
  kubernetes: { podCidr: "10.128.0.0/11", serviceCidr: "10.96.0.0/12", version: k8s },
  etcd: { version: etcd },
  workers: [{ name: "general", kubernetesVersion: pools.general ?? k8s }],
});

describe("upgrades in order: etcd, the control plane, then the pools, one stage per update", () => {
  test("stage 2: the control plane moves a minor while the pool stays pinned: only the control plane rolls, nothing is refused", () => {
    const base = withSettings(cluster(), settings("1.35.8"));
    const head = withSettings(cluster(), settings("1.36.2", { general: "1.35.8" }));
    // The control plane's template changes; the pool's does not (its kubelet is pinned).
    head.resources.find((r) => r.name === "controlplane")!.inputs.userData = userData(`kubelet 1.36.2\n${PEM("CCC")}`);
    const d = diffPlans(base, head);
    expect(d.rolls.map((r) => [r.group, r.role])).toEqual([["p-controlplane", "controlplane"]]);
    expect(d.versions).toEqual([{ key: "kubernetes.version", from: "1.35.8", to: "1.36.2", stage: "control plane" }]);
    expect(d.destructive).toEqual([]);
    expect(d.refused).toEqual([]);
    const md = renderDiff(d);
    expect(md).toContain("| control plane | `kubernetes.version` | 1.35.8 | 1.36.2 |");
  });

  test("stage 3: the pool follows in its own update", () => {
    const base = withSettings(cluster(), settings("1.36.2", { general: "1.35.8" }));
    const head = withSettings(cluster({ kubelet: "1.35.8" }), settings("1.36.2"));
    head.resources.find((r) => r.name === "general")!.inputs.userData = userData("kubelet 1.36.2");
    const d = diffPlans(base, head);
    expect(d.rolls.map((r) => r.role)).toEqual(["worker"]);
    expect(d.versions).toEqual([{ key: "workers[general].kubernetesVersion", from: "1.35.8", to: "1.36.2", stage: "workers" }]);
    expect(d.destructive).toEqual([]);
  });

  test("everything in one update: labelled in upgrade order, and the overlap of control plane and pools must be acknowledged", () => {
    const base = withSettings(cluster(), settings("1.35.8", {}, "3.5.27"));
    const head = withSettings(cluster({ kubelet: "1.36.2", etcdFlag: "--snapshot-count=5000" }), settings("1.36.2", {}, "3.6.14"));
    const d = diffPlans(base, head);
    expect(d.versions.map((v) => v.stage)).toEqual(["etcd", "control plane", "workers"]);
    expect(d.rolls.map((r) => r.role)).toEqual(["etcd", "etcd", "controlplane", "worker"]);
    expect(d.destructive.map((x) => x.id)).toEqual(["etcd-members-changed-together", "control-plane-and-workers-together"]);
    expect(unacknowledged(d, ["etcd-members-changed-together"]).map((x) => x.id)).toEqual(["control-plane-and-workers-together"]);
    expect(unacknowledged(d, ["etcd-members-changed-together", "control-plane-and-workers-together"])).toEqual([]);
    expect(d.refused).toEqual([]);
  });

  test.each([
    [
      "two control-plane minors",
      settings("1.35.8"),
      settings("1.37.0"),
      "kubernetes.version",
      /moves the control plane 2 minors \(1\.35\.8 → 1\.37\.0\)/,
    ],
    ["a control-plane downgrade", settings("1.36.2"), settings("1.35.8"), "kubernetes.version", /back a minor/],
    [
      "two etcd minors",
      settings("1.35.8", {}, "3.4.30"),
      settings("1.35.8", {}, "3.6.14"),
      "etcd.version",
      /etcd upgrades one minor at a time/,
    ],
  ])("refused whatever is acknowledged: %s", (_t, from, to, key, message) => {
    const d = diffPlans(withSettings(cluster(), from), withSettings(cluster(), to));
    expect(d.refused).toEqual([{ key, message: expect.stringMatching(message) }]);
    expect(renderDiff(d)).toContain("**Refused version changes**");
  });

  test("one minor, and patch releases, are not refused", () => {
    for (const [a, b] of [
      ["1.35.8", "1.36.2"],
      ["1.36.2", "1.36.3"],
    ])
      expect(diffPlans(withSettings(cluster(), settings(a)), withSettings(cluster(), settings(b))).refused).toEqual([]);
  });
});

describe("protection lifted", () => {
  const protectedPlan = () => {
    const p = cluster();
    for (const r of p.resources) if (/-ca-key$|-data$/.test(r.name)) r.options.protect = true;
    return p;
  };
  test("a protected resource that stays protected is no change; one that loses it is named, and prod may acknowledge it", () => {
    expect(diffPlans(protectedPlan(), protectedPlan()).destructive).toEqual([]);
    const head = protectedPlan();
    head.resources.find((r) => r.name === "p-etcd-0-data")!.options.protect = false;
    const d = diffPlans(protectedPlan(), head);
    expect(d.destructive).toEqual([
      {
        id: "protection-lifted",
        message:
          "1 protected resource(s) lose their protection (p-etcd-0-data): the next update or destroy may delete them; only a teardown should do this",
      },
    ]);
    expect(unacknowledged(d, ["protection-lifted"])).toEqual([]);
  });
  test("protection added, or a resource that was never protected, is not flagged", () => {
    expect(diffPlans(cluster(), protectedPlan()).destructive).toEqual([]);
  });
});

test("a containerd move is staged with the control plane, the first nodes it rolls", () => {
  const base = cluster();
  const head = cluster();
  base.config = { ...base.config, kubernetes: { ...base.config.kubernetes, containerdVersion: "2.1.4" } } as typeof base.config;
  head.config = { ...head.config, kubernetes: { ...head.config.kubernetes, containerdVersion: "2.4.1" } } as typeof head.config;
  expect(diffPlans(base, head).versions).toEqual([
    { key: "kubernetes.containerdVersion", from: "2.1.4", to: "2.4.1", stage: "control plane" },
  ]);
});
