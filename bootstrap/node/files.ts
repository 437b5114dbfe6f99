/**
 * Everything a Kubernetes node (control plane or worker) boots with, as NodeFiles for user data
 * and SecretFiles for SSM. The boot steps that use them are in install.ts and system.ts.
 */
import type { Taint } from "../../lib/config/types";
import type { NodeFile, SecretFile } from "../types";
import { renderContainerdConfig, renderContainerdService, renderRegistryHosts } from "./containerd";
import { renderKubeletConfig, renderKubeletService } from "./kubelet";
import {
  BOOTSTRAP_KUBECONFIG_PATH,
  CLUSTER_CA_PATH,
  CONTAINERD_CONFIG_PATH,
  CONTAINERD_UNIT_PATH,
  KUBELET_CONFIG_PATH,
  KUBELET_UNIT_PATH,
  STATIC_POD_PATH,
} from "./paths";
import { systemFiles } from "./system";

export type KubeNodeRole = "controlplane" | "worker";

import { NODE_ROLE_LABEL } from "../../lib/k8sNames";

export { NODE_ROLE_LABEL };
export const NODE_ROLE_VALUE: Record<KubeNodeRole, string> = { controlplane: "control-plane", worker: "worker" };

/** kubeadm's taint: only pods that tolerate it (system add-ons) land on control-plane nodes. */
export const CONTROL_PLANE_TAINT: Taint = { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" };

export interface NodeSpec {
  /** Cluster name (lowercase DNS label). */
  cluster: string;
  role: KubeNodeRole;
  /** PEM of the cluster CA (public): the kubelet's client CA and the bootstrap kubeconfig's CA. */
  caCertPem: string;
  /** Pause image version, e.g. "3.10" (registry.k8s.io/pause:<v>). */
  pauseVersion: string;
  clusterDnsIp: string;
  clusterDomain: string;
  /** Labels the kubelet may set on itself; node-role.* is refused (see labels.ts). */
  nodeLabels: Record<string, string>;
  /** Taints; control-plane nodes always get CONTROL_PLANE_TAINT as well. */
  nodeTaints: Taint[];
  maxPods?: number;
  /** Registry host -> mirror https URLs, written as containerd hosts.toml files. */
  registryMirrors?: Record<string, string[]>;
  kubeletExtraArgs?: Record<string, string>;
  kubeletConfigExtra?: Record<string, unknown>;
  resolvConf?: string;
}

export function bootstrapKubeconfigParameter(cluster: string, role: KubeNodeRole): string {
  return `/kubestead/${cluster}/${role}/bootstrap-kubelet.conf`;
}

/**
 * Whether a role's kubelet joins with the bootstrap token. Control-plane kubelets never do: the
 * boot script signs their client certificate locally (controlPlane/kubeletCredential.ts), so the
 * token, which can ask for a certificate under any node name, never reaches those nodes.
 */
export function joinsWithBootstrapToken(role: KubeNodeRole): boolean {
  return role === "worker";
}

export function nodeFiles(spec: NodeSpec): { files: NodeFile[]; secrets: SecretFile[] } {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(spec.cluster)) {
    throw new Error(
      `node files: cluster must be a lowercase DNS label (got ${JSON.stringify(spec.cluster)}): use the stack's cluster name`,
    );
  }
  if (!/^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n?$/.test(spec.caCertPem)) {
    throw new Error("node files: caCertPem must be one PEM certificate (BEGIN/END CERTIFICATE): pass the cluster CA's certPem");
  }
  const controlPlane = spec.role === "controlplane";
  const taints = [...spec.nodeTaints];
  if (controlPlane && !taints.some((t) => t.key === CONTROL_PLANE_TAINT.key && t.effect === CONTROL_PLANE_TAINT.effect)) {
    taints.push(CONTROL_PLANE_TAINT);
  }
  const files: NodeFile[] = [
    ...systemFiles(),
    {
      path: CONTAINERD_CONFIG_PATH,
      content: renderContainerdConfig({ pauseImage: `registry.k8s.io/pause:${spec.pauseVersion}` }),
      mode: "0644",
    },
    ...renderRegistryHosts(spec.registryMirrors ?? {}),
    { path: CONTAINERD_UNIT_PATH, content: renderContainerdService(), mode: "0644" },
    { path: CLUSTER_CA_PATH, content: spec.caCertPem.endsWith("\n") ? spec.caCertPem : `${spec.caCertPem}\n`, mode: "0644" },
    {
      path: KUBELET_CONFIG_PATH,
      content: renderKubeletConfig({
        clusterDnsIp: spec.clusterDnsIp,
        clusterDomain: spec.clusterDomain,
        maxPods: spec.maxPods,
        staticPodPath: controlPlane ? STATIC_POD_PATH : undefined,
        resolvConf: spec.resolvConf,
        extra: spec.kubeletConfigExtra,
      }),
      // CIS 4.1.9: kubelet config 600.
      mode: "0600",
    },
    {
      path: KUBELET_UNIT_PATH,
      content: renderKubeletService({
        nodeLabels: { ...spec.nodeLabels, [NODE_ROLE_LABEL]: NODE_ROLE_VALUE[spec.role] },
        nodeTaints: taints,
        extraArgs: spec.kubeletExtraArgs,
        bootstrapKubeconfig: joinsWithBootstrapToken(spec.role),
      }),
      // CIS 4.1.1: kubelet service file 600.
      mode: "0600",
    },
  ];
  const secrets: SecretFile[] = joinsWithBootstrapToken(spec.role)
    ? [
        // Its content is renderBootstrapKubeconfig(...) output, stored by the caller under this name.
        { path: BOOTSTRAP_KUBECONFIG_PATH, parameter: bootstrapKubeconfigParameter(spec.cluster, spec.role), mode: "0600" },
      ]
    : [];
  return { files, secrets };
}
