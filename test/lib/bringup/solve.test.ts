import type { K8sObject } from "../../../bootstrap/addons/objects";
import {
  BringupInput,
  formatBringup,
  formatStuck,
  NodeGroupModel,
  Providers,
  providersByName,
  solveBringup,
  Toleration,
  Workload,
} from "../../../lib/bringup";

// A happy-path cluster built from small fixtures; each test changes one thing.

const CP_TOLERATION: Toleration = { key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" };
const ROLE = "kubestead.io/node-role";
const API_ENV = [{ name: "KUBERNETES_SERVICE_HOST", value: "api.example.internal" }];

type PodSpec = Record<string, unknown>;
const pod = (spec: PodSpec): PodSpec => ({ containers: [{ name: "main", image: "example" }], ...spec });
const daemonSet = (name: string, spec: PodSpec): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name, namespace: "kube-system" },
  spec: { template: { spec: pod(spec) } },
});
const deployment = (name: string, spec: PodSpec, replicas = 2): K8sObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "kube-system" },
  spec: { replicas, template: { spec: pod(spec) } },
});

const CCM = "kube-system/DaemonSet/aws-cloud-controller-manager";
const CILIUM = "kube-system/DaemonSet/cilium";
const OPERATOR = "kube-system/Deployment/cilium-operator";
const KUBE_PROXY = "kube-system/DaemonSet/kube-proxy";
const COREDNS = "kube-system/Deployment/coredns";

const ccm = (dnsPolicy = "Default") =>
  daemonSet("aws-cloud-controller-manager", {
    hostNetwork: true,
    dnsPolicy,
    serviceAccountName: "cloud-controller-manager",
    nodeSelector: { [ROLE]: "control-plane" },
    tolerations: [
      CP_TOLERATION,
      { key: "node.cloudprovider.kubernetes.io/uninitialized", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    ],
  });
const cilium = (tolerations: Toleration[] = [{ operator: "Exists" }]) =>
  daemonSet("cilium", { hostNetwork: true, tolerations, containers: [{ name: "agent", env: API_ENV }] });
const ciliumOperator = (spec: PodSpec = {}) =>
  deployment("cilium-operator", {
    hostNetwork: true,
    tolerations: [{ operator: "Exists" }],
    containers: [{ name: "op", env: API_ENV }],
    ...spec,
  });
const kubeProxy = () =>
  daemonSet("kube-proxy", {
    hostNetwork: true,
    serviceAccountName: "kube-proxy",
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }, { operator: "Exists" }],
  });
const coredns = (tolerations: Toleration[] = [{ key: "CriticalAddonsOnly", operator: "Exists" }, CP_TOLERATION]) =>
  deployment("coredns", {
    dnsPolicy: "Default",
    serviceAccountName: "coredns",
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations,
  });

const controlPlane: NodeGroupModel = {
  name: "control-plane",
  role: "control-plane",
  count: 3,
  labels: { [ROLE]: "control-plane" },
  taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
};
const workers: NodeGroupModel = { name: "workers", role: "worker", count: 2, labels: { [ROLE]: "worker" }, taints: [] };

const providers: Providers = {
  cloudNodeInit: CCM,
  cni: CILIUM,
  clusterDns: COREDNS,
  services: KUBE_PROXY,
  needs: { [CILIUM]: [OPERATOR] },
};

function cluster(
  over: {
    ccm?: K8sObject;
    cilium?: K8sObject;
    operator?: K8sObject;
    coredns?: K8sObject;
    extra?: Workload[];
    nodes?: NodeGroupModel[];
  } = {},
): BringupInput {
  return {
    nodes: over.nodes ?? [controlPlane, workers],
    workloads: [
      { addon: "cloud-controller-manager", object: over.ccm ?? ccm() },
      { addon: "cilium", object: over.cilium ?? cilium() },
      { addon: "cilium", object: over.operator ?? ciliumOperator() },
      { addon: "kube-proxy", object: kubeProxy() },
      { addon: "coredns", object: over.coredns ?? coredns() },
      ...(over.extra ?? []),
    ],
    providers,
  };
}

