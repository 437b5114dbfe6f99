/**
 * Cluster Autoscaler (image registry.k8s.io/autoscaling/cluster-autoscaler). It finds the worker
 * ASGs by tag, so the lead tags each pool's ASG with clusterAutoscalerAsgTags(cluster).
 *
 * Credentials: its own IAM role (clusterAutoscalerPolicy(cluster)), assumed by web identity with
 * its service account's token (awsCredentials.ts); no node's IMDS is within a pod's reach (hop
 * limit 1), so it never acts as a node role.
 * https://github.com/kubernetes/autoscaler/blob/master/cluster-autoscaler/cloudprovider/aws/README.md
 *
 * Rendered here as typed objects (after upstream's AWS example manifests) rather than installed
 * from its Helm chart: every object is reviewed in the PR diff, schema-validated, and checked by
 * the bring-up solver, and nodes need neither Helm nor a chart download.
 */
import {
  binding,
  CONTROL_PLANE_SELECTOR,
  CONTROL_PLANE_TOLERATION,
  HARDENED_CONTAINER,
  K8sObject,
  KUBE_SYSTEM,
  requireClusterName,
  requireVersion,
  serviceAccount,
  requireRegion,
} from "./objects";
import { requireRoleArn, webIdentityEnv, webIdentityMount, webIdentityPodSecurity, webIdentityVolume } from "./awsCredentials";

export interface ClusterAutoscalerArgs {
  /** Autoscaler release matching the Kubernetes minor, without the v, e.g. "1.35.0". */
  version: string;
  clusterName: string;
  region: string;
  /** ARN of its pod role (lib/oidc.ts podRoleName), trusted for kube-system/cluster-autoscaler only. */
  roleArn: string;
}

export const AUTOSCALER_ENABLED_TAG = "k8s.io/cluster-autoscaler/enabled";
export const autoscalerClusterTag = (cluster: string): string => `k8s.io/cluster-autoscaler/${cluster}`;

/** Tags on every worker ASG the autoscaler may scale ("owned" is what the IAM condition checks). */
export function clusterAutoscalerAsgTags(cluster: string): Record<string, string> {
  requireClusterName(cluster);
  return { [AUTOSCALER_ENABLED_TAG]: "true", [autoscalerClusterTag(cluster)]: "owned" };
}

const NAME = "cluster-autoscaler";
/** Its service account, the `sub` its pod role trusts. */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = NAME;
const LABELS = { "app.kubernetes.io/name": NAME };
const RBAC = "rbac.authorization.k8s.io/v1";
/** Written by --write-status-configmap (on by default) in --namespace. */
const STATUS_CONFIGMAP = "cluster-autoscaler-status";
const READ = ["get", "list", "watch"];

/** The container's command: the binary and its flags. */
export function clusterAutoscalerCommand(a: Pick<ClusterAutoscalerArgs, "clusterName">): string[] {
  return [
    "./cluster-autoscaler",
    "--cloud-provider=aws",
    // Where it keeps its Lease and status ConfigMap.
    `--namespace=${KUBE_SYSTEM}`,
    `--node-group-auto-discovery=asg:tag=${AUTOSCALER_ENABLED_TAG},${autoscalerClusterTag(a.clusterName)}`,
    // Pools of the same shape in different zones scale together, keeping zones balanced.
    "--balance-similar-node-groups",
    "--expander=least-waste",
    // Nodes running kube-system pods (CoreDNS, metrics-server) may still go; their PDBs keep them served.
    "--skip-nodes-with-system-pods=false",
    "--skip-nodes-with-local-storage=false",
  ];
}

export function clusterAutoscalerObjects(a: ClusterAutoscalerArgs): K8sObject[] {
  requireVersion("cluster-autoscaler", a.version);
  requireClusterName(a.clusterName);
  requireRegion("cluster-autoscaler", a.region);
  requireRoleArn("cluster-autoscaler", a.roleArn);
  const subject = [serviceAccount(NAME)];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS } },
    // Upstream's AWS example without its leftovers: no `extensions` group (gone from the API) and
    // no endpoints lock (leader election uses a Lease, granted in the Role below).
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: NAME, labels: LABELS },
      rules: [
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        // Scale-down drains a node by evicting its pods, after tainting it.
        { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
        { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
        { apiGroups: [""], resources: ["nodes"], verbs: [...READ, "update"] },
        // The scheduling simulation reads everything that constrains where a pod may go.
        {
          apiGroups: [""],
          resources: ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"],
          verbs: READ,
        },
        { apiGroups: ["apps"], resources: ["daemonsets", "replicasets", "statefulsets"], verbs: READ },
        { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: READ },
        { apiGroups: ["batch"], resources: ["jobs"], verbs: ["patch"] },
        { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["list", "watch"] },
        {
          apiGroups: ["storage.k8s.io"],
          resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"],
          verbs: READ,
        },
      ],
    },
    binding(NAME, NAME, subject),
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      rules: [
        // create cannot be limited by name.
        { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
        { apiGroups: [""], resources: ["configmaps"], resourceNames: [STATUS_CONFIGMAP], verbs: ["get", "update", "delete", "watch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [NAME], verbs: ["get", "update"] },
      ],
    },
    binding(NAME, NAME, subject, KUBE_SYSTEM),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: NAME, namespace: KUBE_SYSTEM, labels: LABELS },
      spec: {
        // One active instance is all it supports; leader election only guards a rollout's overlap.
        replicas: 1,
        selector: { matchLabels: LABELS },
        template: {
          metadata: { labels: LABELS },
          spec: {
            serviceAccountName: NAME,
            priorityClassName: "system-cluster-critical",
            // On control-plane nodes: never on a node it may scale away. Its credential is its pod role.
            nodeSelector: CONTROL_PLANE_SELECTOR,
            tolerations: [CONTROL_PLANE_TOLERATION],
            securityContext: webIdentityPodSecurity(65534),
            containers: [
              {
                name: NAME,
                // Distroless with its own CA bundle: no host certificate mount, unlike upstream's example.
                image: `registry.k8s.io/autoscaling/cluster-autoscaler:v${a.version}`,
                command: clusterAutoscalerCommand(a),
                env: webIdentityEnv(a.roleArn, a.region),
                volumeMounts: [webIdentityMount()],
                ports: [{ name: "http", containerPort: 8085, protocol: "TCP" }],
                livenessProbe: { httpGet: { path: "/health-check", port: "http" }, periodSeconds: 10, failureThreshold: 3 },
                resources: { requests: { cpu: "100m", memory: "600Mi" }, limits: { memory: "600Mi" } },
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

/** IAM policy for the control-plane role: describe everywhere, scale only this cluster's ASGs. */
export function clusterAutoscalerPolicy(cluster: string): Record<string, unknown> {
  requireClusterName(cluster);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Describe",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ],
        Resource: "*",
      },
      {
        Sid: "ScaleOwnGroups",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/${autoscalerClusterTag(cluster)}`]: "owned" } },
      },
    ],
  };
}
