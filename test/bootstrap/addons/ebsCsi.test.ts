import { EBS_CSI_SIDECARS, ebsCsiObjects, ebsCsiPolicy } from "../../../bootstrap/addons/ebsCsi";
import { CONTROL_PLANE_SELECTOR, CONTROL_PLANE_TOLERATION } from "../../../bootstrap/addons/objects";
import { Access, can, find, podSpec, refs, schemaProblems } from "../../helpers/addonObjects";

const ROLE_ARN = "arn:aws:iam::123456789012:role/prod-eu-west-1-ebs-csi-driver";
const ARGS = { version: "1.47.0", clusterName: "prod", region: "eu-west-1", controllerRoleArn: ROLE_ARN };
const objs = ebsCsiObjects(ARGS);
const controller = find(objs, "Deployment", "ebs-csi-controller");
const node = find(objs, "DaemonSet", "ebs-csi-node");
const containerOf = (workload: any, name: string): any => podSpec(workload).containers.find((c: any) => c.name === name);

test("objects", () => {
  expect(refs(objs)).toEqual([
    "CSIDriver/-/ebs.csi.aws.com",
    "ServiceAccount/kube-system/ebs-csi-controller-sa",
    "ClusterRole/-/ebs-external-provisioner-role",
    "ClusterRoleBinding/-/ebs-external-provisioner-role",
    "ClusterRole/-/ebs-external-attacher-role",
    "ClusterRoleBinding/-/ebs-external-attacher-role",
    "ClusterRole/-/ebs-external-resizer-role",
    "ClusterRoleBinding/-/ebs-external-resizer-role",
    "Role/kube-system/ebs-csi-leases-role",
    "RoleBinding/kube-system/ebs-csi-leases-rolebinding",
    "Deployment/kube-system/ebs-csi-controller",
    "PodDisruptionBudget/kube-system/ebs-csi-controller",
    "ServiceAccount/kube-system/ebs-csi-node-sa",
    "ClusterRole/-/ebs-csi-node-role",
    "ClusterRoleBinding/-/ebs-csi-node-binding",
    "DaemonSet/kube-system/ebs-csi-node",
    "StorageClass/-/gp3",
  ]);
  expect(JSON.stringify(ebsCsiObjects(ARGS))).toBe(JSON.stringify(objs));
});

test("every object is schema-valid", () => {
  expect(schemaProblems(objs)).toEqual([]);
});

test("no snapshot support without its CRDs: no snapshotter sidecar, no snapshot RBAC", () => {
  expect(podSpec(controller).containers.map((c: any) => c.name)).toEqual([
    "ebs-plugin",
    "csi-provisioner",
    "csi-attacher",
    "csi-resizer",
    "liveness-probe",
  ]);
  expect(JSON.stringify(objs)).not.toContain("snapshot.storage.k8s.io");
});

test("images: the driver pinned to the version, sidecars pinned on registry.k8s.io", () => {
  const images = [controller, node].flatMap((w) => podSpec(w).containers.map((c: any) => c.image as string));
  expect(containerOf(controller, "ebs-plugin").image).toBe("public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.47.0");
  expect(containerOf(node, "ebs-plugin").image).toBe("public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.47.0");
  for (const img of images.filter((i) => !i.startsWith("public.ecr.aws/"))) {
    expect(img).toMatch(/^registry\.k8s\.io\/sig-storage\/[a-z-]+:v\d+\.\d+\.\d+$/);
  }
  expect(new Set(images)).toEqual(
    new Set([`public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.47.0`, ...Object.values(EBS_CSI_SIDECARS)]),
  );
});

