/**
 * Where a Kubernetes node's files live. kubeadm's layout, so kube-bench, runbooks and operators
 * find everything where they expect it; binaries from release tarballs go under /usr/local.
 */

export const KUBELET_CONFIG_PATH = "/var/lib/kubelet/config.yaml";
export const KUBELET_UNIT_PATH = "/etc/systemd/system/kubelet.service";
/** Written by the kubelet itself once its client certificate is issued. */
export const KUBELET_KUBECONFIG_PATH = "/etc/kubernetes/kubelet.conf";
/** Holds the bootstrap token: a SecretFile, fetched from SSM at boot. */
export const BOOTSTRAP_KUBECONFIG_PATH = "/etc/kubernetes/bootstrap-kubelet.conf";
export const CLUSTER_CA_PATH = "/etc/kubernetes/pki/ca.crt";
export const STATIC_POD_PATH = "/etc/kubernetes/manifests";

export const CONTAINERD_CONFIG_PATH = "/etc/containerd/config.toml";
export const CONTAINERD_UNIT_PATH = "/etc/systemd/system/containerd.service";
/** Per-registry hosts.toml files (mirrors, CAs) live under this directory. */
export const CONTAINERD_CERTS_DIR = "/etc/containerd/certs.d";
export const CONTAINERD_SOCKET = "unix:///run/containerd/containerd.sock";

export const CNI_BIN_DIR = "/opt/cni/bin";
export const CNI_CONF_DIR = "/etc/cni/net.d";

export const MODULES_LOAD_PATH = "/etc/modules-load.d/k8s.conf";
export const SYSCTL_PATH = "/etc/sysctl.d/99-kubernetes.conf";

/** Release binaries: the tarballs' own layout under /usr/local. */
export const BIN = {
  kubelet: "/usr/local/bin/kubelet",
  kubectl: "/usr/local/bin/kubectl",
  containerd: "/usr/local/bin/containerd",
  runc: "/usr/local/sbin/runc",
} as const;
