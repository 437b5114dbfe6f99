/**
 * Administrative credentials a team can revoke. A client certificate in system:masters passes
 * every authorization check and RBAC cannot take that away: the only remedy for a leaked one is a
 * new cluster CA. So:
 *
 * - Only the break-glass credential (kubeadm's kubernetes-super-admin) may request system:masters,
 *   and its private key may flow only into SSM parameters under the control-plane path (what the
 *   nodes' super-admin.conf is fetched from). Every other identity (the exported kubeconfig,
 *   admin.conf, the apiserver's kubelet client) gets its rights from a binding.
 * - No kubeconfig with an embedded client certificate in system:masters sits in any resource's
 *   outputs, stack outputs included.
 *
 * Reads tls CertRequest subjects (outputs echo the inputs) and follows the private key through
 * property dependencies.
 */
import { X509Certificate } from "node:crypto";
import { parse } from "yaml";
import type { Finding } from "./finding";
import { Graph, GraphResource } from "./graph";
import { asList, asRecord, isUnknown } from "./unknown";

/** Type tokens only this rule reads (graph.ts's T holds the shared ones). */
export const ADMIN_T = {
  certRequest: "tls:index/certRequest:CertRequest",
  privateKey: "tls:index/privateKey:PrivateKey",
  parameter: "aws:ssm/parameter:Parameter",
} as const;

export const SYSTEM_MASTERS = "system:masters";
/** kubeadm's name for the break-glass identity (super-admin.conf). */
export const BREAK_GLASS_CN = "kubernetes-super-admin";

function inSystemMasters(subject: Record<string, unknown> | undefined): boolean {
  const o = subject?.organization;
  return (Array.isArray(o) ? o : [o]).includes(SYSTEM_MASTERS);
}

/** Resources whose properties carry `urn`'s outputs (property dependencies, not ordering). */
function consumersOf(g: Graph, urn: string): GraphResource[] {
  return g.resources.filter((r) => Object.values(r.propertyDependencies).some((deps) => deps.includes(urn)));
}

function isControlPlaneParameter(r: GraphResource): boolean {
  const name = r.props.name;
  if (isUnknown(name)) return true; // checked again once known
  return r.type === ADMIN_T.parameter && typeof name === "string" && /^\/kubestead\/[^/]+\/controlplane\//.test(name);
}

function masterRequests(g: Graph): Finding[] {
  const out: Finding[] = [];
  for (const csr of g.resources.filter((r) => r.type === ADMIN_T.certRequest)) {
    const subject = asRecord(csr.props.subject);
    if (!inSystemMasters(subject)) continue;
    const cn = subject?.commonName;
    if (isUnknown(cn)) continue;
    if (cn !== BREAK_GLASS_CN) {
      out.push({
        urn: csr.urn,
        message: `certificate request ${csr.name} (CN ${JSON.stringify(cn ?? "")}) puts its certificate in ${SYSTEM_MASTERS}, which RBAC cannot revoke; only the break-glass ${BREAK_GLASS_CN} may: give it the group kubeadm:cluster-admins (bound to cluster-admin by the cluster-admins add-on) or a narrower binding.`,
      });
      continue;
    }
    const keys = csr.propertyDependencies.privateKeyPem ?? [];
    for (const key of keys) {
      for (const c of consumersOf(g, key)) {
        if (c.urn === csr.urn || isControlPlaneParameter(c)) continue;
        out.push({
          urn: c.urn,
          message: `the break-glass ${SYSTEM_MASTERS} key of ${csr.name} flows into ${c.type} ${c.name}; it may live only in SSM parameters under /kubestead/<cluster>/controlplane/ (and on control-plane disks), never in anything exported.`,
        });
      }
    }
  }
  return out;
}

/**
 * Strings in `v` (any depth) that may be a kubeconfig with embedded client certificates. Parsing
 * every string of a prod graph as YAML costs several times more, so only strings that name the key
 * are parsed, and those with a backslash: YAML and JSON can spell a key only with escapes
 * (`"client\x2dcertificate-data"`) and every escape starts with one.
 */
function kubeconfigStrings(v: unknown, path: string, out: [string, string][]): void {
  if (typeof v === "string") {
    if (v.includes("client-certificate-data") || v.includes("\\")) out.push([path, v]);
  } else if (Array.isArray(v)) v.forEach((x, i) => kubeconfigStrings(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === "object")
    for (const [k, x] of Object.entries(v)) kubeconfigStrings(x, path ? `${path}.${k}` : k, out);
}

/** Organizations of each embedded client certificate, by user name; unreadable entries are skipped. */
export function kubeconfigClientGroups(text: string): { user: string; cn: string; groups: string[] }[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    // unreadable: no users
  }
  return asList(asRecord(doc)?.users).flatMap((u) => {
    const rec = asRecord(u);
    const data = asRecord(rec?.user)?.["client-certificate-data"];
    if (typeof data !== "string") return [];
    try {
      const cert = new X509Certificate(Buffer.from(data, "base64"));
      const fields = cert.subject.split("\n");
      const cn = fields.find((f) => f.startsWith("CN="))?.slice(3) ?? "";
      const groups = fields.filter((f) => f.startsWith("O=")).map((f) => f.slice(2));
      return [{ user: String(rec?.name ?? ""), cn, groups }];
    } catch {
      return [];
    }
  });
}

function exportedMasters(g: Graph): Finding[] {
  const out: Finding[] = [];
  for (const r of g.resources) {
    const found: [string, string][] = [];
    kubeconfigStrings(r.props, "", found);
    for (const [path, text] of found) {
      for (const u of kubeconfigClientGroups(text).filter((x) => x.groups.includes(SYSTEM_MASTERS))) {
        out.push({
          urn: r.urn,
          message: `${r.name} ${path} holds a kubeconfig whose client certificate (CN ${u.cn}) is in ${SYSTEM_MASTERS}: whoever reads it is cluster-admin until the CA is replaced; export a kubeadm:cluster-admins credential instead.`,
        });
      }
    }
  }
  return out;
}

export function adminCredentialProblems(g: Graph): Finding[] {
  return [...masterRequests(g), ...exportedMasters(g)];
}
