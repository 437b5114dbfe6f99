/**
 * One etcd member: its environment file, systemd unit and the files it boots with. The boot
 * step (new vs existing cluster) lives in etcdBootStep.ts, the member ENI's addressing and policy
 * routing in etcdNetwork.ts, backup and restore in etcdBackup.ts;
 * this module re-exports them so callers import everything etcd from one place.
 *
 * Derived values (the initial-cluster string, URLs) are computed here before any templating, as
 * Typhoon does, so the renderers only substitute.
 */
import { BOOT_SCRIPT_PATH, renderBootScript } from "./bootScript";
import { renderSessionManagerStep } from "./sessionManager";
import type { SessionManagerAgent } from "../lib/config/sessionManager";
import { renderCloudConfig } from "./cloudInit";
import { EtcdDefragConfig } from "../lib/config/etcdLifecycle";
import {
  ETCD_BACKUP_SCRIPT_PATH,
  ETCD_RESTORE_SCRIPT_PATH,
  renderEtcdBackupScript,
  renderEtcdBackupService,
  renderEtcdBackupTimer,
  renderEtcdRestoreScript,
} from "./etcdBackup";
import { EtcdBootStepOptions, EtcdRelease, renderEtcdBootStep } from "./etcdBootStep";
import {
  ETCD_DEFRAG_TIMER,
  ETCD_DEFRAG_UNIT,
  ETCD_LIFECYCLE_SCRIPT_PATH,
  ETCD_SETTLE_UNIT,
  etcdCorruptCheckEnv,
  renderEtcdDefragService,
  renderEtcdDefragTimer,
  renderEtcdLifecycleScript,
  renderEtcdSettleService,
} from "./etcdLifecycle";
import {
  ETCD_NETWORK_SCRIPT_PATH,
  ETCD_NETWORK_UNIT,
  ETCD_NETWORK_UNIT_PATH,
  ETCD_NETWORKD_CONF_PATH,
  renderEtcdNetworkdConf,
  renderEtcdNetworkScript,
  renderEtcdNetworkService,
} from "./etcdNetwork";
import {
  assertEtcdSpec,
  ETCD_CIPHER_SUITES,
  ETCD_DEFAULT_DATA_DIR,
  ETCD_DEFAULT_QUOTA_BYTES,
  ETCD_ENV_PATH,
  ETCD_PEER_CN,
  ETCD_PKI_DIR,
  EtcdMemberSpec,
  etcdSpecInitialCluster,
  etcdUrls,
} from "./etcdSpec";
import { renderUnit } from "./systemd";
import { CERT_REFRESH_SCRIPT_PATH, CertRefreshEntry, certRefreshNodeFiles, renderCertRefreshScript } from "./certRefresh";
import { NodeFile, SecretFile } from "./types";

export * from "./etcdSpec";
export * from "./etcdBootStep";
export * from "./etcdNetwork";
export * from "./etcdBackup";
export * from "./etcdLifecycle";

/**
 * /etc/etcd/etcd.env. etcd reads ETCD_<FLAG> for every flag, so the unit's ExecStart stays bare.
 * ETCD_INITIAL_CLUSTER_STATE is `new` here; the boot step rewrites it to `existing` when the
 * member rejoins (see etcdBootStep.ts). Both values are ignored once the data dir holds a WAL.
 * With `version`, the corruption checks of that release are on (etcdCorruptCheckEnv).
 */
