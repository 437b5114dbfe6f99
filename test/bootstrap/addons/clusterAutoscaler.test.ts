import { clusterAutoscalerAsgTags, clusterAutoscalerObjects, clusterAutoscalerPolicy } from "../../../bootstrap/addons/clusterAutoscaler";
import { CONTROL_PLANE_SELECTOR, CONTROL_PLANE_TOLERATION } from "../../../bootstrap/addons/objects";
import { Access, can, find, podSpec, refs, schemaProblems } from "../../helpers/addonObjects";

const ROLE_ARN = "arn:aws:iam::123456789012:role/prod-eu-west-1-cluster-autoscaler";
const ARGS = { version: "1.35.0", clusterName: "prod", region: "eu-west-1", roleArn: ROLE_ARN };
const objs = clusterAutoscalerObjects(ARGS);
const deployment = find(objs, "Deployment", "cluster-autoscaler");
const container = podSpec(deployment).containers[0];

test("objects", () => {
  expect(refs(objs)).toEqual([
    "ServiceAccount/kube-system/cluster-autoscaler",
    "ClusterRole/-/cluster-autoscaler",
    "ClusterRoleBinding/-/cluster-autoscaler",
    "Role/kube-system/cluster-autoscaler",
    "RoleBinding/kube-system/cluster-autoscaler",
    "Deployment/kube-system/cluster-autoscaler",
  ]);
  expect(JSON.stringify(clusterAutoscalerObjects(ARGS))).toBe(JSON.stringify(objs));
});

test("every object is schema-valid", () => {
  expect(schemaProblems(objs)).toEqual([]);
});

