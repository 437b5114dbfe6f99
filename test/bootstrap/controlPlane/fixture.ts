/** A valid ControlPlaneSpec with placeholder PEMs; tests change one field at a time. */
import { parse } from "yaml";
import { defaultKeyParameters } from "../../../bootstrap/controlPlane/files";
import type { ControlPlaneCerts, ControlPlaneSpec } from "../../../bootstrap/controlPlane/types";

const cert = (name: string): string => `-----BEGIN CERTIFICATE-----\nTUlJQi1${name}\n-----END CERTIFICATE-----\n`;

export function certs(): ControlPlaneCerts {
  return {
    ca: cert("ca"),
    apiServer: cert("apiserver"),
    apiServerKubeletClient: cert("kubeletclient"),
    apiServerEtcdClient: cert("etcdclient"),
    frontProxyCa: cert("frontproxyca"),
    frontProxyClient: cert("frontproxyclient"),
    etcdCa: cert("etcdca"),
    controllerManager: cert("kcm"),
    scheduler: cert("scheduler"),
    admin: cert("admin"),
    superAdmin: cert("superadmin"),
    serviceAccountPublic: "-----BEGIN PUBLIC KEY-----\nTUZrd0V3WUhLb1pJemowQ0FRWUlLb1pJemowREFRY0RR\n-----END PUBLIC KEY-----\n",
  };
}

/** base64 of 32 bytes (deterministic, so snapshots are stable). */
export const KEY_A = Buffer.alloc(32, 7).toString("base64");
export const KEY_B = Buffer.alloc(32, 9).toString("base64");

export function spec(over: Partial<ControlPlaneSpec> = {}): ControlPlaneSpec {
  return {
    cluster: "prod",
    kubernetesVersion: "1.34.2",
    etcdServers: ["https://10.0.32.10:2379", "https://10.0.64.10:2379", "https://10.0.96.10:2379"],
    serviceCidr: "10.96.0.0/12",
    podCidr: "10.244.0.0/16",
    nodeCidrMaskSize: 24,
    serviceAccountIssuer: "https://kubernetes.default.svc.cluster.local",
    audit: { maxAgeDays: 30, maxBackups: 10, maxSizeMiB: 100 },
    encryptionKeys: [{ name: "key-1", secret: KEY_A }],
    certs: certs(),
    keyParameters: defaultKeyParameters("prod"),
    ...over,
  };
}

/** The container's command of a rendered pod. */
export function commandOf(pod: object): string[] {
  return (pod as { spec: { containers: { command: string[] }[] } }).spec.containers[0].command;
}

export function flagMap(pod: object): Map<string, string> {
  const m = new Map<string, string>();
  for (const a of commandOf(pod).slice(1)) {
    const eq = a.indexOf("=");
    m.set(a.slice(2, eq), a.slice(eq + 1));
  }
  return m;
}

type PodShape = { spec: { containers: { volumeMounts: { name: string; mountPath: string }[] }[]; volumes: { name: string }[] } };

/**
 * What a static pod's snapshot must also mean: the YAML the kubelet reads gives the same pod back,
 * no flag is given twice (the last would silently win), every mount has its volume and every volume
 * is mounted, and every file a flag names lies inside a mount.
 */
export function expectCoherentStaticPod(text: string, pod: object): void {
  expect(parse(text)).toEqual(pod);
  const args = commandOf(pod).slice(1);
  const names = args.map((a) => a.slice(2, a.indexOf("=")));
  expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  const { spec } = pod as PodShape;
  const mounts = spec.containers[0].volumeMounts;
  expect(mounts.map((m) => m.name).sort()).toEqual(spec.volumes.map((v) => v.name).sort());
  const files = args.flatMap((a) => a.slice(a.indexOf("=") + 1).split(",")).filter((v) => v.startsWith("/"));
  expect(files.length).toBeGreaterThan(0);
  expect(files.filter((f) => !mounts.some((m) => f === m.mountPath || f.startsWith(`${m.mountPath}/`)))).toEqual([]);
}
