/**
 * Pure checks over a stack's rendered nodes (see renderedNodes.ts). Each returns the problems it
 * finds, one sentence each naming stack, node and file, so a test compares the list with [] and a
 * control test can plant a fault and see it reported.
 */
import { createPublicKey, X509Certificate } from "node:crypto";
import { parse } from "yaml";
import { HOST_DIRS } from "../../bootstrap/controlPlane/paths";
import { kubeconfigFileReferences, podFileReferences, unmountedFlagPaths } from "../../bootstrap/controlPlane/references";
import { SECRETS_MANIFEST_PATH } from "../../bootstrap/types";
import { containsIp, mustParseCidr, planSubnets } from "../../lib/cidr";
import { cisContextFromFiles, evaluateControlPlane } from "../../lib/cis/controlPlane";
import { evaluateKubelet, parseKubeletFlags } from "../../lib/cis/kubelet";
import { ClusterConfig } from "../../lib/config/types";
import { parseEnvFile } from "./etcdCluster";
import { NodeFile, RenderedNode, roleOf, secretsManifest, secretValues, unitExecStart } from "./renderedNodes";

export interface StackRender {
  stack: string;
  config: ClusterConfig;
  nodes: RenderedNode[];
}

export const where = (r: StackRender, n: RenderedNode, path = ""): string => `${r.stack}/${n.name}${path}`;

/** A copy of the render with one node's file replaced (undefined: removed) — for control tests. */
export function withFile(r: StackRender, node: string, path: string, file: NodeFile | undefined): StackRender {
  return {
    ...r,
    nodes: r.nodes.map((n) => {
      if (n.name !== node) return n;
      const files = new Map(n.files);
      if (file) files.set(path, file);
      else files.delete(path);
      return { ...n, files };
    }),
  };
}

export function withUserData(r: StackRender, node: string, userData: string): StackRender {
  return { ...r, nodes: r.nodes.map((n) => (n.name === node ? { ...n, userData } : n)) };
}

const MANIFEST = /^\/etc\/kubernetes\/manifests\/[^/]+\.yaml$/;

export function controlPlaneCisFailures(r: StackRender): string[] {
  const failures: string[] = [];
  for (const n of r.nodes.filter((x) => roleOf(x) === "controlplane")) {
    const manifests = [...n.files].filter(([p]) => MANIFEST.test(p)).map(([, f]) => f.content);
    // Every file the node has after boot, SSM-fetched ones (encryption-config.yaml) included.
    const ctx = cisContextFromFiles([...n.files].map(([path, f]) => ({ path, content: f.content })));
    for (const x of evaluateControlPlane(manifests, ctx))
      if (x.status === "fail") failures.push(`${where(r, n)} ${x.id} ${x.title}: ${x.detail}`);
  }
  return failures;
}

/** CIS 4.2 on the config file the kubelet unit's --config names, with the unit's flags. */
export function kubeletCisFailures(r: StackRender): string[] {
  const failures: string[] = [];
  for (const n of r.nodes.filter((x) => roleOf(x) !== "etcd")) {
    const unit = n.files.get("/etc/systemd/system/kubelet.service")?.content;
    if (!unit) {
      failures.push(`${where(r, n)}: no /etc/systemd/system/kubelet.service`);
      continue;
    }
    const flags = parseKubeletFlags(unitExecStart(unit));
    const config = n.files.get(flags.config ?? "");
    if (!config) {
      failures.push(`${where(r, n)}: kubelet --config=${flags.config} is not on the node`);
      continue;
    }
    for (const x of evaluateKubelet(parse(config.content) as Record<string, unknown>, flags))
      if (!x.pass) failures.push(`${where(r, n)} ${x.id} ${x.title}: ${x.detail}`);
  }
  return failures;
}

// Owned by the OS image or created by the kubelet (DirectoryOrCreate): nothing of ours ships there.
const OS_DIRS = [...Object.values(HOST_DIRS), "/etc/ca-certificates", "/usr/local/share/ca-certificates", "/etc/pki"];
const osOwned = (p: string) => OS_DIRS.some((d) => p === d || p.startsWith(`${d}/`));

interface Pod {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: {
    containers?: { name?: string; image?: string; volumeMounts?: { name: string; mountPath: string }[] }[];
    volumes?: { name: string; hostPath?: { path: string; type?: string } }[];
  };
}

