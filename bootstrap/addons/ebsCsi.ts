/**
 * AWS EBS CSI driver (image public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver; the CSI sidecars
 * from registry.k8s.io/sig-storage). The controller runs on control-plane nodes with its own IAM
 * role (ebsCsiPolicy(cluster)), assumed by web identity with its service account's token
 * (awsCredentials.ts); the node plugin calls no AWS API (it reads its instance from its Node).
 * Volumes it creates are tagged ebs.csi.aws.com/cluster=true and kubernetes.io/cluster/<cluster>=owned,
 * and the policy only touches those.
 * https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/install.md
 *
 * Rendered here as typed objects (after upstream's chart) rather than installed from that chart:
 * every object is reviewed in the PR diff, schema-validated, and checked by the bring-up solver,
 * and nodes need neither Helm nor a chart download. No snapshots: the snapshot CRDs and
 * controller are not installed, so neither is the csi-snapshotter sidecar or its RBAC.
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
import { ETCD_DATA_ACTIONS } from "../../lib/iamNames";

/**
 * CSI sidecars, pinned to the releases upstream's chart ships with driver 1.47 (its defaults are
 * EKS rebuilds of these under public.ecr.aws/csi-components; these are the sig-storage originals).
 * Bump them with the driver: the chart's values.yaml names the releases each driver version wants.
 */
export const EBS_CSI_SIDECARS = {
  provisioner: "registry.k8s.io/sig-storage/csi-provisioner:v5.3.0",
  attacher: "registry.k8s.io/sig-storage/csi-attacher:v4.9.0",
  resizer: "registry.k8s.io/sig-storage/csi-resizer:v1.14.0",
  nodeDriverRegistrar: "registry.k8s.io/sig-storage/csi-node-driver-registrar:v2.14.0",
  livenessProbe: "registry.k8s.io/sig-storage/livenessprobe:v2.16.0",
} as const;

export interface EbsCsiArgs {
  /** aws-ebs-csi-driver release without the v, e.g. "1.47.0" (the image tag, not a chart version). */
  version: string;
  /** Volumes are tagged kubernetes.io/cluster/<clusterName>=owned. */
  clusterName: string;
  region: string;
  /** ARN of the controller's pod role (lib/oidc.ts podRoleName), trusted for kube-system/ebs-csi-controller-sa only. */
  controllerRoleArn: string;
  /**
   * The KMS key the default StorageClass encrypts volumes with: the cluster key's alias ARN
   * (lib/iam.ts clusterKeyAliasArn), which EC2 resolves at CreateVolume and which is known before
   * the key exists. Absent: the account's default EBS key.
   */
  volumeKmsKeyId?: string;
}

export const EBS_CSI_DRIVER = "ebs.csi.aws.com";
const CONTROLLER = "ebs-csi-controller";
const CONTROLLER_SA = "ebs-csi-controller-sa";
/** The controller's service account, the `sub` its pod role trusts. */
export const EBS_CSI_CONTROLLER_SERVICE_ACCOUNT = CONTROLLER_SA;
const NODE = "ebs-csi-node";
const NODE_SA = "ebs-csi-node-sa";
const RBAC = "rbac.authorization.k8s.io/v1";
const READ = ["get", "list", "watch"];
const KUBELET_DIR = "/var/lib/kubelet";
const PLUGIN_DIR = `${KUBELET_DIR}/plugins/${EBS_CSI_DRIVER}/`;
/** The controller pod's socket, shared by the plugin and its sidecars through an emptyDir. */
const CONTROLLER_SOCKET_DIR = "/var/lib/csi/sockets/pluginproxy/";
const RESOURCES = { requests: { cpu: "10m", memory: "40Mi" }, limits: { memory: "256Mi" } };
const HEALTHZ_PROBE = {
  httpGet: { path: "/healthz", port: "healthz" },
  initialDelaySeconds: 10,
  timeoutSeconds: 3,
  periodSeconds: 10,
  failureThreshold: 5,
};

/** The controller plugin's flags. */
export function ebsCsiControllerArgs(a: Pick<EbsCsiArgs, "clusterName">): string[] {
  return [
    "controller",
    "--endpoint=$(CSI_ENDPOINT)",
    // Tags every volume and snapshot kubernetes.io/cluster/<cluster>=owned.
    `--k8s-tag-cluster-id=${a.clusterName}`,
    "--batching=true",
    "--logging-format=text",
    "--user-agent-extra=kubestead",
    "--v=2",
  ];
}

