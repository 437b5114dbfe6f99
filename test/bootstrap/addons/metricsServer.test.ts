import { metricsServerObjects } from "../../../bootstrap/addons/metricsServer";
import { SYSTEM_POOL_AFFINITY, SYSTEM_TOLERATIONS } from "../../../bootstrap/addons/objects";
import { can, find, podSpec, refs, schemaProblems } from "../../helpers/addonObjects";

const objs = metricsServerObjects({ version: "0.8.0" });
const deployment = find(objs, "Deployment", "metrics-server");
const container = podSpec(deployment).containers[0];
const LABELS = { "app.kubernetes.io/name": "metrics-server" };

test("objects", () => {
  expect(refs(objs)).toEqual([
    "ServiceAccount/kube-system/metrics-server",
    "ClusterRole/-/system:aggregated-metrics-reader",
    "ClusterRole/-/system:metrics-server",
    "ClusterRoleBinding/-/system:metrics-server",
    "ClusterRoleBinding/-/metrics-server:system:auth-delegator",
    "RoleBinding/kube-system/metrics-server-auth-reader",
    "Service/kube-system/metrics-server",
    "Deployment/kube-system/metrics-server",
    "PodDisruptionBudget/kube-system/metrics-server",
    "APIService/-/v1beta1.metrics.k8s.io",
  ]);
  expect(JSON.stringify(metricsServerObjects({ version: "0.8.0" }))).toBe(JSON.stringify(objs));
});

test("every object is schema-valid", () => {
  expect(schemaProblems(objs)).toEqual([]);
});

test("flags: secure port, kubelet addresses by InternalIP first, CA-verified kubelets", () => {
  expect(container.args).toEqual([
    "--secure-port=10250",
    "--cert-dir=/tmp",
    "--kubelet-preferred-address-types=InternalIP,InternalDNS,Hostname",
    "--kubelet-use-node-status-port",
    "--metric-resolution=15s",
  ]);
  expect(JSON.stringify(objs)).not.toContain("kubelet-insecure-tls");
  expect(container.image).toBe("registry.k8s.io/metrics-server/metrics-server:v0.8.0");
});

test("Service 443 → the container's https port 10250, which the APIService points at", () => {
  const svc = find(objs, "Service");
  expect(svc.spec.selector).toEqual(LABELS);
  expect(svc.spec.ports).toEqual([{ name: "https", port: 443, protocol: "TCP", targetPort: "https", appProtocol: "https" }]);
  expect(container.ports).toEqual([{ name: "https", containerPort: 10250, protocol: "TCP" }]);
  expect(deployment.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
  const api = find(objs, "APIService").spec;
  expect(api).toMatchObject({
    group: "metrics.k8s.io",
    version: "v1beta1",
    service: { name: "metrics-server", namespace: "kube-system", port: 443 },
  });
  // Upstream's choice: its serving certificate is self-signed at start.
  expect(api.insecureSkipTLSVerify).toBe(true);
  expect(api.caBundle).toBeUndefined();
});

test("two replicas spread over zones, kept available by a PDB, on system nodes", () => {
  expect(deployment.spec.replicas).toBe(2);
  const spec = podSpec(deployment);
  expect(spec.priorityClassName).toBe("system-cluster-critical");
  expect(spec.tolerations).toEqual(SYSTEM_TOLERATIONS);
  expect(spec.affinity).toEqual(SYSTEM_POOL_AFFINITY);
  expect(spec.topologySpreadConstraints).toContainEqual({
    maxSkew: 1,
    topologyKey: "topology.kubernetes.io/zone",
    whenUnsatisfiable: "ScheduleAnyway",
    labelSelector: { matchLabels: LABELS },
  });
  const pdb = find(objs, "PodDisruptionBudget").spec;
  expect(pdb).toEqual({ minAvailable: 1, selector: { matchLabels: LABELS } });
  expect(spec.hostNetwork).toBeUndefined();
});

test("runs as non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp", () => {
  const spec = podSpec(deployment);
  expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } });
  expect(container.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
  });
  // --cert-dir needs a writable /tmp.
  expect(container.volumeMounts).toEqual([{ name: "tmp", mountPath: "/tmp" }]);
  expect(spec.volumes).toEqual([{ name: "tmp", emptyDir: {} }]);
});

describe("RBAC", () => {
  const sa = "metrics-server";
  test("scrapes kubelets and reads the nodes and pods it reports on", () => {
    expect(can(objs, sa, { group: "", resource: "nodes/metrics", verb: "get" })).toBe(true);
    for (const resource of ["nodes", "pods"])
      for (const verb of ["get", "list", "watch"]) expect(can(objs, sa, { group: "", resource, verb })).toBe(true);
    expect(can(objs, sa, { group: "", resource: "secrets", verb: "get", namespace: "kube-system" })).toBe(false);
  });
  test("delegates authn/authz to the apiserver and reads the authentication ConfigMap", () => {
    const bindings = objs.filter((o) => o.kind.endsWith("Binding")) as any[];
    expect(bindings.map((b) => [b.kind, b.metadata.namespace, b.roleRef.kind, b.roleRef.name])).toEqual(
      expect.arrayContaining([
        ["ClusterRoleBinding", undefined, "ClusterRole", "system:auth-delegator"],
        ["RoleBinding", "kube-system", "Role", "extension-apiserver-authentication-reader"],
      ]),
    );
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: sa, namespace: "kube-system" }]);
    expect(podSpec(deployment).serviceAccountName).toBe(sa);
  });
  test("the metrics API is readable by the admin, edit and view roles", () => {
    const reader = find(objs, "ClusterRole", "system:aggregated-metrics-reader");
    expect(reader.metadata.labels).toMatchObject({
      "rbac.authorization.k8s.io/aggregate-to-admin": "true",
      "rbac.authorization.k8s.io/aggregate-to-edit": "true",
      "rbac.authorization.k8s.io/aggregate-to-view": "true",
    });
    expect(reader.rules).toEqual([{ apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list", "watch"] }]);
  });
});

test("refuses a version with a leading v", () => {
  expect(() => metricsServerObjects({ version: "v0.8.0" })).toThrow(
    /metrics-server version must be MAJOR\.MINOR\.PATCH without a leading v \(got "v0\.8\.0"\): pin an exact release in config/,
  );
});
