/**
 * Where control-plane files live on a node. kubeadm's layout (/etc/kubernetes/...), so operators,
 * kube-bench and runbooks find everything where they expect it.
 */

export const KUBERNETES_DIR = "/etc/kubernetes";
export const MANIFESTS_DIR = `${KUBERNETES_DIR}/manifests`;
export const PKI_DIR = `${KUBERNETES_DIR}/pki`;

export const MANIFEST = {
  apiServer: `${MANIFESTS_DIR}/kube-apiserver.yaml`,
  controllerManager: `${MANIFESTS_DIR}/kube-controller-manager.yaml`,
  scheduler: `${MANIFESTS_DIR}/kube-scheduler.yaml`,
  /** The AWS encryption provider (KMS v2 plugin), when encryption at rest goes through KMS. */
  kmsPlugin: `${MANIFESTS_DIR}/aws-encryption-provider.yaml`,
} as const;

/** Component configuration files (not secret, except the encryption config). */
export const CONFIG = {
  auditPolicy: `${KUBERNETES_DIR}/audit-policy.yaml`,
  authentication: `${KUBERNETES_DIR}/authentication-config.yaml`,
  admission: `${KUBERNETES_DIR}/admission-config.yaml`,
  /** Holds the encryption-at-rest key: a SecretFile. */
  encryption: `${KUBERNETES_DIR}/encryption-config.yaml`,
  scheduler: `${KUBERNETES_DIR}/scheduler-config.yaml`,
} as const;

export const KUBECONFIG = {
  /** kubeadm:cluster-admins (bound to cluster-admin by the cluster-admins add-on): for operators on the node. */
  admin: `${KUBERNETES_DIR}/admin.conf`,
  /** system:masters, the break-glass: the add-on applier's, works before any RBAC binding exists. */
  superAdmin: `${KUBERNETES_DIR}/super-admin.conf`,
  controllerManager: `${KUBERNETES_DIR}/controller-manager.conf`,
  scheduler: `${KUBERNETES_DIR}/scheduler.conf`,
} as const;

/** Audit log directory on the host; the apiserver rotates files inside it. */
export const AUDIT_LOG_DIR = "/var/log/kubernetes/audit";
export const AUDIT_LOG_PATH = `${AUDIT_LOG_DIR}/audit.log`;

/** Certificates (NodeFiles, 0644). */
export const CERT = {
  ca: `${PKI_DIR}/ca.crt`,
  apiServer: `${PKI_DIR}/apiserver.crt`,
  apiServerKubeletClient: `${PKI_DIR}/apiserver-kubelet-client.crt`,
  apiServerEtcdClient: `${PKI_DIR}/apiserver-etcd-client.crt`,
  frontProxyCa: `${PKI_DIR}/front-proxy-ca.crt`,
  frontProxyClient: `${PKI_DIR}/front-proxy-client.crt`,
  etcdCa: `${PKI_DIR}/etcd/ca.crt`,
  controllerManager: `${PKI_DIR}/controller-manager.crt`,
  scheduler: `${PKI_DIR}/scheduler.crt`,
  admin: `${PKI_DIR}/admin.crt`,
  superAdmin: `${PKI_DIR}/super-admin.crt`,
  /** Service-account token verification key (public, PEM "PUBLIC KEY"). */
  serviceAccountPublic: `${PKI_DIR}/sa.pub`,
} as const;

/** Private keys (SecretFiles, 0600). */
export const KEY = {
  ca: `${PKI_DIR}/ca.key`,
  apiServer: `${PKI_DIR}/apiserver.key`,
  apiServerKubeletClient: `${PKI_DIR}/apiserver-kubelet-client.key`,
  apiServerEtcdClient: `${PKI_DIR}/apiserver-etcd-client.key`,
  frontProxyClient: `${PKI_DIR}/front-proxy-client.key`,
  controllerManager: `${PKI_DIR}/controller-manager.key`,
  scheduler: `${PKI_DIR}/scheduler.key`,
  admin: `${PKI_DIR}/admin.key`,
  superAdmin: `${PKI_DIR}/super-admin.key`,
  serviceAccount: `${PKI_DIR}/sa.key`,
} as const;

/**
 * Host directories owned by the OS (CA bundles) or created by the kubelet for a DirectoryOrCreate
 * volume (the audit log dir). Nothing of ours has to put files there.
 */
export const HOST_DIRS = {
  caCerts: "/etc/ssl/certs",
  usrShareCaCertificates: "/usr/share/ca-certificates",
  auditLog: AUDIT_LOG_DIR,
  /** The KMS plugin's socket directory, created by the kubelet for both pods that mount it. */
  kmsPlugin: "/var/run/kmsplugin",
} as const;

/** The local apiserver, as seen from components on the same node. */
export const LOCAL_API_SERVER = "https://127.0.0.1:6443";

/**
 * 8083 for the KMS plugin's health server, as upstream's guide for host-network plugins has it (its
 * default 8080 is taken on many control planes); bound to 127.0.0.1 here.
 */
export const PORTS = { apiServer: 6443, controllerManager: 10257, scheduler: 10259, kmsPluginHealth: 8083 } as const;
