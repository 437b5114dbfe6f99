/**
 * The cluster-admins add-on (the bindings that replace system:masters for the exported and node
 * admin credentials and the apiserver's kubelet client), and Pod Security Admission against every
 * add-on kubestead applies: all of them run in kube-system, the one namespace PSA exempts.
 */
import { APISERVER_KUBELET_CLIENT_USER, CLUSTER_ADMINS_GROUP, clusterAdminsObjects } from "../../../bootstrap/addons/clusterAdmins";
import { ADDON_LABEL, addonNames, clusterAddons, renderManifest } from "../../../bootstrap/addons/manifests";
import { DEFAULT_POD_SECURITY } from "../../../bootstrap/controlPlane/admissionConfig";
import { parseClusterConfig } from "../../../lib/config/parse";
import { rawStackConfig, stackConfig } from "../../../tools/offline/stackFile";
import { refs, schemaProblems } from "../../helpers/addonObjects";
import { ROOT } from "../../helpers/plannedStack";

const config = parseClusterConfig(rawStackConfig(stackConfig(ROOT, "prod"), "prod"));
const render = (clusterAdminsBinding?: boolean) =>
  clusterAddons({
    cluster: config.name,
    region: config.region,
    kubernetes: config.kubernetes,
    addons: { ...config.addons, metricsServer: true, clusterAutoscaler: true, ebsCsiDriver: true },
    apiServerHost: "api.kubestead-prod.kubestead.internal",
    vpcCidrs: ["10.0.0.0/16"],
    podRoleArns: {
      "cluster-autoscaler": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-cluster-autoscaler",
      "ebs-csi-driver": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-ebs-csi-driver",
      "node-termination": "arn:aws:iam::123456789012:role/kubestead-prod-us-east-1-node-termination",
    },
    nodeTerminationQueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/kubestead-prod-node-termination",
    clusterAdminsBinding,
  });

describe("cluster-admins", () => {
  test("binds kubeadm:cluster-admins to cluster-admin and the apiserver's kubelet client to system:kubelet-api-admin", () => {
    expect(clusterAdminsObjects()).toEqual([
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "kubeadm:cluster-admins" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: CLUSTER_ADMINS_GROUP }],
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: "kubestead:apiserver-kubelet-client" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "system:kubelet-api-admin" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: APISERVER_KUBELET_CLIENT_USER }],
      },
    ]);
    expect(schemaProblems(clusterAdminsObjects())).toEqual([]);
  });

  test("controlPlane.clusterAdminsBinding=false leaves the group unbound (the applier prunes the labelled binding)", () => {
    const addon = render(false).find((a) => a.name === "cluster-admins")!;
    expect(refs(addon.objects)).toEqual(["ClusterRoleBinding/-/kubestead:apiserver-kubelet-client"]);
    expect(renderManifest(render(true).find((a) => a.name === "cluster-admins")!)).toContain(`${ADDON_LABEL}: cluster-admins`);
  });

  test("is applied right after node-bootstrap, whatever the optional add-ons", () => {
    expect(
      render()
        .map((a) => a.name)
        .slice(0, 3),
    ).toEqual(["node-bootstrap", "cluster-admins", "cloud-controller-manager"]);
    expect(addonNames({ ...config.addons, metricsServer: false, clusterAutoscaler: false, ebsCsiDriver: false })).toContain(
      "cluster-admins",
    );
  });

  test("no add-on binds anything to system:masters or grants cluster-admin to another subject", () => {
    for (const a of render()) {
      for (const o of a.objects as any[]) {
        if (!/RoleBinding$/.test(o.kind)) continue;
        expect({ addon: a.name, masters: o.subjects.some((s: any) => s.name === "system:masters") }).toEqual({
          addon: a.name,
          masters: false,
        });
        if (o.roleRef.name === "cluster-admin") expect(o.metadata.name).toBe("kubeadm:cluster-admins");
      }
    }
  });
});

describe("Pod Security Admission and the add-ons", () => {
  const POD_KINDS = new Set(["Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "Job", "CronJob"]);

  // Several add-ons need what baseline forbids (host network, hostPath, privileged, added
  // capabilities), so the defaults must keep exempting the namespace they all run in.
  test("every add-on workload runs in kube-system, which the default PodSecurityConfiguration exempts", () => {
    const workloads = render().flatMap((a) =>
      a.objects.filter((o) => POD_KINDS.has(o.kind)).map((o) => `${a.name} ${o.kind}/${o.metadata.namespace}`),
    );
    expect(workloads.length).toBeGreaterThan(5);
    for (const w of workloads) expect(w).toMatch(/\/kube-system$/);
    expect(DEFAULT_POD_SECURITY.exemptNamespaces).toEqual(["kube-system"]);
  });

  test("and some of them do need the exemption: baseline would reject them", () => {
    const specOf = (o: any) => o.spec.template.spec;
    const needsPrivileged = render()
      .flatMap((a) => a.objects.filter((o) => POD_KINDS.has(o.kind)).map((o) => [a.name, specOf(o)] as const))
      .filter(
        ([, s]) =>
          s.hostNetwork === true ||
          (s.volumes ?? []).some((v: any) => v.hostPath) ||
          [...(s.containers ?? []), ...(s.initContainers ?? [])].some((c: any) => c.securityContext?.privileged),
      )
      .map(([n]) => n);
    expect([...new Set(needsPrivileged)]).toEqual(
      expect.arrayContaining(["cilium", "kube-proxy", "cloud-controller-manager", "ebs-csi-driver"]),
    );
  });
});
