import { parse } from "yaml";
import { cloudControllerManagerArgs, cloudControllerManagerObjects } from "../../../bootstrap/addons/cloudControllerManager";
import { corednsObjects, renderCorefile } from "../../../bootstrap/addons/coredns";
import { kubeProxyObjects } from "../../../bootstrap/addons/kubeProxy";
import { bootstrapTokenSecret, NODE_BOOTSTRAP_GROUP, nodeBootstrapRbac } from "../../../bootstrap/addons/nodeBootstrap";
import type { K8sObject } from "../../../bootstrap/addons/objects";

const PROXY = {
  kubernetesVersion: "1.35.1",
  podCidr: "10.244.0.0/16",
  apiServerUrl: "https://api.prod.example.com:6443",
  mode: "iptables" as const,
};
const DNS = { version: "1.12.1", clusterDnsIp: "10.96.0.10", clusterDomain: "cluster.local" };
const CCM = { version: "1.35.0", clusterName: "prod", podCidr: "10.244.0.0/16", region: "eu-west-1" };

const find = (objs: K8sObject[], kind: string, name?: string): any =>
  objs.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
const images = (objs: K8sObject[]): string[] =>
  objs.flatMap((o: any) => (o.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image));
const kinds = (objs: K8sObject[]): string[] => objs.map((o) => `${o.kind}/${o.metadata.namespace ?? "-"}/${o.metadata.name}`);

describe.each([
  ["kube-proxy", () => kubeProxyObjects(PROXY)],
  ["coredns", () => corednsObjects(DNS)],
  ["cloud-controller-manager", () => cloudControllerManagerObjects(CCM)],
  ["node bootstrap RBAC", () => nodeBootstrapRbac()],
])("%s objects", (_name, build) => {
  test("namespaced objects live in kube-system; cluster-scoped ones have no namespace", () => {
    const clusterScoped = new Set(["ClusterRole", "ClusterRoleBinding"]);
    for (const o of build()) {
      if (clusterScoped.has(o.kind)) expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace).toBe("kube-system");
    }
  });
  test("images come from registry.k8s.io, pinned with a v tag", () => {
    for (const img of images(build())) expect(img).toMatch(/^registry\.k8s\.io\/[a-z0-9/-]+:v\d+\.\d+\.\d+$/);
  });
  test("byte-stable", () => {
    expect(JSON.stringify(build())).toBe(JSON.stringify(build()));
    expect(build()).toMatchSnapshot();
  });
});

describe("kube-proxy", () => {
  const objs = kubeProxyObjects(PROXY);
  test("kinds", () => {
    expect(kinds(objs)).toEqual([
      "ServiceAccount/kube-system/kube-proxy",
      "ClusterRoleBinding/-/kubestead:node-proxier",
      "ConfigMap/kube-system/kube-proxy",
      "DaemonSet/kube-system/kube-proxy",
    ]);
    expect(find(objs, "ClusterRoleBinding").roleRef.name).toBe("system:node-proxier");
  });
  test("its config parses and carries clusterCIDR, mode and localhost metrics", () => {
    const cm = find(objs, "ConfigMap");
    const cfg = parse(cm.data["config.conf"]);
    expect(cfg.kind).toBe("KubeProxyConfiguration");
    expect(cfg.apiVersion).toBe("kubeproxy.config.k8s.io/v1alpha1");
    expect(cfg.clusterCIDR).toBe("10.244.0.0/16");
    expect(cfg.metricsBindAddress).toBe("127.0.0.1:10249");
    expect(cfg.mode).toBe("iptables");
    expect(cfg.clientConnection.kubeconfig).toBe("/var/lib/kube-proxy/kubeconfig.conf");
    const kc = parse(cm.data["kubeconfig.conf"]);
    expect(kc.clusters[0].cluster.server).toBe("https://api.prod.example.com:6443");
    expect(kc.users[0].user.tokenFile).toBe("/var/run/secrets/kubernetes.io/serviceaccount/token");
    const ipvs = find(kubeProxyObjects({ ...PROXY, mode: "ipvs" }), "ConfigMap");
    expect(parse(ipvs.data["config.conf"]).mode).toBe("ipvs");
  });
  test("DaemonSet runs everywhere, node-critical, on the host network", () => {
    const ds = find(objs, "DaemonSet").spec.template.spec;
    expect(ds.priorityClassName).toBe("system-node-critical");
    expect(ds.hostNetwork).toBe(true);
    expect(ds.tolerations).toContainEqual({ operator: "Exists" });
    expect(ds.containers[0].image).toBe("registry.k8s.io/kube-proxy:v1.35.1");
  });
  test("refuses a Service-IP endpoint form and a bad CIDR", () => {
    expect(() => kubeProxyObjects({ ...PROXY, apiServerUrl: "https://10.96.0.1" })).toThrow(/apiServerUrl must be https:\/\/host:port/);
    expect(() => kubeProxyObjects({ ...PROXY, podCidr: "10.244.0.0" })).toThrow(/clusterCIDR.*must be an IPv4 CIDR/);
  });
});

