/**
 * kube-apiserver static pod (/etc/kubernetes/manifests/kube-apiserver.yaml), hardened to the CIS
 * Kubernetes Benchmark v1.12 section 1.2 where it can be automated. lib/cis/controlPlane.ts checks
 * the result; lib/cis/exceptions.ts lists what we deliberately do differently and why.
 *
 * Deliberately absent:
 * - --anonymous-auth: anonymous is limited to health paths by the AuthenticationConfiguration
 *   (authenticationConfig.ts); the flag and that config cannot be combined.
 * - --advertise-address: control-plane nodes are identical (one launch template); each apiserver
 *   advertises the address of its default-route interface, which is the node's private IP.
 * - --insecure-port / --apiserver-count: removed upstream / unneeded with the lease reconciler.
 * - --cloud-provider: the apiserver has no cloud code in external mode.
 * - --runtime-config: only GA and default-on APIs are served.
 */
import { ANONYMOUS_PATHS } from "./authenticationConfig";
import { AUDIT_LOG_PATH, CERT, CONFIG, HOST_DIRS, KEY, PKI_DIR, PORTS } from "./paths";
import { CA_BUNDLE_MOUNTS, HostMount, staticPod, TLS_FLAGS } from "./staticPod";
import type { ApiServerSpec } from "./types";

/**
 * Admission plugins on top of the defaults (NamespaceLifecycle, ServiceAccount, PodSecurity, ...;
 * PodSecurity's cluster defaults are in admissionConfig.ts).
 */
export const ADMISSION_PLUGINS = [
  // Kubelets may only modify their own Node and pods bound to them (CIS 1.2.14).
  "NodeRestriction",
  // Service.spec.externalIPs lets any namespace editor intercept cluster traffic (CVE-2020-8554);
  // nothing we run uses it (CIS 1.2.3).
  "DenyServiceExternalIPs",
  // Bounds event floods; configured in admissionConfig.ts (CIS 1.2.9).
  "EventRateLimit",
  // Sets every container's imagePullPolicy to Always, so each start checks the registry with the
  // pod's own pull credentials and no pod runs a private image another namespace pulled onto the
  // node (CIS 1.2.11). The cost: while a registry (registry.k8s.io, quay.io, ghcr.io,
  // public.ecr.aws) or the NAT path is down, containers cannot (re)start even with the image
  // cached, add-ons included. controlPlane.alwaysPullImages=false turns it off (CIS 1.2.11 then
  // fails, deliberately: lib/cis/exceptions.ts).
  "AlwaysPullImages",
];

/**
 * The plugins to enable: ADMISSION_PLUGINS, without AlwaysPullImages only when it is turned off
 * explicitly (false); unset or null keeps it, so a missing value never drops the control.
 */
export function admissionPlugins(alwaysPullImages?: boolean | null): string[] {
  return ADMISSION_PLUGINS.filter((p) => alwaysPullImages !== false || p !== "AlwaysPullImages");
}

/** Flags that must never come from extraArgs, with the reason given back to the user. */
const REFUSED_EXTRA_ARGS: Record<string, string> = {
  "anonymous-auth":
    "anonymous access is configured in /etc/kubernetes/authentication-config.yaml (limited to " +
    ANONYMOUS_PATHS.join(", ") +
    "); kube-apiserver refuses to start when --anonymous-auth is also set",
  "insecure-port": "the insecure port was removed from kube-apiserver (1.24); all access goes through 6443 with TLS",
};

