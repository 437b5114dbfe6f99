/**
 * Every problem with a ControlPlaneSpec at once, each with the fix. controlPlaneFiles throws them
 * all in one error; callers (and tests) may also call this directly.
 */
import { parseCidr } from "../../lib/cidr";
import type { Problem } from "../../lib/config/problems";
import { ENCRYPTION_STAGES } from "../../lib/config/encryption";
import { encryptionKeyProblems } from "./encryptionConfig";
import { kmsPluginSpecProblems } from "./kmsPlugin";
import type { ControlPlaneCerts, ControlPlaneKeyParameters, ControlPlaneSpec } from "./types";

const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

const CERT_FIELDS: (keyof ControlPlaneCerts)[] = [
  "ca",
  "apiServer",
  "apiServerKubeletClient",
  "apiServerEtcdClient",
  "frontProxyCa",
  "frontProxyClient",
  "etcdCa",
  "controllerManager",
  "scheduler",
  "admin",
  "superAdmin",
];
const KEY_FIELDS: (keyof ControlPlaneKeyParameters)[] = [
  "ca",
  "apiServer",
  "apiServerKubeletClient",
  "apiServerEtcdClient",
  "frontProxyClient",
  "controllerManager",
  "scheduler",
  "admin",
  "superAdmin",
  "serviceAccount",
];