describe("coredns", () => {
  const objs = corednsObjects(DNS);
  test("kinds", () => {
    expect(kinds(objs)).toEqual([
      "ServiceAccount/kube-system/coredns",
      "ClusterRole/-/system:coredns",
      "ClusterRoleBinding/-/system:coredns",
      "ConfigMap/kube-system/coredns",
      "Deployment/kube-system/coredns",
      "Service/kube-system/kube-dns",
      "PodDisruptionBudget/kube-system/coredns",
    ]);
  });
  test("kube-dns Service sits at the cluster DNS IP with DNS and metrics ports", () => {
    const svc = find(objs, "Service").spec;
    expect(svc.clusterIP).toBe("10.96.0.10");
    expect(svc.ports.map((p: any) => `${p.port}/${p.protocol}`)).toEqual(["53/UDP", "53/TCP", "9153/TCP"]);
    expect(svc.selector).toEqual(find(objs, "Deployment").spec.selector.matchLabels);
  });
  test("two replicas spread over zones, least privilege", () => {
    const d = find(objs, "Deployment").spec;
    expect(d.replicas).toBe(2);
    expect(d.template.spec.topologySpreadConstraints[0].topologyKey).toBe("topology.kubernetes.io/zone");
    const sc = d.template.spec.containers[0].securityContext;
    expect(sc.capabilities).toEqual({ add: ["NET_BIND_SERVICE"], drop: ["ALL"] });
    expect(sc.readOnlyRootFilesystem).toBe(true);
    expect(d.template.spec.containers[0].image).toBe("registry.k8s.io/coredns/coredns:v1.12.1");
    expect(find(objs, "PodDisruptionBudget").spec.minAvailable).toBe(1);
  });
  test("Corefile serves the cluster domain and exports metrics", () => {
    const corefile = renderCorefile("cluster.local");
    expect(find(objs, "ConfigMap").data.Corefile).toBe(corefile);
    expect(corefile).toContain("kubernetes cluster.local in-addr.arpa ip6.arpa {");
    expect(corefile).toContain("prometheus :9153");
  });
  test("refuses a bad DNS IP", () => {
    expect(() => corednsObjects({ ...DNS, clusterDnsIp: "10.96.0" })).toThrow(/clusterDnsIp must be an IPv4 address \(got "10\.96\.0"\)/);
  });
});