test("AWS provider, auto-discovers this cluster's ASGs by the tags the pools carry", () => {
  expect(container.command[0]).toBe("./cluster-autoscaler");
  expect(container.command).toEqual(
    expect.arrayContaining([
      "--cloud-provider=aws",
      "--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod",
      "--balance-similar-node-groups",
      "--expander=least-waste",
      "--skip-nodes-with-system-pods=false",
      "--skip-nodes-with-local-storage=false",
    ]),
  );
  expect(container.args).toBeUndefined();
  // The tags discovery asks for are exactly the ones the pools are given.
  const tags = Object.keys(clusterAutoscalerAsgTags("prod"));
  expect(container.command).toContain(`--node-group-auto-discovery=asg:tag=${tags.join(",")}`);
  expect(container.env).toEqual([
    { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
    { name: "AWS_DEFAULT_REGION", value: "eu-west-1" },
    { name: "AWS_REGION", value: "eu-west-1" },
    { name: "AWS_ROLE_ARN", value: ROLE_ARN },
    { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" },
  ]);
  expect(container.image).toBe("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.0");
});

test("one replica on a control-plane node, cluster-critical", () => {
  expect(deployment.spec.replicas).toBe(1);
  const spec = podSpec(deployment);
  expect(spec.nodeSelector).toEqual(CONTROL_PLANE_SELECTOR);
  expect(spec.tolerations).toEqual([CONTROL_PLANE_TOLERATION]);
  expect(spec.priorityClassName).toBe("system-cluster-critical");
  expect(spec.serviceAccountName).toBe("cluster-autoscaler");
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
  expect(container.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  });
});

test("AWS credentials by web identity: its own role, a token for STS, no node role", () => {
  const spec = podSpec(deployment);
  expect(spec.hostNetwork).toBeUndefined();
  expect(spec.volumes).toEqual([
    {
      name: "aws-iam-token",
      projected: { sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token" } }] },
    },
  ]);
  expect(container.volumeMounts).toEqual([
    { name: "aws-iam-token", mountPath: "/var/run/secrets/eks.amazonaws.com/serviceaccount", readOnly: true },
  ]);
  // The token file is readable by the non-root user the container runs as.
  expect(spec.securityContext).toMatchObject({ runAsUser: 65534, fsGroup: 65534 });
});

describe("RBAC covers what the autoscaler does", () => {
  const allowed = (a: Access) => can(objs, "cluster-autoscaler", a);
  test.each<[string, Access]>([
    ["watch pods", { group: "", resource: "pods", verb: "watch" }],
    ["list nodes", { group: "", resource: "nodes", verb: "list" }],
    ["taint nodes it removes", { group: "", resource: "nodes", verb: "update" }],
    ["evict pods", { group: "", resource: "pods/eviction", verb: "create", namespace: "default" }],
    ["record events", { group: "", resource: "events", verb: "create", namespace: "default" }],
    ["read PDBs", { group: "policy", resource: "poddisruptionbudgets", verb: "list" }],
    ["read DaemonSets", { group: "apps", resource: "daemonsets", verb: "list" }],
    ["read StatefulSets", { group: "apps", resource: "statefulsets", verb: "watch" }],
    ["read CSINodes", { group: "storage.k8s.io", resource: "csinodes", verb: "list" }],
    ["read VolumeAttachments", { group: "storage.k8s.io", resource: "volumeattachments", verb: "list" }],
    ["read PVCs", { group: "", resource: "persistentvolumeclaims", verb: "list" }],
    ["create its status ConfigMap", { group: "", resource: "configmaps", verb: "create", namespace: "kube-system" }],
    [
      "update its status ConfigMap",
      { group: "", resource: "configmaps", verb: "update", namespace: "kube-system", name: "cluster-autoscaler-status" },
    ],
    ["create its Lease", { group: "coordination.k8s.io", resource: "leases", verb: "create", namespace: "kube-system" }],
    [
      "renew its Lease",
      { group: "coordination.k8s.io", resource: "leases", verb: "update", namespace: "kube-system", name: "cluster-autoscaler" },
    ],
  ])("%s", (_what, a) => {
    expect(allowed(a)).toBe(true);
  });
  test.each<[string, Access]>([
    [
      "update another Lease",
      { group: "coordination.k8s.io", resource: "leases", verb: "update", namespace: "kube-system", name: "kube-scheduler" },
    ],
    ["update other ConfigMaps", { group: "", resource: "configmaps", verb: "update", namespace: "kube-system", name: "coredns" }],
    ["write ConfigMaps elsewhere", { group: "", resource: "configmaps", verb: "create", namespace: "default" }],
    ["read Secrets", { group: "", resource: "secrets", verb: "get", namespace: "kube-system" }],
    ["delete nodes", { group: "", resource: "nodes", verb: "delete" }],
  ])("but not %s", (_what, a) => {
    expect(allowed(a)).toBe(false);
  });
});

test("ASG tags and the IAM policy: scales only groups tagged owned by this cluster", () => {
  expect(clusterAutoscalerAsgTags("prod")).toEqual({
    "k8s.io/cluster-autoscaler/enabled": "true",
    "k8s.io/cluster-autoscaler/prod": "owned",
  });
  const policy = clusterAutoscalerPolicy("prod") as { Statement: { Action: string[]; Condition?: unknown }[] };
  const scale = policy.Statement.find((s) => s.Action.includes("autoscaling:SetDesiredCapacity"));
  expect(scale?.Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/prod": "owned" } });
});

test.each([
  [
    { version: "1.35" },
    /cluster-autoscaler version must be MAJOR\.MINOR\.PATCH without a leading v \(got "1\.35"\): pin an exact release in config/,
  ],
  [{ clusterName: "Prod_1" }, /cluster name must be a lowercase DNS label \(got "Prod_1"\): use the stack's cluster name/],
  [{ region: "" }, /cluster-autoscaler region must be an AWS region like eu-west-1 \(got ""\): pass aws:region/],
  [{ roleArn: "" }, /cluster-autoscaler role ARN must look like arn:aws:iam::123456789012:role\/<name> \(got ""\)/],
])("refuses %j", (override, message) => {
  expect(() => clusterAutoscalerObjects({ ...ARGS, ...override })).toThrow(message);
});
