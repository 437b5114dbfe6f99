/** kubestead:addons — which add-ons run and their releases. */
import { CLOUD_CONTROLLER_MANAGER_RELEASES } from "../releases";
import { DEFAULTS } from "./defaults";
import { Raw, Reader, unset } from "./reader";
import { NAMESPACE, SEMVER } from "./patterns";
import { AddonsConfig } from "./types";

export function readAddons(r: Reader, a: Raw, kubernetesVersion: string): AddonsConfig {
  const p = "addons";
  r.unknownKeys(a, p, [
    "clusterAutoscaler",
    "metricsServer",
    "ebsCsiDriver",
    "ciliumVersion",
    "corednsVersion",
    "cloudControllerManagerVersion",
    "clusterAutoscalerVersion",
    "csrApproverVersion",
    "metricsServerVersion",
    "ebsCsiDriverVersion",
    "nodeTerminationHandler",
    "nodeTerminationHandlerVersion",
    ...Object.keys(RENAMED_ADDON_KEYS),
  ]);
  for (const [old, now] of Object.entries(RENAMED_ADDON_KEYS)) {
    if (a[old] !== undefined) {
      r.problem(
        `${p}.${old}`,
        "is gone: add-ons are rendered as manifests here and applied by the control plane, not installed from Helm charts",
        a[old],
        `set ${NAMESPACE}:${p}.${now} to the add-on's release (image tag without v) instead`,
      );
    }
  }
  const ver = (field: string, def: string | undefined, fix = `pin a release, e.g. ${def}`) =>
    r.string(a, field, p, def, { re: SEMVER, rule: "must be a release like 1.2.3 (no leading v)", fix });
  // The Cluster Autoscaler and the AWS cloud-controller-manager release one line per Kubernetes
  // minor (1.35.x for 1.35) and support only their own.
  const k8sMinor = SEMVER.test(kubernetesVersion) ? kubernetesVersion.split(".").slice(0, 2).join(".") : undefined;
  const sameMinor = (field: string, def: string | undefined, what: string): string => {
    if (unset(a[field]) && def === undefined) {
      if (k8sMinor && !r.failed("kubernetes.version")) {
        r.problem(
          `${p}.${field}`,
          `is required: no release of ${what} for Kubernetes ${k8sMinor} is known here`,
          a[field],
          `set ${NAMESPACE}:${p}.${field} to its ${k8sMinor}.x release`,
        );
      }
      return "";
    }
    // With no default there is no release to name: the minor's own line, when it is one kubestead takes.
    const value =
      def !== undefined
        ? ver(field, def)
        : ver(
            field,
            undefined,
            k8sMinor && !r.failed("kubernetes.version")
              ? `use a ${k8sMinor}.x release, without the leading v`
              : "pin a release like 1.2.3, without the leading v",
          );
    if (!k8sMinor || r.failed("kubernetes.version")) return value;
    if (SEMVER.test(value) && !value.startsWith(`${k8sMinor}.`)) {
      r.problem(
        `${p}.${field}`,
        `must be a release of the Kubernetes minor (${k8sMinor}): ${what} supports only its own minor`,
        value,
        def ? `use ${def}, or leave it out` : `use a ${k8sMinor}.x release`,
      );
    }
    return value;
  };
  const minor = k8sMinor ? Number(k8sMinor.split(".")[1]) : undefined;
  const clusterAutoscalerVersion = sameMinor("clusterAutoscalerVersion", k8sMinor ? `${k8sMinor}.0` : undefined, "the Cluster Autoscaler");
  const cloudControllerManagerVersion = sameMinor(
    "cloudControllerManagerVersion",
    minor !== undefined ? CLOUD_CONTROLLER_MANAGER_RELEASES[minor] : undefined,
    "the AWS cloud-controller-manager",
  );
  return {
    clusterAutoscaler: r.bool(a, "clusterAutoscaler", p, false),
    metricsServer: r.bool(a, "metricsServer", p, true),
    ebsCsiDriver: r.bool(a, "ebsCsiDriver", p, false),
    ciliumVersion: ver("ciliumVersion", DEFAULTS.ciliumVersion),
    corednsVersion: ver("corednsVersion", DEFAULTS.corednsVersion),
    cloudControllerManagerVersion,
    clusterAutoscalerVersion,
    csrApproverVersion: ver("csrApproverVersion", DEFAULTS.csrApproverVersion),
    metricsServerVersion: ver("metricsServerVersion", DEFAULTS.metricsServerVersion),
    ebsCsiDriverVersion: ver("ebsCsiDriverVersion", DEFAULTS.ebsCsiDriverVersion),
    // On by default: without it nothing drains a node an instance refresh, a scale-in or a spot
    // interruption terminates (its pods are killed, not evicted, and PodDisruptionBudgets are ignored).
    nodeTerminationHandler: r.bool(a, "nodeTerminationHandler", p, true),
    nodeTerminationHandlerVersion: ver("nodeTerminationHandlerVersion", DEFAULTS.nodeTerminationHandlerVersion),
  };
}

/** Keys of the Helm-chart era and the keys that replaced them. */
const RENAMED_ADDON_KEYS = {
  csrApproverChartVersion: "csrApproverVersion",
  metricsServerChartVersion: "metricsServerVersion",
  clusterAutoscalerChartVersion: "clusterAutoscalerVersion",
  ebsCsiDriverChartVersion: "ebsCsiDriverVersion",
} satisfies Record<string, keyof AddonsConfig>;
