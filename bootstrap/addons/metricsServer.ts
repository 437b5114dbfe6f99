/**
 * metrics-server (image registry.k8s.io/metrics-server/metrics-server), the metrics.k8s.io API
 * behind `kubectl top` and the HorizontalPodAutoscaler. Kubelets serve certificates signed by the
 * cluster CA (serverTLSBootstrap + the CSR approver), so metrics-server verifies them with the
 * in-cluster CA: no --kubelet-insecure-tls.
 * https://github.com/kubernetes-sigs/metrics-server
 *
 * Rendered here as typed objects rather than installed from its Helm chart: every object is
 * reviewed in the PR diff, schema-validated, and checked by the bring-up solver, and nodes need
 * neither Helm nor a chart download. The objects follow upstream's HA manifest.
 */
import { binding, K8sObject, KUBE_SYSTEM, requireVersion, serviceAccount, SYSTEM_POOL_AFFINITY, SYSTEM_TOLERATIONS } from "./objects";

export interface MetricsServerArgs {
  /** metrics-server release without the v, e.g. "0.8.0". */
  version: string;
}

const NAME = "metrics-server";
const LABELS = { "app.kubernetes.io/name": NAME };
const RBAC = "rbac.authorization.k8s.io/v1";
/** Upstream's port; no clash with the kubelet's 10250, the pod has its own network namespace. */
const SECURE_PORT = 10250;

export function metricsServerArgs(): string[] {
  return [
    `--secure-port=${SECURE_PORT}`,
    // Its self-signed serving certificate goes to the writable emptyDir.
    "--cert-dir=/tmp",
    // Serving certificates carry the node's IPs; InternalIP avoids DNS for node names.
    "--kubelet-preferred-address-types=InternalIP,InternalDNS,Hostname",
    "--kubelet-use-node-status-port",
    "--metric-resolution=15s",
  ];
}

export function metricsServerObjects(a: MetricsServerArgs): K8sObject[] {
  requireVersion("metrics-server", a.version);
  const subject = [serviceAccount(NAME)];
  const spread = (topologyKey: string) => ({
    maxSkew: 1,
    topologyKey,
    // A one-zone (or one-node) cluster still gets both replicas.
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: LABELS },
  });
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS } },
    // Read access to the metrics API for every admin, edit and view role.
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: {
        name: "system:aggregated-metrics-reader",
        labels: {
          ...LABELS,
          "rbac.authorization.k8s.io/aggregate-to-admin": "true",
          "rbac.authorization.k8s.io/aggregate-to-edit": "true",
          "rbac.authorization.k8s.io/aggregate-to-view": "true",
        },
      },
      rules: [{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }],
    },
    // What metrics-server itself reads: the kubelets' metrics endpoint and the objects it reports on.
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "system:metrics-server", labels: LABELS },
      rules: [
        { apiGroups: [""], resources: ["nodes/metrics"], verbs: ["get"] },
        { apiGroups: [""], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] },
      ],
    },
    binding("system:metrics-server", "system:metrics-server", subject),
    // An aggregated API server: it delegates authentication and authorization of its callers to
    // the apiserver, and reads the front-proxy CA from kube-system's extension-apiserver-authentication.
    binding("metrics-server:system:auth-delegator", "system:auth-delegator", subject),
    binding("metrics-server-auth-reader", "extension-apiserver-authentication-reader", subject, KUBE_SYSTEM),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        selector: LABELS,
        ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: "https", appProtocol: "https" }],
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        replicas: 2,
        selector: { matchLabels: LABELS },
        // Surge rather than drop a replica: the metrics API stays served through a rollout.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            priorityClassName: "system-cluster-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            tolerations: SYSTEM_TOLERATIONS,
            affinity: SYSTEM_POOL_AFFINITY,
            topologySpreadConstraints: [spread("topology.kubernetes.io/zone"), spread("kubernetes.io/hostname")],
            securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: NAME,
                image: `registry.k8s.io/metrics-server/metrics-server:v${a.version}`,
                args: metricsServerArgs(),
                ports: [{ name: "https", containerPort: SECURE_PORT, protocol: "TCP" }],
                livenessProbe: { httpGet: { path: "/livez", port: "https", scheme: "HTTPS" }, periodSeconds: 10, failureThreshold: 3 },
                readinessProbe: {
                  httpGet: { path: "/readyz", port: "https", scheme: "HTTPS" },
                  initialDelaySeconds: 20,
                  periodSeconds: 10,
                  failureThreshold: 3,
                },
                resources: { requests: { cpu: "100m", memory: "200Mi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      spec: { minAvailable: 1, selector: { matchLabels: LABELS } },
    },
    {
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta1.metrics.k8s.io", labels: LABELS },
      spec: {
        group: "metrics.k8s.io",
        version: "v1beta1",
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name: NAME, namespace: KUBE_SYSTEM, port: 443 },
        // As upstream does: metrics-server serves a self-signed certificate it generates at start
        // (--cert-dir), so there is no CA to pin here. The hop is apiserver → Service inside the
        // cluster; issuing it a CA-signed certificate would need a Secret and rotation we do not run.
        insecureSkipTLSVerify: true,
      },
    },
  ];
}
