/**
 * Builds the providers table from workload names, so a caller need not spell out
 * namespace/Kind/name ids. The solver itself takes any table (solve.ts).
 */
import { isWorkload, workloadId } from "./pods";
import type { Capability, Providers, Workload } from "./types";

/** Workload name (metadata.name) providing each capability. */
export type ProviderNames = Record<Capability, string>;

/** kubestead's add-ons (bootstrap/addons): the AWS CCM, Cilium, CoreDNS, kube-proxy. */
export const KUBESTEAD_PROVIDER_NAMES: ProviderNames = {
  cloudNodeInit: "aws-cloud-controller-manager",
  cni: "cilium",
  clusterDns: "coredns",
  services: "kube-proxy",
};

/** The Cilium agent waits for the CRDs its operator registers. */
export const KUBESTEAD_EXTRA_NEEDS: Record<string, string[]> = { cilium: ["cilium-operator"] };

/**
 * Resolves names to workload ids. A name must match exactly one DaemonSet/Deployment/StatefulSet
 * (any namespace); throws one error listing every name that matches none or several.
 * `needs`: workload name → names it waits for.
 */
export function providersByName(
  workloads: Workload[],
  names: ProviderNames = KUBESTEAD_PROVIDER_NAMES,
  needs: Record<string, string[]> = KUBESTEAD_EXTRA_NEEDS,
): Providers {
  const problems: string[] = [];
  const resolve = (name: string, what: string): string => {
    const ids = [
      ...new Set(workloads.filter((w) => isWorkload(w.object) && w.object.metadata.name === name).map((w) => workloadId(w.object))),
    ];
    if (ids.length === 1) return ids[0];
    problems.push(
      ids.length === 0
        ? `${what}: no DaemonSet, Deployment or StatefulSet is named ${name}`
        : `${what}: ${name} names several workloads (${ids.join(", ")}); pass ids instead`,
    );
    return name;
  };
  const table = {
    cloudNodeInit: resolve(names.cloudNodeInit, "cloudNodeInit"),
    cni: resolve(names.cni, "cni"),
    clusterDns: resolve(names.clusterDns, "clusterDns"),
    services: resolve(names.services, "services"),
  };
  const resolvedNeeds: Record<string, string[]> = {};
  for (const [name, list] of Object.entries(needs)) {
    resolvedNeeds[resolve(name, "needs")] = list.map((n) => resolve(n, `needs of ${name}`));
  }
  if (problems.length > 0) throw new Error(`cannot build the bring-up providers table:\n- ${problems.join("\n- ")}`);
  return { ...table, needs: resolvedNeeds };
}
