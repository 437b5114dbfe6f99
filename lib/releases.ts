/**
 * Releases kubestead knows how to verify: every binary a node downloads at boot is checked
 * against a sha256 pinned here (or in config under kubestead:checksums). A version without a
 * known checksum is a config error, never an unverified download.
 *
 * Checksums as published by each project for linux/amd64; table last reviewed 2026-11.
 */
import type { KubernetesConfig } from "./config/types";

/** Kubernetes minors kubestead accepts (upstream supports the newest three). */
export const SUPPORTED_KUBERNETES_MINORS: number[] = [35, 36, 37];

/**
 * The AWS cloud-controller-manager release for each Kubernetes minor
 * (registry.k8s.io/provider-aws/cloud-controller-manager): the project releases one line per minor
 * and supports only that minor. v1.36.0's image was never published; v1.36.1 is the first of 1.36.
 */
export const CLOUD_CONTROLLER_MANAGER_RELEASES: Record<number, string> = {
  35: "1.35.2",
  36: "1.36.1",
  37: "1.37.0",
};

/** sha256 of etcd-v<version>-linux-amd64.tar.gz */
export const ETCD_SHA256: Record<string, string> = {
  "3.5.27": "0aad9a9e4e0817a021e933f9806a2b2960a62f949ad5a3d6436d8886945cb1bc",
  "3.6.14": "ffe840ff9295808e88cce2794a18a5ac87f12a5203c8314d0bf6aa119b41bac5",
};

/** sha256 of dl.k8s.io/release/v<version>/bin/linux/amd64/kubelet */
export const KUBELET_SHA256: Record<string, string> = {
  "1.35.1": "e7343310e03ff0d424df4397bdfa4468947d6d1f0f93dac586c1e8d6e4086d5d",
  "1.35.8": "6971b9f95e54dbed67a2271abe6e78f8cc2894494649f3cf39e4b25a82dca923",
  "1.36.2": "3ba68cb4f0906053c08ab843131d5cec559cf8c718dbd679950a078b306abbb4",
  "1.37.0": "ee554f77da57ad40a5d5f8625ac9c4af8b75d9d5a259367a885e5e816954b044",
};

/** sha256 of dl.k8s.io/release/v<version>/bin/linux/amd64/kubectl (control-plane nodes apply add-ons with it) */
export const KUBECTL_SHA256: Record<string, string> = {
  "1.35.8": "874d5e72dbb819f43cff16bcd1e4f8bac5b7f2361fe1e55049b0a6c676fb0cbf",
  "1.36.2": "1e9045ec32bea85da43de85f0065358529ea7c7a152eca78154fba5b58c27d82",
  "1.37.0": "6129359f4e1f3848a5572ccb0b26cf28b8ca08cef38c95a765b2f64a2c961a2f",
};

/** sha256 of containerd-<version>-linux-amd64.tar.gz */
export const CONTAINERD_SHA256: Record<string, string> = {
  "1.7.30": "ca0f27e34411504acd1cd24fcbaa71b9c47d31ce9408c47c54a2dc1810ceb1df",
  "2.3.1": "628448bd973610c656c1cbea8e88b32fafd85b23cc1aa4a3372eb7198478c054",
  "2.4.1": "d65eda6a188aac1006848d8060099be88ba9c4bcddbfd9a23a961194710d0dd4",
};

/** sha256 of runc.amd64 */
export const RUNC_SHA256: Record<string, string> = {
  "1.3.4": "5966ca40b6187b30e33bfc299c5f1fe72e8c1aa01cf3fefdadf391668f47f103",
  "1.5.1": "177df879d50c913eb205e898d5c1c05a18f574053c0ce5524c471208eaf06f6f",
};

/** sha256 of cni-plugins-linux-amd64-v<version>.tgz */
export const CNI_PLUGINS_SHA256: Record<string, string> = {
  "1.8.0": "ab3bda535f9d90766cccc90d3dddb5482003dd744d7f22bcf98186bf8eea8be6",
  "1.9.1": "b98f74a0f8522f0a83867178729c1aa70f2158f90c45a2ca8fa791db1c76b303",
};

export function knownEtcdVersion(version: string): string | undefined {
  return ETCD_SHA256[version];
}

export function etcdUrl(version: string): string {
  return `https://github.com/etcd-io/etcd/releases/download/v${version}/etcd-v${version}-linux-amd64.tar.gz`;
}

export interface NodeArtifact {
  /** Key under kubestead:checksums and in ClusterConfig.checksums. */
  key: string;
  /** File name as published. */
  artifact: string;
  url: string;
  known?: string;
  /** The config key whose release this artifact is, e.g. kubernetes.version, and that release. */
  versionKey: string;
  version: string;
  /** Releases with a checksum kubestead knows. */
  knownVersions: string[];
}

/** The binaries every Kubernetes node downloads, with the checksum kubestead knows for each. */
export function checksumKeysFor(
  k: Pick<KubernetesConfig, "version" | "containerdVersion" | "runcVersion" | "cniPluginsVersion">,
): NodeArtifact[] {
  return [
    {
      key: "kubelet",
      artifact: `kubelet v${k.version} linux/amd64`,
      url: `https://dl.k8s.io/release/v${k.version}/bin/linux/amd64/kubelet`,
      versionKey: "kubernetes.version",
      version: k.version,
      knownVersions: Object.keys(KUBELET_SHA256),
      known: KUBELET_SHA256[k.version],
    },
    {
      key: "kubectl",
      artifact: `kubectl v${k.version} linux/amd64`,
      url: `https://dl.k8s.io/release/v${k.version}/bin/linux/amd64/kubectl`,
      versionKey: "kubernetes.version",
      version: k.version,
      knownVersions: Object.keys(KUBECTL_SHA256),
      known: KUBECTL_SHA256[k.version],
    },
    {
      key: "containerd",
      artifact: `containerd-${k.containerdVersion}-linux-amd64.tar.gz`,
      url: `https://github.com/containerd/containerd/releases/download/v${k.containerdVersion}/containerd-${k.containerdVersion}-linux-amd64.tar.gz`,
      versionKey: "kubernetes.containerdVersion",
      version: k.containerdVersion,
      knownVersions: Object.keys(CONTAINERD_SHA256),
      known: CONTAINERD_SHA256[k.containerdVersion],
    },
    {
      key: "runc",
      artifact: `runc.amd64 v${k.runcVersion}`,
      url: `https://github.com/opencontainers/runc/releases/download/v${k.runcVersion}/runc.amd64`,
      versionKey: "kubernetes.runcVersion",
      version: k.runcVersion,
      knownVersions: Object.keys(RUNC_SHA256),
      known: RUNC_SHA256[k.runcVersion],
    },
    {
      key: "cniPlugins",
      artifact: `cni-plugins-linux-amd64-v${k.cniPluginsVersion}.tgz`,
      url: `https://github.com/containernetworking/plugins/releases/download/v${k.cniPluginsVersion}/cni-plugins-linux-amd64-v${k.cniPluginsVersion}.tgz`,
      versionKey: "kubernetes.cniPluginsVersion",
      version: k.cniPluginsVersion,
      knownVersions: Object.keys(CNI_PLUGINS_SHA256),
      known: CNI_PLUGINS_SHA256[k.cniPluginsVersion],
    },
  ];
}
