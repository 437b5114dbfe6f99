import { parse, stringify } from "yaml";
import { renderApiServerManifest } from "../../../bootstrap/controlPlane/apiserver";
import type { ApiServerSpec } from "../../../bootstrap/controlPlane/types";
import { commandOf, expectCoherentStaticPod, flagMap } from "./fixture";

const base: ApiServerSpec = {
  kubernetesVersion: "1.34.2",
  etcdServers: ["https://10.0.32.10:2379", "https://10.0.64.10:2379", "https://10.0.96.10:2379"],
  serviceCidr: "10.96.0.0/12",
  serviceAccountIssuer: "https://kubernetes.default.svc.cluster.local",
  audit: { maxAgeDays: 30, maxBackups: 10, maxSizeMiB: 100 },
};

type Pod = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    hostNetwork: boolean;
    priorityClassName: string;
    containers: {
      image: string;
      command: string[];
      livenessProbe: { httpGet: Record<string, unknown> };
      readinessProbe: { httpGet: Record<string, unknown> };
      startupProbe: { httpGet: Record<string, unknown> };
      resources: { requests: Record<string, string> };
      volumeMounts: { name: string; mountPath: string; readOnly: boolean }[];
    }[];
    volumes: { name: string; hostPath: { path: string; type: string } }[];
  };
};

