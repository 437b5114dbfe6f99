/**
 * The shape of one etcd member and the values derived from it (URLs, the initial-cluster string),
 * shared by the env, boot-step and backup renderers.
 */
import { formatProblem, Problem } from "../lib/config/problems";
import { isTcpPort } from "./tcpPort";

export interface EtcdPeer {
  /** Member name, `etcd-<i>`. */
  name: string;
  /** Stable private IP (the member's own ENI). */
  ip: string;
  /** DNS name; in the TLS SANs next to the IP, not in the URLs. */
  dnsName: string;
}

export interface EtcdMemberSpec extends EtcdPeer {
  /** Every member of the cluster, this one included, in index order. */
  members: EtcdPeer[];
  /** --initial-cluster-token: unique per cluster so members of two clusters never merge. */
  clusterToken: string;
  /** --snapshot-count (config etcd.snapshotCount, default 10000). */
  snapshotCount: number;
  /** Default /var/lib/etcd: the mount point of the member's EBS volume. */
  dataDir?: string;
  /** Default 2379. */
  clientPort?: number;
  /** Default 2380. */
  peerPort?: number;
  /** Default 2381 (plain HTTP, loopback only). */
  metricsPort?: number;
  /** --quota-backend-bytes, default 8 GiB (etcd's suggested maximum). */
  quotaBackendBytes?: number;
}

export const ETCD_ENV_PATH = "/etc/etcd/etcd.env";
export const ETCD_PKI_DIR = "/etc/etcd/pki";
export const ETCD_BIN_DIR = "/opt/kubestead/bin";
export const ETCD_DEFAULT_DATA_DIR = "/var/lib/etcd";
/**
 * Common name every peer certificate carries. Peers and clients trust the same CA, so the peer
 * port admits only certificates with this CN (--peer-cert-allowed-cn): a client identity (backup,
 * apiserver) cannot speak the peer protocol.
 */
export const ETCD_PEER_CN = "etcd-peer";
export const ETCD_DEFAULT_QUOTA_BYTES = 8 * 1024 * 1024 * 1024;

/**
 * TLS 1.2 AEAD suites with forward secrecy only (etcd sets TLS 1.2 as the minimum itself). ECDSA
 * suites serve our P-256 certs; the RSA ones keep an operator's RSA cert working. Names as etcd's
 * --cipher-suites takes them (Go's crypto/tls names), accepted by 3.4 through 3.6.
 */
export const ETCD_CIPHER_SUITES = [
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
  "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
  "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
];

/** Resolved ports and URLs of one member; everything the renderers substitute. */
export interface EtcdUrls {
  dataDir: string;
  clientPort: number;
  peerPort: number;
  metricsPort: number;
  clientUrl: string;
  peerUrl: string;
  /** Where local tools (backup, health) reach the member. */
  localClientUrl: string;
  listenClientUrls: string[];
  metricsUrl: string;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** Problems with a member spec, all at once: `[]` when it is usable. */
export function etcdSpecProblems(m: EtcdMemberSpec): Problem[] {
  const problems: Problem[] = [];
  const add = (key: string, rule: string, got: unknown, fix: string): void => {
    problems.push({ key, rule, got, fix });
  };
  const peers = m.members ?? [];
  if (peers.length === 0) add("members", "must list every member, this one included", peers, "pass the whole cluster");
  const names = new Set<string>();
  const ips = new Set<string>();
  peers.forEach((p, i) => {
    if (!NAME.test(p.name)) add(`members[${i}].name`, "must be a lowercase DNS label like etcd-0", p.name, "use etcd-<i>");
    if (!IPV4.test(p.ip)) add(`members[${i}].ip`, "must be an IPv4 address", p.ip, "pass the member's ENI private IP");
    if (names.has(p.name)) add(`members[${i}].name`, "must be unique", p.name, "give each member its own index");
    if (ips.has(p.ip)) add(`members[${i}].ip`, "must be unique", p.ip, "give each member its own ENI");
    names.add(p.name);
    ips.add(p.ip);
  });
  const self = peers.find((p) => p.name === m.name);
  if (!self) add("name", "must be one of members[].name", m.name, "include this member in members");
  else if (self.ip !== m.ip) add("ip", `must equal the ip of ${m.name} in members (${self.ip})`, m.ip, "pass the same IP in both places");
  if (!IPV4.test(m.ip)) add("ip", "must be an IPv4 address", m.ip, "pass the member's ENI private IP");
  if (!/^[A-Za-z0-9._-]+$/.test(m.clusterToken ?? ""))
    add("clusterToken", "must be a non-empty token of letters, digits, . _ -", m.clusterToken, "use the cluster name, e.g. prod-etcd");
  if (!Number.isInteger(m.snapshotCount) || m.snapshotCount < 1)
    add("snapshotCount", "must be a positive integer", m.snapshotCount, "use 10000");
  for (const k of ["clientPort", "peerPort", "metricsPort"] as const) {
    const v = m[k];
    if (v !== undefined && !isTcpPort(v)) add(k, "must be a TCP port", v, "leave it unset for the default");
  }
  if (m.dataDir !== undefined && !/^\/[A-Za-z0-9._/-]+$/.test(m.dataDir))
    add("dataDir", "must be an absolute path", m.dataDir, "leave it unset for /var/lib/etcd");
  return problems;
}

/** Throws one error listing every problem of the spec. */
export function assertEtcdSpec(m: EtcdMemberSpec): void {
  const problems = etcdSpecProblems(m);
  if (problems.length > 0) {
    const lines = problems.map((p) => `  - ${formatProblem(p)}`);
    throw new Error(
      `invalid etcd member spec for ${JSON.stringify(m.name)} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    );
  }
}

export function etcdUrls(m: EtcdMemberSpec): EtcdUrls {
  const clientPort = m.clientPort ?? 2379;
  const peerPort = m.peerPort ?? 2380;
  const metricsPort = m.metricsPort ?? 2381;
  // A member on a loopback address (tests rewrite IPs to 127.0.0.x) already listens locally; a
  // second 127.0.0.1 listener would collide with the member that owns 127.0.0.1.
  const loopback = m.ip.startsWith("127.");
  const local = loopback ? m.ip : "127.0.0.1";
  const clientUrl = `https://${m.ip}:${clientPort}`;
  const localClientUrl = `https://${local}:${clientPort}`;
  return {
    dataDir: m.dataDir ?? ETCD_DEFAULT_DATA_DIR,
    clientPort,
    peerPort,
    metricsPort,
    clientUrl,
    peerUrl: `https://${m.ip}:${peerPort}`,
    localClientUrl,
    listenClientUrls: loopback ? [clientUrl] : [clientUrl, localClientUrl],
    metricsUrl: `http://${local}:${metricsPort}`,
  };
}

/** `etcd-0=https://10.0.1.10:2380,…` in the order given. */
export function etcdInitialCluster(members: { name: string; peerUrl: string }[]): string {
  return members.map((p) => `${p.name}=${p.peerUrl}`).join(",");
}

/** The initial cluster of a spec: every member's peer URL on the spec's peer port. */
export function etcdSpecInitialCluster(m: EtcdMemberSpec): string {
  const peerPort = m.peerPort ?? 2380;
  return etcdInitialCluster(m.members.map((p) => ({ name: p.name, peerUrl: `https://${p.ip}:${peerPort}` })));
}