export function controlPlaneSpecProblems(s: ControlPlaneSpec, prefix = "controlPlane"): Problem[] {
  const out: Problem[] = [];
  const add = (key: string, rule: string, got: unknown, fix: string): void => {
    out.push({ key: `${prefix}.${key}`, rule, got, fix });
  };

  if (!DNS_LABEL.test(s.cluster ?? ""))
    add("cluster", "must be a lowercase DNS label", s.cluster, "use letters, digits and '-', e.g. prod");
  const v = /^1\.(\d+)\.\d+$/.exec(s.kubernetesVersion ?? "");
  if (!v) add("kubernetesVersion", "must be a release like 1.34.2 (no leading v)", s.kubernetesVersion, "set kubestead:kubernetes.version");
  else if (Number(v[1]) < 32) {
    add(
      "kubernetesVersion",
      "must be 1.32 or newer",
      s.kubernetesVersion,
      "anonymous auth limited to health paths needs AuthenticationConfiguration.anonymous (1.32+); upgrade",
    );
  }
  if (!Array.isArray(s.etcdServers) || s.etcdServers.length === 0) {
    add("etcdServers", "must list the etcd members' client URLs", s.etcdServers, 'pass e.g. ["https://10.0.1.10:2379", ...]');
  } else {
    s.etcdServers.forEach((u, i) => {
      if (!/^https:\/\/[^\s,/]+(:\d+)?\/?$/.test(u))
        add(`etcdServers[${i}]`, "must be an https:// client URL", u, "etcd is reached over mutual TLS only: https://<ip-or-name>:2379");
    });
  }
  const svc = parseCidr(s.serviceCidr ?? "");
  if (!svc) add("serviceCidr", "must be an IPv4 CIDR", s.serviceCidr, "e.g. 10.96.0.0/12");
  const pod = parseCidr(s.podCidr ?? "");
  if (!pod) add("podCidr", "must be an IPv4 CIDR", s.podCidr, "e.g. 10.244.0.0/16");
  if (!Number.isInteger(s.nodeCidrMaskSize) || (pod && (s.nodeCidrMaskSize <= pod.prefix || s.nodeCidrMaskSize > 30))) {
    add(
      "nodeCidrMaskSize",
      `must be an integer above the pod CIDR's prefix${pod ? ` (/${pod.prefix})` : ""} and at most 30`,
      s.nodeCidrMaskSize,
      "e.g. 24 (256 addresses per node)",
    );
  }
  if (!/^https:\/\/\S+$/.test(s.serviceAccountIssuer ?? "")) {
    add("serviceAccountIssuer", "must be an https:// URL", s.serviceAccountIssuer, "e.g. https://kubernetes.default.svc.cluster.local");
  }
  (s.acceptedServiceAccountIssuers ?? []).forEach((u, i) => {
    if (!/^https:\/\/\S+$/.test(u ?? "") || u === s.serviceAccountIssuer)
      add(
        `acceptedServiceAccountIssuers[${i}]`,
        "must be an https:// URL other than serviceAccountIssuer",
        u,
        "list the issuers whose earlier tokens must stay valid, e.g. https://kubernetes.default.svc.cluster.local",
      );
  });
  // kube-apiserver refuses a non-https JWKS URI, and OIDC forbids a query or fragment in the issuer.
  if (s.serviceAccountJwksUri !== undefined && !/^https:\/\/[^\s?#]+$/.test(s.serviceAccountJwksUri)) {
    add("serviceAccountJwksUri", "must be an https:// URL", s.serviceAccountJwksUri, "e.g. https://<issuer host>/openid/v1/jwks");
  }
  if (s.apiAudiences !== undefined && (s.apiAudiences.length === 0 || s.apiAudiences.some((a) => !a || /[\s,]/.test(a)))) {
    add(
      "apiAudiences",
      "must list non-empty audiences without spaces or commas",
      s.apiAudiences,
      "e.g. [https://kubernetes.default.svc.cluster.local]",
    );
  }
  for (const [k, min] of [
    ["maxAgeDays", 1],
    ["maxBackups", 1],
    ["maxSizeMiB", 1],
  ] as const) {
    const n = s.audit?.[k];
    if (!Number.isInteger(n) || (n as number) < min)
      add(`audit.${k}`, "must be a positive integer", n, "CIS 1.2.17–1.2.19 recommend 30 days, 10 files, 100 MiB");
  }
  const enc = s.encryption ?? { stage: "secretbox" as const };
  if (!(ENCRYPTION_STAGES as readonly string[]).includes(enc.stage)) {
    add("encryption.stage", `must be one of ${ENCRYPTION_STAGES.join(", ")}`, enc.stage, "set kubestead:controlPlane.encryption.stage");
  } else if (enc.stage !== "secretbox") {
    if (!enc.kmsPlugin) {
      add(
        "encryption.kmsPlugin",
        `is required in stage ${enc.stage}`,
        enc.kmsPlugin,
        "pass the plugin's image, version, key ARN and region",
      );
    } else {
      for (const why of kmsPluginSpecProblems({ ...enc.kmsPlugin, cluster: s.cluster }))
        add(
          "encryption.kmsPlugin",
          why,
          "<see rule>",
          "pass the encryption-at-rest key's ARN and its region, and the plugin's image and tag",
        );
    }
  }
  const resources = enc.resources ?? ["secrets"];
  if (
    !resources.includes("secrets") ||
    resources.some((r) => !/^[a-z][a-z0-9.-]*$/.test(r)) ||
    new Set(resources).size !== resources.length
  ) {
    add(
      "encryption.resources",
      "must include secrets and name each resource once, lowercase, without wildcards",
      resources,
      "e.g. [secrets, configmaps]",
    );
  }
  // The secretbox key still decrypts (migrating) or writes (secretbox); kms-only needs none.
  if (enc.stage !== "kms-only") out.push(...encryptionKeyProblems(s.encryptionKeys).map((p) => ({ ...p, key: `${prefix}.${p.key}` })));

  for (const f of CERT_FIELDS) {
    const pem = s.certs?.[f];
    if (typeof pem !== "string" || !pem.includes("-----BEGIN CERTIFICATE-----")) {
      add(`certs.${f}`, "must be a PEM certificate", pem === undefined ? pem : "<not a certificate>", "pass the certificate's cert_pem");
    } else if (PRIVATE_KEY.test(pem)) {
      add(
        `certs.${f}`,
        "must not contain a private key",
        "<private key>",
        "certificates go to user data; pass the key's SSM parameter in keyParameters instead",
      );
    }
  }
  const sa = s.certs?.serviceAccountPublic;
  if (typeof sa !== "string" || !sa.includes("-----BEGIN PUBLIC KEY-----") || PRIVATE_KEY.test(sa)) {
    add(
      "certs.serviceAccountPublic",
      "must be a PEM public key (and nothing else)",
      sa === undefined ? sa : "<not a public key>",
      "pass the service-account key's public_key_pem",
    );
  }
  for (const f of KEY_FIELDS) {
    const p = s.keyParameters?.[f];
    if (typeof p !== "string" || !/^\/[A-Za-z0-9_.\-/]+$/.test(p)) {
      add(`keyParameters.${f}`, "must be an SSM parameter name starting with /", p, `e.g. /kubestead/${s.cluster}/controlplane/<file>.key`);
    }
  }
  // kube-apiserver refuses to start with a jwt issuer that is also one of its service-account
  // issuers ("URL must not overlap with disallowed issuers").
  const saIssuers = [s.serviceAccountIssuer, ...(s.acceptedServiceAccountIssuers ?? [])];
  if (s.oidc && saIssuers.includes(s.oidc.issuerUrl)) {
    add(
      "oidc.issuerUrl",
      "must not be a service-account issuer of this cluster",
      s.oidc.issuerUrl,
      "use your identity provider's issuer, e.g. https://login.example.com",
    );
  }
  if (s.terminatedPodGcThreshold !== undefined && (!Number.isInteger(s.terminatedPodGcThreshold) || s.terminatedPodGcThreshold < 1)) {
    add("terminatedPodGcThreshold", "must be a positive integer", s.terminatedPodGcThreshold, "e.g. 1000");
  }
  return out;
}