/** A controller sidecar talking to the plugin over the shared socket. */
function sidecar(name: string, image: string, args: string[]): Record<string, unknown> {
  return {
    name,
    image,
    args: ["--csi-address=$(ADDRESS)", "--v=2", ...args],
    env: [{ name: "ADDRESS", value: `${CONTROLLER_SOCKET_DIR}csi.sock` }],
    volumeMounts: [{ name: "socket-dir", mountPath: CONTROLLER_SOCKET_DIR }],
    resources: RESOURCES,
    securityContext: HARDENED_CONTAINER,
  };
}

function controllerObjects(a: EbsCsiArgs): K8sObject[] {
  const labels = { "app.kubernetes.io/name": CONTROLLER };
  const subject = [serviceAccount(CONTROLLER_SA)];
  // Sidecar client limits and CSI call timeout as upstream's chart sets them.
  const api = ["--timeout=60s", "--leader-election=true", "--kube-api-qps=20", "--kube-api-burst=100"];
  const clusterRole = (name: string, rules: unknown[]): K8sObject[] => [
    { apiVersion: RBAC, kind: "ClusterRole", metadata: { name, labels }, rules },
    binding(name, name, subject),
  ];
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: CONTROLLER_SA, namespace: KUBE_SYSTEM, labels } },
    // RBAC of each sidecar as its upstream deploy/kubernetes/rbac.yaml (secrets rules left out: no
    // StorageClass here names a secret).
    ...clusterRole("ebs-external-provisioner-role", [
      { apiGroups: [""], resources: ["persistentvolumes"], verbs: [...READ, "create", "patch", "delete"] },
      { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: [...READ, "update"] },
      { apiGroups: [""], resources: ["events"], verbs: ["list", "watch", "create", "update", "patch"] },
      { apiGroups: [""], resources: ["nodes"], verbs: READ },
      { apiGroups: ["storage.k8s.io"], resources: ["storageclasses", "csinodes"], verbs: READ },
      // Deleting a volume waits until no VolumeAttachment uses it.
      { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: READ },
      { apiGroups: ["storage.k8s.io"], resources: ["volumeattributesclasses"], verbs: ["get"] },
    ]),
    ...clusterRole("ebs-external-attacher-role", [
      { apiGroups: [""], resources: ["persistentvolumes"], verbs: [...READ, "patch"] },
      { apiGroups: ["storage.k8s.io"], resources: ["csinodes"], verbs: READ },
      { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: [...READ, "patch"] },
      { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments/status"], verbs: ["patch"] },
    ]),
    ...clusterRole("ebs-external-resizer-role", [
      { apiGroups: [""], resources: ["persistentvolumes"], verbs: [...READ, "patch"] },
      { apiGroups: [""], resources: ["persistentvolumeclaims"], verbs: READ },
      { apiGroups: [""], resources: ["persistentvolumeclaims/status"], verbs: ["patch"] },
      { apiGroups: [""], resources: ["events"], verbs: ["list", "watch", "create", "update", "patch"] },
      { apiGroups: [""], resources: ["pods"], verbs: READ },
      { apiGroups: ["storage.k8s.io"], resources: ["volumeattributesclasses"], verbs: READ },
    ]),
    // The sidecars' leader election, each with its own Lease in kube-system.
    {
      apiVersion: RBAC,
      kind: "Role",
      metadata: { name: "ebs-csi-leases-role", namespace: KUBE_SYSTEM, labels },
      rules: [{ apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: [...READ, "create", "update", "delete"] }],
    },
    binding("ebs-csi-leases-rolebinding", "ebs-csi-leases-role", subject, KUBE_SYSTEM),
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: CONTROLLER, namespace: KUBE_SYSTEM, labels },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: CONTROLLER_SA,
            priorityClassName: "system-cluster-critical",
            // On control-plane nodes, beside the rest of the control plane. Its credential is its pod role.
            nodeSelector: CONTROL_PLANE_SELECTOR,
            tolerations: [CONTROL_PLANE_TOLERATION, { key: "CriticalAddonsOnly", operator: "Exists" }],
            affinity: {
              podAntiAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  { weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: labels } } },
                ],
              },
            },
            securityContext: webIdentityPodSecurity(1000),
            containers: [
              {
                name: "ebs-plugin",
                image: `public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v${a.version}`,
                args: ebsCsiControllerArgs(a),
                env: [
                  { name: "CSI_ENDPOINT", value: `unix://${CONTROLLER_SOCKET_DIR}csi.sock` },
                  { name: "CSI_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                  // Only the plugin calls AWS; the sidecars talk to it and to the API server.
                  ...webIdentityEnv(a.controllerRoleArn, a.region),
                ],
                volumeMounts: [{ name: "socket-dir", mountPath: CONTROLLER_SOCKET_DIR }, webIdentityMount()],
                // Served by the liveness-probe sidecar (same network namespace).
                ports: [{ name: "healthz", containerPort: 9808, protocol: "TCP" }],
                livenessProbe: HEALTHZ_PROBE,
                readinessProbe: HEALTHZ_PROBE,
                resources: RESOURCES,
                securityContext: HARDENED_CONTAINER,
              },
              sidecar("csi-provisioner", EBS_CSI_SIDECARS.provisioner, [
                ...api,
                // Volumes are created in the zone of the node the pod was scheduled to.
                "--feature-gates=Topology=true",
                "--extra-create-metadata",
                "--default-fstype=ext4",
                "--worker-threads=100",
              ]),
              sidecar("csi-attacher", EBS_CSI_SIDECARS.attacher, [...api, "--worker-threads=100"]),
              sidecar("csi-resizer", EBS_CSI_SIDECARS.resizer, [...api, "--handle-volume-inuse-error=false", "--workers=100"]),
              {
                name: "liveness-probe",
                image: EBS_CSI_SIDECARS.livenessProbe,
                args: ["--csi-address=/csi/csi.sock"],
                volumeMounts: [{ name: "socket-dir", mountPath: "/csi" }],
                resources: RESOURCES,
                securityContext: HARDENED_CONTAINER,
              },
            ],
            volumes: [{ name: "socket-dir", emptyDir: {} }, webIdentityVolume()],
          },
        },
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: CONTROLLER, namespace: KUBE_SYSTEM, labels },
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    },
  ];
}

