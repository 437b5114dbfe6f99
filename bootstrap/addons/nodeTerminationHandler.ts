/**
 * aws-node-termination-handler in queue mode (image public.ecr.aws/aws-ec2/aws-node-termination-handler):
 * reads the cluster's termination queue (lib/nodeTermination.ts), cordons and drains the node an
 * event names, and completes the Auto Scaling lifecycle action so the instance goes only after
 * its pods. https://github.com/aws/aws-node-termination-handler
 *
 * One replica on the control-plane nodes, like the Cluster Autoscaler: a worker it drains is never
 * its own, and its credential is its pod role (awsCredentials.ts). When it drains the node it runs
 * on (a control-plane refresh), it is evicted with the rest and rescheduled on another
 * control-plane node; the message it had not deleted becomes visible again and the new pod
 * finishes the drain. With one control-plane node (dev) it cannot: that node's hook times out and
 * the default result (CONTINUE) lets the termination go on.
 *
 * Rendered as typed objects after the project's Helm chart's queue-mode Deployment, so every
 * object is schema-validated and checked by the bring-up solver.
 */
import { DRAIN_GRACE_SECONDS, managedTag } from "../../lib/nodeTermination";
import { requireRoleArn, webIdentityEnv, webIdentityMount, webIdentityPodSecurity, webIdentityVolume } from "./awsCredentials";
import {
  binding,
  CONTROL_PLANE_SELECTOR,
  CONTROL_PLANE_TOLERATION,
  HARDENED_CONTAINER,
  K8sObject,
  KUBE_SYSTEM,
  requireClusterName,
  requireRegion,
  requireVersion,
  serviceAccount,
} from "./objects";

export interface NodeTerminationHandlerArgs {
  /** Release without the v, e.g. "1.25.3". */
  version: string;
  clusterName: string;
  region: string;
  /** https://sqs.<region>.<dnsSuffix>/<account>/<cluster>-node-termination (lib/nodeTermination.ts queueUrl). */
  queueUrl: string;
  /** ARN of its pod role, trusted for kube-system/aws-node-termination-handler only. */
  roleArn: string;
}

const NAME = "aws-node-termination-handler";
/** Its service account, the `sub` its pod role trusts. */
export const NODE_TERMINATION_HANDLER_SERVICE_ACCOUNT = NAME;
const LABELS = { "app.kubernetes.io/name": NAME };
const PROBE_PORT = 8080;

/** The handler's settings (environment variables it reads), without the AWS credential ones. */
export function nodeTerminationHandlerEnv(
  a: Pick<NodeTerminationHandlerArgs, "clusterName" | "queueUrl">,
): { name: string; value: string }[] {
  return [
    { name: "ENABLE_SQS_TERMINATION_DRAINING", value: "true" },
    { name: "QUEUE_URL", value: a.queueUrl },
    // Only instances of this cluster: the EC2 rules forward every instance of the account.
    { name: "CHECK_TAG_BEFORE_DRAINING", value: "true" },
    { name: "MANAGED_TAG", value: managedTag(a.clusterName) },
    // Older releases' names for the same setting, deprecated but still read (and defaulting to true
    // with another tag): set alike, so no release looks for a tag the nodes don't carry.
    { name: "CHECK_ASG_TAG_BEFORE_DRAINING", value: "true" },
    { name: "MANAGED_ASG_TAG", value: managedTag(a.clusterName) },
    // Nodes are found by spec.providerID (set by the cloud-controller-manager), not by guessing
    // the node name from the instance's private DNS name.
    { name: "USE_PROVIDER_ID", value: "true" },
    // A message for an instance that never became a node (a failed boot) is dropped, not retried.
    { name: "DELETE_SQS_MSG_IF_NODE_NOT_FOUND", value: "true" },
    { name: "DELETE_LOCAL_DATA", value: "true" },
    { name: "IGNORE_DAEMON_SETS", value: "true" },
    // -1: each pod's own terminationGracePeriodSeconds.
    { name: "POD_TERMINATION_GRACE_PERIOD", value: "-1" },
    { name: "NODE_TERMINATION_GRACE_PERIOD", value: String(DRAIN_GRACE_SECONDS) },
    { name: "EMIT_KUBERNETES_EVENTS", value: "true" },
    { name: "JSON_LOGGING", value: "true" },
    { name: "ENABLE_PROBES_SERVER", value: "true" },
    { name: "PROBES_SERVER_PORT", value: String(PROBE_PORT) },
    { name: "PROBES_SERVER_ENDPOINT", value: "/healthz" },
  ];
}

/**
 * Where the handler runs, from the downward API: it refuses to start without NODE_NAME (queue mode
 * included, where it drains other nodes), and names its own pod and namespace in events and logs.
 */
export function nodeTerminationHandlerPodEnv(): { name: string; valueFrom: { fieldRef: { fieldPath: string } } }[] {
  return [
    { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
    { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
    { name: "NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
  ];
}

export function nodeTerminationHandlerObjects(a: NodeTerminationHandlerArgs): K8sObject[] {
  requireVersion(NAME, a.version);
  requireClusterName(a.clusterName);
  requireRegion(NAME, a.region);
  requireRoleArn(NAME, a.roleArn);
  if (!/^https:\/\/sqs\.[a-z0-9-]+\.[a-z0-9.]+\/\d{12}\/[\w-]{1,80}$/.test(a.queueUrl))
    throw new Error(
      `${NAME} queue URL must look like https://sqs.<region>.amazonaws.com/<account>/<name> (got ${JSON.stringify(a.queueUrl)})`,
    );
  const subject = [serviceAccount(NAME)];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: NAME, labels: LABELS },
      rules: [
        // Cordon (patch), find the node by provider ID (list).
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "patch", "update"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
        // Drain by eviction: PodDisruptionBudgets are honoured.
        { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
        { apiGroups: ["apps"], resources: ["daemonsets"], verbs: ["get"] },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
      ],
    },
    binding(NAME, NAME, subject),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        // One consumer: two would race for the same node's messages.
        replicas: 1,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            priorityClassName: "system-cluster-critical",
            nodeSelector: CONTROL_PLANE_SELECTOR,
            tolerations: [CONTROL_PLANE_TOLERATION],
            securityContext: webIdentityPodSecurity(1000),
            containers: [
              {
                name: NAME,
                image: `public.ecr.aws/aws-ec2/aws-node-termination-handler:v${a.version}`,
                env: [...nodeTerminationHandlerPodEnv(), ...nodeTerminationHandlerEnv(a), ...webIdentityEnv(a.roleArn, a.region)],
                volumeMounts: [webIdentityMount()],
                ports: [{ name: "liveness-probe", containerPort: PROBE_PORT, protocol: "TCP" }],
                livenessProbe: { httpGet: { path: "/healthz", port: "liveness-probe" }, initialDelaySeconds: 5, periodSeconds: 5 },
                resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
                securityContext: HARDENED_CONTAINER,
              },
            ],
            volumes: [webIdentityVolume()],
          },
        },
      },
    },
  ];
}
