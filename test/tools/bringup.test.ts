/**
 * The bring-up solver on the real planned prod graph: the stored add-on manifests and the node
 * groups as their rendered kubelet units register. It converges for prod and for every pool shape
 * the config allows, and fails — failing the plan — when the CCM's old dnsPolicy comes back.
 */
import { parseAllDocuments, stringify } from "yaml";
import { providersByName, solveBringup } from "../../lib/bringup";
import { parseClusterConfig } from "../../lib/config/parse";
import { Plan } from "../../lib/plan/types";
import { analysePlan, policyConfigFor } from "../../tools/analyse";
import { cniTaintKeys, nodeGroupsOf, parseLabels, parseTaints, solvePlanBringup, workloadsOf } from "../../tools/bringup";
import { rawStackConfig, stackConfig } from "../../tools/offline/stackFile";
import { renderNodes } from "../../tools/render/nodes";
import { ofType, planStack, ROOT } from "../helpers/plannedStack";

let plan: Plan;
beforeAll(async () => {
  plan = await planStack("prod");
}, 120_000);

const solveWith = (edit: (groups: ReturnType<typeof nodeGroupsOf>) => ReturnType<typeof nodeGroupsOf>) => {
  const nodes = renderNodes(plan);
  const workloads = workloadsOf(nodes);
  return solveBringup({ nodes: edit(nodeGroupsOf(nodes)), workloads, providers: providersByName(workloads) });
};

test("node groups come from the rendered kubelet units: role label, pool labels and taints, group minimums", () => {
  const groups = nodeGroupsOf(renderNodes(plan));
  const cp = groups.find((g) => g.role === "control-plane")!;
  expect(cp).toEqual(expect.objectContaining({ count: 3, labels: { "kubestead.io/node-role": "control-plane" } }));
  // The add-on applier labels its own node before applying anything: read from the rendered script.
  expect(cp.adminLabels).toEqual({ "node-role.kubernetes.io/control-plane": "" });
  expect(cp.taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);
  const system = groups.find((g) => g.name === "kubestead-prod-system")!;
  expect(system.labels).toEqual({ "kubestead.io/node-role": "worker", "kubestead.io/pool": "system" });
  expect(system.taints).toEqual([{ key: "kubestead.io/system", value: "true", effect: "NoSchedule" }]);
  expect(groups.map((g) => g.count).sort()).toEqual([3, 3, 3]);
});

test("prod converges: every add-on runs, every node is initialised and Ready; the CCM and CNI come before CoreDNS", () => {
  const r = solvePlanBringup(plan);
  expect(r.stuck).toEqual([]);
  expect(r.problems).toEqual([]);
  expect(r.converged).toBe(true);
  const round = (name: string) => r.order.find((s) => s.workload.endsWith(`/${name}`))!.round;
  expect(round("aws-cloud-controller-manager")).toBeLessThan(round("coredns"));
  expect(round("cilium")).toBeLessThan(round("coredns"));
  expect(round("coredns")).toBeLessThan(round("kubelet-csr-approver"));
  // The system pool's taint is tolerated by what must run there, so its nodes aren't idle.
  const system = r.order.filter((s) => s.nodes.some((n) => n.startsWith("kubestead-prod-system")));
  expect(system.map((s) => s.workload)).toEqual(
    expect.arrayContaining(["kube-system/Deployment/coredns", "kube-system/Deployment/metrics-server"]),
  );
});

test.each([
  ["no worker pools", (gs: ReturnType<typeof nodeGroupsOf>) => gs.filter((g) => g.role === "control-plane")],
  [
    "one control-plane node, no pools",
    (gs: ReturnType<typeof nodeGroupsOf>) => gs.filter((g) => g.role === "control-plane").map((g) => ({ ...g, count: 1 })),
  ],
  [
    "every pool tainted for dedicated workloads",
    (gs: ReturnType<typeof nodeGroupsOf>) =>
      gs.map((g) =>
        g.role === "worker"
          ? { ...g, taints: [...g.taints, { key: "example.com/dedicated", value: "batch", effect: "NoSchedule" as const }] }
          : g,
      ),
  ],
  [
    "every pool NoExecute-tainted",
    (gs: ReturnType<typeof nodeGroupsOf>) =>
      gs.map((g) => (g.role === "worker" ? { ...g, taints: [{ key: "example.com/gpu", effect: "NoExecute" as const }] } : g)),
  ],
  [
    "pools scaled to zero at cold start",
    (gs: ReturnType<typeof nodeGroupsOf>) => gs.map((g) => (g.role === "worker" ? { ...g, count: 0 } : g)),
  ],
])("converges with %s", (_shape, edit) => {
  const r = solveWith(edit);
  expect(r.stuck).toEqual([]);
  expect(r.converged).toBe(true);
});

