/**
 * kube-scheduler static pod and its KubeSchedulerConfiguration, hardened to CIS v1.12 section 1.4.
 *
 * With --config, kube-scheduler IGNORES --kubeconfig, --profiling and --contention-profiling (see
 * its flag reference), so the config file carries clientConnection and enableProfiling. --profiling
 * is still passed: it changes nothing at runtime, but flag-based scanners (kube-bench 1.4.1) read
 * the command line; lib/cis checks the config file as well, so the two cannot disagree unnoticed.
 */
import { stringify } from "yaml";
import { CERT, CONFIG, KEY, KUBECONFIG, PORTS } from "./paths";
import { HostMount, staticPod, TLS_FLAGS } from "./staticPod";
import type { SchedulerSpec } from "./types";

export function schedulerConfig(): object {
  return {
    apiVersion: "kubescheduler.config.k8s.io/v1",
    kind: "KubeSchedulerConfiguration",
    clientConnection: { kubeconfig: KUBECONFIG.scheduler },
    enableProfiling: false,
    enableContentionProfiling: false,
    leaderElection: { leaderElect: true, resourceNamespace: "kube-system", resourceName: "kube-scheduler" },
    profiles: [
      {
        schedulerName: "default-scheduler",
        pluginConfig: [
          {
            name: "NodeResourcesFit",
            // Spread load: prefer the node with the most free CPU and memory, equally weighted, so
            // a zone or node loss displaces as few pods as possible.
            args: {
              scoringStrategy: {
                type: "LeastAllocated",
                resources: [
                  { name: "cpu", weight: 1 },
                  { name: "memory", weight: 1 },
                ],
              },
            },
          },
        ],
      },
    ],
  };
}

export function renderSchedulerConfig(): string {
  return stringify(schedulerConfig(), { lineWidth: 0 });
}

export function schedulerFlags(): Record<string, string> {
  return {
    config: CONFIG.scheduler,
    "authentication-kubeconfig": KUBECONFIG.scheduler,
    "authorization-kubeconfig": KUBECONFIG.scheduler,
    "bind-address": "127.0.0.1", // CIS 1.4.2
    "secure-port": String(PORTS.scheduler),
    ...TLS_FLAGS,
    "leader-elect": "true", // honoured alongside --config; same value as the config file
    profiling: "false", // for scanners; the config file's enableProfiling is what applies
  };
}

/**
 * The scheduler needs no key but its own: it mounts single files, not /etc/kubernetes/pki, so a
 * compromised scheduler cannot read the CA or service-account keys. (Single-file bind mounts would
 * go stale if files were replaced in place; ours change only by replacing the node.)
 */
export function schedulerMounts(): HostMount[] {
  return [
    { name: "kubeconfig", path: KUBECONFIG.scheduler, type: "File", readOnly: true },
    { name: "scheduler-config", path: CONFIG.scheduler, type: "File", readOnly: true },
    { name: "ca-crt", path: CERT.ca, type: "File", readOnly: true },
    { name: "scheduler-crt", path: CERT.scheduler, type: "File", readOnly: true },
    { name: "scheduler-key", path: KEY.scheduler, type: "File", readOnly: true },
  ];
}

export function renderSchedulerManifest(a: SchedulerSpec): object {
  return staticPod({
    component: "kube-scheduler",
    kubernetesVersion: a.kubernetesVersion,
    flags: schedulerFlags(),
    extraArgs: a.extraArgs,
    mounts: schedulerMounts(),
    port: PORTS.scheduler,
    livenessPath: "/healthz",
    requests: { cpu: "100m", memory: "128Mi" },
  });
}