const ALL = ["control-plane-0", "control-plane-1", "control-plane-2", "workers-0", "workers-1"];
const CP_NODES = ALL.slice(0, 3);

describe("solveBringup", () => {
  test("a healthy cluster converges: CCM, kube-proxy and Cilium come up before CoreDNS", () => {
    const r = solveBringup(cluster());
    expect(r.problems).toEqual([]);
    expect(r.stuck).toEqual([]);
    expect(r.converged).toBe(true);
    expect(r.order).toEqual([
      { round: 1, workload: OPERATOR, nodes: ALL },
      { round: 1, workload: KUBE_PROXY, nodes: ALL },
      // The CCM reaches the API through the kubernetes Service, so it waits for kube-proxy.
      { round: 2, workload: CCM, nodes: CP_NODES },
      // The agent waits for its operator's CRDs.
      { round: 2, workload: CILIUM, nodes: ALL },
      // Initialised and Ready nodes only.
      { round: 3, workload: COREDNS, nodes: ALL },
    ]);
    expect(r.nodes.every((n) => n.initialised && n.ready && n.waitingFor === undefined)).toBe(true);
    expect(formatBringup(r)).toEqual([]);
  });

  test("a CCM with dnsPolicy ClusterFirstWithHostNet and CoreDNS wait for each other", () => {
    const r = solveBringup(cluster({ ccm: ccm("ClusterFirstWithHostNet") }));
    expect(r.converged).toBe(false);
    expect(r.stuck).toEqual([
      {
        workload: CCM,
        addon: "cloud-controller-manager",
        reason: `needs cluster DNS (dnsPolicy ClusterFirstWithHostNet) from ${COREDNS}, which is stuck`,
      },
      {
        workload: COREDNS,
        addon: "coredns",
        reason: `untolerated taint node.cloudprovider.kubernetes.io/uninitialized:NoSchedule on every fitting node (needs ${CCM})`,
      },
    ]);
    // Cilium still makes every node Ready; none is initialised.
    expect(r.nodes.map((n) => [n.ready, n.initialised])).toEqual(ALL.map(() => [true, false]));
    expect(r.nodes[0].waitingFor).toBe(`not initialised: ${CCM} is stuck`);
    expect(r.order.map((s) => s.workload)).not.toContain(CCM);
    expect(formatStuck(r.stuck)[0]).toBe(
      `${CCM} (cloud-controller-manager): needs cluster DNS (dnsPolicy ClusterFirstWithHostNet) from ${COREDNS}, which is stuck`,
    );
  });

  test("a DaemonSet selecting a label only an admin applies wants 0 pods", () => {
    const approver = daemonSet("csr-approver", {
      hostNetwork: true,
      nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
      tolerations: [CP_TOLERATION],
    });
    const r = solveBringup(cluster({ extra: [{ addon: "csr-approver", object: approver }] }));
    expect(r.converged).toBe(false);
    expect(r.stuck).toEqual([
      {
        workload: "kube-system/DaemonSet/csr-approver",
        addon: "csr-approver",
        reason:
          'wants 0 pods: no node matches nodeSelector node-role.kubernetes.io/control-plane="" ' +
          "(node-role.kubernetes.io/control-plane is not a label a kubelet may set on itself: NodeRestriction leaves it to an admin after registration)",
      },
    ]);
  });

  test("a Deployment selecting a registration label no group carries is stuck", () => {
    const autoscaler = deployment("cluster-autoscaler", { nodeSelector: { [ROLE]: "control-plane" }, tolerations: [CP_TOLERATION] }, 1);
    const unlabelled = { ...controlPlane, labels: {} };
    const r = solveBringup(cluster({ nodes: [unlabelled, workers], extra: [{ addon: "cluster-autoscaler", object: autoscaler }] }));
    const reasons = Object.fromEntries(r.stuck.map((s) => [s.workload, s.reason]));
    expect(reasons["kube-system/Deployment/cluster-autoscaler"]).toBe("no node matches nodeSelector kubestead.io/node-role=control-plane");
    // The CCM selects the same label, so nothing initialises the nodes.
    expect(reasons[CCM]).toBe("wants 0 pods: no node matches nodeSelector kubestead.io/node-role=control-plane");
  });

  test("a node group registering with a refused label is a problem, and the label is not there", () => {
    const cp = { ...controlPlane, labels: { ...controlPlane.labels, "node-role.kubernetes.io/control-plane": "" } };
    const r = solveBringup(cluster({ nodes: [cp, workers] }));
    expect(r.problems).toEqual([
      "node group control-plane registers with label node-role.kubernetes.io/control-plane, which NodeRestriction refuses (the kubelet will not start with it): register a label under your own prefix (e.g. kubestead.io/node-role) or have an admin apply it after the node joins",
    ]);
    expect(r.stuck).toEqual([]);
    expect(r.converged).toBe(false);
    expect(formatBringup(r)).toEqual([`problem: ${r.problems[0]}`]);
  });

  test("a tainted pool that only DaemonSets tolerate still converges; CoreDNS stays on the control plane", () => {
    const gpu: NodeGroupModel = {
      ...workers,
      name: "gpu",
      taints: [{ key: "kubestead.io/dedicated", value: "gpu", effect: "NoSchedule" }],
    };
    const r = solveBringup(cluster({ nodes: [controlPlane, gpu] }));
    expect(r.stuck).toEqual([]);
    expect(r.converged).toBe(true);
    expect(r.order.find((s) => s.workload === COREDNS)).toEqual({ round: 3, workload: COREDNS, nodes: CP_NODES });
    expect(r.order.find((s) => s.workload === KUBE_PROXY)?.nodes).toEqual([...CP_NODES, "gpu-0", "gpu-1"]);
  });

  test("no worker pools and CoreDNS without the control-plane toleration: stuck on that taint", () => {
    const r = solveBringup(cluster({ nodes: [controlPlane], coredns: coredns([{ key: "CriticalAddonsOnly", operator: "Exists" }]) }));
    expect(r.converged).toBe(false);
    expect(r.stuck).toEqual([
      {
        workload: COREDNS,
        addon: "coredns",
        reason: "untolerated taint node-role.kubernetes.io/control-plane:NoSchedule on every fitting node",
      },
    ]);
    // Everything else came up.
    expect(r.nodes.every((n) => n.initialised && n.ready)).toBe(true);
  });

  test("a pool the CNI does not tolerate never becomes Ready, and pod-network DaemonSets stop short of it", () => {
    const gpu: NodeGroupModel = {
      ...workers,
      name: "gpu",
      taints: [{ key: "kubestead.io/dedicated", value: "gpu", effect: "NoSchedule" }],
    };
    const exporter = daemonSet("node-exporter", {
      automountServiceAccountToken: false,
      dnsPolicy: "Default",
      tolerations: [{ operator: "Exists" }],
    });
    const r = solveBringup(
      cluster({
        nodes: [controlPlane, gpu],
        cilium: cilium([
          { operator: "Exists", key: "node-role.kubernetes.io/control-plane" },
          { operator: "Exists", key: "node.kubernetes.io/not-ready" },
          { operator: "Exists", key: "node.cloudprovider.kubernetes.io/uninitialized" },
        ]),
        extra: [{ addon: "monitoring", object: exporter }],
      }),
    );
    expect(r.converged).toBe(false);
    expect(r.stuck).toEqual([
      {
        workload: "kube-system/DaemonSet/node-exporter",
        addon: "monitoring",
        reason: `not running on gpu-0..1: needs the pod network (not host-network) from ${CILIUM} on its node, which does not run on gpu-0..1`,
      },
    ]);
    expect(r.nodes.filter((n) => !n.ready).map((n) => [n.name, n.waitingFor])).toEqual([
      ["gpu-0", `not Ready: ${CILIUM} does not fit it: untolerated taint kubestead.io/dedicated:NoSchedule on every fitting node`],
      ["gpu-1", `not Ready: ${CILIUM} does not fit it: untolerated taint kubestead.io/dedicated:NoSchedule on every fitting node`],
    ]);
  });

  test("an explicit need on a stuck operator keeps the CNI down, and with it every non-host-network pod", () => {
    const operator = ciliumOperator({ nodeSelector: { "kubestead.io/pool": "system" } });
    const r = solveBringup(cluster({ operator }));
    const reasons = Object.fromEntries(r.stuck.map((s) => [s.workload, s.reason]));
    expect(reasons[OPERATOR]).toBe("no node matches nodeSelector kubestead.io/pool=system");
    expect(reasons[CILIUM]).toBe(`needs ${OPERATOR}, which is stuck`);
    // The CCM tolerates not-ready; CoreDNS does not and waits for the CNI.
    expect(reasons[CCM]).toBeUndefined();
    expect(reasons[COREDNS]).toBe(
      // not-ready:NoExecute is tolerated for 300 s by DefaultTolerationSeconds; NoSchedule is not.
      `untolerated taint node.kubernetes.io/not-ready:NoSchedule on every fitting node (needs ${CILIUM})`,
    );
    expect(r.nodes.every((n) => n.initialised && !n.ready)).toBe(true);
  });

  test("a CNI agent off the host network waits for itself", () => {
    const r = solveBringup(
      cluster({ cilium: daemonSet("cilium", { tolerations: [{ operator: "Exists" }], containers: [{ name: "agent", env: API_ENV }] }) }),
    );
    const reasons = Object.fromEntries(r.stuck.map((s) => [s.workload, s.reason]));
    expect(reasons[CILIUM]).toBe(
      `needs the pod network (not host-network) from ${CILIUM} on its node, which is stuck; needs cluster DNS (dnsPolicy ClusterFirst) from ${COREDNS}, which is stuck`,
    );
  });

  test("unknown providers and duplicate workloads are problems", () => {
    const input = cluster({ extra: [{ addon: "again", object: kubeProxy() }] });
    const r = solveBringup({ ...input, providers: { ...providers, clusterDns: "kube-system/Deployment/kube-dns", services: OPERATOR } });
    expect(r.problems).toEqual([
      `workload ${KUBE_PROXY} appears twice`,
      "providers.clusterDns names kube-system/Deployment/kube-dns, which is not among the workloads (ids are namespace/Kind/name)",
      `providers.services names ${OPERATOR}, a Deployment: it works per node, so it must be a DaemonSet`,
    ]);
    expect(r.converged).toBe(false);
  });

  test("no nodes at all is a problem", () => {
    const r = solveBringup(cluster({ nodes: [{ ...controlPlane, count: 0 }] }));
    expect(r.problems).toEqual(["no node group has count > 0: nothing can run"]);
    expect(r.stuck.find((s) => s.workload === COREDNS)?.reason).toBe("no node exists (every node group has count 0)");
    expect(r.stuck.find((s) => s.workload === CCM)?.reason).toBe("wants 0 pods: no node exists (every node group has count 0)");
  });
});

describe("providersByName", () => {
  test("resolves kubestead's add-on names to ids", () => {
    expect(providersByName(cluster().workloads)).toEqual(providers);
  });

  test("lists every name that matches nothing", () => {
    const workloads = cluster().workloads.filter(
      (w) => w.object.metadata.name !== "coredns" && w.object.metadata.name !== "cilium-operator",
    );
    expect(() => providersByName(workloads)).toThrow(
      "cannot build the bring-up providers table:\n- clusterDns: no DaemonSet, Deployment or StatefulSet is named coredns\n- needs of cilium: no DaemonSet, Deployment or StatefulSet is named cilium-operator",
    );
  });
});