test("the CCM's old dnsPolicy (ClusterFirstWithHostNet) brings back the circular wait, and the plan fails naming it", () => {
  const broken: Plan = structuredClone(plan);
  const ccm = ofType(broken, "aws:s3/bucketObjectv2:BucketObjectv2").find(
    (o) => (o.inputs.metadata as Record<string, string>)?.addon === "cloud-controller-manager",
  )!;
  const docs = parseAllDocuments(String(ccm.inputs.content)).map((d) => d.toJS());
  docs.find((o) => o.kind === "DaemonSet").spec.template.spec.dnsPolicy = "ClusterFirstWithHostNet";
  ccm.inputs.content = docs.map((o) => `---\n${stringify(o)}`).join("");

  const r = solvePlanBringup(broken);
  expect(r.converged).toBe(false);
  const reason = (w: string) => r.stuck.find((s) => s.workload === w)?.reason;
  expect(reason("kube-system/DaemonSet/aws-cloud-controller-manager")).toMatch(/needs cluster DNS \(dnsPolicy ClusterFirstWithHostNet\)/);
  expect(reason("kube-system/Deployment/coredns")).toMatch(/node\.cloudprovider\.kubernetes\.io\/uninitialized/);

  const config = parseClusterConfig(rawStackConfig(stackConfig(ROOT, "prod"), "prod"));
  const analysis = analysePlan(broken, config, policyConfigFor(ROOT, "prod", config).config);
  expect(analysis.mandatoryViolations).toBeGreaterThan(0);
  expect(analysis.summary).toMatch(/Bring-up: +stuck\n {2}- stuck: kube-system\/DaemonSet\/aws-cloud-controller-manager/);
  expect(analysis.report).toContain("✗ The cluster cannot finish bringing itself up:");
});

test("control-plane add-ons need the applier's label: without it (a node that never labels itself) they want 0 pods, and are stuck", () => {
  const nodes = renderNodes(plan);
  const workloads = workloadsOf(nodes);
  const groups = nodeGroupsOf(nodes).map((g) => ({ ...g, adminLabels: undefined }));
  const r = solveBringup({ nodes: groups, workloads, providers: providersByName(workloads) });
  expect(r.converged).toBe(false);
  expect(r.stuck.find((s) => s.workload === "kube-system/DaemonSet/aws-cloud-controller-manager")?.reason).toMatch(
    /no node matches nodeSelector node-role\.kubernetes\.io\/control-plane=/,
  );
});

test("a worker registering with the control-plane label is refused by the model, as NodeRestriction refuses it", () => {
  const r = solveWith((gs) =>
    gs.map((g) => (g.role === "worker" ? { ...g, labels: { ...g.labels, "node-role.kubernetes.io/control-plane": "" } } : g)),
  );
  expect(r.problems.join("\n")).toMatch(/registers with label node-role\.kubernetes\.io\/control-plane, which NodeRestriction refuses/);
});

test("Cilium's agent-not-ready taint is modelled: the operator sets it, each node's agent lifts it", () => {
  const workloads = workloadsOf(renderNodes(plan));
  expect(cniTaintKeys(workloads)).toEqual(["node.cilium.io/agent-not-ready"]);
  const r = solvePlanBringup(plan);
  expect(r.converged).toBe(true);
  // CoreDNS can start only where the agent already runs.
  const round = (name: string) => r.order.find((s) => s.workload.endsWith(`/${name}`))!.round;
  expect(round("coredns")).toBeGreaterThan(round("cilium"));
});

test("kubelet flag parsing", () => {
  expect(parseTaints("a/b=c:NoSchedule,d:NoExecute")).toEqual([
    { key: "a/b", value: "c", effect: "NoSchedule" },
    { key: "d", effect: "NoExecute" },
  ]);
  expect(parseTaints(undefined)).toEqual([]);
  expect(parseLabels("kubestead.io/node-role=worker,empty=")).toEqual({ "kubestead.io/node-role": "worker", empty: "" });
});