export function apiServerFlags(a: ApiServerSpec): Record<string, string | string[]> {
  if (!Array.isArray(a.etcdServers) || a.etcdServers.length === 0 || a.etcdServers.some((u) => !/^https:\/\/[^\s,]+$/.test(u))) {
    throw new Error(
      `etcdServers must be a non-empty list of https:// client URLs (got ${JSON.stringify(a.etcdServers)}): pass the etcd members' client URLs, e.g. https://10.0.1.10:2379`,
    );
  }
  return {
    "secure-port": String(PORTS.apiServer),
    "allow-privileged": "true", // CNI agents, kube-proxy and CSI node plugins run privileged
    "authentication-config": CONFIG.authentication,
    "authorization-mode": "Node,RBAC",
    "enable-admission-plugins": admissionPlugins(a.alwaysPullImages).join(","),
    "admission-control-config-file": CONFIG.admission,
    "enable-bootstrap-token-auth": "true", // worker kubelets join with bootstrap tokens
    profiling: "false",
    // Audit (CIS 1.2.16–1.2.19)
    "audit-log-path": AUDIT_LOG_PATH,
    "audit-log-maxage": String(a.audit.maxAgeDays),
    "audit-log-maxbackup": String(a.audit.maxBackups),
    "audit-log-maxsize": String(a.audit.maxSizeMiB),
    "audit-policy-file": CONFIG.auditPolicy,
    "encryption-provider-config": CONFIG.encryption,
    // Serving and client TLS
    "tls-cert-file": CERT.apiServer,
    "tls-private-key-file": KEY.apiServer,
    ...TLS_FLAGS,
    "client-ca-file": CERT.ca,
    // apiserver → kubelet: authenticate with a client cert and verify the kubelet's serving cert
    // against the cluster CA (kubelets must run with serverTLSBootstrap and approved serving CSRs).
    "kubelet-client-certificate": CERT.apiServerKubeletClient,
    "kubelet-client-key": KEY.apiServerKubeletClient,
    "kubelet-certificate-authority": CERT.ca,
    // Private clusters: no ExternalIP; InternalDNS is the EC2 private name the CCM reports.
    "kubelet-preferred-address-types": "InternalIP,InternalDNS,Hostname",
    // apiserver → etcd (external cluster, mutual TLS)
    "etcd-servers": a.etcdServers.join(","),
    "etcd-cafile": CERT.etcdCa,
    "etcd-certfile": CERT.apiServerEtcdClient,
    "etcd-keyfile": KEY.apiServerEtcdClient,
    // Aggregation layer (metrics-server): the front proxy's identity
    "requestheader-client-ca-file": CERT.frontProxyCa,
    "requestheader-allowed-names": "front-proxy-client",
    "requestheader-extra-headers-prefix": "X-Remote-Extra-",
    "requestheader-group-headers": "X-Remote-Group",
    "requestheader-username-headers": "X-Remote-User",
    "proxy-client-cert-file": CERT.frontProxyClient,
    "proxy-client-key-file": KEY.frontProxyClient,
    // Service accounts: tokens are checked against etcd (revoked SA ⇒ token dead, CIS 1.2.21) and
    // bound tokens are not silently extended to a year (CIS 1.2.30).
    // The first issuer signs new tokens; later ones are still accepted, so tokens issued before an
    // issuer change stay valid until the kubelet renews them.
    "service-account-issuer": a.acceptedServiceAccountIssuers?.length
      ? [a.serviceAccountIssuer, ...a.acceptedServiceAccountIssuers]
      : a.serviceAccountIssuer,
    // The discovery document the apiserver serves points at the published JWKS (lib/oidc.ts).
    ...(a.serviceAccountJwksUri ? { "service-account-jwks-uri": a.serviceAccountJwksUri } : {}),
    // Explicit, so the audience of in-cluster API tokens does not follow the first issuer: tokens for
    // STS (audience sts.amazonaws.com) are refused by the API, and API tokens issued before the
    // issuer changed keep their audience.
    ...(a.apiAudiences ? { "api-audiences": a.apiAudiences.join(",") } : {}),
    "service-account-key-file": CERT.serviceAccountPublic,
    "service-account-signing-key-file": KEY.serviceAccount,
    "service-account-lookup": "true",
    "service-account-extend-token-expiration": "false",
    "service-cluster-ip-range": a.serviceCidr,
    // Each apiserver holds a lease; a dead one drops out of the `kubernetes` Service in ~15 s.
    "endpoint-reconciler-type": "lease",
  };
}

export function apiServerMounts(kms = false): HostMount[] {
  return [
    { name: "k8s-certs", path: PKI_DIR, type: "Directory", readOnly: true },
    // The KMS plugin's socket: the directory, so a socket the restarted plugin re-creates is seen;
    // writable as upstream mounts it (connect(2) writes to the socket; the directory holds nothing else).
    ...(kms ? [{ name: "kmsplugin", path: HOST_DIRS.kmsPlugin, type: "DirectoryOrCreate" as const, readOnly: false }] : []),
    { name: "audit-policy", path: CONFIG.auditPolicy, type: "File", readOnly: true },
    { name: "audit-log", path: HOST_DIRS.auditLog, type: "DirectoryOrCreate", readOnly: false },
    { name: "authentication-config", path: CONFIG.authentication, type: "File", readOnly: true },
    { name: "admission-config", path: CONFIG.admission, type: "File", readOnly: true },
    { name: "encryption-config", path: CONFIG.encryption, type: "File", readOnly: true },
    ...CA_BUNDLE_MOUNTS,
  ];
}

export function renderApiServerManifest(a: ApiServerSpec): object {
  for (const k of Object.keys(a.extraArgs ?? {})) {
    const why = REFUSED_EXTRA_ARGS[k];
    if (why) throw new Error(`extraArgs.apiServer["${k}"] is refused: ${why}; remove it from extraArgs`);
  }
  return staticPod({
    component: "kube-apiserver",
    kubernetesVersion: a.kubernetesVersion,
    flags: apiServerFlags(a),
    extraArgs: a.extraArgs,
    mounts: apiServerMounts(a.kms ?? false),
    port: PORTS.apiServer,
    // Upstream's advice for KMS: keep kms-providers out of liveness. A KMS outage or a slow plugin
    // makes the apiserver unready (/readyz, which the load balancer checks), but restarting it
    // would only throw away the data keys it has cached and make the outage worse.
    livenessPath: a.kms ? "/livez?exclude=kms-providers" : "/livez",
    readinessPath: "/readyz",
    requests: { cpu: "250m", memory: "512Mi" },
  });
}
