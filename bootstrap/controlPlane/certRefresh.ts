/**
 * The control plane's part of the certificate refresh (bootstrap/certRefresh.ts): which leaves a
 * node re-reads from SSM, against which key and CA, and which static pod each one restarts.
 *
 * Only kube-controller-manager and kube-scheduler are restarted: they read their kubeconfig's
 * client certificate at start. kube-apiserver reloads its serving certificate from disk, and opens
 * new connections to etcd, the kubelets and aggregated APIs with the files as they are then;
 * kubectl (admin.conf, super-admin.conf: the applier and the CSR verifier) reads them per call.
 */
import { CERT_REFRESH_SCRIPT_PATH, CertRefreshEntry, RestartableComponent, renderCertRefreshScript } from "../certRefresh";
import type { StoredNodeFile } from "../storedFiles";
import { controlPlaneParameter } from "./files";
import { CERT, KEY, KUBECONFIG, MANIFESTS_DIR, PORTS } from "./paths";

/** The leaves on every control-plane node (the CAs and sa.pub are not leaves). */
export const CONTROL_PLANE_LEAVES = [
  "apiServer",
  "apiServerKubeletClient",
  "apiServerEtcdClient",
  "frontProxyClient",
  "controllerManager",
  "scheduler",
  "admin",
  "superAdmin",
] as const;
export type ControlPlaneLeaf = (typeof CONTROL_PLANE_LEAVES)[number];

const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

const CA_OF: Partial<Record<ControlPlaneLeaf, string>> = { apiServerEtcdClient: CERT.etcdCa, frontProxyClient: CERT.frontProxyCa };
const RESTART_OF: Partial<Record<ControlPlaneLeaf, RestartableComponent>> = {
  controllerManager: "kube-controller-manager",
  scheduler: "kube-scheduler",
};

/** SSM String parameter of each leaf: /kubestead/<cluster>/controlplane/<file>.crt, beside its key. */
export function controlPlaneCertParameters(cluster: string): Record<ControlPlaneLeaf, string> {
  return Object.fromEntries(CONTROL_PLANE_LEAVES.map((k) => [k, controlPlaneParameter(cluster, basename(CERT[k]))])) as Record<
    ControlPlaneLeaf,
    string
  >;
}

export function controlPlaneCertRefreshEntries(cluster: string): CertRefreshEntry[] {
  const params = controlPlaneCertParameters(cluster);
  return CONTROL_PLANE_LEAVES.map((k) => ({
    parameter: params[k],
    path: CERT[k],
    key: KEY[k],
    ca: CA_OF[k] ?? CERT.ca,
    restart: RESTART_OF[k],
  }));
}

/** The script is delivered through the add-on store, pinned by sha256 (user data is near its limit). */
export function controlPlaneCertRefreshStoredFiles(region: string): StoredNodeFile[] {
  const script = renderCertRefreshScript({
    role: "controlplane",
    region,
    controlPlane: {
      // The break-glass identity, as the applier's: the Lease must be takeable before any binding.
      kubeconfig: KUBECONFIG.superAdmin,
      manifestsDir: MANIFESTS_DIR,
      healthUrls: {
        "kube-controller-manager": `https://127.0.0.1:${PORTS.controllerManager}/healthz`,
        "kube-scheduler": `https://127.0.0.1:${PORTS.scheduler}/healthz`,
      },
    },
  });
  return [{ path: CERT_REFRESH_SCRIPT_PATH, content: script, mode: "0755" }];
}
