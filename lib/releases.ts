/**
 * Releases kubestead knows how to verify: every binary a node downloads at boot is checked
 * against a sha256 pinned here (or in config under kubestead:checksums). A version without a
 * known checksum is a config error, never an unverified download.
 *
 * Checksums as published by each project for linux/amd64 and linux/arm64; table last reviewed
 * 2026-12. amd64 values were read from each project's published checksums; arm64 values from
 * kOps' asset hash lists (generated from the upstream sum files) and kubespray's checksum table,
 * most confirmed by a second public source.
 */
import type { Arch } from "./arch";
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

export type PerArch = Record<Arch, Record<string, string>>;

/**
 * sha256 of etcd-v<version>-linux-<arch>.tar.gz. arm64 values: kubespray's checksum table (3.5.27)
 * and an install script that quotes the release's SHA256SUMS (3.6.14), each one source.
 */
export const ETCD_SHA256: PerArch = {
  amd64: {
    "3.5.27": "0aad9a9e4e0817a021e933f9806a2b2960a62f949ad5a3d6436d8886945cb1bc",
    "3.6.14": "ffe840ff9295808e88cce2794a18a5ac87f12a5203c8314d0bf6aa119b41bac5",
  },
  arm64: {
    "3.5.27": "1277309f540c5a0329c428f95455c9f76d24f768c8d28fd2753e891c379053fa",
    "3.6.14": "fa1b80565ee6fc2df1ae6f57a508b221f3ecc7d591c317c581cd8281b0842b3e",
  },
};

/**
 * sha256 of dl.k8s.io/release/v<version>/bin/linux/<arch>/kubelet. kubelet 1.35.8 arm64 has no
 * checksum here (none was found to verify); arm64 nodes need 1.36.2 or 1.37.0, or
 * kubestead:checksums.arm64.kubelet.
 */
export const KUBELET_SHA256: PerArch = {
  amd64: {
    "1.35.1": "e7343310e03ff0d424df4397bdfa4468947d6d1f0f93dac586c1e8d6e4086d5d",
    "1.35.8": "6971b9f95e54dbed67a2271abe6e78f8cc2894494649f3cf39e4b25a82dca923",
    "1.36.2": "3ba68cb4f0906053c08ab843131d5cec559cf8c718dbd679950a078b306abbb4",
    "1.37.0": "ee554f77da57ad40a5d5f8625ac9c4af8b75d9d5a259367a885e5e816954b044",
  },
  arm64: {
    "1.36.2": "b0b45db96f0e6bf996780b8a2b8d868bf538dc7c3a60cf604cf0ea2d65c24b06",
    "1.37.0": "7855ce2c3a3393d3c871fdeedcef32e38531f6852179130764763a9da79e2aa8",
  },
};

/** sha256 of dl.k8s.io/release/v<version>/bin/linux/<arch>/kubectl (control-plane nodes apply add-ons with it) */
export const KUBECTL_SHA256: PerArch = {
  amd64: {
    "1.35.8": "874d5e72dbb819f43cff16bcd1e4f8bac5b7f2361fe1e55049b0a6c676fb0cbf",
    "1.36.2": "1e9045ec32bea85da43de85f0065358529ea7c7a152eca78154fba5b58c27d82",
    "1.37.0": "6129359f4e1f3848a5572ccb0b26cf28b8ca08cef38c95a765b2f64a2c961a2f",
  },
  arm64: {
    "1.35.8": "cc749967b62f4422260bc9c0aa7a7c55f45175ae38cb8d95767b5d2b7e04c1fd",
    "1.36.2": "c957eb8c4bea27a3bb35b269edd9082e27f027f7b76b20b5bf4afebc726c6d3e",
    "1.37.0": "922df28df248cc00a9e025f947704f1d1482de64ece54cfe57e61f19eaf1eef3",
  },
};

/** sha256 of containerd-<version>-linux-<arch>.tar.gz */
export const CONTAINERD_SHA256: PerArch = {
  amd64: {
    "1.7.30": "ca0f27e34411504acd1cd24fcbaa71b9c47d31ce9408c47c54a2dc1810ceb1df",
    "2.3.1": "628448bd973610c656c1cbea8e88b32fafd85b23cc1aa4a3372eb7198478c054",
    "2.4.1": "d65eda6a188aac1006848d8060099be88ba9c4bcddbfd9a23a961194710d0dd4",
  },
  arm64: {
    "1.7.30": "a09c3b01b3b6935e839c8a9588b5528c57ebfca4747d816654a7d1e7575c0a63",
    "2.3.1": "46a83603a850f3916ca7c942310daaf82ed17773a85b1d431e92d4a541e46d0d",
    "2.4.1": "67f9b0a81c7140aaf15fe69053e88175270fadd33aeaffc1b9017123c1f55cea",
  },
};

