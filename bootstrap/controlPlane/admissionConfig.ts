/**
 * AdmissionConfiguration for the plugins that need one. Only EventRateLimit (CIS 1.2.9): a node or
 * controller in a crash loop can emit events fast enough to load etcd; the plugin answers 429 to
 * the excess. Events are diagnostics, so dropping some under a flood is the right trade.
 *
 * Limits are per namespace and per user, with no server-wide bucket: one noisy tenant or kubelet
 * is throttled without starving the rest of the cluster's events.
 * https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#eventratelimit
 */
import { stringify } from "yaml";

export const EVENT_RATE_LIMITS = [
  { type: "Namespace", qps: 50, burst: 100, cacheSize: 2000 },
  { type: "User", qps: 10, burst: 50, cacheSize: 2000 },
];

export function admissionConfig(): object {
  return {
    apiVersion: "apiserver.config.k8s.io/v1",
    kind: "AdmissionConfiguration",
    plugins: [
      {
        name: "EventRateLimit",
        // Embedded rather than a separate file: one file fewer to ship and mount.
        configuration: {
          apiVersion: "eventratelimit.admission.k8s.io/v1alpha1",
          kind: "Configuration",
          limits: EVENT_RATE_LIMITS,
        },
      },
    ],
  };
}

export function renderAdmissionConfig(): string {
  return stringify(admissionConfig(), { lineWidth: 0 });
}