/** Static pods are v1 Pods and everything they read (hostPaths, flag paths, kubeconfig references) is on the node. */
export function staticPodProblems(r: StackRender): { pods: number; problems: string[] } {
  const problems: string[] = [];
  let pods = 0;
  for (const n of r.nodes) {
    const has = (p: string) => n.files.has(p) || osOwned(p) || [...n.files.keys()].some((f) => f.startsWith(`${p}/`));
    for (const [path, f] of n.files) {
      if (!MANIFEST.test(path)) continue;
      pods++;
      const at = where(r, n, path);
      const pod = parse(f.content) as Pod;
      if (pod?.apiVersion !== "v1" || pod.kind !== "Pod")
        problems.push(`${at}: apiVersion/kind ${pod?.apiVersion}/${pod?.kind}, want v1/Pod`);
      if (!pod?.metadata?.name || pod.metadata.namespace !== "kube-system") problems.push(`${at}: needs a name in namespace kube-system`);
      const containers = pod?.spec?.containers ?? [];
      const volumes = pod?.spec?.volumes ?? [];
      if (containers.length === 0) problems.push(`${at}: no containers`);
      for (const c of containers) {
        if (!c.name || !c.image) problems.push(`${at}: container without name or image`);
        for (const m of c.volumeMounts ?? [])
          if (!volumes.some((v) => v.name === m.name)) problems.push(`${at}: mount ${m.name} names no volume`);
      }
      for (const v of volumes)
        if (v.hostPath && !has(v.hostPath.path))
          problems.push(`${at}: hostPath ${v.name} → ${v.hostPath.path} (${v.hostPath.type}) is not on the node`);
      for (const ref of podFileReferences(pod as object)) {
        if (!n.files.has(ref.path) && !osOwned(ref.path)) problems.push(`${at}: ${ref.from} → ${ref.path} is not on the node`);
        const kubeconfig = n.files.get(ref.path);
        if (kubeconfig && ref.path.endsWith(".conf"))
          for (const k of kubeconfigFileReferences(kubeconfig.content))
            if (!n.files.has(k.path)) problems.push(`${at}: ${ref.path} ${k.from} → ${k.path} is not on the node`);
      }
      for (const ref of unmountedFlagPaths(pod as object)) problems.push(`${at}: ${ref.from} → ${ref.path} is outside every volumeMount`);
    }
  }
  return { pods, problems };
}

const BOOTSTRAP_TOKEN = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;

/** Bootstrap tokens as the nodes receive them from SSM (in bootstrap-kubelet.conf). */
export function bootstrapTokens(r: StackRender): string[] {
  const tokens = new Set<string>();
  for (const n of r.nodes) {
    const conf = n.files.get("/etc/kubernetes/bootstrap-kubelet.conf");
    const users = conf ? ((parse(conf.content) as { users?: { user?: { token?: string } }[] }).users ?? []) : [];
    for (const u of users) if (u.user?.token) tokens.add(u.user.token);
  }
  return [...tokens];
}

/** Key material, bootstrap tokens, encryption keys, or any value of an SSM-fetched file, found in user data. */
export function userDataLeaks(r: StackRender): string[] {
  const problems: string[] = [];
  const secrets = new Map<string, string>();
  for (const n of r.nodes) {
    for (const s of secretsManifest(n.files.get(SECRETS_MANIFEST_PATH)?.content ?? "")) {
      const content = n.files.get(s.path)?.content ?? "";
      // The scripts every etcd member shares come from SSM for their size (plain String
      // parameters, components/etcdCluster.ts): nothing secret to look for, and none may be in them.
      if (/^\/kubestead\/[^/]+\/etcd\/files\//.test(s.parameter)) {
        if (!content.startsWith("#!/usr/bin/env bash\n")) problems.push(`${where(r, n, s.path)}: a shared etcd file that is not a script`);
        if (secretContent(content)) problems.push(`${where(r, n, s.path)}: a shared etcd script with key material in it`);
        continue;
      }
      const values = secretValues(s.path, content);
      if (values.length === 0) problems.push(`${where(r, n, s.path)}: no secret value found to look for`);
      for (const v of values) secrets.set(v, where(r, n, s.path));
    }
  }
  for (const t of bootstrapTokens(r)) {
    if (!BOOTSTRAP_TOKEN.test(t)) problems.push(`bootstrap token ${JSON.stringify(t)} is not <6>.<16> lowercase alphanumerics`);
    secrets.set(t, "the bootstrap token");
    secrets.set(t.split(".")[1], "the bootstrap token's secret half");
  }
  for (const n of r.nodes) {
    for (const marker of ["PRIVATE KEY", "client-key-data", "EncryptionConfiguration"])
      if (n.userData.includes(marker)) problems.push(`${where(r, n)} user data contains ${marker}`);
    for (const [value, from] of secrets)
      if (n.userData.includes(value)) problems.push(`${where(r, n)} user data contains a value of ${from}`);
  }
  return problems;
}

