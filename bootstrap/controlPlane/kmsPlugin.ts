/**
 * The KMS v2 plugin beside every apiserver: kubernetes-sigs/aws-encryption-provider as a static
 * pod (/etc/kubernetes/manifests/aws-encryption-provider.yaml), serving gRPC on a unix socket the
 * apiserver's EncryptionConfiguration names. Flags as its cmd/server/main.go defines them: --key,
 * --region, --listen, --health-port (serves /healthz, a deep check that encrypts and decrypts
 * through KMS), --encryption-context.
 *
 * - Host network: it must run before the pod network exists (it serves the apiserver, which the
 *   CNI needs), and it calls KMS as the control-plane node's role through IMDS, which host-network
 *   pods reach at hop limit 1 (their requests leave from the node itself).
 * - The health server listens on 127.0.0.1 only: with host network its default (":8080", every
 *   interface) would publish /healthz and /metrics to the VPC.
 * - Liveness is a TCP check on that port, not /healthz: a KMS outage (or a revoked grant) must not
 *   restart the plugin in a loop, which cannot bring KMS back. Readiness is the deep /healthz.
 * - Boot order: the kubelet starts all static pods together. The apiserver's KMS v2 transformer
 *   tolerates a plugin that answers after it starts (it primes its data key in the background and
 *   reports kms-providers unready meanwhile); renderKmsPluginWaitStep makes the boot wait for the
 *   plugin's deep health before the add-ons are applied, so a node whose role cannot use the key
 *   fails its boot with that reason instead of serving an API that cannot read Secrets.
 */
import { encryptionAtRestContext } from "../../lib/iamNames";
import { HOST_DIRS, PORTS } from "./paths";

/** The provider's name in the EncryptionConfiguration: stored with every object it encrypted (never rename it). */
export const KMS_PROVIDER_NAME = "aws-encryption-provider";
export const KMS_SOCKET = `${HOST_DIRS.kmsPlugin}/socket.sock`;
export const KMS_ENDPOINT = `unix://${KMS_SOCKET}`;

export interface KmsPluginSpec {
  /** Image repository without tag, e.g. registry.k8s.io/aws-encryption-provider/aws-encryption-provider. */
  image: string;
  /** Image tag, e.g. v0.5.0. */
  version: string;
  /** ARN of the encryption-at-rest key (a key ARN, not an alias: an alias can be moved to another key). */
  keyArn: string;
  /** Region of the key, e.g. us-east-1. */
  region: string;
  /** Cluster name: part of the encryption context. */
  cluster: string;
}

const KEY_ARN = /^arn:aws(-[a-z]+)*:kms:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function kmsPluginSpecProblems(s: KmsPluginSpec): string[] {
  const out: string[] = [];
  if (!KEY_ARN.test(s.keyArn ?? ""))
    out.push(
      `keyArn must be a KMS key ARN (got ${JSON.stringify(s.keyArn)}): an alias can be pointed at another key, which would leave every stored Secret unreadable`,
    );
  else if (s.keyArn.split(":")[3] !== s.region)
    out.push(`keyArn ${s.keyArn} is not in region ${s.region}: the plugin calls the KMS endpoint of its --region`);
  if (!/^[a-z0-9][a-z0-9./_:-]*$/.test(s.image ?? "") || /[:@][^/]*$/.test(s.image.replace(/^[^/]*\//, "")))
    out.push(`image must be a repository without tag or digest (got ${JSON.stringify(s.image)})`);
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(s.version ?? ""))
    out.push(`version must be an image tag (got ${JSON.stringify(s.version)})`);
  return out;
}

/** `--encryption-context` as pflag's StringToString reads it: k=v pairs, comma-separated, in key order. */
export function encryptionContextFlag(cluster: string): string {
  return Object.entries(encryptionAtRestContext(cluster))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export function kmsPluginFlags(s: KmsPluginSpec): string[] {
  return [
    `--key=${s.keyArn}`,
    `--region=${s.region}`,
    `--listen=${KMS_SOCKET}`,
    `--health-port=127.0.0.1:${PORTS.kmsPluginHealth}`,
    `--encryption-context=${encryptionContextFlag(s.cluster)}`,
  ];
}

export function renderKmsPluginManifest(s: KmsPluginSpec): object {
  const problems = kmsPluginSpecProblems(s);
  if (problems.length > 0) throw new Error(`invalid KMS plugin spec:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: KMS_PROVIDER_NAME,
      namespace: "kube-system",
      labels: { component: KMS_PROVIDER_NAME, tier: "control-plane" },
    },
    spec: {
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: KMS_PROVIDER_NAME,
          image: `${s.image}:${s.version}`,
          imagePullPolicy: "IfNotPresent",
          // The image's entrypoint is go-runner; the binary is called directly, as upstream's examples do.
          command: ["/aws-encryption-provider", ...kmsPluginFlags(s)],
          // Root (the socket directory is root's, as the apiserver's files are), but no capability,
          // no privilege escalation and a read-only root: it only needs its socket and the network.
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          livenessProbe: {
            tcpSocket: { host: "127.0.0.1", port: PORTS.kmsPluginHealth },
            initialDelaySeconds: 10,
            periodSeconds: 10,
            failureThreshold: 6,
          },
          readinessProbe: {
            httpGet: { host: "127.0.0.1", path: "/healthz", port: PORTS.kmsPluginHealth, scheme: "HTTP" },
            periodSeconds: 30,
            timeoutSeconds: 10,
            failureThreshold: 3,
          },
          resources: { requests: { cpu: "50m", memory: "64Mi" } },
          volumeMounts: [{ name: "kmsplugin", mountPath: HOST_DIRS.kmsPlugin, readOnly: false }],
        },
      ],
      volumes: [{ name: "kmsplugin", hostPath: { path: HOST_DIRS.kmsPlugin, type: "DirectoryOrCreate" } }],
    },
  };
}

/**
 * Boot step (after the kubelet starts, before the add-ons are applied): wait until the plugin's
 * socket exists and its deep health check passes, i.e. this node's role can encrypt and decrypt
 * with the key. Uses the boot script's `retry` and `die`.
 */
export function renderKmsPluginWaitStep(keyArn: string): string {
  if (!KEY_ARN.test(keyArn)) throw new Error(`renderKmsPluginWaitStep: ${JSON.stringify(keyArn)} is not a KMS key ARN`);
  return `# Encryption at rest goes through KMS: the apiserver reads no Secret until its plugin answers.
kms_plugin_healthy() {
  [ -S ${KMS_SOCKET} ] && curl -fsS --max-time 10 -o /dev/null http://127.0.0.1:${PORTS.kmsPluginHealth}/healthz
}
# About 8 minutes: the image pull, the role's first credentials and IAM propagation of its grant.
retry 12 5 kms_plugin_healthy ||
  die "the KMS plugin is not healthy: check its image pull and this role's kms:Encrypt/kms:Decrypt on ${keyArn} (crictl logs for ${KMS_PROVIDER_NAME})"
`;
}
