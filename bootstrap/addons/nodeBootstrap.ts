/**
 * What lets kubelets join with a bootstrap token (TLS bootstrapping): the token Secret and the
 * bindings that let its holders ask for a client certificate (approved by the control plane's join
 * verifier, nodeCsrVerifier.ts, only for this cluster's running workers), and let nodes renew theirs. Serving certificates are approved by csrApprover.ts instead.
 * The apiserver needs --enable-bootstrap-token-auth; kube-controller-manager signs with the
 * cluster CA. https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/
 */
import { binding, group, K8sObject, KUBE_SYSTEM } from "./objects";

/** Extra group every kubestead bootstrap token carries; bindings name it, not all bootstrappers. */
export const NODE_BOOTSTRAP_GROUP = "system:bootstrappers:kubestead:nodes";

/**
 * Label on every token Secret kubestead makes: the add-on applier deletes the labelled token
 * Secrets other than the one it applies (an older token, rotated away by `pulumi up`).
 */
export const BOOTSTRAP_TOKEN_LABEL = "kubestead.io/bootstrap-token";

export interface BootstrapTokenArgs {
  /** [a-z0-9]{6} */
  tokenId: string;
  /** [a-z0-9]{16}; a credential: the caller marks the resulting object secret. */
  tokenSecret: string;
  /**
   * RFC 3339 expiry (lib/bootstrapTokenWindow.ts): kube-controller-manager's tokencleaner deletes
   * the Secret after it, and the apiserver refuses the token. Absent = none.
   */
  expiration?: string;
}

/** The token Secret. Contains the credential: apply it as a Pulumi secret. */
export function bootstrapTokenSecret(a: BootstrapTokenArgs): K8sObject {
  if (!/^[a-z0-9]{6}$/.test(a.tokenId))
    throw new Error(`bootstrap tokenId must be 6 of [a-z0-9] (got ${JSON.stringify(a.tokenId)}): generate it with that alphabet`);
  if (!/^[a-z0-9]{16}$/.test(a.tokenSecret))
    throw new Error("bootstrap tokenSecret must be 16 of [a-z0-9] (value not shown): generate it with that alphabet");
  const data: Record<string, string> = {
    "token-id": a.tokenId,
    "token-secret": a.tokenSecret,
    "usage-bootstrap-authentication": "true",
    "usage-bootstrap-signing": "true",
    "auth-extra-groups": NODE_BOOTSTRAP_GROUP,
    description: "kubestead node TLS bootstrap",
  };
  if (a.expiration !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(a.expiration) || Number.isNaN(Date.parse(a.expiration)))
      throw new Error(`bootstrap token expiration must be RFC 3339 UTC like 2027-01-31T00:00:00Z (got ${JSON.stringify(a.expiration)})`);
    data.expiration = a.expiration;
  }
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "bootstrap.kubernetes.io/token",
    metadata: { name: `bootstrap-token-${a.tokenId}`, namespace: KUBE_SYSTEM, labels: { [BOOTSTRAP_TOKEN_LABEL]: "true" } },
    // data, not stringData: server-side apply owns the fields it sends, and stringData is write-only
    // (the apiserver folds it into data), so every re-apply would look like a conflict.
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")])),
  };
}

/** RBAC for TLS bootstrapping (no secrets: safe to show in a plan). */
export function nodeBootstrapRbac(): K8sObject[] {
  return [
    binding("kubestead:kubelet-bootstrap", "system:node-bootstrapper", [group(NODE_BOOTSTRAP_GROUP)]),
    // No nodeclient auto-approval: a token could ask for any node's name. The control plane's
    // join verifier (nodeCsrVerifier.ts) approves a join only for a running worker of this cluster.
    binding("kubestead:node-autoapprove-certificate-rotation", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [
      group("system:nodes"),
    ]),
  ];
}