const secretPath = (p: string) => /\/pki\/.*\.key$/.test(p) || /\/(bootstrap-kubelet\.conf|encryption-config\.yaml)$/.test(p);
const secretContent = (c: string) => /PRIVATE KEY|client-key-data|token:\s*[a-z0-9]{6}\.[a-z0-9]{16}/.test(c);

/** Every secret file (by path or by content) is fetched via secrets.tsv, mode 0600/0640, never also in write_files. */
export function secretFileProblems(r: StackRender): { secretFiles: number; problems: string[] } {
  const problems: string[] = [];
  let secretFiles = 0;
  for (const n of r.nodes) {
    const manifest = new Map(secretsManifest(n.files.get(SECRETS_MANIFEST_PATH)?.content ?? "").map((s) => [s.path, s]));
    const written = new Set(((parse(n.userData) as { write_files?: { path: string }[] }).write_files ?? []).map((w) => w.path));
    for (const [path, f] of n.files) {
      if (!secretPath(path) && !secretContent(f.content)) continue;
      secretFiles++;
      const entry = manifest.get(path);
      if (!entry) problems.push(`${where(r, n, path)} is secret but not listed in ${SECRETS_MANIFEST_PATH}`);
      else if (entry.mode !== f.mode) problems.push(`${where(r, n, path)}: secrets.tsv mode ${entry.mode}, on disk ${f.mode}`);
      if (!["0600", "0640"].includes(f.mode)) problems.push(`${where(r, n, path)}: mode ${f.mode}, want 0600 or 0640`);
      if (written.has(path)) problems.push(`${where(r, n, path)} is also written from user data`);
    }
  }
  return { secretFiles, problems };
}

const envOf = (n: RenderedNode) => parseEnvFile(n.files.get("/etc/etcd/etcd.env")?.content ?? "");
const etcdMembers = (r: StackRender) => r.nodes.filter((n) => roleOf(n) === "etcd");

/** ETCD_INITIAL_CLUSTER names every member on every member alike; each member in its own zone's private subnet. */
export function etcdMemberProblems(r: StackRender): string[] {
  const problems: string[] = [];
  const names = Array.from({ length: r.config.etcd.members }, (_, i) => `etcd-${i}`);
  const members = etcdMembers(r);
  if (members.map((m) => m.name).join() !== names.join())
    problems.push(`${r.stack}: etcd nodes ${members.map((m) => m.name)}, want ${names}`);
  const net = r.config.network;
  const privates = planSubnets(net.vpcCidr, r.config.zones, net.privateSubnetPrefix, net.publicSubnetPrefix).map((s) => s.privateCidr);
  const clusters = new Set<string>();
  for (const m of members) {
    const env = envOf(m);
    const initial = env.get("ETCD_INITIAL_CLUSTER") ?? "";
    clusters.add(initial);
    const entries = initial.split(",").map((e) => /^(etcd-\d+)=https:\/\/(\d+\.\d+\.\d+\.\d+):2380$/.exec(e));
    if (entries.some((e) => !e) || entries.map((e) => e?.[1]).join() !== names.join()) {
      problems.push(`${where(r, m)}: ETCD_INITIAL_CLUSTER=${initial} does not name ${names} with https://<ip>:2380`);
      continue;
    }
    const ips = entries.map((e) => e?.[2] as string);
    const own = ips[names.indexOf(m.name)];
    if (env.get("ETCD_NAME") !== m.name) problems.push(`${where(r, m)}: ETCD_NAME=${env.get("ETCD_NAME")}`);
    if (env.get("ETCD_INITIAL_ADVERTISE_PEER_URLS") !== `https://${own}:2380`)
      problems.push(`${where(r, m)}: peer URL is not its ETCD_INITIAL_CLUSTER entry`);
    if (env.get("ETCD_ADVERTISE_CLIENT_URLS") !== `https://${own}:2379`)
      problems.push(`${where(r, m)}: client URL is not https://${own}:2379`);
    // Each member in its own zone's private subnet: losing a zone costs one vote, not quorum.
    const subnetOf = ips.map((ip) => privates.findIndex((s) => containsIp(mustParseCidr(s), ip)));
    ips.forEach((ip, i) => {
      if (subnetOf[i] < 0)
        problems.push(`${where(r, m)}: member IP ${ip} is in none of the private subnets ${privates.join(", ")} (VPC ${net.vpcCidr})`);
    });
    if (new Set(subnetOf).size !== Math.min(ips.length, privates.length))
      problems.push(`${where(r, m)}: members share a private subnet (${ips.join(", ")})`);
  }
  if (clusters.size !== 1) problems.push(`${r.stack}: members disagree on ETCD_INITIAL_CLUSTER: ${[...clusters].join(" | ")}`);
  return problems;
}

export const SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
export const CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

function cert(n: RenderedNode, path: string): X509Certificate {
  return new X509Certificate(n.files.get(path)?.content ?? "");
}

