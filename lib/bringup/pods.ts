/**
 * What a workload's pod template says about where it may run and what it needs before it can.
 */
import type { K8sObject } from "../../bootstrap/addons/objects";
import { daemonSetTolerations, defaultTolerations } from "./tolerations";
import type { NodeSelectorTerm, Toleration } from "./types";

export type WorkloadKind = "DaemonSet" | "Deployment" | "StatefulSet";
const WORKLOAD_KINDS: readonly string[] = ["DaemonSet", "Deployment", "StatefulSet"];

/** The scheduling-relevant part of a workload. */
export interface PodModel {
  id: string;
  kind: WorkloadKind;
  /** Deployments/StatefulSets: spec.replicas (default 1); DaemonSets: undefined. */
  replicas?: number;
  hostNetwork: boolean;
  /** spec.dnsPolicy, defaulted to ClusterFirst. */
  dnsPolicy: string;
  nodeSelector: Record<string, string>;
  /** Required node affinity terms, or undefined when there is none. */
  requiredTerms?: NodeSelectorTerm[];
  /** Declared tolerations plus those Kubernetes adds (DaemonSet controller, DefaultTolerationSeconds). */
  tolerations: Toleration[];
  /** A service-account token is mounted. */
  mountsToken: boolean;
  /** Some container sets KUBERNETES_SERVICE_HOST (it reaches the API without the kubernetes Service). */
  setsServiceHost: boolean;
}

/** namespace/Kind/name, the id providers and needs refer to. */
export function workloadId(o: K8sObject): string {
  return `${o.metadata.namespace ?? "default"}/${o.kind}/${o.metadata.name}`;
}

export function isWorkload(o: K8sObject): boolean {
  return WORKLOAD_KINDS.includes(o.kind);
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function setsServiceHost(containers: unknown[]): boolean {
  return containers.some((c) => arr(obj(c).env).some((e) => obj(e).name === "KUBERNETES_SERVICE_HOST"));
}

/**
 * Whether the pod gets a token: the pod's automountServiceAccountToken wins, then its
 * ServiceAccount's (from `serviceAccounts`, keyed namespace/name); Kubernetes defaults to true.
 */
function mountsToken(spec: Obj, namespace: string, serviceAccounts: Map<string, K8sObject>): boolean {
  if (typeof spec.automountServiceAccountToken === "boolean") return spec.automountServiceAccountToken;
  const sa = serviceAccounts.get(`${namespace}/${String(spec.serviceAccountName ?? spec.serviceAccount ?? "default")}`);
  return sa?.automountServiceAccountToken !== false;
}

/** ServiceAccounts among the objects, keyed namespace/name. */
export function serviceAccountIndex(objects: K8sObject[]): Map<string, K8sObject> {
  const m = new Map<string, K8sObject>();
  for (const o of objects) if (o.kind === "ServiceAccount") m.set(`${o.metadata.namespace ?? "default"}/${o.metadata.name}`, o);
  return m;
}

/** The pod model of a DaemonSet/Deployment/StatefulSet (pod template at spec.template.spec). */
export function podModel(o: K8sObject, serviceAccounts: Map<string, K8sObject> = new Map()): PodModel {
  if (!isWorkload(o)) throw new Error(`${workloadId(o)} is not a DaemonSet, Deployment or StatefulSet`);
  const kind = o.kind as WorkloadKind;
  const spec = obj(o.spec);
  const pod = obj(obj(spec.template).spec);
  const hostNetwork = pod.hostNetwork === true;
  const required = obj(obj(obj(pod.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution);
  const declared = arr(pod.tolerations) as Toleration[];
  const added = kind === "DaemonSet" ? daemonSetTolerations(hostNetwork) : defaultTolerations();
  return {
    id: workloadId(o),
    kind,
    replicas: kind === "DaemonSet" ? undefined : typeof spec.replicas === "number" ? spec.replicas : 1,
    hostNetwork,
    dnsPolicy: typeof pod.dnsPolicy === "string" ? pod.dnsPolicy : "ClusterFirst",
    nodeSelector: obj(pod.nodeSelector) as Record<string, string>,
    requiredTerms: "nodeSelectorTerms" in required ? (arr(required.nodeSelectorTerms) as NodeSelectorTerm[]) : undefined,
    tolerations: [...declared, ...added],
    mountsToken: mountsToken(pod, o.metadata.namespace ?? "default", serviceAccounts),
    setsServiceHost: setsServiceHost([...arr(pod.containers), ...arr(pod.initContainers)]),
  };
}

/** Something a pod waits for before it runs. */
export type PodNeed =
  /** A CNI agent on its node (it is not on the host network). */
  | { kind: "podNetwork" }
  /** Cluster DNS somewhere; `dnsPolicy` says why. */
  | { kind: "clusterDns"; dnsPolicy: string }
  /** Service IPs on its node: the API through the kubernetes Service, or the cluster DNS address. */
  | { kind: "services"; why: "api" | "dns" }
  /** An explicit need from the providers table. */
  | { kind: "workload"; id: string };

/**
 * Whether the pod's resolver is cluster DNS. Host-network pods with ClusterFirst fall back to the
 * node's resolver; ClusterFirstWithHostNet makes cluster DNS their only one.
 * https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-s-dns-policy
 */
export function needsClusterDns(hostNetwork: boolean, dnsPolicy: string): boolean {
  switch (dnsPolicy) {
    case "ClusterFirstWithHostNet":
      return true;
    case "ClusterFirst":
      return !hostNetwork;
    default:
      // Default (node resolver) and None (the pod's own dnsConfig).
      return false;
  }
}

/** Reaches the API through the in-cluster kubernetes Service (client-go's in-cluster config). */
export function reachesApiThroughService(p: Pick<PodModel, "mountsToken" | "setsServiceHost">): boolean {
  return p.mountsToken && !p.setsServiceHost;
}

/**
 * Everything the pod waits for. `servicesProvider`: the workload implementing Service IPs is
 * never said to need them — it cannot reach the API through itself, so it must use a direct
 * endpoint (kube-proxy's kubeconfig names the API load balancer).
 */
export function podNeeds(p: PodModel, extra: string[] = [], servicesProvider?: string): PodNeed[] {
  const needs: PodNeed[] = [];
  if (!p.hostNetwork) needs.push({ kind: "podNetwork" });
  const dns = needsClusterDns(p.hostNetwork, p.dnsPolicy);
  if (dns) needs.push({ kind: "clusterDns", dnsPolicy: p.dnsPolicy });
  if (p.id !== servicesProvider) {
    if (reachesApiThroughService(p)) needs.push({ kind: "services", why: "api" });
    else if (dns) needs.push({ kind: "services", why: "dns" });
  }
  for (const id of extra) needs.push({ kind: "workload", id });
  return needs;
}