export function renderEtcdEnv(m: EtcdMemberSpec, opts: { version?: string } = {}): string {
  assertEtcdSpec(m);
  const u = etcdUrls(m);
  const pki = ETCD_PKI_DIR;
  const env: [string, string][] = [
    ["ETCD_NAME", m.name],
    ["ETCD_DATA_DIR", u.dataDir],
    ["ETCD_LISTEN_CLIENT_URLS", u.listenClientUrls.join(",")],
    ["ETCD_ADVERTISE_CLIENT_URLS", u.clientUrl],
    ["ETCD_LISTEN_PEER_URLS", u.peerUrl],
    ["ETCD_INITIAL_ADVERTISE_PEER_URLS", u.peerUrl],
    ["ETCD_INITIAL_CLUSTER", etcdSpecInitialCluster(m)],
    ["ETCD_INITIAL_CLUSTER_TOKEN", m.clusterToken],
    ["ETCD_INITIAL_CLUSTER_STATE", "new"],
    ["ETCD_CERT_FILE", `${pki}/server.crt`],
    ["ETCD_KEY_FILE", `${pki}/server.key`],
    ["ETCD_TRUSTED_CA_FILE", `${pki}/ca.crt`],
    ["ETCD_CLIENT_CERT_AUTH", "true"],
    ["ETCD_PEER_CERT_FILE", `${pki}/peer.crt`],
    ["ETCD_PEER_KEY_FILE", `${pki}/peer.key`],
    ["ETCD_PEER_TRUSTED_CA_FILE", `${pki}/ca.crt`],
    ["ETCD_PEER_CLIENT_CERT_AUTH", "true"],
    ["ETCD_PEER_CERT_ALLOWED_CN", ETCD_PEER_CN],
    ["ETCD_CIPHER_SUITES", ETCD_CIPHER_SUITES.join(",")],
    // Plain HTTP on loopback only: /metrics and /health for the node's own probes, no client certs.
    ["ETCD_LISTEN_METRICS_URLS", u.metricsUrl],
    ["ETCD_SNAPSHOT_COUNT", String(m.snapshotCount)],
    // The apiserver compacts every 5 minutes; this catches anything else writing to etcd.
    ["ETCD_AUTO_COMPACTION_MODE", "periodic"],
    ["ETCD_AUTO_COMPACTION_RETENTION", "1h"],
    ["ETCD_QUOTA_BACKEND_BYTES", String(m.quotaBackendBytes ?? ETCD_DEFAULT_QUOTA_BYTES)],
    // Pre-vote stops a member returning from a partition from forcing an election (3.5's default).
    ["ETCD_PRE_VOTE", "true"],
    // Structured logs to stderr (journald); capnslog is gone in 3.5.
    ["ETCD_LOGGER", "zap"],
    ...(opts.version ? etcdCorruptCheckEnv(opts.version) : []),
  ];
  return `# etcd member ${m.name}. Rendered by bootstrap/etcd.ts; the boot step may rewrite ETCD_INITIAL_CLUSTER*.\n${env.map(([k, v]) => `${k}=${v}`).join("\n")}\n`;
}

/**
 * etcd.service: the binary from /usr/local/bin, configured only through the env file.
 * `networkUnit`: the unit that puts the member IP on its ENI (etcd-network.sh); etcd starts after it.
 */
export function renderEtcdService(args: { version: string; dataDir?: string; networkUnit?: string }): string {
  const dataDir = args.dataDir ?? ETCD_DEFAULT_DATA_DIR;
  const network = args.networkUnit ? [args.networkUnit] : [];
  return renderUnit({
    Unit: {
      Description: `etcd ${args.version} (kubestead member)`,
      Documentation: "https://etcd.io/docs/",
      After: ["network-online.target", ...network],
      // Wants, not Requires: a failed network unit retries itself, etcd restarts until it can bind.
      Wants: ["network-online.target", ...network],
      // Never start on the root disk when the data volume failed to mount: an empty member
      // would try to rejoin under its old identity.
      RequiresMountsFor: dataDir,
    },
    Service: {
      // etcd signals READY once it has joined the cluster (needs quorum).
      Type: "notify",
      User: "etcd",
      Group: "etcd",
      EnvironmentFile: ETCD_ENV_PATH,
      ExecStart: "/usr/local/bin/etcd",
      Restart: "always",
      RestartSec: "10s",
      // The first members of a new cluster wait for quorum; give their peers time to boot.
      TimeoutStartSec: "300s",
      LimitNOFILE: "65536",
      // etcd's tuning guide: best-effort class, highest priority, so fsyncs beat other I/O.
      IOSchedulingClass: "best-effort",
      IOSchedulingPriority: "0",
      NoNewPrivileges: "true",
      // strict (not just full): the whole tree read-only except the data dir etcd owns.
      ProtectSystem: "strict",
      ReadWritePaths: dataDir,
      ProtectHome: "true",
      PrivateTmp: "true",
      PrivateDevices: "true",
      ProtectKernelTunables: "true",
      ProtectKernelModules: "true",
      ProtectControlGroups: "true",
      RestrictAddressFamilies: "AF_INET AF_INET6 AF_UNIX",
      RestrictNamespaces: "true",
      LockPersonality: "true",
      CapabilityBoundingSet: "",
      SystemCallArchitectures: "native",
    },
    Install: { WantedBy: "multi-user.target" },
  });
}