function nodeObjects(a: EbsCsiArgs): K8sObject[] {
  const labels = { "app.kubernetes.io/name": NODE };
  const registrationSocket = `${PLUGIN_DIR}csi.sock`;
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NODE_SA, namespace: KUBE_SYSTEM, labels } },
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "ebs-csi-node-role", labels },
      rules: [
        // get: workers' IMDS is out of a pod's reach (hop limit 1), so the plugin reads its
        // instance ID, type and zone from its Node object. patch: once registered (its CSINode
        // lists the driver) it removes the ebs.csi.aws.com/agent-not-ready startup taint.
        { apiGroups: [""], resources: ["nodes"], verbs: ["get", "patch"] },
        { apiGroups: ["storage.k8s.io"], resources: ["csinodes"], verbs: ["get"] },
        // The pre-stop hook watches the node's VolumeAttachments during a drain.
        { apiGroups: ["storage.k8s.io"], resources: ["volumeattachments"], verbs: ["list", "watch"] },
      ],
    },
    binding("ebs-csi-node-binding", "ebs-csi-node-role", [serviceAccount(NODE_SA)]),
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: NODE, namespace: KUBE_SYSTEM, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: NODE_SA,
            priorityClassName: "system-node-critical",
            nodeSelector: { "kubernetes.io/os": "linux" },
            // Every node may mount volumes, whatever its taints.
            tolerations: [{ operator: "Exists" }],
            hostNetwork: false,
            // Root: it binds sockets in the kubelet's root-owned plugin directories.
            securityContext: { runAsNonRoot: false, runAsUser: 0, runAsGroup: 0, fsGroup: 0 },
            containers: [
              {
                name: "ebs-plugin",
                image: `public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v${a.version}`,
                args: ["node", "--endpoint=$(CSI_ENDPOINT)", "--logging-format=text", "--v=2"],
                env: [
                  { name: "CSI_ENDPOINT", value: "unix:/csi/csi.sock" },
                  { name: "CSI_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                ],
                volumeMounts: [
                  // Bidirectional: the mounts it makes for pods must show on the host.
                  { name: "kubelet-dir", mountPath: KUBELET_DIR, mountPropagation: "Bidirectional" },
                  { name: "plugin-dir", mountPath: "/csi" },
                  { name: "device-dir", mountPath: "/dev" },
                ],
                ports: [{ name: "healthz", containerPort: 9808, protocol: "TCP" }],
                livenessProbe: HEALTHZ_PROBE,
                resources: RESOURCES,
                // Privileged: it formats and mounts block devices.
                securityContext: { privileged: true, readOnlyRootFilesystem: true },
                // During a drain, it holds the plugin until the node's VolumeAttachments are gone, so
                // volumes unmount cleanly instead of waiting out a 6-minute force detach.
                lifecycle: { preStop: { exec: { command: ["/bin/aws-ebs-csi-driver", "pre-stop-hook"] } } },
              },
              {
                name: "node-driver-registrar",
                image: EBS_CSI_SIDECARS.nodeDriverRegistrar,
                args: ["--csi-address=$(ADDRESS)", "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)", "--v=2"],
                env: [
                  { name: "ADDRESS", value: "/csi/csi.sock" },
                  { name: "DRIVER_REG_SOCK_PATH", value: registrationSocket },
                ],
                livenessProbe: {
                  exec: {
                    command: [
                      "/csi-node-driver-registrar",
                      "--kubelet-registration-path=$(DRIVER_REG_SOCK_PATH)",
                      "--mode=kubelet-registration-probe",
                    ],
                  },
                  initialDelaySeconds: 30,
                  periodSeconds: 90,
                  timeoutSeconds: 15,
                },
                volumeMounts: [
                  { name: "plugin-dir", mountPath: "/csi" },
                  { name: "registration-dir", mountPath: "/registration" },
                  { name: "probe-dir", mountPath: PLUGIN_DIR },
                ],
                resources: RESOURCES,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
              },
              {
                name: "liveness-probe",
                image: EBS_CSI_SIDECARS.livenessProbe,
                args: ["--csi-address=/csi/csi.sock"],
                volumeMounts: [{ name: "plugin-dir", mountPath: "/csi" }],
                resources: RESOURCES,
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
              },
            ],
            volumes: [
              { name: "kubelet-dir", hostPath: { path: KUBELET_DIR, type: "Directory" } },
              { name: "plugin-dir", hostPath: { path: PLUGIN_DIR, type: "DirectoryOrCreate" } },
              { name: "registration-dir", hostPath: { path: `${KUBELET_DIR}/plugins_registry/`, type: "Directory" } },
              { name: "device-dir", hostPath: { path: "/dev", type: "Directory" } },
              { name: "probe-dir", emptyDir: {} },
            ],
          },
        },
      },
    },
  ];
}

