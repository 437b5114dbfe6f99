/**
 * Cold-start solver: from nodes as they register and the add-ons as rendered, play the bring-up
 * forward in rounds until nothing more can start, then explain everything that did not.
 *
 * Each round looks at the cluster as the previous round left it (so `round` is the dependency
 * depth): a pod starts on a node where it fits (nodeSelector, required affinity, taints) and its
 * needs are met (pod network, cluster DNS, Services, explicit needs). What runs changes the nodes
 * — the cloud-controller-manager initialises them, the CNI makes them Ready — and only ever
 * removes taints and adds labels, so the rounds climb to a fixed point.
 *
 * It would have caught the deadlock of a host-network CCM with dnsPolicy ClusterFirstWithHostNet:
 * its only resolver was CoreDNS, which waited for the uninitialized taint the CCM removes.
 */
import { nodeGroupProblems, initialNodes } from "./nodes";
import { isWorkload, podModel, podNeeds, PodModel, PodNeed, serviceAccountIndex, workloadId } from "./pods";
import { describeNodes, needsReason, placementReason } from "./reasons";
import type { BringupInput, BringupResult, BringupStep, Capability, NodeOutcome, NodeState, Providers, StuckWorkload } from "./types";
import { buildWorld, fits, unmetNeeds, World } from "./world";

interface Entry {
  addon: string;
  pod: PodModel;
  needs: PodNeed[];
}

const CAPABILITIES: Capability[] = ["cloudNodeInit", "cni", "clusterDns", "services"];
/** Capabilities that act per node, so only a DaemonSet can provide them. */
const NODE_LOCAL: Capability[] = ["cni", "services"];

export function providerProblems(providers: Providers, kinds: Map<string, PodModel["kind"]>): string[] {
  const problems: string[] = [];
  for (const cap of CAPABILITIES) {
    const id = providers[cap];
    const kind = kinds.get(id);
    if (kind === undefined) problems.push(`providers.${cap} names ${id}, which is not among the workloads (ids are namespace/Kind/name)`);
    else if (NODE_LOCAL.includes(cap) && kind !== "DaemonSet") {
      problems.push(`providers.${cap} names ${id}, a ${kind}: it works per node, so it must be a DaemonSet`);
    }
  }
  for (const [id, list] of Object.entries(providers.needs ?? {})) {
    if (!kinds.has(id)) problems.push(`providers.needs names ${id}, which is not among the workloads`);
    for (const need of list) if (!kinds.has(need)) problems.push(`providers.needs[${id}] names ${need}, which is not among the workloads`);
  }
  return problems;
}

function groupProblems(input: BringupInput, base: NodeState[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const g of input.nodes) {
    if (seen.has(g.name)) problems.push(`node group ${g.name} appears twice`);
    seen.add(g.name);
    if (g.count > 0) problems.push(...nodeGroupProblems(g));
  }
  if (base.length === 0) problems.push("no node group has count > 0: nothing can run");
  return problems;
}

/** Plays the rounds; returns what runs where at the fixed point and the order it started in. */
function playRounds(entries: Entry[], base: NodeState[], providers: Providers, kinds: Map<string, PodModel["kind"]>) {
  const running = new Map<string, Set<string>>();
  const order: BringupStep[] = [];
  // Each round adds a pod somewhere or stops; this bound is never reached.
  const maxRounds = entries.length * Math.max(1, base.length) + 1;
  for (let round = 1; round <= maxRounds; round++) {
    const w = buildWorld(base, providers, kinds, running);
    const steps: BringupStep[] = [];
    for (const { pod, needs } of entries) {
      const current = running.get(pod.id);
      if (pod.kind !== "DaemonSet" && (current || pod.replicas === 0)) continue;
      const nodes = w.nodes
        .filter((n) => !current?.has(n.name) && fits(pod, n) && unmetNeeds(needs, n.name, w).length === 0)
        .map((n) => n.name);
      if (nodes.length > 0) steps.push({ round, workload: pod.id, nodes });
    }
    if (steps.length === 0) break;
    for (const s of steps) {
      const set = running.get(s.workload) ?? new Set<string>();
      s.nodes.forEach((n) => set.add(n));
      running.set(s.workload, set);
    }
    order.push(...steps);
  }
  return { order, world: buildWorld(base, providers, kinds, running) };
}