/** PEM certificates (public) a member boots with; they travel in user data. */
export interface EtcdPkiCerts {
  caCert: string;
  serverCert: string;
  peerCert: string;
  /** Client cert of the backup/maintenance identity (etcdctl from the node). */
  backupCert: string;
}

/** SSM parameter names of the member's private keys (SecureStrings). */
export interface EtcdKeyParameters {
  server: string;
  peer: string;
  backup: string;
}

export interface EtcdMemberOptions extends EtcdBootStepOptions {
  /** Cluster name: SSM paths and backup key prefix. */
  cluster: string;
  region: string;
  pki: EtcdPkiCerts;
  /** Default: etcdKeyParameters(cluster, member name). */
  keyParameters?: EtcdKeyParameters;
  backup: { bucket: string; intervalMinutes: number; kmsKeyId?: string };
  /** etcd release; the unit's description names it, the boot step installs it, the env enables its corruption checks. */
  release: EtcdRelease;
  /** Defragmentation (config etcd.defrag); absent or disabled = no defrag timer. */
  defrag?: EtcdDefragConfig;
  /**
   * SSM path prefix, e.g. /kubestead/<cluster>/etcd/files/, of the scripts every member has the
   * same (etcdSharedFiles): boot fetches them like its keys instead of carrying them in user data,
   * which EC2 caps at 16 KiB. Absent = they travel in user data.
   */
  sharedFilesPrefix?: string;
  /** The SSM agent to install first (kubestead:sessionManager); absent = none. */
  sessionManager?: SessionManagerAgent;
  /**
   * Refresh the member's certificates from SSM (etcdCertParameters) on a timer, without restarting
   * etcd (bootstrap/certRefresh.ts). The script is a shared file; the caller stores the parameters.
   */
  certRefresh?: boolean;
}

/** A file whose (non-secret) content lives in an SSM String parameter, fetched at boot. */
export interface ParameterFile extends NodeFile {
  parameter: string;
}

/**
 * The convention from the shared context: per-member keys under /kubestead/<cluster>/etcd/<member>/,
 * the backup identity (one for the cluster) under /kubestead/<cluster>/etcd/.
 */
export function etcdKeyParameters(cluster: string, member: string): EtcdKeyParameters {
  return {
    server: `/kubestead/${cluster}/etcd/${member}/server.key`,
    peer: `/kubestead/${cluster}/etcd/${member}/peer.key`,
    backup: `/kubestead/${cluster}/etcd/backup.key`,
  };
}

/** SSM String parameters of the member's certificates (public), beside its keys: what the refresh timer reads. */
export function etcdCertParameters(cluster: string, member: string): EtcdKeyParameters {
  const keys = etcdKeyParameters(cluster, member);
  const crt = (p: string) => p.replace(/\.key$/, ".crt");
  return { server: crt(keys.server), peer: crt(keys.peer), backup: crt(keys.backup) };
}

/** What a member's refresh timer replaces: its server, peer and backup certificates, each against its key and the etcd CA. */
export function etcdCertRefreshEntries(cluster: string, member: string): CertRefreshEntry[] {
  const params = etcdCertParameters(cluster, member);
  return (["server", "peer", "backup"] as const).map((k) => ({
    parameter: params[k],
    path: `${ETCD_PKI_DIR}/${k}.crt`,
    key: `${ETCD_PKI_DIR}/${k}.key`,
    ca: `${ETCD_PKI_DIR}/ca.crt`,
  }));
}