describe("cloud-controller-manager", () => {
  const objs = cloudControllerManagerObjects(CCM);
  const pod = find(objs, "DaemonSet").spec.template.spec;
  test("runs only on control-plane nodes and tolerates what it must", () => {
    // kubeadm's label, which no kubelet may set on itself (NodeRestriction): a worker can't attract it.
    expect(pod.nodeSelector).toEqual({ "node-role.kubernetes.io/control-plane": "" });
    // The node's resolver: cluster DNS can't exist before the CCM has initialised a node.
    expect(pod.dnsPolicy).toBe("Default");
    const tolerated = pod.tolerations.map((t: any) => `${t.key}:${t.effect}`);
    expect(tolerated).toEqual(
      expect.arrayContaining([
        "node-role.kubernetes.io/control-plane:NoSchedule",
        "node.cloudprovider.kubernetes.io/uninitialized:NoSchedule",
        "node.kubernetes.io/not-ready:NoSchedule",
      ]),
    );
    expect(pod.hostNetwork).toBe(true);
    expect(pod.priorityClassName).toBe("system-node-critical");
    expect(pod.containers[0].image).toBe("registry.k8s.io/provider-aws/cloud-controller-manager:v1.35.0");
  });
  test("flags", () => {
    const args = pod.containers[0].args;
    expect(args).toEqual(
      expect.arrayContaining([
        "--cloud-provider=aws",
        "--controllers=*,-route",
        "--configure-cloud-routes=false",
        "--allocate-node-cidrs=false",
        "--cluster-cidr=10.244.0.0/16",
        "--cluster-name=prod",
        "--leader-elect=true",
        "--use-service-account-credentials=true",
        "--v=2",
      ]),
    );
    expect(cloudControllerManagerArgs({ ...CCM, extraArgs: { v: "4" } })).toContain("--v=4");
    expect(cloudControllerManagerArgs({ ...CCM, extraArgs: { v: "4" } })).not.toContain("--v=2");
  });
  test("RBAC: its ClusterRole, auth reader RoleBinding, token minting for controller accounts", () => {
    const rb = find(objs, "RoleBinding", "cloud-controller-manager:apiserver-authentication-reader");
    expect(rb.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "extension-apiserver-authentication-reader" });
    expect(rb.metadata.namespace).toBe("kube-system");
    const role = find(objs, "ClusterRole", "system:cloud-controller-manager");
    const canDo = (res: string, verb: string) => role.rules.some((r: any) => r.resources.includes(res) && r.verbs.includes(verb));
    expect(canDo("nodes", "patch")).toBe(true);
    expect(canDo("services/status", "patch")).toBe(true);
    expect(canDo("leases", "update")).toBe(true);
    const creds = find(objs, "Role", "system:cloud-controller-manager:controller-credentials");
    expect(creds.rules.find((r: any) => r.resources[0] === "serviceaccounts/token").resourceNames).toEqual(
      expect.arrayContaining(["node-controller", "service-controller"]),
    );
    for (const b of objs.filter((o) => o.kind.endsWith("Binding"))) {
      const roleName = (b as any).roleRef.name;
      const local = objs.find((o) => o.kind.endsWith("Role") && !o.kind.endsWith("Binding") && o.metadata.name === roleName);
      // Every binding points at a role defined here or a built-in one.
      expect(local !== undefined || /^(system:auth-delegator|extension-apiserver-authentication-reader)$/.test(roleName)).toBe(true);
    }
  });
  test("bad inputs", () => {
    expect(() => cloudControllerManagerObjects({ ...CCM, version: "v1.35.0" })).toThrow(/without a leading v/);
    expect(() => cloudControllerManagerObjects({ ...CCM, region: "Europe" })).toThrow(/region must be an AWS region/);
  });
});

describe("node bootstrap", () => {
  test("token secret has the bootstrap type, usages and our group", () => {
    const s: any = bootstrapTokenSecret({ tokenId: "abcdef", tokenSecret: "0123456789abcdef" });
    expect(s.type).toBe("bootstrap.kubernetes.io/token");
    // Labelled: the applier deletes labelled token Secrets other than the one it applies.
    expect(s.metadata).toEqual({
      name: "bootstrap-token-abcdef",
      namespace: "kube-system",
      labels: { "kubestead.io/bootstrap-token": "true" },
    });
    const data = (k: string) => (s.data[k] === undefined ? undefined : Buffer.from(s.data[k], "base64").toString("utf8"));
    expect(s.stringData).toBeUndefined();
    expect(data("token-id")).toBe("abcdef");
    expect(data("token-secret")).toBe("0123456789abcdef");
    expect(data("usage-bootstrap-authentication")).toBe("true");
    expect(data("auth-extra-groups")).toBe(NODE_BOOTSTRAP_GROUP);
    expect(data("expiration")).toBeUndefined();
  });
  test("RBAC lets our bootstrappers request client certs (the join verifier approves them), nodes renew", () => {
    const roles = nodeBootstrapRbac().map((b: any) => `${b.subjects[0].name}->${b.roleRef.name}`);
    expect(roles).toEqual([
      `${NODE_BOOTSTRAP_GROUP}->system:node-bootstrapper`,
      "system:nodes->system:certificates.k8s.io:certificatesigningrequests:selfnodeclient",
    ]);
  });
  test("bad token parts are refused, the secret is not echoed", () => {
    expect(() => bootstrapTokenSecret({ tokenId: "ABC", tokenSecret: "0123456789abcdef" })).toThrow(/tokenId must be 6/);
    expect(() => bootstrapTokenSecret({ tokenId: "abcdef", tokenSecret: "SUPERSECRET" })).toThrow(/value not shown/);
  });
  test("an expiration is written as RFC 3339 for the tokencleaner; anything else is refused", () => {
    const s: any = bootstrapTokenSecret({ tokenId: "abcdef", tokenSecret: "0123456789abcdef", expiration: "2027-01-31T00:00:00Z" });
    expect(Buffer.from(s.data.expiration, "base64").toString("utf8")).toBe("2027-01-31T00:00:00Z");
    expect(() => bootstrapTokenSecret({ tokenId: "abcdef", tokenSecret: "0123456789abcdef", expiration: "31 Jan 2027" })).toThrow(
      /RFC 3339/,
    );
  });
});
