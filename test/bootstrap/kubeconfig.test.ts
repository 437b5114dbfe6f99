import { parse } from "yaml";
import { KubeconfigArgs, kubeconfigHoldsSecret, renderKubeconfig } from "../../bootstrap/kubeconfig";

const CA = "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN EC PRIVATE KEY-----\nS0VZ\n-----END EC PRIVATE KEY-----\n";
const b64 = (s: string): string => Buffer.from(s).toString("base64");

describe("renderKubeconfig", () => {
  test("embedded form: one cluster, user and context, data base64-encoded", () => {
    const a: KubeconfigArgs = {
      cluster: "prod",
      server: "https://api.prod.example:6443",
      caCertPem: CA,
      user: "kubernetes-admin",
      clientCertPem: CERT,
      clientKeyPem: KEY,
    };
    const cfg = parse(renderKubeconfig(a));
    expect(cfg.apiVersion).toBe("v1");
    expect(cfg.kind).toBe("Config");
    expect(cfg.clusters).toEqual([
      { name: "prod", cluster: { server: "https://api.prod.example:6443", "certificate-authority-data": b64(CA) } },
    ]);
    expect(cfg.users).toEqual([{ name: "kubernetes-admin", user: { "client-certificate-data": b64(CERT), "client-key-data": b64(KEY) } }]);
    expect(cfg.contexts).toEqual([{ name: "kubernetes-admin@prod", context: { cluster: "prod", user: "kubernetes-admin" } }]);
    expect(cfg["current-context"]).toBe("kubernetes-admin@prod");
    expect(kubeconfigHoldsSecret(a)).toBe(true);
  });

  test("path form references files and holds no secret", () => {
    const a: KubeconfigArgs = {
      cluster: "prod",
      server: "https://127.0.0.1:6443",
      caPath: "/etc/kubernetes/pki/ca.crt",
      user: "system:kube-scheduler",
      clientCertPath: "/etc/kubernetes/pki/scheduler.crt",
      clientKeyPath: "/etc/kubernetes/pki/scheduler.key",
    };
    const text = renderKubeconfig(a);
    const cfg = parse(text);
    expect(cfg.clusters[0].cluster).toEqual({ server: "https://127.0.0.1:6443", "certificate-authority": "/etc/kubernetes/pki/ca.crt" });
    expect(cfg.users[0].user).toEqual({
      "client-certificate": "/etc/kubernetes/pki/scheduler.crt",
      "client-key": "/etc/kubernetes/pki/scheduler.key",
    });
    expect(text).not.toMatch(/-data:|PRIVATE KEY|token/);
    expect(kubeconfigHoldsSecret(a)).toBe(false);
  });

  test("token form is a secret", () => {
    const a: KubeconfigArgs = {
      cluster: "prod",
      server: "https://api:6443",
      caCertPem: CA,
      user: "tls-bootstrap",
      token: "abcdef.0123456789abcdef",
    };
    expect(parse(renderKubeconfig(a)).users[0].user).toEqual({ token: "abcdef.0123456789abcdef" });
    expect(kubeconfigHoldsSecret(a)).toBe(true);
  });

  test("byte-stable", () => {
    const a: KubeconfigArgs = { cluster: "c", server: "https://x:6443", caCertPem: CA, user: "u", token: "t" };
    expect(renderKubeconfig(a)).toBe(renderKubeconfig({ ...a }));
    expect(renderKubeconfig(a)).toMatchSnapshot();
  });

  test.each<[string, Partial<KubeconfigArgs>, RegExp]>([
    ["http server", { server: "http://x:6443" }, /https:\/\/ URL/],
    ["both CA forms", { caPath: "/ca.crt" }, /exactly one of caCertPem and caPath/],
    ["two credential forms", { clientCertPath: "/a.crt", clientKeyPath: "/a.key" }, /exactly one credential form/],
    ["cert without key", { token: undefined, clientCertPem: CERT }, /set together/],
  ])("refuses %s", (_n, over, msg) => {
    const a: KubeconfigArgs = { cluster: "c", server: "https://x:6443", caCertPem: CA, user: "u", token: "t", ...over };
    expect(() => renderKubeconfig(a)).toThrow(msg);
  });
});