/** The private key's public half is the certificate's public key. */
function keyMatches(n: RenderedNode, crt: string, key: string): boolean {
  const spki = { format: "der", type: "spki" } as const;
  return createPublicKey(n.files.get(key)?.content ?? "")
    .export(spki)
    .equals(cert(n, crt).publicKey.export(spki));
}

/** Node 20's X509Certificate.keyUsage lists the extended key usage OIDs. */
const ekus = (c: X509Certificate): string[] => [...(c.keyUsage ?? [])].sort();

/**
 * Server, peer and backup certificates of every member: SANs, extended key usages, key pairs,
 * issued by the one etcd CA; the apiserver trusts that CA, has a client cert from it and dials every member.
 */
export function etcdCertificateProblems(r: StackRender): string[] {
  const problems: string[] = [];
  const members = etcdMembers(r);
  const cas = new Set<string>();
  for (const m of members) {
    const ip = /^https:\/\/([\d.]+):2379$/.exec(envOf(m).get("ETCD_ADVERTISE_CLIENT_URLS") ?? "")?.[1];
    const ca = cert(m, "/etc/etcd/pki/ca.crt");
    if (!ca.ca) problems.push(`${where(r, m)}: /etc/etcd/pki/ca.crt is not a CA certificate`);
    cas.add(ca.fingerprint256);
    // DNS name as components/etcdCluster.ts names members: <member>.<cluster>.kubestead.internal.
    const want: Record<string, { sans: string[]; ekus: string[][] }> = {
      server: {
        sans: [`IP Address:${ip}`, "IP Address:127.0.0.1", `DNS:${m.name}.${r.config.name}.kubestead.internal`],
        ekus: [[SERVER_AUTH], [SERVER_AUTH, CLIENT_AUTH]],
      },
      peer: { sans: [`IP Address:${ip}`], ekus: [[SERVER_AUTH, CLIENT_AUTH]] },
      backup: { sans: [], ekus: [[CLIENT_AUTH]] },
    };
    for (const [name, w] of Object.entries(want)) {
      const at = where(r, m, `/etc/etcd/pki/${name}.crt`);
      const c = cert(m, `/etc/etcd/pki/${name}.crt`);
      const sans = (c.subjectAltName ?? "").split(", ");
      const missing = w.sans.filter((s) => !sans.includes(s));
      if (missing.length) problems.push(`${at}: SANs ${c.subjectAltName} lack ${missing.join(", ")}`);
      if (!w.ekus.some((e) => e.join() === ekus(c).join()))
        problems.push(`${at}: extended key usages ${ekus(c)}, want ${w.ekus.map((e) => e.join("+")).join(" or ")}`);
      if (!c.checkIssued(ca) || !c.verify(ca.publicKey)) problems.push(`${at}: not issued by /etc/etcd/pki/ca.crt`);
      if (!keyMatches(m, `/etc/etcd/pki/${name}.crt`, `/etc/etcd/pki/${name}.key`)) problems.push(`${at}: ${name}.key is not its key`);
    }
  }
  if (cas.size !== 1) problems.push(`${r.stack}: etcd members carry ${cas.size} different CA certificates`);
  const clientUrls = members.map((m) => envOf(m).get("ETCD_ADVERTISE_CLIENT_URLS")).sort();
  for (const cp of r.nodes.filter((n) => roleOf(n) === "controlplane")) {
    const ca = cert(cp, "/etc/kubernetes/pki/etcd/ca.crt");
    if (!cas.has(ca.fingerprint256)) problems.push(`${where(r, cp)}: /etc/kubernetes/pki/etcd/ca.crt is not the members' CA`);
    const clientCrt = "/etc/kubernetes/pki/apiserver-etcd-client.crt";
    const client = cert(cp, clientCrt);
    if (!client.checkIssued(ca) || !client.verify(ca.publicKey)) problems.push(`${where(r, cp, clientCrt)}: not issued by the etcd CA`);
    if (ekus(client).join() !== CLIENT_AUTH)
      problems.push(`${where(r, cp, clientCrt)}: extended key usages ${ekus(client)}, want clientAuth`);
    if (!keyMatches(cp, clientCrt, "/etc/kubernetes/pki/apiserver-etcd-client.key"))
      problems.push(`${where(r, cp, clientCrt)}: key does not match`);
    const servers = /--etcd-servers=(\S+)/.exec(cp.files.get("/etc/kubernetes/manifests/kube-apiserver.yaml")?.content ?? "")?.[1] ?? "";
    if (servers.split(",").sort().join() !== clientUrls.join())
      problems.push(`${where(r, cp)}: --etcd-servers=${servers}, members advertise ${clientUrls}`);
  }
  return problems;
}
