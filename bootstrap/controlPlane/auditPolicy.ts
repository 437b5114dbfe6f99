/**
 * The apiserver's audit policy. Rules are evaluated in order and the first match wins, so the
 * order below is the policy:
 *
 * 1. Health and version probes: not logged (one every second per probe, per apiserver).
 * 2. Events: not logged; they are themselves a record, and the busiest write in a cluster.
 * 3. Secrets, configmaps, service-account tokens, token reviews: Metadata only, for every user.
 *    Their bodies are credentials; logging them at Request/RequestResponse would copy secrets into
 *    the log. This rule sits before any body-logging rule so nothing later can override it.
 * 4. Read-only noise from kubelets and kube-proxy, and leader-election/node-lease renewals: not
 *    logged (thousands per minute, no security value; writes by nodes are still logged).
 * 5. RBAC changes: RequestResponse, the full before/after of who was granted what.
 * 6. Everything else: Metadata (who did what to which object, when, from where).
 *
 * The RequestReceived stage is omitted everywhere: ResponseComplete carries the same data.
 * https://kubernetes.io/docs/tasks/debug/debug-cluster/audit/
 */
import { stringify } from "yaml";

const READ = ["get", "list", "watch"];
const WRITE = ["create", "update", "patch", "delete", "deletecollection"];

export const SENSITIVE_RESOURCES = [
  { group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] },
  { group: "authentication.k8s.io", resources: ["tokenreviews"] },
];

export function auditPolicy(): object {
  return {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    omitStages: ["RequestReceived"],
    rules: [
      { level: "None", nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version"] },
      {
        level: "None",
        resources: [
          { group: "", resources: ["events"] },
          { group: "events.k8s.io", resources: ["events"] },
        ],
      },
      { level: "Metadata", resources: SENSITIVE_RESOURCES },
      { level: "None", userGroups: ["system:nodes"], verbs: READ },
      { level: "None", users: ["system:kube-proxy"], verbs: ["watch"] },
      {
        level: "None",
        users: ["system:kube-controller-manager", "system:kube-scheduler"],
        verbs: ["get", "update"],
        namespaces: ["kube-system"],
        resources: [{ group: "coordination.k8s.io", resources: ["leases"] }],
      },
      {
        level: "None",
        userGroups: ["system:nodes"],
        verbs: ["get", "update"],
        namespaces: ["kube-node-lease"],
        resources: [{ group: "coordination.k8s.io", resources: ["leases"] }],
      },
      { level: "RequestResponse", verbs: WRITE, resources: [{ group: "rbac.authorization.k8s.io" }] },
      { level: "Metadata" },
    ],
  };
}

export function renderAuditPolicy(): string {
  return stringify(auditPolicy(), { lineWidth: 0 });
}
