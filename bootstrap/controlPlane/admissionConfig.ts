/**
 * AdmissionConfiguration for the plugins that need one.
 *
 * EventRateLimit (CIS 1.2.9): a node or controller in a crash loop can emit events fast enough to
 * load etcd; the plugin answers 429 to the excess. Events are diagnostics, so dropping some under a
 * flood is the right trade. Limits are per namespace and per user, with no server-wide bucket: one
 * noisy tenant or kubelet is throttled without starving the rest of the cluster's events.
 * https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#eventratelimit
 *
 * PodSecurity (on by default in the apiserver; this sets its cluster-wide defaults): enforce
 * baseline, warn and audit restricted, kube-system exempt.
 * https://kubernetes.io/docs/tasks/configure-pod-container/enforce-standards-admission-controller/
 *
 * What that means for workloads:
 * - kube-system is exempt: every add-on kubestead applies runs there (Cilium, kube-proxy, the CSI
 *   node plugin and the CCM need host networking, host paths, privileged containers or added
 *   capabilities, all of which baseline rejects). Anything placed in kube-system is unchecked, so
 *   write access to it is cluster-admin in all but name.
 * - Pods in every other namespace must meet baseline or are rejected: no privileged containers, no
 *   hostNetwork/hostPID/hostIPC, no hostPath volumes or hostPorts, no added capabilities beyond the
 *   runtime's default set minus NET_RAW (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL,
 *   MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT), no Unconfined
 *   seccomp/AppArmor, no custom SELinux users or roles, no unsafe sysctls or /proc mount. Meeting restricted as well
 *   (runAsNonRoot, allowPrivilegeEscalation: false, capabilities dropped to ALL, seccomp
 *   RuntimeDefault, only restricted volume types) silences the warnings; examples/workloads does.
 * - A namespace labelled pod-security.kubernetes.io/enforce=<level> overrides the default, so who
 *   may label namespaces is part of this control (RBAC: update on namespaces).
 * Versions are "latest": the configuration is rendered for the node's own Kubernetes release, so
 * an upgrade replaces control-plane nodes and re-renders this file anyway.
 */
import { stringify } from "yaml";
import type { PodSecurityConfig, PodSecurityLevel } from "../../lib/config/types";

export const EVENT_RATE_LIMITS = [
  { type: "Namespace", qps: 50, burst: 100, cacheSize: 2000 },
  { type: "User", qps: 10, burst: 50, cacheSize: 2000 },
];

/** The Pod Security Standards levels, weakest first. */
export const POD_SECURITY_LEVELS: readonly PodSecurityLevel[] = ["privileged", "baseline", "restricted"];

export const DEFAULT_POD_SECURITY: PodSecurityConfig = {
  enforce: "baseline",
  warn: "restricted",
  audit: "restricted",
  exemptNamespaces: ["kube-system"],
};

/** The PodSecurity plugin's configuration (pod-security.admission.config.k8s.io/v1, 1.25+). */
export function podSecurityConfiguration(ps: PodSecurityConfig): object {
  for (const level of [ps.enforce, ps.warn, ps.audit]) {
    if (!POD_SECURITY_LEVELS.includes(level)) {
      throw new Error(
        `pod security level must be one of ${POD_SECURITY_LEVELS.join(", ")} (got ${JSON.stringify(level)}): set controlPlane.podSecurity`,
      );
    }
  }
  if (!ps.exemptNamespaces.includes("kube-system")) {
    throw new Error(
      "pod security exemptNamespaces must include kube-system, where the add-ons run with host access: add it to controlPlane.podSecurity.exemptNamespaces",
    );
  }
  return {
    apiVersion: "pod-security.admission.config.k8s.io/v1",
    kind: "PodSecurityConfiguration",
    defaults: {
      enforce: ps.enforce,
      "enforce-version": "latest",
      audit: ps.audit,
      "audit-version": "latest",
      warn: ps.warn,
      "warn-version": "latest",
    },
    // No exempt users or runtime classes: either would let a pod skip the check in any namespace.
    exemptions: { usernames: [], runtimeClasses: [], namespaces: [...new Set(ps.exemptNamespaces)].sort() },
  };
}

export function admissionConfig(ps: PodSecurityConfig = DEFAULT_POD_SECURITY): object {
  return {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AdmissionConfiguration",
    // Embedded rather than separate files: fewer files to ship and mount.
    plugins: [
      {
        name: "EventRateLimit",
        configuration: {
          apiVersion: "eventratelimit.admission.k8s.io/v1alpha1",
          kind: "Configuration",
          limits: EVENT_RATE_LIMITS,
        },
      },
      { name: "PodSecurity", configuration: podSecurityConfiguration(ps) },
    ],
  };
}

export function renderAdmissionConfig(ps: PodSecurityConfig = DEFAULT_POD_SECURITY): string {
  return stringify(admissionConfig(ps), { lineWidth: 0 });
}
