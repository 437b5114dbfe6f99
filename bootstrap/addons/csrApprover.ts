/**
 * Approver for kubelet serving certificates. With serverTLSBootstrap the kubelet requests its
 * serving certificate through a CSR (signer kubernetes.io/kubelet-serving) that nothing in
 * Kubernetes approves on its own: until one is approved, `kubectl logs/exec` and metrics-server
 * cannot talk to that kubelet.
 *
 * Choice: postfinance/kubelet-csr-approver. It is small, actively maintained, and approves only
 * CSRs whose names match a regex and whose IPs fall in given prefixes (and whose DNS names resolve
 * to those IPs) — i.e. only what an EC2 node in our VPC could legitimately claim. Writing our own
 * approver would be more code to keep secure; approving by hand does not survive an autoscaling
 * group. Its image lives on ghcr.io (multi-arch), not registry.k8s.io.
 * https://github.com/postfinance/kubelet-csr-approver
 *
 * Rendered here as typed objects rather than installed from its Helm chart: every object is
 * reviewed in the PR diff, schema-validated, and checked by the bring-up solver, and nodes need
 * neither Helm nor a chart download.
 *
 * It runs on the pod network with the default dnsPolicy (ClusterFirst): it resolves the DNS names
 * in each CSR through cluster DNS (which forwards to the VPC resolver), so it needs the CNI and
 * CoreDNS up, and approves nothing before them.
 */
import {
  binding,
  CONTROL_PLANE_SELECTOR,
  CONTROL_PLANE_TOLERATION,
  K8sObject,
  KUBE_SYSTEM,
  requireCidr,
  requireVersion,
  serviceAccount,
  requireRegion,
} from "./objects";

export interface CsrApproverArgs {
  /** kubelet-csr-approver release without the v, e.g. "1.2.15" (the image tag, not a chart version). */
  version: string;
  /** AWS region: only this region's EC2 private DNS names are approved. */
  region: string;
  /**
   * Every IPv4 block of the VPC, the primary first: the only addresses a kubelet-serving
   * certificate may name (nodes of an adopted VPC may sit in a secondary block).
   */
  vpcCidrs: string[];
}

const NAME = "kubelet-csr-approver";
const LABELS = { "app.kubernetes.io/name": NAME };
const RBAC = "rbac.authorization.k8s.io/v1";
/** Serving certificates live at most 366 days, like our other leaves; kubelets rotate before. */
const MAX_EXPIRATION_SECONDS = 31622400;

/** EC2 private DNS names: ip-10-0-1-2.<region>.compute.internal (ec2.internal in us-east-1). */
export function ec2PrivateDnsRegex(region: string): string {
  const domain = region === "us-east-1" ? "ec2\\.internal" : `${region}\\.compute\\.internal`;
  return `^ip-(\\d{1,3}-){3}\\d{1,3}\\.${domain}$`;
}

/** The approver's flags (Go flag syntax; each is also readable from an env var, we use flags only). */
export function csrApproverArgs(a: CsrApproverArgs): string[] {
  return [
    `--provider-regex=${ec2PrivateDnsRegex(a.region)}`,
    // A comma-separated list (the upstream chart joins providerIpPrefixes the same way).
    `--provider-ip-prefixes=${a.vpcCidrs.join(",")}`,
    `--max-expiration-sec=${MAX_EXPIRATION_SECONDS}`,
    // DNS checks stay on: the approver resolves each name and compares it with the CSR's IPs.
    "--bypass-dns-resolution=false",
    // Two replicas, one active.
    "--leader-election=true",
    "--metrics-bind-address=:8080",
    "--health-probe-bind-address=:8081",
  ];
}

export function csrApproverObjects(a: CsrApproverArgs): K8sObject[] {
  requireVersion("kubelet-csr-approver", a.version);
  requireRegion("kubelet-csr-approver", a.region);
  if (a.vpcCidrs.length === 0) throw new Error("kubelet-csr-approver --provider-ip-prefixes needs the VPC's CIDR blocks: got none");
  for (const cidr of a.vpcCidrs) requireCidr("kubelet-csr-approver --provider-ip-prefixes (the VPC's CIDR blocks)", cidr);
  const subject = [serviceAccount(NAME)];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS } },
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: NAME, labels: LABELS },
      rules: [
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests/approval"], verbs: ["update"] },
        // Approving also needs `approve` on the signer: kubelet-serving only, never kube-apiserver-client.
        {
          apiGroups: ["certificates.k8s.io"],
          resources: ["signers"],
          resourceNames: ["kubernetes.io/kubelet-serving"],
          verbs: ["approve"],
        },
      ],
    },
    binding(NAME, NAME, subject),
    // Leader election (controller-runtime, a Lease named after the binary in its own namespace)
    // and the events it records; nothing else in kube-system.
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: { name: `${NAME}:leader-election`, namespace: KUBE_SYSTEM, labels: LABELS },
      rules: [
        // create cannot be limited by name.
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [NAME], verbs: ["get", "update"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
      ],
    },
    binding(`${NAME}:leader-election`, `${NAME}:leader-election`, subject, KUBE_SYSTEM),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        replicas: 2,
        selector: { matchLabels: LABELS },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            // New nodes' logs, exec and metrics wait on it.
            priorityClassName: "system-cluster-critical",
            nodeSelector: CONTROL_PLANE_SELECTOR,
            tolerations: [CONTROL_PLANE_TOLERATION],
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: LABELS } } },
                ],
              },
            },
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: NAME,
                image: `ghcr.io/postfinance/kubelet-csr-approver:v${a.version}`,
                args: csrApproverArgs(a),
                ports: [
                  { name: "metrics", containerPort: 8080, protocol: "TCP" },
                  { name: "health", containerPort: 8081, protocol: "TCP" },
                ],
                livenessProbe: { httpGet: { path: "/healthz", port: "health" }, periodSeconds: 10, failureThreshold: 3 },
                resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ["ALL"] },
                },
              },
            ],
          },
        },
      },
    },
  ];
}
