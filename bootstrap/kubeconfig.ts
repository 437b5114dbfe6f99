/**
 * kubeconfig files (kind Config, apiVersion v1) with one cluster, one user and one context.
 *
 * Two forms:
 * - embedded (`*Pem`, `token`): self-contained, for the admin.conf handed to the operator. It holds
 *   a private key or token, so it is a secret (kubeconfigHoldsSecret).
 * - by path (`*Path`): for kubeconfigs on a node that point at /etc/kubernetes/pki files. The key
 *   stays a SecretFile of its own and the kubeconfig is plain user data.
 */
import { stringify } from "yaml";

export interface KubeconfigArgs {
  /** Cluster name used for the cluster and context entries. */
  cluster: string;
  /** API URL, e.g. https://127.0.0.1:6443 or the load balancer's https://<dns>:6443. */
  server: string;
  /** CA certificate PEM, embedded as certificate-authority-data. Exactly one of caCertPem/caPath. */
  caCertPem?: string;
  /** CA certificate file on the node, e.g. /etc/kubernetes/pki/ca.crt. */
  caPath?: string;
  /** User entry name, e.g. system:kube-scheduler or kubernetes-admin. */
  user: string;
  /** Embedded client certificate and key (both or neither). */
  clientCertPem?: string;
  clientKeyPem?: string;
  /** Client certificate and key files on the node (both or neither). */
  clientCertPath?: string;
  clientKeyPath?: string;
  /** Bearer token (e.g. a bootstrap token). */
  token?: string;
  /**
   * Name to verify the server's certificate against when `server` is another name for it (the
   * load balancer's own DNS name while the certificate carries the API's stable name).
   */
  tlsServerName?: string;
}

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

/** True when the rendered kubeconfig would carry a credential (a key or a token): ship it as a secret. */
export function kubeconfigHoldsSecret(a: KubeconfigArgs): boolean {
  return a.clientKeyPem !== undefined || a.token !== undefined;
}

function problems(a: KubeconfigArgs): string[] {
  const out: string[] = [];
  if (!a.cluster) out.push("cluster must be a non-empty name");
  if (!a.user) out.push("user must be a non-empty name");
  if (!/^https:\/\/\S+$/.test(a.server ?? "")) out.push(`server must be an https:// URL (got ${JSON.stringify(a.server)})`);
  if ((a.caCertPem === undefined) === (a.caPath === undefined)) out.push("exactly one of caCertPem and caPath must be set");
  const forms = [
    a.clientCertPem !== undefined || a.clientKeyPem !== undefined,
    a.clientCertPath !== undefined || a.clientKeyPath !== undefined,
    a.token !== undefined,
  ].filter(Boolean).length;
  if (forms !== 1) out.push("exactly one credential form must be set: clientCertPem+clientKeyPem, clientCertPath+clientKeyPath, or token");
  if ((a.clientCertPem === undefined) !== (a.clientKeyPem === undefined)) out.push("clientCertPem and clientKeyPem must be set together");
  if ((a.clientCertPath === undefined) !== (a.clientKeyPath === undefined))
    out.push("clientCertPath and clientKeyPath must be set together");
  if (a.token === "") out.push("token must not be empty");
  return out;
}

export function kubeconfig(a: KubeconfigArgs): object {
  const p = problems(a);
  if (p.length > 0) {
    throw new Error(
      `invalid kubeconfig for user ${JSON.stringify(a.user)} on cluster ${JSON.stringify(a.cluster)}:\n${p.map((s) => `  - ${s}`).join("\n")}`,
    );
  }
  const context = `${a.user}@${a.cluster}`;
  const cluster: Record<string, string> =
    a.caPath !== undefined
      ? { server: a.server, "certificate-authority": a.caPath }
      : { server: a.server, "certificate-authority-data": b64(a.caCertPem as string) };
  if (a.tlsServerName !== undefined) cluster["tls-server-name"] = a.tlsServerName;
  let user: Record<string, string>;
  if (a.token !== undefined) user = { token: a.token };
  else if (a.clientCertPath !== undefined) user = { "client-certificate": a.clientCertPath, "client-key": a.clientKeyPath as string };
  else user = { "client-certificate-data": b64(a.clientCertPem as string), "client-key-data": b64(a.clientKeyPem as string) };
  return {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: a.cluster, cluster }],
    users: [{ name: a.user, user }],
    contexts: [{ name: context, context: { cluster: a.cluster, user: a.user } }],
    "current-context": context,
    preferences: {},
  };
}

export function renderKubeconfig(a: KubeconfigArgs): string {
  return stringify(kubeconfig(a), { lineWidth: 0 });
}