describe("renderApiServerManifest", () => {
  const pod = renderApiServerManifest(base) as Pod;
  const flags = flagMap(pod);

  test("is a v1 Pod in kube-system on the host network, critical priority", () => {
    // Round-trip through YAML: what the kubelet reads is the serialised form.
    const back = parse(stringify(pod)) as Pod;
    expect(back.apiVersion).toBe("v1");
    expect(back.kind).toBe("Pod");
    expect(back.metadata).toMatchObject({ name: "kube-apiserver", namespace: "kube-system" });
    expect(back.spec.hostNetwork).toBe(true);
    expect(back.spec.priorityClassName).toBe("system-node-critical");
    expect(back.spec.containers).toHaveLength(1);
    expect(back.spec.containers[0].command[0]).toBe("kube-apiserver");
  });

  test("image comes from registry.k8s.io at the given version", () => {
    expect(pod.spec.containers[0].image).toBe("registry.k8s.io/kube-apiserver:v1.34.2");
    expect((renderApiServerManifest({ ...base, kubernetesVersion: "1.33.5" }) as Pod).spec.containers[0].image).toBe(
      "registry.k8s.io/kube-apiserver:v1.33.5",
    );
  });

  test.each([
    ["authorization-mode", "Node,RBAC"],
    ["profiling", "false"],
    ["secure-port", "6443"],
    ["service-account-lookup", "true"],
    ["service-account-extend-token-expiration", "false"],
    ["enable-bootstrap-token-auth", "true"],
    ["allow-privileged", "true"],
    ["endpoint-reconciler-type", "lease"],
    ["tls-min-version", "VersionTLS12"],
    ["audit-log-path", "/var/log/kubernetes/audit/audit.log"],
    ["audit-log-maxage", "30"],
    ["audit-log-maxbackup", "10"],
    ["audit-log-maxsize", "100"],
    ["audit-policy-file", "/etc/kubernetes/audit-policy.yaml"],
    ["encryption-provider-config", "/etc/kubernetes/encryption-config.yaml"],
    ["authentication-config", "/etc/kubernetes/authentication-config.yaml"],
    ["admission-control-config-file", "/etc/kubernetes/admission-config.yaml"],
    ["kubelet-certificate-authority", "/etc/kubernetes/pki/ca.crt"],
    ["kubelet-client-certificate", "/etc/kubernetes/pki/apiserver-kubelet-client.crt"],
    ["kubelet-client-key", "/etc/kubernetes/pki/apiserver-kubelet-client.key"],
    ["client-ca-file", "/etc/kubernetes/pki/ca.crt"],
    ["etcd-cafile", "/etc/kubernetes/pki/etcd/ca.crt"],
    ["etcd-certfile", "/etc/kubernetes/pki/apiserver-etcd-client.crt"],
    ["etcd-keyfile", "/etc/kubernetes/pki/apiserver-etcd-client.key"],
    ["etcd-servers", "https://10.0.32.10:2379,https://10.0.64.10:2379,https://10.0.96.10:2379"],
    ["service-account-key-file", "/etc/kubernetes/pki/sa.pub"],
    ["service-account-signing-key-file", "/etc/kubernetes/pki/sa.key"],
    ["service-account-issuer", "https://kubernetes.default.svc.cluster.local"],
    ["service-cluster-ip-range", "10.96.0.0/12"],
    ["requestheader-client-ca-file", "/etc/kubernetes/pki/front-proxy-ca.crt"],
    ["requestheader-allowed-names", "front-proxy-client"],
    ["proxy-client-cert-file", "/etc/kubernetes/pki/front-proxy-client.crt"],
    ["proxy-client-key-file", "/etc/kubernetes/pki/front-proxy-client.key"],
    ["kubelet-preferred-address-types", "InternalIP,InternalDNS,Hostname"],
  ])("--%s=%s", (name, value) => {
    expect(flags.get(name)).toBe(value);
  });

  test("admission plugins include NodeRestriction, DenyServiceExternalIPs, EventRateLimit", () => {
    expect(flags.get("enable-admission-plugins")?.split(",")).toEqual(
      expect.arrayContaining(["NodeRestriction", "DenyServiceExternalIPs", "EventRateLimit"]),
    );
  });

  test("cipher suites are ECDHE AEAD only", () => {
    const suites = flags.get("tls-cipher-suites")?.split(",") ?? [];
    expect(suites.length).toBeGreaterThan(0);
    for (const s of suites) expect(s).toMatch(/^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM|CHACHA20_POLY1305)_SHA(256|384)$/);
  });

  test.each([
    "anonymous-auth",
    "advertise-address",
    "insecure-port",
    "apiserver-count",
    "cloud-provider",
    "runtime-config",
    "token-auth-file",
  ])("--%s is not set", (name) => {
    expect(flags.has(name)).toBe(false);
  });

  test("flags are sorted and unique (byte-stable output)", () => {
    const names = commandOf(pod)
      .slice(1)
      .map((a) => a.slice(2, a.indexOf("=")));
    expect(names).toEqual([...names].sort());
    expect(new Set(names).size).toBe(names.length);
  });

  test("probes: livez, readyz and startup over HTTPS on 127.0.0.1:6443", () => {
    const c = pod.spec.containers[0];
    expect(c.livenessProbe.httpGet).toEqual({ host: "127.0.0.1", path: "/livez", port: 6443, scheme: "HTTPS" });
    expect(c.readinessProbe.httpGet).toEqual({ host: "127.0.0.1", path: "/readyz", port: 6443, scheme: "HTTPS" });
    expect(c.startupProbe.httpGet).toEqual({ host: "127.0.0.1", path: "/livez", port: 6443, scheme: "HTTPS" });
  });

  test("requests resources and mounts PKI read-only, the audit log dir writable", () => {
    const c = pod.spec.containers[0];
    expect(c.resources.requests).toEqual({ cpu: "250m", memory: "512Mi" });
    const mounts = new Map(c.volumeMounts.map((m) => [m.mountPath, m.readOnly]));
    expect(mounts.get("/etc/kubernetes/pki")).toBe(true);
    expect(mounts.get("/var/log/kubernetes/audit")).toBe(false);
    expect(mounts.get("/etc/kubernetes/encryption-config.yaml")).toBe(true);
    expect(mounts.get("/etc/ssl/certs")).toBe(true);
    // every mount has its volume, with the same host path
    const vols = new Map(pod.spec.volumes.map((v) => [v.name, v.hostPath.path]));
    for (const m of c.volumeMounts) expect(vols.get(m.name)).toBe(m.mountPath);
  });

  test("extraArgs override and extend flags", () => {
    const f = flagMap(renderApiServerManifest({ ...base, extraArgs: { v: "2", "audit-log-maxage": "90" } }));
    expect(f.get("v")).toBe("2");
    expect(f.get("audit-log-maxage")).toBe("90");
  });

  test("extraArgs may not set --anonymous-auth (it would stop the apiserver)", () => {
    expect(() => renderApiServerManifest({ ...base, extraArgs: { "anonymous-auth": "false" } })).toThrow(
      /anonymous-auth.*refused.*authentication-config/,
    );
  });

  test("extraArgs keys are flag names without dashes", () => {
    expect(() => renderApiServerManifest({ ...base, extraArgs: { "--v": "2" } })).toThrow(/without the leading "--"/);
  });

  test.each([[[]], [["http://10.0.0.1:2379"]], [["https://a:2379,https://b:2379"]]])("refuses etcdServers %j", (servers) => {
    expect(() => renderApiServerManifest({ ...base, etcdServers: servers })).toThrow(/etcdServers/);
  });

  test.each(["v1.34.2", "1.34", "latest"])("refuses version %s", (v) => {
    expect(() => renderApiServerManifest({ ...base, kubernetesVersion: v })).toThrow(/kubernetesVersion/);
  });

  test("snapshot", () => {
    const text = stringify(pod, { lineWidth: 0 });
    expect(text).toMatchSnapshot();
    expectCoherentStaticPod(text, pod);
  });
});
