/**
 * The cluster at one point of the bring-up — which pods run where, and so which nodes are
 * initialised, Ready and route Services — and the two questions asked of it: does a pod fit a
 * node, and are its needs met there.
 */
import { nodeNow } from "./nodes";
import type { PodModel, PodNeed } from "./pods";
import { matchesNodeSelector, matchesNodeSelectorTerms } from "./selection";
import { untoleratedTaints } from "./tolerations";
import type { NodeState, Providers, Taint } from "./types";

export interface World {
  providers: Providers;
  /** Kind of every workload by id. */
  kinds: Map<string, PodModel["kind"]>;
  /** Workload id → nodes it runs on (Deployments: the nodes its replicas could start on). */
  running: Map<string, Set<string>>;
  /** Nodes as they stand now. */
  nodes: NodeState[];
  initialised: boolean;
  ready: Set<string>;
}

export function runsAnywhere(w: Pick<World, "running">, id: string): boolean {
  return (w.running.get(id)?.size ?? 0) > 0;
}

/** A node-local capability: a DaemonSet pod of the provider on that node. */
export function runsOn(w: Pick<World, "running" | "kinds">, id: string, node: string): boolean {
  return w.kinds.get(id) === "DaemonSet" && (w.running.get(id)?.has(node) ?? false);
}

/** The world that follows from what runs. */
export function buildWorld(
  base: NodeState[],
  providers: Providers,
  kinds: Map<string, PodModel["kind"]>,
  running: Map<string, Set<string>>,
): World {
  const initialised = runsAnywhere({ running }, providers.cloudNodeInit);
  const ready = new Set(base.filter((n) => runsOn({ running, kinds }, providers.cni, n.name)).map((n) => n.name));
  const nodes = base.map((n) => nodeNow(n, initialised, ready.has(n.name), providers.cniTaints));
  return { providers, kinds, running, nodes, initialised, ready };
}

/** nodeSelector and required node affinity. */
export function matchesPlacement(pod: PodModel, node: NodeState): boolean {
  return (
    matchesNodeSelector(pod.nodeSelector, node.labels) &&
    (pod.requiredTerms === undefined || matchesNodeSelectorTerms(pod.requiredTerms, node.labels, node.name))
  );
}

/** Taints that keep the pod off the node. */
export function blockingTaints(pod: PodModel, node: NodeState): Taint[] {
  return untoleratedTaints(pod.tolerations, node.taints);
}

export function fits(pod: PodModel, node: NodeState): boolean {
  return matchesPlacement(pod, node) && blockingTaints(pod, node).length === 0;
}

export function needMet(need: PodNeed, node: string, w: World): boolean {
  switch (need.kind) {
    case "podNetwork":
      return runsOn(w, w.providers.cni, node);
    case "clusterDns":
      return runsAnywhere(w, w.providers.clusterDns);
    case "services":
      return runsOn(w, w.providers.services, node);
    case "workload":
      return runsAnywhere(w, need.id);
    default: {
      const never: never = need;
      throw new Error(`unknown need ${JSON.stringify(never)}`);
    }
  }
}

export function unmetNeeds(needs: PodNeed[], node: string, w: World): PodNeed[] {
  return needs.filter((n) => !needMet(n, node, w));
}
