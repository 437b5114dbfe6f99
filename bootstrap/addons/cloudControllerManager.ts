/**
 * The AWS cloud-controller-manager: initialises nodes (addresses, providerID, zone labels, removes
 * the uninitialized taint), deletes Nodes whose instances are gone, and runs LoadBalancer Services.
 * One pod per control-plane node on the host network (it must run before any CNI is ready),
 * leader-elected. https://github.com/kubernetes/cloud-provider-aws
 *
 * Controllers: all defaults except `route`. Cilium runs in tunnel mode with podCIDRs allocated by
 * kube-controller-manager (--allocate-node-cidrs), so nothing writes VPC routes and the CCM
 * allocates no CIDRs (--allocate-node-cidrs=false, --configure-cloud-routes=false). We do not list
 * `-nodeipam`: the AWS CCM only knows that controller in some releases, and an unknown name in
 * --controllers stops it from starting.
 *
 * The CCM finds its cluster's resources by the tag kubernetes.io/cluster/<cluster-name>; instances,
 * subnets and security groups need it (see the report for the lead).
 */
import {
  binding,
  CONTROL_PLANE_SELECTOR,
  CONTROL_PLANE_TOLERATION,
  K8sObject,
  KUBE_SYSTEM,
  requireCidr,
  requireClusterName,
  requireVersion,
  serviceAccount,
  requireRegion,
} from "./objects";

export interface CloudControllerManagerArgs {
  /** provider-aws cloud-controller-manager release without the v, e.g. "1.33.0". */
  version: string;
  clusterName: string;
  /** Pod network (--cluster-cidr). */
  podCidr: string;
  region: string;
  /** Extra flags without "--" (e.g. { v: "4" }); override the defaults by name. */
  extraArgs?: Record<string, string>;
}

const NAME = "aws-cloud-controller-manager";
const SA = "cloud-controller-manager";
const LABELS = { "k8s-app": NAME };
/** ServiceAccounts the CCM mints tokens for under --use-service-account-credentials. */
const CONTROLLER_ACCOUNTS = ["node-controller", "service-controller", "route-controller", "tagging-controller", "aws-cloud-provider"];
const RBAC = "rbac.authorization.k8s.io/v1";

export function cloudControllerManagerArgs(a: CloudControllerManagerArgs): string[] {
  const flags: Record<string, string> = {
    "cloud-provider": "aws",
    controllers: "*,-route",
    "allocate-node-cidrs": "false",
    "configure-cloud-routes": "false",
    "cluster-cidr": a.podCidr,
    "cluster-name": a.clusterName,
    "leader-elect": "true",
    // Each controller acts as its own ServiceAccount: audit logs say which one did what.
    "use-service-account-credentials": "true",
    // Host network: serve health and metrics on loopback only.
    "bind-address": "127.0.0.1",
    "secure-port": "10258",
    v: "2",
    ...(a.extraArgs ?? {}),
  };
  return Object.entries(flags).map(([k, v]) => `--${k}=${v}`);
}

export function cloudControllerManagerObjects(a: CloudControllerManagerArgs): K8sObject[] {
  requireVersion("cloud-controller-manager", a.version);
  requireClusterName(a.clusterName);
  requireCidr("cloud-controller-manager --cluster-cidr (kubernetes.podCidr)", a.podCidr);
  requireRegion("cloud-controller-manager", a.region);
  const subject = [serviceAccount(SA)];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: SA, namespace: KUBE_SYSTEM } },
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "system:cloud-controller-manager" },
      rules: [
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
        { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "update", "patch", "delete"] },
        { apiGroups: [""], resources: ["nodes/status"], verbs: ["patch", "update"] },
        { apiGroups: [""], resources: ["services"], verbs: ["get", "list", "watch", "patch", "update"] },
        { apiGroups: [""], resources: ["services/status"], verbs: ["patch", "update"] },
        { apiGroups: [""], resources: ["persistentvolumes"], verbs: ["get", "list", "watch", "update"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update"] },
      ],
    },
    binding("system:cloud-controller-manager", "system:cloud-controller-manager", subject),
    // Delegated authentication/authorization of requests to its secure port.
    binding("system:cloud-controller-manager:auth-delegator", "system:auth-delegator", subject),
    binding("cloud-controller-manager:apiserver-authentication-reader", "extension-apiserver-authentication-reader", subject, KUBE_SYSTEM),
    // Tokens for the per-controller accounts, and nothing else in kube-system.
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: { name: "system:cloud-controller-manager:controller-credentials", namespace: KUBE_SYSTEM },
      rules: [
        { apiGroups: [""], resources: ["serviceaccounts"], resourceNames: CONTROLLER_ACCOUNTS, verbs: ["get"] },
        // create cannot be limited by name; the client builder creates a missing account.
        { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["create"] },
        { apiGroups: [""], resources: ["serviceaccounts/token"], resourceNames: CONTROLLER_ACCOUNTS, verbs: ["create"] },
      ],
    },
    binding(
      "system:cloud-controller-manager:controller-credentials",
      "system:cloud-controller-manager:controller-credentials",
      subject,
      KUBE_SYSTEM,
    ),
    // node-, service- and route-controller have the apiserver's bootstrap roles
    // (system:controller:*); the two AWS-specific accounts get theirs here.
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "system:cloud-controller-manager:aws-controllers" },
      rules: [
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch", "patch", "update"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch", "update"] },
        { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "patch", "update"] },
      ],
    },
    binding("system:cloud-controller-manager:aws-controllers", "system:cloud-controller-manager:aws-controllers", [
      serviceAccount("tagging-controller"),
      serviceAccount("aws-cloud-provider"),
    ]),
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        selector: { matchLabels: LABELS },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels: LABELS },
          spec: {
            nodeSelector: CONTROL_PLANE_SELECTOR,
            tolerations: [
              CONTROL_PLANE_TOLERATION,
              // It is what removes this taint, so it must run despite it.
              { key: "node.cloudprovider.kubernetes.io/uninitialized", operator: "Exists", effect: "NoSchedule" },
              // Nodes stay NotReady until the CNI runs, and the CNI waits for initialised nodes.
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoSchedule" },
              { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
            ],
            priorityClassName: "system-node-critical",
            hostNetwork: true,
            // The node's own resolver: the CCM must reach the EC2 endpoint before cluster DNS exists,
            // and CoreDNS cannot schedule until the CCM has initialised a node. ClusterFirstWithHostNet
            // would make CoreDNS its only resolver: a circular wait at cold start.
            dnsPolicy: "Default",
            serviceAccountName: SA,
            containers: [
              {
                name: "aws-cloud-controller-manager",
                image: `registry.k8s.io/provider-aws/cloud-controller-manager:v${a.version}`,
                args: cloudControllerManagerArgs(a),
                env: [{ name: "AWS_REGION", value: a.region }],
                resources: { requests: { cpu: "200m", memory: "128Mi" } },
                securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
                livenessProbe: {
                  httpGet: { host: "127.0.0.1", path: "/healthz", port: 10258, scheme: "HTTPS" },
                  initialDelaySeconds: 20,
                  periodSeconds: 10,
                  failureThreshold: 6,
                },
              },
            ],
          },
        },
      },
    },
  ];
}
