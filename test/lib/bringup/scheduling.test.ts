import type { K8sObject } from "../../../bootstrap/addons/objects";
import {
  daemonSetTolerations,
  initialiseNode,
  initialNodes,
  markReady,
  matchesNodeSelector,
  matchesNodeSelectorTerms,
  matchesRequirement,
  needsClusterDns,
  nodeGroupProblems,
  NodeGroupModel,
  NodeLabels,
  NodeSelectorRequirement,
  podModel,
  podNeeds,
  registrationLabels,
  registrationTaints,
  serviceAccountIndex,
  Taint,
  Toleration,
  tolerates,
  untoleratedTaints,
} from "../../../lib/bringup";

describe("tolerates", () => {
  const taint = (key: string, effect: Taint["effect"], value?: string): Taint => ({ key, value, effect });
  test.each<[string, Toleration, Taint, boolean]>([
    ["Exists with empty key tolerates every taint", { operator: "Exists" }, taint("anything", "NoExecute"), true],
    ["Exists with a key tolerates any value", { key: "k", operator: "Exists" }, taint("k", "NoSchedule", "v"), true],
    ["Equal with the same value", { key: "k", operator: "Equal", value: "a" }, taint("k", "NoSchedule", "a"), true],
    ["Equal value mismatch", { key: "k", operator: "Equal", value: "a" }, taint("k", "NoSchedule", "b"), false],
    ["operator defaults to Equal", { key: "k", value: "a" }, taint("k", "NoSchedule", "b"), false],
    ["Equal with no value matches a taint without value", { key: "k", operator: "Equal" }, taint("k", "NoSchedule"), true],
    ["key mismatch", { key: "k", operator: "Exists" }, taint("other", "NoSchedule"), false],
    ["effect mismatch (NoSchedule vs NoExecute)", { key: "k", operator: "Exists", effect: "NoSchedule" }, taint("k", "NoExecute"), false],
    ["empty effect tolerates NoExecute", { key: "k", operator: "Exists" }, taint("k", "NoExecute"), true],
    ["NoExecute toleration of a NoExecute taint", { key: "k", operator: "Exists", effect: "NoExecute" }, taint("k", "NoExecute"), true],
  ])("%s", (_name, toleration, t, expected) => {
    expect(tolerates(toleration, t)).toBe(expected);
  });

  test("PreferNoSchedule never blocks; NoExecute and NoSchedule do", () => {
    const taints: Taint[] = [
      { key: "soft", effect: "PreferNoSchedule" },
      { key: "hard", effect: "NoExecute" },
      { key: "sched", effect: "NoSchedule" },
    ];
    expect(untoleratedTaints([], taints).map((t) => t.key)).toEqual(["hard", "sched"]);
    expect(untoleratedTaints([{ key: "hard", operator: "Exists" }], taints).map((t) => t.key)).toEqual(["sched"]);
  });

  test("DaemonSet pods tolerate not-ready:NoExecute but not not-ready:NoSchedule; network-unavailable only on the host network", () => {
    const notReady: Taint[] = [
      { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
      { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
    ];
    expect(untoleratedTaints(daemonSetTolerations(false), notReady)).toEqual([notReady[1]]);
    const netUnavailable: Taint[] = [{ key: "node.kubernetes.io/network-unavailable", effect: "NoSchedule" }];
    expect(untoleratedTaints(daemonSetTolerations(true), netUnavailable)).toEqual([]);
    expect(untoleratedTaints(daemonSetTolerations(false), netUnavailable)).toEqual(netUnavailable);
    const pressure = ["disk-pressure", "memory-pressure", "pid-pressure", "unschedulable"].map((k): Taint => ({
      key: `node.kubernetes.io/${k}`,
      effect: "NoSchedule",
    }));
    expect(
      untoleratedTaints(daemonSetTolerations(false), [...pressure, { key: "node.kubernetes.io/unreachable", effect: "NoExecute" }]),
    ).toEqual([]);
  });
});

describe("node selection", () => {
  const labels: NodeLabels = { zone: "a", size: "5", hostname: null };
  test.each<[string, NodeSelectorRequirement, boolean]>([
    ["In matches", { key: "zone", operator: "In", values: ["a", "b"] }, true],
    ["In mismatch", { key: "zone", operator: "In", values: ["b"] }, false],
    ["In on an absent label", { key: "missing", operator: "In", values: ["a"] }, false],
    ["NotIn with another value", { key: "zone", operator: "NotIn", values: ["b"] }, true],
    ["NotIn with that value", { key: "zone", operator: "NotIn", values: ["a"] }, false],
    ["NotIn on an absent label matches", { key: "missing", operator: "NotIn", values: ["a"] }, true],
    ["NotIn on an unknown value cannot be proven", { key: "hostname", operator: "NotIn", values: ["a"] }, false],
    ["Exists on an unknown value", { key: "hostname", operator: "Exists" }, true],
    ["Exists on an absent label", { key: "missing", operator: "Exists" }, false],
    ["DoesNotExist on an absent label", { key: "missing", operator: "DoesNotExist" }, true],
    ["DoesNotExist on a present label", { key: "zone", operator: "DoesNotExist" }, false],
    ["Gt above", { key: "size", operator: "Gt", values: ["3"] }, true],
    ["Gt equal is not greater", { key: "size", operator: "Gt", values: ["5"] }, false],
    ["Gt on a non-integer label", { key: "zone", operator: "Gt", values: ["3"] }, false],
    ["Gt with two values is invalid", { key: "size", operator: "Gt", values: ["3", "4"] }, false],
    ["Lt below", { key: "size", operator: "Lt", values: ["10"] }, true],
    ["Lt above", { key: "size", operator: "Lt", values: ["4"] }, false],
  ])("%s", (_name, req, expected) => {
    expect(matchesRequirement(req, labels)).toBe(expected);
  });

  test("nodeSelector needs every key with that exact value; an unknown value is no match", () => {
    expect(matchesNodeSelector({ zone: "a", size: "5" }, labels)).toBe(true);
    expect(matchesNodeSelector({ zone: "a", size: "6" }, labels)).toBe(false);
    expect(matchesNodeSelector({ hostname: "ip-10-0-0-1" }, labels)).toBe(false);
  });

  test("terms are ORed, expressions ANDed, an empty term matches nothing, matchFields reads the node name", () => {
    const zoneB = { key: "zone", operator: "In" as const, values: ["b"] };
    const zoneA = { key: "zone", operator: "In" as const, values: ["a"] };
    const big = { key: "size", operator: "Gt" as const, values: ["9"] };
    expect(matchesNodeSelectorTerms([{ matchExpressions: [zoneB] }, { matchExpressions: [zoneA] }], labels, "n")).toBe(true);
    expect(matchesNodeSelectorTerms([{ matchExpressions: [zoneA, big] }], labels, "n")).toBe(false);
    expect(matchesNodeSelectorTerms([{}], labels, "n")).toBe(false);
    expect(matchesNodeSelectorTerms([], labels, "n")).toBe(false);
    const byName = [{ matchFields: [{ key: "metadata.name", operator: "In" as const, values: ["n"] }] }];
    expect(matchesNodeSelectorTerms(byName, labels, "n")).toBe(true);
    expect(matchesNodeSelectorTerms(byName, labels, "m")).toBe(false);
  });
});

describe("nodes", () => {
  const group: NodeGroupModel = {
    name: "cp",
    role: "control-plane",
    count: 2,
    labels: { "kubestead.io/node-role": "control-plane", "node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/lifecycle": "x" },
    taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
  };

  test("registration labels drop what NodeRestriction refuses and add the kubelet's own", () => {
    expect(registrationLabels(group)).toEqual({
      "kubestead.io/node-role": "control-plane",
      "node.kubernetes.io/lifecycle": "x",
      "kubernetes.io/hostname": null,
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
    });
    expect(registrationLabels({ ...group, arch: "arm64" })["kubernetes.io/arch"]).toBe("arm64");
  });

  test("a group registering with a refused label is a problem", () => {
    expect(nodeGroupProblems(group)).toEqual([
      "node group cp registers with label node-role.kubernetes.io/control-plane, which NodeRestriction refuses (the kubelet will not start with it): register a label under your own prefix (e.g. kubestead.io/node-role) or have an admin apply it after the node joins",
    ]);
  });

  test("nodes start uninitialised and NotReady; the CCM and the CNI lift that", () => {
    expect(registrationTaints(group)).toEqual([
      { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" },
      { key: "node.cloudprovider.kubernetes.io/uninitialized", value: "true", effect: "NoSchedule" },
      { key: "node.kubernetes.io/not-ready", effect: "NoSchedule" },
      { key: "node.kubernetes.io/not-ready", effect: "NoExecute" },
    ]);
    const [node] = initialNodes([group]);
    const init = initialiseNode(node);
    expect(init.taints.map((t) => t.key)).not.toContain("node.cloudprovider.kubernetes.io/uninitialized");
    expect(init.labels).toMatchObject({
      "topology.kubernetes.io/zone": null,
      "topology.kubernetes.io/region": null,
      "node.kubernetes.io/instance-type": null,
    });
    expect(markReady(init).taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);
  });

  test("groups with count 0 are absent; nodes are named group-i", () => {
    expect(initialNodes([group, { ...group, name: "empty", count: 0 }]).map((n) => n.name)).toEqual(["cp-0", "cp-1"]);
  });
});

describe("pod needs", () => {
  test.each<[boolean, string, boolean]>([
    [false, "ClusterFirst", true],
    [true, "ClusterFirst", false],
    [true, "ClusterFirstWithHostNet", true],
    [false, "ClusterFirstWithHostNet", true],
    [false, "Default", false],
    [true, "None", false],
  ])("hostNetwork %s with dnsPolicy %s needs cluster DNS: %s", (hostNetwork, policy, expected) => {
    expect(needsClusterDns(hostNetwork, policy)).toBe(expected);
  });

  const workload = (kind: string, pod: Record<string, unknown>, extra: Record<string, unknown> = {}): K8sObject => ({
    apiVersion: "apps/v1",
    kind,
    metadata: { name: "w", namespace: "ns" },
    spec: { ...extra, template: { spec: { containers: [{ name: "c" }], ...pod } } },
  });

  test("a non-host-network pod with the default dnsPolicy needs the pod network, DNS and Services", () => {
    const pod = podModel(workload("Deployment", {}));
    expect(pod.dnsPolicy).toBe("ClusterFirst");
    expect(podNeeds(pod)).toEqual([
      { kind: "podNetwork" },
      { kind: "clusterDns", dnsPolicy: "ClusterFirst" },
      { kind: "services", why: "api" },
    ]);
  });

  test("a host-network ClusterFirst pod uses the node resolver and needs no cluster DNS", () => {
    const pod = podModel(workload("DaemonSet", { hostNetwork: true, automountServiceAccountToken: false }));
    expect(podNeeds(pod)).toEqual([]);
  });

  test("ClusterFirstWithHostNet needs DNS and the Service routing to reach it", () => {
    const pod = podModel(
      workload("DaemonSet", {
        hostNetwork: true,
        dnsPolicy: "ClusterFirstWithHostNet",
        containers: [{ name: "c", env: [{ name: "KUBERNETES_SERVICE_HOST", value: "api" }] }],
      }),
    );
    expect(podNeeds(pod)).toEqual([
      { kind: "clusterDns", dnsPolicy: "ClusterFirstWithHostNet" },
      { kind: "services", why: "dns" },
    ]);
  });

  test("the API through the kubernetes Service: token mounted and no KUBERNETES_SERVICE_HOST", () => {
    const env = [{ name: "KUBERNETES_SERVICE_HOST", value: "api.example" }];
    const needsServices = (o: K8sObject, objects: K8sObject[] = []) =>
      podNeeds(podModel(o, serviceAccountIndex(objects))).some((n) => n.kind === "services");
    const host = { hostNetwork: true };
    expect(needsServices(workload("DaemonSet", host))).toBe(true);
    expect(needsServices(workload("DaemonSet", { ...host, initContainers: [{ name: "i", env }] }))).toBe(false);
    expect(needsServices(workload("DaemonSet", { ...host, automountServiceAccountToken: false }))).toBe(false);
    const sa: K8sObject = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "quiet", namespace: "ns" },
      automountServiceAccountToken: false,
    };
    expect(needsServices(workload("DaemonSet", { ...host, serviceAccountName: "quiet" }), [sa])).toBe(false);
    expect(needsServices(workload("DaemonSet", { ...host, serviceAccountName: "quiet", automountServiceAccountToken: true }), [sa])).toBe(
      true,
    );
    // The provider of Services cannot use them to reach the API.
    expect(podNeeds(podModel(workload("DaemonSet", host)), [], "ns/DaemonSet/w")).toEqual([]);
  });

  test("explicit needs are appended; Kubernetes' automatic tolerations are added by kind", () => {
    const ds = podModel(workload("DaemonSet", { hostNetwork: true, automountServiceAccountToken: false }));
    expect(podNeeds(ds, ["ns/Deployment/op"])).toEqual([{ kind: "workload", id: "ns/Deployment/op" }]);
    expect(ds.tolerations).toEqual(daemonSetTolerations(true));
    const dep = podModel(workload("Deployment", { tolerations: [{ operator: "Exists" }] }));
    expect(dep.replicas).toBe(1);
    expect(dep.tolerations.map((t) => `${t.key ?? ""}:${t.effect ?? ""}`)).toEqual([
      ":",
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/unreachable:NoExecute",
    ]);
    expect(podModel(workload("StatefulSet", {}, { replicas: 3 })).replicas).toBe(3);
  });
});
