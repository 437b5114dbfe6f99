/**
 * What every Kubernetes node (control plane or worker) boots with: the node files, the role's own
 * files, and the boot script that applies sysctls, installs the verified binaries, runs the role's
 * extra steps and starts containerd and the kubelet. One assembly for both roles.
 */
import { BOOT_SCRIPT_PATH, renderBootScript } from "../bootScript";
import { renderSessionManagerStep } from "../sessionManager";
import type { SessionManagerAgent } from "../../lib/config/sessionManager";
import type { Arch } from "../../lib/arch";
import type { KubernetesConfig, Taint } from "../../lib/config/types";
import type { NodeFile, SecretFile } from "../types";
import { renderBootstrapCleanupStep } from "./bootstrapCleanup";
import { joinsWithBootstrapToken, KubeNodeRole, nodeFiles } from "./files";
import { renderNodeInstallStep, renderNodeStartStep } from "./install";
import { renderSystemApplyStep } from "./system";

export interface KubernetesNodeBootArgs {
  cluster: string;
  region: string;
  kubernetes: KubernetesConfig;
  /** The node's CPU architecture: which binaries it downloads. */
  arch: Arch;
  /** sha256 by artifact key for that architecture (ClusterConfig.checksums[arch]). */
  checksums: Record<string, string>;
  role: KubeNodeRole;
  caCertPem: string;
  labels: Record<string, string>;
  taints: Taint[];
  /** The role's own files; they win over a node file at the same path (e.g. the CA certificate). */
  roleFiles?: NodeFile[];
  roleSecrets?: SecretFile[];
  /** Steps after the binaries are installed, before the kubelet starts. */
  beforeStart?: string[];
  /** Steps after the kubelet has started. */
  afterStart?: string[];
  /** The SSM agent to install first (kubestead:sessionManager); absent = none. */
  sessionManager?: SessionManagerAgent;
}

export function kubernetesNodeBoot(a: KubernetesNodeBootArgs): { files: NodeFile[]; secrets: SecretFile[] } {
  const k = a.kubernetes;
  const node = nodeFiles({
    cluster: a.cluster,
    role: a.role,
    caCertPem: a.caCertPem,
    pauseVersion: k.pauseVersion,
    clusterDnsIp: k.clusterDnsIp,
    clusterDomain: k.clusterDomain,
    nodeLabels: a.labels,
    nodeTaints: a.taints,
  });
  const roleFiles = a.roleFiles ?? [];
  const taken = new Set(roleFiles.map((f) => f.path));
  const steps = [
    ...(a.sessionManager ? [renderSessionManagerStep(a.sessionManager)] : []),
    renderSystemApplyStep(),
    renderNodeInstallStep({
      kubernetesVersion: k.version,
      containerdVersion: k.containerdVersion,
      runcVersion: k.runcVersion,
      cniPluginsVersion: k.cniPluginsVersion,
      kubectl: a.role === "controlplane",
      arch: a.arch,
      checksums: a.checksums,
    }),
    ...(a.beforeStart ?? []),
    renderNodeStartStep(),
    // A node that joined with the bootstrap token deletes it once the kubelet has its certificate.
    ...(joinsWithBootstrapToken(a.role) ? [renderBootstrapCleanupStep()] : []),
    ...(a.afterStart ?? []),
  ];
  const files = [
    ...roleFiles,
    ...node.files.filter((f) => !taken.has(f.path)),
    { path: BOOT_SCRIPT_PATH, mode: "0755", content: renderBootScript({ role: a.role, region: a.region, steps }) },
  ];
  return { files, secrets: [...(a.roleSecrets ?? []), ...node.secrets] };
}
