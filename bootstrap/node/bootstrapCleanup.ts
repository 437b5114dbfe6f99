/**
 * Boot step (after the kubelet starts) for nodes that join with the bootstrap token: wait until the
 * kubelet holds its client certificate, then delete the bootstrap kubeconfig, so the token is not
 * left on the node's disk for a later reader (a hostPath mount, a snapshot of the root volume).
 *
 * The kubelet reads --bootstrap-kubeconfig only while --kubeconfig holds no valid client
 * certificate (kubelet pkg/kubelet/certificate/bootstrap LoadClientConfig: a readable kubelet.conf
 * whose certificate has not expired is used as is). It writes kubelet.conf as soon as it starts
 * bootstrapping, before the certificate exists, so the step waits for both; from then on restarts
 * go through kubelet.conf and renewals use the current certificate (rotateCertificates). A node
 * whose certificate expires while it is off can no longer join: the auto scaling group replaces it.
 */
import { BOOTSTRAP_KUBECONFIG_PATH, KUBELET_KUBECONFIG_PATH } from "./paths";

/** The kubelet's certificate store link to its current client certificate and key. */
export const KUBELET_CLIENT_CURRENT = "/var/lib/kubelet/pki/kubelet-client-current.pem";

export interface BootstrapCleanupPaths {
  clientCert: string;
  kubeconfig: string;
  bootstrapKubeconfig: string;
}

const DEFAULT_PATHS: BootstrapCleanupPaths = {
  clientCert: KUBELET_CLIENT_CURRENT,
  kubeconfig: KUBELET_KUBECONFIG_PATH,
  bootstrapKubeconfig: BOOTSTRAP_KUBECONFIG_PATH,
};

/**
 * Attempts of the boot script's `retry` (pauses 5, 10, 20, 40 s, then 60 s): about 20 minutes for
 * the CSR to be approved, which covers a first bring-up (the control plane boots and applies the
 * token Secret while workers already wait) and a token rotated mid-boot (the applier applies the
 * new one within its interval). A node not joined by then fails its boot and is replaced.
 */
export const JOIN_WAIT_ATTEMPTS = 24;

/** Bash for the boot script (uses its `retry`, `log` and `die`). Paths are for tests. */
export function renderBootstrapCleanupStep(paths: Partial<BootstrapCleanupPaths> = {}): string {
  const p = { ...DEFAULT_PATHS, ...paths };
  for (const [k, v] of Object.entries(p)) {
    if (!/^\/[A-Za-z0-9._/-]+$/.test(v)) throw new Error(`bootstrap cleanup: ${k} must be an absolute path (got ${JSON.stringify(v)})`);
  }
  return `# Joined: the kubelet has its client certificate. The bootstrap token is no longer needed here.
kubelet_joined() {
  [ -s '${p.clientCert}' ] && [ -s '${p.kubeconfig}' ]
}
retry ${JOIN_WAIT_ATTEMPTS} 5 kubelet_joined || die "the kubelet got no client certificate (${p.clientCert}): check CSRs (kubectl get csr) and the bootstrap token Secret"
rm -f '${p.bootstrapKubeconfig}'
log "joined: removed ${p.bootstrapKubeconfig}"
`;
}
