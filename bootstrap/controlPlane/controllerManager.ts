/**
 * kube-controller-manager static pod, hardened to CIS v1.12 section 1.3.
 *
 * It talks to the apiserver on the same node (controller-manager.conf → https://127.0.0.1:6443):
 * an NLB target cannot reach itself through the NLB (client IP preservation drops the hairpin), and
 * a local apiserver keeps working while the load balancer is being replaced. Leader election picks
 * one active instance across the control-plane nodes.
 */
import { CERT, KEY, KUBECONFIG, PKI_DIR, PORTS } from "./paths";
import { CA_BUNDLE_MOUNTS, HostMount, staticPod, TLS_FLAGS } from "./staticPod";
import type { ControllerManagerSpec } from "./types";

/**
 * Terminated pods kept before the GC deletes the oldest (CIS 1.3.1). The upstream default, 12500,
 * lets finished Jobs' pods pile up in etcd; 1000 keeps recent failures around to debug.
 */
export const DEFAULT_TERMINATED_POD_GC_THRESHOLD = 1000;

export function controllerManagerFlags(a: ControllerManagerSpec): Record<string, string> {
  const threshold = a.terminatedPodGcThreshold ?? DEFAULT_TERMINATED_POD_GC_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new Error(`terminatedPodGcThreshold must be a positive integer (got ${JSON.stringify(threshold)}): e.g. 1000`);
  }
  return {
    kubeconfig: KUBECONFIG.controllerManager,
    "authentication-kubeconfig": KUBECONFIG.controllerManager,
    "authorization-kubeconfig": KUBECONFIG.controllerManager,
    "bind-address": "127.0.0.1", // metrics/health only on the node itself (CIS 1.3.7)
    "secure-port": String(PORTS.controllerManager),
    ...TLS_FLAGS,
    "client-ca-file": CERT.ca,
    "requestheader-client-ca-file": CERT.frontProxyCa,
    "cluster-name": a.cluster,
    // Signs kubelet client and serving certificates from approved CSRs.
    "cluster-signing-cert-file": CERT.ca,
    "cluster-signing-key-file": KEY.ca,
    "root-ca-file": CERT.ca,
    "service-account-private-key-file": KEY.serviceAccount,
    "use-service-account-credentials": "true", // one SA per controller: least privilege (CIS 1.3.3)
    // bootstrapsigner/tokencleaner are off by default; worker joins need them.
    controllers: "*,bootstrapsigner,tokencleaner",
    // Cloud controllers (node lifecycle, routes, services) run in the AWS cloud-controller-manager.
    "cloud-provider": "external",
    // Node IPAM: each Node gets spec.podCIDR from the pod network.
    "allocate-node-cidrs": "true",
    "cluster-cidr": a.podCidr,
    "node-cidr-mask-size": String(a.nodeCidrMaskSize),
    "service-cluster-ip-range": a.serviceCidr,
    "terminated-pod-gc-threshold": String(threshold),
    "leader-elect": "true",
    profiling: "false",
  };
}

export function controllerManagerMounts(): HostMount[] {
  return [
    { name: "k8s-certs", path: PKI_DIR, type: "Directory", readOnly: true },
    { name: "kubeconfig", path: KUBECONFIG.controllerManager, type: "File", readOnly: true },
    ...CA_BUNDLE_MOUNTS,
  ];
}

export function renderControllerManagerManifest(a: ControllerManagerSpec): object {
  return staticPod({
    component: "kube-controller-manager",
    kubernetesVersion: a.kubernetesVersion,
    flags: controllerManagerFlags(a),
    extraArgs: a.extraArgs,
    mounts: controllerManagerMounts(),
    port: PORTS.controllerManager,
    livenessPath: "/healthz",
    requests: { cpu: "200m", memory: "256Mi" },
  });
}