/** Why a workload is not (fully) running at the fixed point, or undefined when it is. */
function stuckReason({ pod, needs }: Entry, w: World): string | undefined {
  const running = w.running.get(pod.id) ?? new Set<string>();
  if (pod.kind !== "DaemonSet") {
    if (pod.replicas === 0) return "spec.replicas is 0: it never runs a pod";
    if (running.size > 0) return undefined;
    return (
      placementReason(pod, w.nodes, w) ??
      needsReason(
        needs,
        w.nodes.filter((n) => fits(pod, n)),
        w,
      )
    );
  }
  const wanted = w.nodes.filter((n) => fits(pod, n) || running.has(n.name));
  if (wanted.length === 0) return `wants 0 pods: ${placementReason(pod, w.nodes, w)}`;
  const missing = wanted.filter((n) => !running.has(n.name));
  if (missing.length === 0) return undefined;
  const why = needsReason(needs, missing, w);
  return running.size > 0
    ? `not running on ${describeNodes(
        missing.map((n) => n.name),
        w.nodes,
      )}: ${why}`
    : why;
}

/** Each node's state at the fixed point, with what it still waits for. */
function nodeOutcomes(w: World, base: NodeState[], entries: Entry[]): NodeOutcome[] {
  const p = w.providers;
  const cni = entries.find((e) => e.pod.id === p.cni)?.pod;
  const status = (id: string) => (w.kinds.has(id) ? "is stuck" : "is not among the workloads");
  return w.nodes.map((n, i) => {
    const initialised = w.initialised;
    const ready = w.ready.has(n.name);
    const waiting: string[] = [];
    if (!initialised) waiting.push(`not initialised: ${p.cloudNodeInit} ${status(p.cloudNodeInit)}`);
    if (!ready) {
      const misfit = cni && !fits(cni, n) ? placementReason(cni, [n], w) : undefined;
      waiting.push(
        misfit ? `not Ready: ${p.cni} does not fit it: ${misfit}` : `not Ready: ${p.cni} ${cni ? "does not run on it" : status(p.cni)}`,
      );
    }
    return { name: n.name, group: base[i].group, initialised, ready, ...(waiting.length > 0 ? { waitingFor: waiting.join("; ") } : {}) };
  });
}

/** Solve the cold start of one cluster. */
export function solveBringup(input: BringupInput): BringupResult {
  const base = initialNodes(input.nodes);
  const problems = groupProblems(input, base);
  const objects = input.workloads.map((w) => w.object);
  const serviceAccounts = serviceAccountIndex(objects);
  const kinds = new Map<string, PodModel["kind"]>();
  const entries: Entry[] = [];
  for (const { addon, object } of input.workloads) {
    if (!isWorkload(object)) continue;
    const pod = podModel(object, serviceAccounts);
    if (kinds.has(pod.id)) {
      problems.push(`workload ${workloadId(object)} appears twice`);
      continue;
    }
    kinds.set(pod.id, pod.kind);
    entries.push({ addon, pod, needs: podNeeds(pod, input.providers.needs?.[pod.id] ?? [], input.providers.services) });
  }
  problems.push(...providerProblems(input.providers, kinds));

  const { order, world } = playRounds(entries, base, input.providers, kinds);
  const stuck: StuckWorkload[] = [];
  for (const e of entries) {
    const reason = stuckReason(e, world);
    if (reason !== undefined) stuck.push({ workload: e.pod.id, addon: e.addon, reason });
  }
  const nodes = nodeOutcomes(world, base, entries);
  const converged = problems.length === 0 && stuck.length === 0 && nodes.every((n) => n.initialised && n.ready);
  return { converged, order, stuck, problems, nodes };
}