function requirePem(key: string, value: string): string {
  if (!/^-----BEGIN CERTIFICATE-----\n[\s\S]+-----END CERTIFICATE-----\n?$/.test(value)) {
    throw new Error(
      `etcd pki.${key} must be a PEM certificate (got ${JSON.stringify(value.slice(0, 40))}…): pass the cert's PEM, never a key`,
    );
  }
  return value.endsWith("\n") ? value : `${value}\n`;
}

/**
 * The scripts every member has the same: backup (it reads the member's name from the env file),
 * restore, and etcd-lifecycle.sh (every member needs it: one that joined as a learner waits for
 * it to be promoted).
 */
export function etcdSharedFiles(m: EtcdMemberSpec, opts: EtcdMemberOptions): NodeFile[] {
  const u = etcdUrls(m);
  const restore = opts.state ? { region: opts.region, cluster: opts.cluster, tokenParameter: opts.state.clusterToken } : undefined;
  const backup = renderEtcdBackupScript({
    bucket: opts.backup.bucket,
    region: opts.region,
    cluster: opts.cluster,
    endpoint: u.localClientUrl,
    kmsKeyId: opts.backup.kmsKeyId,
  });
  const lifecycle = renderEtcdLifecycleScript({
    region: opts.region,
    clientUrls: m.members.map((p) => `https://${p.ip}:${u.clientPort}`),
    state: opts.state,
    defrag: { minFreePercent: opts.defrag?.minFreePercent ?? 20 },
  });
  const refresh = opts.certRefresh
    ? [
        {
          path: CERT_REFRESH_SCRIPT_PATH,
          mode: "0755",
          // The health check dials the member's own loopback listener with the backup identity.
          content: renderCertRefreshScript({
            role: "etcd",
            region: opts.region,
            etcd: {
              endpoint: u.localClientUrl,
              caPath: `${ETCD_PKI_DIR}/ca.crt`,
              certPath: `${ETCD_PKI_DIR}/backup.crt`,
              keyPath: `${ETCD_PKI_DIR}/backup.key`,
            },
          }),
        },
      ]
    : [];
  return [
    { path: ETCD_BACKUP_SCRIPT_PATH, mode: "0755", content: backup },
    { path: ETCD_RESTORE_SCRIPT_PATH, mode: "0755", content: renderEtcdRestoreScript(restore) },
    { path: ETCD_LIFECYCLE_SCRIPT_PATH, mode: "0755", content: lifecycle },
    ...refresh,
  ];
}

/** etcdSharedFiles as SSM parameters under `prefix`, named by base name. */
export function etcdSharedFileParameters(m: EtcdMemberSpec, opts: EtcdMemberOptions & { sharedFilesPrefix: string }): ParameterFile[] {
  if (!/^\/[A-Za-z0-9._/-]+\/$/.test(opts.sharedFilesPrefix)) {
    throw new Error(`sharedFilesPrefix must be an SSM path ending in / (got ${JSON.stringify(opts.sharedFilesPrefix)}): fix the caller`);
  }
  return etcdSharedFiles(m, opts).map((f) => {
    const bytes = Buffer.byteLength(f.content, "utf8");
    if (bytes > SSM_ADVANCED_VALUE_LIMIT) {
      throw new Error(
        `${f.path} is ${bytes} bytes, above the ${SSM_ADVANCED_VALUE_LIMIT} an advanced SSM parameter holds: shorten it or split it`,
      );
    }
    return { ...f, parameter: `${opts.sharedFilesPrefix}${f.path.slice(f.path.lastIndexOf("/") + 1)}` };
  });
}

/** SSM parameter values: 4 KB in the standard tier, 8 KB in the advanced one. */
export const SSM_ADVANCED_VALUE_LIMIT = 8 * 1024;

