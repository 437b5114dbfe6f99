/**
 * Everything a control-plane node has on disk, as NodeFiles (user data) and SecretFiles (SSM
 * SecureStrings fetched at boot).
 *
 * - Certificates, configs, manifests and kubeconfigs are NodeFiles. The kubeconfigs point at
 *   /etc/kubernetes/pki files instead of embedding keys, so they hold no secret.
 * - Private keys are SecretFiles whose parameters the PKI component owns (spec.keyParameters).
 * - The encryption config embeds the secretbox key (until the kms-only stage): a SecretFile whose
 *   content this function returns in `secretContents`, for the caller to store at that parameter.
 * - With KMS (every stage but secretbox), a fourth static pod: the KMS plugin (kmsPlugin.ts).
 *
 * Modes follow CIS 1.1: manifests and kubeconfigs 0600 (1.1.1/3/5, 1.1.13/15/17), certificates
 * 0644 (1.1.20), keys 0600 (1.1.21). cloud-init writes files as root:root (1.1.2 etc.).
 */
import { parse, stringify } from "yaml";
import { formatProblem } from "../../lib/config/problems";
import { renderKubeconfig } from "../kubeconfig";
import type { NodeFile, SecretFile } from "../types";
import { renderAdmissionConfig } from "./admissionConfig";
import { renderApiServerManifest } from "./apiserver";
import { renderAuditPolicy } from "./auditPolicy";
import { renderAuthenticationConfig } from "./authenticationConfig";
import { renderControllerManagerManifest } from "./controllerManager";
import { renderEncryptionConfig } from "./encryptionConfig";
import { renderKmsPluginManifest } from "./kmsPlugin";
import { CERT, CONFIG, KEY, KUBECONFIG, LOCAL_API_SERVER, MANIFEST } from "./paths";
import { kubeconfigFileReferences, podFileReferences, unmountedFlagPaths } from "./references";
import { renderSchedulerConfig, renderSchedulerManifest } from "./scheduler";
import type { ControlPlaneKeyParameters, ControlPlaneSpec } from "./types";
import { controlPlaneSpecProblems } from "./validate";

export interface ControlPlaneFiles {
  files: NodeFile[];
  secrets: SecretFile[];
  /** Content of the secrets this renderer creates, keyed by SSM parameter name. */
  secretContents: Record<string, string>;
  /** The static pods as objects (also in `files` as YAML), e.g. for lib/cis: three, four with the KMS plugin. */
  manifests: object[];
}

/** SSM parameter of a role-wide control-plane secret: /kubestead/<cluster>/controlplane/<file>. */
export function controlPlaneParameter(cluster: string, fileName: string): string {
  return `/kubestead/${cluster}/controlplane/${fileName}`;
}

const basename = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

/** The conventional parameter names of the private keys, for a PKI component that follows them. */
export function defaultKeyParameters(cluster: string): ControlPlaneKeyParameters {
  const out = {} as ControlPlaneKeyParameters;
  for (const k of Object.keys(KEY) as (keyof typeof KEY)[]) out[k] = controlPlaneParameter(cluster, basename(KEY[k]));
  return out;
}

const yaml = (o: object): string => stringify(o, { lineWidth: 0 });

export function controlPlaneFiles(spec: ControlPlaneSpec): ControlPlaneFiles {
  const problems = controlPlaneSpecProblems(spec);
  if (problems.length > 0) {
    throw new Error(
      `invalid control-plane spec (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`,
    );
  }
  const extra = spec.extraArgs ?? {};
  const encryption = spec.encryption ?? { stage: "secretbox" };
  const kmsPlugin =
    encryption.stage === "secretbox" || !encryption.kmsPlugin
      ? undefined
      : renderKmsPluginManifest({ ...encryption.kmsPlugin, cluster: spec.cluster });
  const apiServer = renderApiServerManifest({
    kubernetesVersion: spec.kubernetesVersion,
    etcdServers: spec.etcdServers,
    serviceCidr: spec.serviceCidr,
    serviceAccountIssuer: spec.serviceAccountIssuer,
    acceptedServiceAccountIssuers: spec.acceptedServiceAccountIssuers,
    serviceAccountJwksUri: spec.serviceAccountJwksUri,
    apiAudiences: spec.apiAudiences,
    audit: spec.audit,
    alwaysPullImages: spec.alwaysPullImages,
    kms: kmsPlugin !== undefined,
    extraArgs: extra.apiServer,
  });
  const controllerManager = renderControllerManagerManifest({
    kubernetesVersion: spec.kubernetesVersion,
    cluster: spec.cluster,
    serviceCidr: spec.serviceCidr,
    podCidr: spec.podCidr,
    nodeCidrMaskSize: spec.nodeCidrMaskSize,
    terminatedPodGcThreshold: spec.terminatedPodGcThreshold,
    extraArgs: extra.controllerManager,
  });
  const scheduler = renderSchedulerManifest({ kubernetesVersion: spec.kubernetesVersion, extraArgs: extra.scheduler });

  const localKubeconfig = (user: string, cert: string, key: string): string =>
    renderKubeconfig({ cluster: spec.cluster, server: LOCAL_API_SERVER, caPath: CERT.ca, user, clientCertPath: cert, clientKeyPath: key });

  const files: NodeFile[] = [
    { path: MANIFEST.apiServer, content: yaml(apiServer), mode: "0600" },
    { path: MANIFEST.controllerManager, content: yaml(controllerManager), mode: "0600" },
    { path: MANIFEST.scheduler, content: yaml(scheduler), mode: "0600" },
    ...(kmsPlugin ? [{ path: MANIFEST.kmsPlugin, content: yaml(kmsPlugin), mode: "0600" }] : []),
    { path: CONFIG.auditPolicy, content: renderAuditPolicy(), mode: "0600" },
    { path: CONFIG.authentication, content: renderAuthenticationConfig(spec.kubernetesVersion, spec.oidc), mode: "0600" },
    { path: CONFIG.admission, content: renderAdmissionConfig(spec.podSecurity), mode: "0600" },
    { path: CONFIG.scheduler, content: renderSchedulerConfig(), mode: "0600" },
    {
      path: KUBECONFIG.controllerManager,
      content: localKubeconfig("system:kube-controller-manager", CERT.controllerManager, KEY.controllerManager),
      mode: "0600",
    },
    { path: KUBECONFIG.scheduler, content: localKubeconfig("system:kube-scheduler", CERT.scheduler, KEY.scheduler), mode: "0600" },
    { path: KUBECONFIG.admin, content: localKubeconfig("kubernetes-admin", CERT.admin, KEY.admin), mode: "0600" },
    // kubeadm ≥ 1.29's split: admin.conf is revocable (a group binding), super-admin.conf is not.
    {
      path: KUBECONFIG.superAdmin,
      content: localKubeconfig("kubernetes-super-admin", CERT.superAdmin, KEY.superAdmin),
      mode: "0600",
    },
    ...(Object.keys(CERT) as (keyof typeof CERT)[]).map((k) => ({ path: CERT[k], content: ensureNewline(spec.certs[k]), mode: "0644" })),
  ].sort(byPath);

  const encryptionParameter = controlPlaneParameter(spec.cluster, basename(CONFIG.encryption));
  const secrets: SecretFile[] = [
    ...(Object.keys(KEY) as (keyof typeof KEY)[]).map((k) => ({ path: KEY[k], parameter: spec.keyParameters[k], mode: "0600" })),
    { path: CONFIG.encryption, parameter: encryptionParameter, mode: "0600" },
  ].sort(byPath);

  const result: ControlPlaneFiles = {
    files,
    secrets,
    secretContents: { [encryptionParameter]: renderEncryptionConfig(spec.encryptionKeys, encryption.resources, encryption.stage) },
    manifests: [apiServer, controllerManager, scheduler, ...(kmsPlugin ? [kmsPlugin] : [])],
  };
  assertSelfContained(result);
  return result;
}

