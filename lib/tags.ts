/** Tags every kubestead resource carries: ownership, role (policies and reports key on it) and the user's own. */
import { ClusterConfig } from "./config/types";

export type Role =
  "etcd" | "controlplane" | "worker" | "api-lb" | "network" | "backup" | "pki" | "addons" | "pod-identity" | "logs" | "node-termination";

export function roleTags(
  c: Pick<ClusterConfig, "name" | "tags">,
  role: Role,
  name?: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...c.tags,
    ...(name ? { Name: name } : {}),
    "kubestead.io/cluster": c.name,
    "kubestead.io/role": role,
    ...extra,
  };
}

/** Marks the apiserver's encryption-at-rest key, which policy node-role-boundaries checks (only the control plane uses it). */
export const ENCRYPTION_AT_REST_TAG = { "kubestead.io/purpose": "encryption-at-rest" } as const;

/** The tag the AWS cloud-controller-manager uses to find the cluster's subnets and instances. */
export function clusterTag(cluster: string, owned: boolean): Record<string, string> {
  return { [`kubernetes.io/cluster/${cluster}`]: owned ? "owned" : "shared" };
}

/** Auto scaling group tags are a list with propagateAtLaunch, not a map. */
export function asgTags(tags: Record<string, string>): { key: string; value: string; propagateAtLaunch: boolean }[] {
  return Object.entries(tags)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
}
