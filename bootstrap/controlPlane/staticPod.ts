/**
 * The shape every control-plane static pod shares (kubeadm's, minus its quirks): host network,
 * system-node-critical, RuntimeDefault seccomp, HTTPS probes on 127.0.0.1, hostPath volumes.
 * The component files only decide flags, mounts, probes and requests.
 */
import type { ExtraArgs } from "./types";

export type HostPathType = "File" | "Directory" | "DirectoryOrCreate";

export interface HostMount {
  /** Volume name, a DNS label. */
  name: string;
  /** Host path, mounted at the same path in the container so flags read the same on both sides. */
  path: string;
  type: HostPathType;
  readOnly: boolean;
}

export interface StaticPodArgs {
  component: "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";
  kubernetesVersion: string;
  /** A list renders the flag once per value, in order (for repeatable flags like --service-account-issuer). */
  flags: Record<string, string | string[]>;
  extraArgs?: ExtraArgs;
  mounts: HostMount[];
  port: number;
  /** Liveness/startup path (readiness too unless `readinessPath`). */
  livenessPath: string;
  readinessPath?: string;
  requests: { cpu: string; memory: string };
}

const VERSION = /^\d+\.\d+\.\d+$/;

export function image(component: StaticPodArgs["component"], version: string): string {
  if (!VERSION.test(version)) {
    throw new Error(
      `kubernetesVersion must be a release like 1.34.2 without the leading v (got ${JSON.stringify(version)}): set kubestead:kubernetes.version`,
    );
  }
  return `registry.k8s.io/${component}:v${version}`;
}

/**
 * Merges extraArgs over flags and renders `--k=v`, sorted by name so output is byte-stable; a list
 * value renders `--k=v` per item, in its order (an extraArgs entry replaces the whole list).
 */
export function renderFlags(flags: Record<string, string | string[]>, extraArgs: ExtraArgs = {}): string[] {
  const merged: Record<string, string | string[]> = { ...flags };
  for (const [k, v] of Object.entries(extraArgs)) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(k)) {
      throw new Error(
        `extraArgs key ${JSON.stringify(k)} must be a flag name without the leading "--" (lowercase letters, digits, "-"): write e.g. { "v": "2" }`,
      );
    }
    merged[k] = v;
  }
  return Object.keys(merged)
    .sort()
    .flatMap((k) => [merged[k]].flat().map((v) => `--${k}=${v}`));
}

function probe(path: string, port: number, timing: Record<string, number>): object {
  return { httpGet: { host: "127.0.0.1", path, port, scheme: "HTTPS" }, ...timing };
}

export function staticPod(a: StaticPodArgs): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: a.component,
      namespace: "kube-system",
      labels: { component: a.component, tier: "control-plane" },
    },
    spec: {
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: a.component,
          image: image(a.component, a.kubernetesVersion),
          imagePullPolicy: "IfNotPresent",
          command: [a.component, ...renderFlags(a.flags, a.extraArgs)],
          // Timings as kubeadm's: a cold apiserver may take minutes to warm its caches, so the
          // startup probe allows 4 minutes before liveness may restart it.
          livenessProbe: probe(a.livenessPath, a.port, {
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 15,
            failureThreshold: 8,
          }),
          ...(a.readinessPath
            ? { readinessProbe: probe(a.readinessPath, a.port, { periodSeconds: 1, timeoutSeconds: 15, failureThreshold: 3 }) }
            : {}),
          startupProbe: probe(a.livenessPath, a.port, {
            initialDelaySeconds: 10,
            periodSeconds: 10,
            timeoutSeconds: 15,
            failureThreshold: 24,
          }),
          // Requests only, no limits: throttling or OOM-killing the control plane under load is worse
          // than letting it use the node it owns.
          resources: { requests: { cpu: a.requests.cpu, memory: a.requests.memory } },
          volumeMounts: a.mounts.map((m) => ({ name: m.name, mountPath: m.path, readOnly: m.readOnly })),
        },
      ],
      volumes: a.mounts.map((m) => ({ name: m.name, hostPath: { path: m.path, type: m.type } })),
    },
  };
}

/** The OS CA bundle (Debian keeps the bundle in /etc/ssl/certs, its sources in /usr/share). */
export const CA_BUNDLE_MOUNTS: HostMount[] = [
  { name: "ca-certs", path: "/etc/ssl/certs", type: "DirectoryOrCreate", readOnly: true },
  { name: "usr-share-ca-certificates", path: "/usr/share/ca-certificates", type: "DirectoryOrCreate", readOnly: true },
];

/**
 * TLS for every serving port: TLS 1.2+ and, for TLS 1.2, only ECDHE with AES-GCM or
 * ChaCha20-Poly1305 (a subset of CIS 1.2.29's list). Go does not let TLS 1.3 suites be configured;
 * all of them are strong. Our certificates are ECDSA; the RSA names cost nothing and keep an
 * RSA serving cert (e.g. a user-supplied one) working.
 */
export const TLS_CIPHER_SUITES = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
];

export const TLS_FLAGS: Record<string, string> = {
  "tls-cipher-suites": TLS_CIPHER_SUITES.join(","),
  "tls-min-version": "VersionTLS12",
};
