import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CiliumArgs, ciliumObjects } from "../../../bootstrap/addons/cilium";
import type { K8sObject } from "../../../bootstrap/addons/objects";

const HOST = "api.prod.example.com";
const ARGS: CiliumArgs = { version: "1.20.2", clusterName: "prod", apiServerHost: HOST };
const objects = ciliumObjects(ARGS);

// The objects are untyped literals; the tests read them by path.
const find = (kind: string, name: string): any => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name}`);
  return o;
};
const podSpec = (kind: string, name: string): any => find(kind, name).spec.template.spec;
const allContainers = (spec: any): any[] => [...(spec.initContainers ?? []), ...spec.containers];
const envOf = (c: any): Record<string, string | undefined> => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value]));

const agent = podSpec("DaemonSet", "cilium");
const operator = podSpec("Deployment", "cilium-operator");
const config = find("ConfigMap", "cilium-config").data as Record<string, string>;

test("renders the chart's object set, namespace and RBAC before the workloads", () => {
  expect(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? "-"}/${o.metadata.name}`)).toMatchSnapshot();
  const order = objects.map((o) => o.kind);
  expect(order.indexOf("Namespace")).toBe(0);
  expect(order.lastIndexOf("RoleBinding")).toBeLessThan(order.indexOf("DaemonSet"));
});

describe("cilium-config", () => {
  test("kubernetes IPAM with a required IPv4 podCIDR, VXLAN tunnel, kube-proxy kept, IPv4 masquerade", () => {
    expect(config).toMatchObject({
      ipam: "kubernetes",
      "k8s-require-ipv4-pod-cidr": "true",
      "routing-mode": "tunnel",
      "tunnel-protocol": "vxlan",
      "kube-proxy-replacement": "false",
      "enable-ipv4-masquerade": "true",
      "cluster-name": "prod",
    });
    expect(config).not.toHaveProperty("cluster-pool-ipv4-cidr");
  });

  test("Prometheus metrics on; Hubble on without TLS, so no certificate files are expected", () => {
    expect(config).toMatchObject({
      "prometheus-serve-addr": ":9962",
      "operator-prometheus-serve-addr": ":9963",
      "enable-metrics": "true",
      "enable-hubble": "true",
      "hubble-listen-address": ":4244",
      "hubble-disable-tls": "true",
    });
    expect(Object.keys(config).filter((k) => k.startsWith("hubble-tls"))).toEqual([]);
  });

  test("Envoy runs inside the agent", () => {
    expect(config).toMatchObject({ "enable-l7-proxy": "true", "external-envoy-proxy": "false" });
    expect(objects.some((o) => o.metadata.name === "cilium-envoy")).toBe(false);
  });

  test("every value is a string and keys are sorted", () => {
    expect(Object.values(config).every((v) => typeof v === "string")).toBe(true);
    expect(Object.keys(config)).toEqual([...Object.keys(config)].sort());
  });
});

describe("agent DaemonSet", () => {
  test("tolerates every taint and is node-critical", () => {
    expect(agent.tolerations).toContainEqual({ operator: "Exists" });
    expect(agent.priorityClassName).toBe("system-node-critical");
  });

  test("host network with the node's resolver: it runs before cluster DNS exists", () => {
    expect(agent.hostNetwork).toBe(true);
    expect(agent.dnsPolicy).toBe("Default");
  });

  test("the agent and the init containers that talk to the API reach it at the given endpoint", () => {
    const byName = Object.fromEntries(allContainers(agent).map((c) => [c.name, c]));
    for (const name of ["cilium-agent", "config", "clean-cilium-state"]) {
      expect(envOf(byName[name])).toMatchObject({ KUBERNETES_SERVICE_HOST: HOST, KUBERNETES_SERVICE_PORT: "6443" });
    }
    const custom = ciliumObjects({ ...ARGS, apiServerPort: 8443 }).find((o) => o.kind === "DaemonSet") as any;
    expect(envOf(custom.spec.template.spec.containers[0]).KUBERNETES_SERVICE_PORT).toBe("8443");
  });

  test("the chart's init containers, in order", () => {
    expect(agent.initContainers.map((c: { name: string }) => c.name)).toEqual([
      "config",
      "mount-cgroup",
      "apply-sysctl-overwrites",
      "mount-bpf-fs",
      "clean-cilium-state",
      "install-cni-binaries",
    ]);
  });

  test("startup, liveness and readiness probe the health port on loopback", () => {
    const c = agent.containers[0];
    expect(c.ports).toContainEqual({ name: "health", containerPort: 9879, hostPort: 9879, protocol: "TCP" });
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) {
      expect(probe.httpGet).toMatchObject({ host: "127.0.0.1", path: "/healthz", port: "health" });
    }
  });

  test("only mount-bpf-fs is privileged; the agent runs on capabilities", () => {
    const privileged = allContainers(agent)
      .filter((c) => c.securityContext?.privileged)
      .map((c) => c.name);
    expect(privileged).toEqual(["mount-bpf-fs"]);
    expect(agent.containers[0].securityContext.capabilities.add).toEqual(
      expect.arrayContaining(["NET_ADMIN", "SYS_ADMIN", "SYS_RESOURCE"]),
    );
  });

  test("every volume mount names a volume of the pod", () => {
    const volumes = new Set(agent.volumes.map((v: { name: string }) => v.name));
    const mounts = allContainers(agent).flatMap((c) => (c.volumeMounts ?? []).map((m: { name: string }) => m.name));
    expect(mounts.filter((m) => !volumes.has(m))).toEqual([]);
  });
});