export function ebsCsiObjects(a: EbsCsiArgs): K8sObject[] {
  requireVersion("aws-ebs-csi-driver", a.version);
  requireClusterName(a.clusterName);
  requireRegion("aws-ebs-csi-driver", a.region);
  requireRoleArn("aws-ebs-csi-driver controller", a.controllerRoleArn);
  return [
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "CSIDriver",
      metadata: { name: EBS_CSI_DRIVER },
      // fsGroupPolicy File: the kubelet applies a pod's fsGroup to the volumes it mounts.
      spec: { attachRequired: true, podInfoOnMount: false, fsGroupPolicy: "File" },
    },
    ...controllerObjects(a),
    ...nodeObjects(a),
    {
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      // The cluster's default class. A StorageClass's parameters cannot change once created, so the
      // class that encrypts with the cluster key has a name of its own: on a cluster that had the
      // plain `gp3` class, the applier creates this one and prunes the old one (bound volumes keep
      // their class name and are untouched).
      metadata: { name: storageClassName(a.volumeKmsKeyId), annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
      provisioner: EBS_CSI_DRIVER,
      parameters: { type: "gp3", encrypted: "true", ...(a.volumeKmsKeyId ? { kmsKeyId: a.volumeKmsKeyId } : {}) },
      reclaimPolicy: "Delete",
      // A volume is created in the zone its first pod is scheduled to: EBS volumes are zonal.
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
    },
  ];
}

// Any partition (aws, aws-cn, aws-us-gov): the policy document has no partition of its own.
const VOLUME = "arn:*:ec2:*:*:volume/*";
const SNAPSHOT = "arn:*:ec2:*:*:snapshot/*";
const INSTANCE = "arn:*:ec2:*:*:instance/*";

/**
 * The controller's IAM policy, after upstream's example (docs/example-iam-policy.json) but held to
 * this cluster: it attaches, detaches, resizes, snapshots and deletes only volumes and snapshots
 * its own driver made (tagged ebs.csi.aws.com/cluster=true and, through --k8s-tag-cluster-id,
 * kubernetes.io/cluster/<cluster>=owned), attaches only to this cluster's nodes (their groups tag
 * them owned; etcd's do not), and creates volumes only with both tags. The explicit deny keeps
 * etcd's volumes, instances and interfaces out of reach whatever a later statement allows.
 */