describe("controller", () => {
  const spec = podSpec(controller);
  const plugin = containerOf(controller, "ebs-plugin");
  test("two replicas on control-plane nodes", () => {
    expect(controller.spec.replicas).toBe(2);
    expect(spec.nodeSelector).toEqual(CONTROL_PLANE_SELECTOR);
    expect(spec.tolerations).toEqual([CONTROL_PLANE_TOLERATION, { key: "CriticalAddonsOnly", operator: "Exists" }]);
    expect(spec.priorityClassName).toBe("system-cluster-critical");
    expect(spec.hostNetwork).toBeUndefined();
    expect(find(objs, "PodDisruptionBudget").spec.maxUnavailable).toBe(1);
  });
  test("controller mode, volumes tagged with the cluster, region from config", () => {
    expect(plugin.args[0]).toBe("controller");
    expect(plugin.args).toContain("--endpoint=$(CSI_ENDPOINT)");
    expect(plugin.args).toContain("--k8s-tag-cluster-id=prod");
    expect(plugin.env).toContainEqual({ name: "AWS_REGION", value: "eu-west-1" });
    expect(plugin.env).toContainEqual({ name: "CSI_ENDPOINT", value: "unix:///var/lib/csi/sockets/pluginproxy/csi.sock" });
  });
  test("the sidecars share the plugin's socket and elect a leader", () => {
    for (const name of ["csi-provisioner", "csi-attacher", "csi-resizer"]) {
      const c = containerOf(controller, name);
      expect(c.args).toEqual(expect.arrayContaining(["--csi-address=$(ADDRESS)", "--leader-election=true"]));
      expect(c.env).toEqual([{ name: "ADDRESS", value: "/var/lib/csi/sockets/pluginproxy/csi.sock" }]);
      expect(c.volumeMounts).toEqual([{ name: "socket-dir", mountPath: "/var/lib/csi/sockets/pluginproxy/" }]);
    }
    expect(containerOf(controller, "csi-provisioner").args).toEqual(
      expect.arrayContaining(["--feature-gates=Topology=true", "--extra-create-metadata", "--default-fstype=ext4"]),
    );
    expect(containerOf(controller, "liveness-probe").volumeMounts).toEqual([{ name: "socket-dir", mountPath: "/csi" }]);
  });
  test("AWS credentials by web identity in the plugin only: its own role, a token for STS", () => {
    expect(plugin.env).toEqual(
      expect.arrayContaining([
        { name: "AWS_ROLE_ARN", value: ROLE_ARN },
        { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" },
        { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
      ]),
    );
    expect(plugin.volumeMounts).toContainEqual({
      name: "aws-iam-token",
      mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount",
      readOnly: true,
    });
    expect(spec.volumes).toContainEqual({
      name: "aws-iam-token",
      projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token" } }] },
    });
    for (const c of spec.containers.filter((x: any) => x.name !== "ebs-plugin")) {
      expect(JSON.stringify(c)).not.toMatch(/AWS_ROLE_ARN|aws-iam-token/);
    }
    // The node plugin gets no AWS credentials at all.
    expect(JSON.stringify(node)).not.toMatch(/AWS_ROLE_ARN|aws-iam-token/);
  });
  test("non-root, read-only, no capabilities in every container", () => {
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
    for (const c of spec.containers)
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });
});

describe("node plugin", () => {
  const spec = podSpec(node);
  const plugin = containerOf(node, "ebs-plugin");
  test("runs on every node whatever its taints, on the pod network, privileged", () => {
    expect(spec.tolerations).toEqual([{ operator: "Exists" }]);
    expect(spec.hostNetwork).toBe(false);
    expect(spec.priorityClassName).toBe("system-node-critical");
    expect(plugin.securityContext.privileged).toBe(true);
    expect(plugin.args).toEqual(expect.arrayContaining(["node", "--endpoint=$(CSI_ENDPOINT)"]));
    expect(plugin.env).toContainEqual({ name: "CSI_NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } });
  });
  test("mounts the kubelet directory with bidirectional propagation and registers with the kubelet", () => {
    expect(plugin.volumeMounts).toContainEqual({ name: "kubelet-dir", mountPath: "/var/lib/kubelet", mountPropagation: "Bidirectional" });
    const volumes = Object.fromEntries(spec.volumes.map((v: any) => [v.name, v.hostPath?.path]));
    expect(volumes).toMatchObject({
      "kubelet-dir": "/var/lib/kubelet",
      "plugin-dir": "/var/lib/kubelet/plugins/ebs.csi.aws.com/",
      "registration-dir": "/var/lib/kubelet/plugins_registry/",
      "device-dir": "/dev",
    });
    const registrar = containerOf(node, "node-driver-registrar");
    expect(registrar.env).toContainEqual({ name: "DRIVER_REG_SOCK_PATH", value: "/var/lib/kubelet/plugins/ebs.csi.aws.com/csi.sock" });
    expect(registrar.volumeMounts).toContainEqual({ name: "registration-dir", mountPath: "/registration" });
    expect(containerOf(node, "liveness-probe").args).toEqual(["--csi-address=/csi/csi.sock"]);
  });
});

describe("RBAC covers what each container does", () => {
  const controllerCan = (a: Access) => can(objs, "ebs-csi-controller-sa", a);
  const nodeCan = (a: Access) => can(objs, "ebs-csi-node-sa", a);
  test.each<[string, Access]>([
    ["provisioner: create PVs", { group: "", resource: "persistentvolumes", verb: "create" }],
    ["provisioner: delete PVs", { group: "", resource: "persistentvolumes", verb: "delete" }],
    ["provisioner: watch PVCs", { group: "", resource: "persistentvolumeclaims", verb: "watch" }],
    ["provisioner: read StorageClasses", { group: "storage.k8s.io", resource: "storageclasses", verb: "get" }],
    ["provisioner: read CSINodes for topology", { group: "storage.k8s.io", resource: "csinodes", verb: "list" }],
    ["attacher: patch VolumeAttachments", { group: "storage.k8s.io", resource: "volumeattachments", verb: "patch" }],
    ["attacher: patch VolumeAttachment status", { group: "storage.k8s.io", resource: "volumeattachments/status", verb: "patch" }],
    ["resizer: patch PVC status", { group: "", resource: "persistentvolumeclaims/status", verb: "patch", namespace: "default" }],
    ["sidecars: record events", { group: "", resource: "events", verb: "create", namespace: "default" }],
    [
      "sidecars: take their Leases",
      { group: "coordination.k8s.io", resource: "leases", verb: "update", namespace: "kube-system", name: "ebs-csi-aws-com" },
    ],
  ])("controller: %s", (_what, a) => {
    expect(controllerCan(a)).toBe(true);
  });
  test("the controller holds Leases in kube-system only and reads no Secrets", () => {
    expect(controllerCan({ group: "coordination.k8s.io", resource: "leases", verb: "create", namespace: "default" })).toBe(false);
    expect(controllerCan({ group: "", resource: "secrets", verb: "get", namespace: "kube-system" })).toBe(false);
  });
  test("the node plugin reads its Node, removes its startup taint, and watches attachments while draining", () => {
    expect(nodeCan({ group: "", resource: "nodes", verb: "get" })).toBe(true);
    expect(nodeCan({ group: "", resource: "nodes", verb: "patch" })).toBe(true);
    expect(nodeCan({ group: "storage.k8s.io", resource: "volumeattachments", verb: "watch" })).toBe(true);
    expect(nodeCan({ group: "", resource: "persistentvolumes", verb: "create" })).toBe(false);
  });
});

test("CSIDriver and the default gp3 StorageClass: encrypted, bound in the first consumer's zone", () => {
  expect(find(objs, "CSIDriver").spec).toEqual({ attachRequired: true, podInfoOnMount: false, fsGroupPolicy: "File" });
  const sc = find(objs, "StorageClass", "gp3");
  expect(sc.provisioner).toBe("ebs.csi.aws.com");
  expect(sc.parameters).toEqual({ type: "gp3", encrypted: "true" });
  expect(sc.volumeBindingMode).toBe("WaitForFirstConsumer");
  expect(sc.allowVolumeExpansion).toBe(true);
  expect(sc.metadata.annotations).toEqual({ "storageclass.kubernetes.io/is-default-class": "true" });
});

test("IAM: deletes only volumes this cluster's driver tagged, never etcd's; every statement named once", () => {
  const p = ebsCsiPolicy("prod") as { Statement: { Sid: string; Effect: string; Action: string[]; Condition?: unknown }[] };
  const del = p.Statement.find((s) => s.Effect === "Allow" && s.Action.includes("ec2:DeleteVolume"));
  expect(del?.Condition).toEqual({
    StringEquals: { "aws:ResourceTag/ebs.csi.aws.com/cluster": "true", "aws:ResourceTag/kubernetes.io/cluster/prod": "owned" },
  });
  const deny = p.Statement.find((s) => s.Effect === "Deny");
  expect(deny?.Action).toEqual(expect.arrayContaining(["ec2:DetachVolume", "ec2:DeleteVolume", "ec2:ModifyVolume", "ec2:CreateTags"]));
  expect(deny?.Condition).toEqual({ StringEquals: { "aws:ResourceTag/kubestead.io/role": "etcd" } });
  expect(new Set(p.Statement.map((s) => s.Sid)).size).toBe(p.Statement.length);
});

test.each([
  [
    { version: "1.47" },
    /aws-ebs-csi-driver version must be MAJOR\.MINOR\.PATCH without a leading v \(got "1\.47"\): pin an exact release in config/,
  ],
  [{ clusterName: "-prod" }, /cluster name must be a lowercase DNS label \(got "-prod"\): use the stack's cluster name/],
  [{ region: "eu_west_1" }, /aws-ebs-csi-driver region must be an AWS region like eu-west-1 \(got "eu_west_1"\): pass aws:region/],
  [
    { controllerRoleArn: "arn:aws:iam::123:role/x" },
    /aws-ebs-csi-driver controller role ARN must look like arn:aws:iam::123456789012:role/,
  ],
])("refuses %j", (override, message) => {
  expect(() => ebsCsiObjects({ ...ARGS, ...override })).toThrow(message);
});