/** sha256 of runc.<arch> */
export const RUNC_SHA256: PerArch = {
  amd64: {
    "1.3.4": "5966ca40b6187b30e33bfc299c5f1fe72e8c1aa01cf3fefdadf391668f47f103",
    "1.5.1": "177df879d50c913eb205e898d5c1c05a18f574053c0ce5524c471208eaf06f6f",
  },
  arm64: {
    "1.3.4": "d6dcab36d1b6af1b72c7f0662e5fcf446a291271ba6006532b95c4144e19d428",
    "1.5.1": "ca70e7dbd6616ca782a59b5d3ac86909123fdaa9fa3f89dcf29051c70eee7ce9",
  },
};

/** sha256 of cni-plugins-linux-<arch>-v<version>.tgz */
export const CNI_PLUGINS_SHA256: PerArch = {
  amd64: {
    "1.8.0": "ab3bda535f9d90766cccc90d3dddb5482003dd744d7f22bcf98186bf8eea8be6",
    "1.9.1": "b98f74a0f8522f0a83867178729c1aa70f2158f90c45a2ca8fa791db1c76b303",
  },
  arm64: {
    "1.8.0": "57ce466fc3b79db1f19b8f4c63e07a1112306efa53c94fe810a2150dd9e07ddb",
    "1.9.1": "56171987d3947707c3563db2f4001bccaf50fd63468611b9f3cbecb1375ee7ec",
  },
};

/**
 * The checksum `table` holds for `version` on `arch`, if any. Only the table's own entries count:
 * a version written as "constructor" or "toString" must not find what every object inherits.
 */
export function knownChecksum(table: PerArch, arch: Arch, version: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(table[arch], version) ? table[arch][version] : undefined;
}

export function knownEtcdVersion(version: string, arch: Arch = "amd64"): string | undefined {
  return knownChecksum(ETCD_SHA256, arch, version);
}

export function etcdArtifact(version: string, arch: Arch): string {
  return `etcd-v${version}-linux-${arch}.tar.gz`;
}

export function etcdUrl(version: string, arch: Arch = "amd64"): string {
  return `https://github.com/etcd-io/etcd/releases/download/v${version}/${etcdArtifact(version, arch)}`;
}

export interface NodeArtifact {
  /** Key under kubestead:checksums.<arch> and in ClusterConfig.checksums[arch]. */
  key: string;
  /** File name as published. */
  artifact: string;
  url: string;
  known?: string;
  /** The config key whose release this artifact is, e.g. kubernetes.version, and that release. */
  versionKey: string;
  version: string;
  /** Releases with a checksum kubestead knows for this architecture. */
  knownVersions: string[];
}

/** The binaries every Kubernetes node of `arch` downloads, with the checksum kubestead knows for each. */
export function checksumKeysFor(
  k: Pick<KubernetesConfig, "version" | "containerdVersion" | "runcVersion" | "cniPluginsVersion">,
  arch: Arch = "amd64",
): NodeArtifact[] {
  const entry = (key: string, versionKey: string, version: string, artifact: string, url: string, table: PerArch): NodeArtifact => ({
    key,
    artifact,
    url,
    versionKey,
    version,
    knownVersions: Object.keys(table[arch]),
    known: knownChecksum(table, arch, version),
  });
  return [
    entry(
      "kubelet",
      "kubernetes.version",
      k.version,
      `kubelet v${k.version} linux/${arch}`,
      `https://dl.k8s.io/release/v${k.version}/bin/linux/${arch}/kubelet`,
      KUBELET_SHA256,
    ),
    entry(
      "kubectl",
      "kubernetes.version",
      k.version,
      `kubectl v${k.version} linux/${arch}`,
      `https://dl.k8s.io/release/v${k.version}/bin/linux/${arch}/kubectl`,
      KUBECTL_SHA256,
    ),
    entry(
      "containerd",
      "kubernetes.containerdVersion",
      k.containerdVersion,
      `containerd-${k.containerdVersion}-linux-${arch}.tar.gz`,
      `https://github.com/containerd/containerd/releases/download/v${k.containerdVersion}/containerd-${k.containerdVersion}-linux-${arch}.tar.gz`,
      CONTAINERD_SHA256,
    ),
    entry(
      "runc",
      "kubernetes.runcVersion",
      k.runcVersion,
      `runc.${arch} v${k.runcVersion}`,
      `https://github.com/opencontainers/runc/releases/download/v${k.runcVersion}/runc.${arch}`,
      RUNC_SHA256,
    ),
    entry(
      "cniPlugins",
      "kubernetes.cniPluginsVersion",
      k.cniPluginsVersion,
      `cni-plugins-linux-${arch}-v${k.cniPluginsVersion}.tgz`,
      `https://github.com/containernetworking/plugins/releases/download/v${k.cniPluginsVersion}/cni-plugins-linux-${arch}-v${k.cniPluginsVersion}.tgz`,
      CNI_PLUGINS_SHA256,
    ),
  ];
}