function byPath(a: { path: string }, b: { path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function ensureNewline(s: string): string {
  return s.endsWith("\n") ? s : `${s}\n`;
}

/**
 * Guard against a future edit adding a flag or mount without shipping its file: every file a
 * manifest or kubeconfig reads must be produced, and every flag path must be inside a mount.
 */
function assertSelfContained(r: ControlPlaneFiles): void {
  const produced = new Set([...r.files.map((f) => f.path), ...r.secrets.map((s) => s.path)]);
  const missing: string[] = [];
  for (const pod of r.manifests) {
    const name = (pod as { metadata: { name: string } }).metadata.name;
    for (const ref of podFileReferences(pod))
      if (!produced.has(ref.path)) missing.push(`${name} ${ref.from} → ${ref.path} is not produced`);
    for (const ref of unmountedFlagPaths(pod)) missing.push(`${name} ${ref.from} → ${ref.path} is not inside any volumeMount`);
  }
  for (const f of r.files.filter((f) => f.path.endsWith(".conf"))) {
    for (const ref of kubeconfigFileReferences(f.content))
      if (!produced.has(ref.path)) missing.push(`${f.path} ${ref.from} → ${ref.path} is not produced`);
  }
  // Each KMS socket the encryption config names is one a plugin pod listens on, inside the
  // apiserver's mounts and the plugin's: otherwise the apiserver can read no Secret.
  for (const content of Object.values(r.secretContents)) {
    for (const socket of kmsSockets(content)) {
      const listeners = r.manifests.filter((pod) => listensOn(pod, socket));
      const apiServer = r.manifests.find((pod) => (pod as { metadata: { name: string } }).metadata.name === "kube-apiserver");
      if (listeners.length === 0) missing.push(`the encryption config's KMS socket ${socket} is served by no static pod`);
      if (!apiServer || !mounted(apiServer, socket)) missing.push(`kube-apiserver does not mount the KMS socket ${socket}`);
      for (const pod of listeners.filter((x) => !mounted(x, socket)))
        missing.push(`${(pod as { metadata: { name: string } }).metadata.name} listens on ${socket} outside its mounts`);
    }
  }
  if (missing.length > 0) throw new Error(`control-plane files are not self-contained:\n${missing.map((m) => `  - ${m}`).join("\n")}`);
}

interface PodShape {
  spec?: { containers?: { command?: string[]; volumeMounts?: { mountPath: string }[] }[] };
}

/** unix:// endpoints of the KMS providers in an EncryptionConfiguration, as socket paths. */
function kmsSockets(content: string): string[] {
  const doc = parse(content) as { resources?: { providers?: { kms?: { endpoint?: string } }[] }[] } | null;
  const endpoints = (doc?.resources ?? []).flatMap((e) => (e.providers ?? []).map((p) => p.kms?.endpoint));
  return [...new Set(endpoints.filter((e): e is string => typeof e === "string").map((e) => e.replace(/^unix:\/\//, "")))];
}

const listensOn = (pod: object, socket: string): boolean =>
  ((pod as PodShape).spec?.containers ?? []).some((c) => (c.command ?? []).includes(`--listen=${socket}`));

const mounted = (pod: object, path: string): boolean =>
  ((pod as PodShape).spec?.containers ?? []).some((c) =>
    (c.volumeMounts ?? []).some((m) => path.startsWith(m.mountPath.endsWith("/") ? m.mountPath : `${m.mountPath}/`)),
  );
