/**
 * Input and output of the cold-start solver (solve.ts): node groups as the kubelet registers
 * them, the add-on workloads as rendered, and which workload provides which capability.
 */
import type { K8sObject } from "../../bootstrap/addons/objects";
import type { Taint, TaintEffect } from "../config/types";

export type { Taint, TaintEffect };

export interface NodeGroupModel {
  /** Group name; its nodes are named `${name}-0`, `${name}-1`, … */
  name: string;
  role: "control-plane" | "worker";
  /** Nodes that certainly exist at cold start: the group's minimum. A group with 0 is absent. */
  count: number;
  /** kubelet --node-labels. */
  labels: Record<string, string>;
  /** kubelet --register-with-taints (plus any taint the CNI sets until its agent runs; see Providers.cniTaints). */
  taints: Taint[];
  /**
   * Labels an admin credential applies to each node before any add-on exists (the control plane's
   * add-on applier labels its own node first, with nothing but the local apiserver). Not limited by
   * NodeRestriction, unlike `labels`.
   */
  adminLabels?: Record<string, string>;
  /** CPU architecture for the kubernetes.io/arch label (default amd64). */
  arch?: string;
}

export interface Workload {
  /** The add-on the object belongs to (reports only). */
  addon: string;
  object: K8sObject;
}

/** Capabilities the cluster needs before ordinary pods can run, each provided by one workload. */
export type Capability = "cloudNodeInit" | "cni" | "clusterDns" | "services";

/**
 * Which workload (by workloadId: namespace/Kind/name) provides each capability, plus explicit
 * extra needs no manifest field reveals (the Cilium agent waits for CRDs its operator registers).
 */
export type Providers = Record<Capability, string> & {
  /** Taint keys the CNI agent removes from its node once it runs (besides node.kubernetes.io/not-ready). */
  cniTaints?: string[];
  /** workloadId → workloadIds it needs running (anywhere) before it can run. */
  needs?: Record<string, string[]>;
};

export interface BringupInput {
  nodes: NodeGroupModel[];
  /** Add-on objects; kinds other than DaemonSet/Deployment/StatefulSet are read only for ServiceAccounts. */
  workloads: Workload[];
  providers: Providers;
}

export interface Toleration {
  key?: string;
  operator?: "Exists" | "Equal";
  value?: string;
  effect?: TaintEffect | "";
  tolerationSeconds?: number;
}

export type SelectorOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt";

export interface NodeSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  /** Only metadata.name is a field Kubernetes supports here. */
  matchFields?: NodeSelectorRequirement[];
}

/** Node labels; null means "present, value known only once the node runs" (hostname, zone). */
export type NodeLabels = Record<string, string | null>;

/** One node at some point of the bring-up. */
export interface NodeState {
  name: string;
  group: string;
  labels: NodeLabels;
  taints: Taint[];
}

/** One step of the bring-up: in `round`, `workload` starts pods on `nodes`. */
export interface BringupStep {
  round: number;
  workload: string;
  /**
   * DaemonSets: the nodes that get a pod this round. Deployments/StatefulSets: the nodes a replica
   * could start on (the scheduler picks among them).
   */
  nodes: string[];
}

export interface StuckWorkload {
  workload: string;
  addon: string;
  /** The unmet condition, naming the label, taint or provider it waits for. */
  reason: string;
}

export interface NodeOutcome {
  name: string;
  group: string;
  /** The cloud-controller-manager removed the uninitialized taint. */
  initialised: boolean;
  /** The CNI agent runs on it (the not-ready taints are gone). */
  ready: boolean;
  /** What it still waits for, when not initialised or not Ready. */
  waitingFor?: string;
}

export interface BringupResult {
  /** Every workload runs, every node is initialised and Ready, and the input has no problems. */
  converged: boolean;
  order: BringupStep[];
  stuck: StuckWorkload[];
  /** Input problems: refused registration labels, unknown providers, duplicate workloads. */
  problems: string[];
  nodes: NodeOutcome[];
}