/** Everything a member boots with: plain files for user data, secrets (and shared scripts) from SSM. */
export function etcdMemberFiles(m: EtcdMemberSpec, opts: EtcdMemberOptions): { files: NodeFile[]; secrets: SecretFile[] } {
  const pki = ETCD_PKI_DIR;
  const keys = opts.keyParameters ?? etcdKeyParameters(opts.cluster, m.name);
  const u = etcdUrls(m);
  const index = m.members.findIndex((p) => p.name === m.name);
  const defrag = opts.defrag?.enabled ? opts.defrag : undefined;
  const step = renderEtcdBootStep(m, {
    ...opts,
    settle: true,
    defragTimer: defrag !== undefined,
    certRefreshTimer: opts.certRefresh === true,
  });
  const files: NodeFile[] = [
    {
      path: BOOT_SCRIPT_PATH,
      mode: "0755",
      content: renderBootScript({
        role: "etcd",
        region: opts.region,
        steps: [...(opts.sessionManager ? [renderSessionManagerStep(opts.sessionManager)] : []), step],
      }),
    },
    { path: ETCD_ENV_PATH, mode: "0644", content: renderEtcdEnv(m, { version: opts.release.version }) },
    { path: `${pki}/ca.crt`, mode: "0644", content: requirePem("caCert", opts.pki.caCert) },
    { path: `${pki}/server.crt`, mode: "0644", content: requirePem("serverCert", opts.pki.serverCert) },
    { path: `${pki}/peer.crt`, mode: "0644", content: requirePem("peerCert", opts.pki.peerCert) },
    { path: `${pki}/backup.crt`, mode: "0644", content: requirePem("backupCert", opts.pki.backupCert) },
    {
      path: "/etc/systemd/system/etcd.service",
      mode: "0644",
      content: renderEtcdService({
        version: opts.release.version,
        dataDir: u.dataDir,
        networkUnit: opts.eniId ? ETCD_NETWORK_UNIT : undefined,
      }),
    },
    { path: "/etc/systemd/system/etcd-backup.service", mode: "0644", content: renderEtcdBackupService() },
    { path: "/etc/systemd/system/etcd-backup.timer", mode: "0644", content: renderEtcdBackupTimer(opts.backup.intervalMinutes) },
  ];
  files.push({ path: `/etc/systemd/system/${ETCD_SETTLE_UNIT}`, mode: "0644", content: renderEtcdSettleService() });
  if (defrag) {
    files.push(
      { path: `/etc/systemd/system/${ETCD_DEFRAG_UNIT}`, mode: "0644", content: renderEtcdDefragService() },
      { path: `/etc/systemd/system/${ETCD_DEFRAG_TIMER}`, mode: "0644", content: renderEtcdDefragTimer(index, defrag) },
    );
  }
  if (opts.certRefresh) files.push(...certRefreshNodeFiles(etcdCertRefreshEntries(opts.cluster, m.name)));
  const shared: SecretFile[] = [];
  if (opts.sharedFilesPrefix) {
    for (const f of etcdSharedFileParameters(m, { ...opts, sharedFilesPrefix: opts.sharedFilesPrefix }))
      shared.push({ path: f.path, parameter: f.parameter, mode: f.mode });
  } else files.push(...etcdSharedFiles(m, opts));
  if (opts.eniId) {
    const peerIps = m.members.filter((p) => p.name !== m.name).map((p) => p.ip);
    files.push(
      {
        path: ETCD_NETWORK_SCRIPT_PATH,
        mode: "0755",
        content: renderEtcdNetworkScript({ eniId: opts.eniId, ip: m.ip, peerIps, region: opts.region }),
      },
      { path: ETCD_NETWORK_UNIT_PATH, mode: "0644", content: renderEtcdNetworkService() },
      { path: ETCD_NETWORKD_CONF_PATH, mode: "0644", content: renderEtcdNetworkdConf() },
    );
  }
  // 0640: the boot step hands the server and peer keys to group etcd; the backup key stays root's.
  const secrets: SecretFile[] = [
    { path: `${pki}/server.key`, parameter: keys.server, mode: "0640" },
    { path: `${pki}/peer.key`, parameter: keys.peer, mode: "0640" },
    { path: `${pki}/backup.key`, parameter: keys.backup, mode: "0600" },
    ...shared,
  ];
  return { files, secrets };
}

/** The member's whole #cloud-config document (pass it through encodeUserData for EC2). */
export function etcdMemberUserData(m: EtcdMemberSpec, opts: EtcdMemberOptions): string {
  const { files, secrets } = etcdMemberFiles(m, opts);
  return renderCloudConfig({ files, secrets, bootScriptPath: BOOT_SCRIPT_PATH, hostname: m.name });
}
