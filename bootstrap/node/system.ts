/**
 * Kernel modules and sysctls a Kubernetes node needs. The kubelet runs with
 * protectKernelDefaults: it refuses to start unless the kernel already holds the values it would
 * otherwise set itself (vm.*, kernel.panic*, kernel.keys.*), so we set them here.
 */
import type { NodeFile } from "../types";
import { MODULES_LOAD_PATH, SYSCTL_PATH } from "./paths";

/** overlay for containerd's snapshotter; br_netfilter so bridged pod traffic meets iptables. */
export const KERNEL_MODULES = ["overlay", "br_netfilter"];

/** Key order is the file's order; values as sysctl prints them. */
export const SYSCTLS: [string, string][] = [
  // Service traffic between pods on one bridge must pass kube-proxy's iptables rules.
  ["net.bridge.bridge-nf-call-iptables", "1"],
  ["net.bridge.bridge-nf-call-ip6tables", "1"],
  // Nodes route pod traffic.
  ["net.ipv4.ip_forward", "1"],
  // What the kubelet's protectKernelDefaults checks (pkg/kubelet/cm/container_manager_linux.go).
  ["vm.overcommit_memory", "1"],
  ["vm.panic_on_oom", "0"],
  ["kernel.panic", "10"],
  ["kernel.panic_on_oops", "1"],
  ["kernel.keys.root_maxkeys", "1000000"],
  ["kernel.keys.root_maxbytes", "25000000"],
  // Many pods each watching files exhaust the small Debian defaults.
  ["fs.inotify.max_user_instances", "8192"],
  ["fs.inotify.max_user_watches", "524288"],
];

export function renderKernelModules(): string {
  return `${KERNEL_MODULES.join("\n")}\n`;
}

export function renderSysctls(): string {
  return `${SYSCTLS.map(([k, v]) => `${k} = ${v}`).join("\n")}\n`;
}

export function systemFiles(): NodeFile[] {
  return [
    { path: MODULES_LOAD_PATH, content: renderKernelModules(), mode: "0644" },
    { path: SYSCTL_PATH, content: renderSysctls(), mode: "0644" },
  ];
}

/**
 * cloud-init writes these files after systemd-modules-load and systemd-sysctl have run on first
 * boot, so the boot script applies them itself before starting containerd and the kubelet
 * (modules first: the bridge sysctls exist only once br_netfilter is loaded).
 */
export function renderSystemApplyStep(): string {
  return [
    "# Kernel modules and sysctls for Kubernetes (files written by cloud-init).",
    `modprobe -a ${KERNEL_MODULES.join(" ")}`,
    "sysctl --system >/dev/null",
    "",
  ].join("\n");
}