export function ebsCsiPolicy(cluster: string, clusterKey?: { arn: string; region: string }): Record<string, unknown> {
  requireClusterName(cluster);
  const clusterTag = `kubernetes.io/cluster/${cluster}`;
  const ours = { StringEquals: { "aws:ResourceTag/ebs.csi.aws.com/cluster": "true", [`aws:ResourceTag/${clusterTag}`]: "owned" } };
  const taggedOurs = { StringEquals: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true", [`aws:RequestTag/${clusterTag}`]: "owned" } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Describe",
        Effect: "Allow",
        Action: [
          "ec2:DescribeAvailabilityZones",
          "ec2:DescribeInstances",
          "ec2:DescribeSnapshots",
          "ec2:DescribeTags",
          "ec2:DescribeVolumes",
          "ec2:DescribeVolumesModifications",
          "ec2:DescribeVolumeStatus",
        ],
        Resource: "*",
      },
      {
        Sid: "AttachDetachOwnVolumes",
        Effect: "Allow",
        Action: ["ec2:AttachVolume", "ec2:DetachVolume"],
        Resource: VOLUME,
        Condition: ours,
      },
      {
        Sid: "AttachDetachOnClusterNodes",
        Effect: "Allow",
        Action: ["ec2:AttachVolume", "ec2:DetachVolume"],
        Resource: INSTANCE,
        Condition: { StringEquals: { [`aws:ResourceTag/${clusterTag}`]: "owned" } },
      },
      {
        Sid: "ModifyAndSnapshotOwnVolumes",
        Effect: "Allow",
        Action: ["ec2:CreateSnapshot", "ec2:ModifyVolume"],
        Resource: VOLUME,
        Condition: ours,
      },
      { Sid: "CreateFromOwnSnapshots", Effect: "Allow", Action: ["ec2:CreateVolume"], Resource: SNAPSHOT, Condition: ours },
      { Sid: "CreateTaggedVolumes", Effect: "Allow", Action: ["ec2:CreateVolume"], Resource: VOLUME, Condition: taggedOurs },
      { Sid: "CreateTaggedSnapshots", Effect: "Allow", Action: ["ec2:CreateSnapshot"], Resource: SNAPSHOT, Condition: taggedOurs },
      {
        Sid: "TagOnCreate",
        Effect: "Allow",
        Action: ["ec2:CreateTags"],
        Resource: [VOLUME, SNAPSHOT],
        Condition: { StringEquals: { "ec2:CreateAction": ["CreateVolume", "CreateSnapshot"] } },
      },
      { Sid: "UntagOwn", Effect: "Allow", Action: ["ec2:DeleteTags"], Resource: [VOLUME, SNAPSHOT], Condition: ours },
      { Sid: "DeleteOwnVolumes", Effect: "Allow", Action: ["ec2:DeleteVolume"], Resource: VOLUME, Condition: ours },
      { Sid: "DeleteOwnSnapshots", Effect: "Allow", Action: ["ec2:DeleteSnapshot"], Resource: SNAPSHOT, Condition: ours },
      ...(clusterKey ? volumeKeyStatements(clusterKey.arn, clusterKey.region) : []),
      {
        Sid: "NeverTouchEtcdData",
        Effect: "Deny",
        Action: ETCD_DATA_ACTIONS,
        Resource: "*",
        Condition: { StringEquals: { "aws:ResourceTag/kubestead.io/role": "etcd" } },
      },
    ],
  };
}

/**
 * Volumes encrypted with the cluster key (the StorageClass's kmsKeyId): EC2 uses the key on the
 * driver's behalf when it creates a volume (GenerateDataKeyWithoutPlaintext, DescribeKey), when a
 * snapshot or volume moves between keys (ReEncrypt*), and when it attaches one (a grant for the
 * instance, then Decrypt), so the role needs those, and only through EC2: the driver never calls
 * KMS itself, and the key stays useless to it for anything else (the nodes' SSM parameters among
 * them). The key policy leaves the key's use to IAM policies (lib/iam.ts clusterKeyPolicy).
 * https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html
 */
function volumeKeyStatements(keyArn: string, region: string): Record<string, unknown>[] {
  const viaEc2 = { "kms:ViaService": `ec2.${region}.amazonaws.com` };
  return [
    {
      Sid: "EncryptVolumesWithClusterKey",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:ReEncrypt*"],
      Resource: keyArn,
      Condition: { StringEquals: viaEc2 },
    },
    {
      Sid: "GrantClusterKeyToEc2",
      Effect: "Allow",
      Action: ["kms:CreateGrant"],
      Resource: keyArn,
      Condition: { StringEquals: viaEc2, Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
  ];
}

/** The default class's name: `gp3`, or `gp3-cluster-key` when its volumes are encrypted with the cluster key. */
export function storageClassName(volumeKmsKeyId: string | undefined): string {
  return volumeKmsKeyId ? "gp3-cluster-key" : "gp3";
}