describe("operator Deployment", () => {
  test("two replicas that never share a node (they bind the same host ports)", () => {
    expect(find("Deployment", "cilium-operator").spec.replicas).toBe(2);
    const term = operator.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term.topologyKey).toBe("kubernetes.io/hostname");
    const podLabels = find("Deployment", "cilium-operator").spec.template.metadata.labels;
    expect(podLabels).toMatchObject(term.labelSelector.matchLabels);
  });

  test("host network, node's resolver, cluster-critical, API at the given endpoint", () => {
    expect(operator.hostNetwork).toBe(true);
    expect(operator.dnsPolicy).toBe("Default");
    expect(operator.priorityClassName).toBe("system-cluster-critical");
    expect(envOf(operator.containers[0])).toMatchObject({ KUBERNETES_SERVICE_HOST: HOST, KUBERNETES_SERVICE_PORT: "6443" });
  });

  test("tolerates the taints of a node Cilium has not made ready yet, the control plane and the system pool", () => {
    const keys = operator.tolerations.map((t: { key?: string }) => t.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        "node-role.kubernetes.io/control-plane",
        "node.kubernetes.io/not-ready",
        "node.cloudprovider.kubernetes.io/uninitialized",
        "node.cilium.io/agent-not-ready",
        "kubestead.io/system",
      ]),
    );
  });

  test("a PodDisruptionBudget lets a drain take one replica at a time", () => {
    const pdb = find("PodDisruptionBudget", "cilium-operator");
    expect(pdb.spec.maxUnavailable).toBe(1);
    expect(find("Deployment", "cilium-operator").spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
  });
});

test("images are pinned to the version: agent and operator-generic (multi-arch manifests)", () => {
  const images = [...allContainers(agent), ...allContainers(operator)].map((c) => c.image);
  expect(new Set(images)).toEqual(new Set(["quay.io/cilium/cilium:v1.20.2", "quay.io/cilium/operator-generic:v1.20.2"]));
});

test("no Secret, no key material, no Helm bookkeeping", () => {
  expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
  const text = JSON.stringify(objects);
  expect(text).not.toMatch(/-----BEGIN|PRIVATE KEY|"secret":|secretName|helm\.sh|managed-by|creationTimestamp/);
});

test("every binding grants a rendered role to a rendered ServiceAccount", () => {
  const names = new Set(objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`));
  const bindings = objects.filter((o) => o.kind.endsWith("Binding")) as (K8sObject & {
    roleRef: { kind: string; name: string };
    subjects: { name: string; namespace: string }[];
  })[];
  expect(bindings).toHaveLength(6);
  for (const b of bindings) {
    expect(names).toContain(`${b.roleRef.kind}/${b.roleRef.kind === "Role" ? b.metadata.namespace : ""}/${b.roleRef.name}`);
    for (const s of b.subjects) expect(names).toContain(`ServiceAccount/${s.namespace}/${s.name}`);
  }
});

test("deterministic: the same arguments render the same bytes", () => {
  expect(JSON.stringify(ciliumObjects({ ...ARGS }))).toBe(JSON.stringify(objects));
});

describe("invalid arguments", () => {
  test.each([
    [{ version: "v1.20.2" }, /MAJOR\.MINOR\.PATCH.*pin an exact release/],
    [{ version: "1.17.6" }, /predates the 1\.18 chart.*pin 1\.18\.0 or later/],
    [{ apiServerHost: "https://api.prod.example.com:6443" }, /DNS name without scheme or port.*pass the API load balancer's DNS name/],
    [{ apiServerPort: 0 }, /apiServerPort must be an integer from 1 to 65535.*6443/],
    [{ clusterName: "Prod_1" }, /lowercase DNS label.*cluster name/],
  ])("%j is refused with its fix", (over, message) => {
    expect(() => ciliumObjects({ ...ARGS, ...over })).toThrow(message);
  });

  test("every problem is reported at once", () => {
    expect(() => ciliumObjects({ ...ARGS, version: "latest", apiServerHost: "x:1" })).toThrow(/version[\s\S]*apiServerHost/);
  });
});

test("every object is valid against the Kubernetes OpenAPI schemas", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-cilium-"));
  const file = path.join(dir, "objects.json");
  fs.writeFileSync(file, JSON.stringify(objects));
  const r = spawnSync(process.execPath, [path.join(__dirname, "../../helpers/validateK8s.mjs"), file], {
    encoding: "utf8",
    cwd: path.resolve(__dirname, "../../.."),
  });
  fs.rmSync(dir, { recursive: true, force: true });
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toEqual([]);
});
