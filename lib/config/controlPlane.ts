/** kubestead:controlPlane — nodes, the API load balancer and who may reach it, admission and OIDC. */
import { Cidr, parseCidr, unionSize } from "../cidr";
import { readEncryption } from "./encryption";
import { readInstanceTypes } from "./instanceTypes";
import { Raw, Reader } from "./reader";
import { NAMESPACE } from "./patterns";
import { ApiLoadBalancerConfig, ControlPlaneConfig, OidcConfig } from "./types";

export function readControlPlane(r: Reader, c: Raw, zones: string[], production: boolean): ControlPlaneConfig {
  const p = "controlPlane";
  r.unknownKeys(c, p, [
    "nodes",
    "instanceType",
    "rootVolumeGiB",
    "apiLoadBalancer",
    "auditLogMaxAgeDays",
    "auditLogMaxBackups",
    "auditLogMaxSizeMiB",
    "podSecurity",
    "alwaysPullImages",
    "oidc",
    "clusterAdminsBinding",
    "encryption",
  ]);
  const nodes = r.int(c, "nodes", p, 3, 1, 9);
  const perZone = Math.min(3, zones.length || 3);
  if (production && nodes < 3) {
    r.problem(
      `${p}.nodes`,
      `must be ≥ 3 when ${NAMESPACE}:environment is production (one per zone, so a zone outage leaves a working control plane)`,
      nodes,
      "set it to 3",
    );
  } else if (nodes > 1 && nodes < perZone) {
    r.problem(`${p}.nodes`, `must be 1 (a throwaway cluster) or at least ${perZone} (one per zone)`, nodes, `set it to 1 or ${perZone}`);
  }
  const instanceType = r.string(c, "instanceType", p, "m7i.large");
  const arch = readInstanceTypes(r, `${p}.instanceType`, [instanceType], false);
  const rootVolumeGiB = r.int(c, "rootVolumeGiB", p, 50, 20, 1024);
  const lb = r.object(c.apiLoadBalancer, `${p}.apiLoadBalancer`);
  const lp = `${p}.apiLoadBalancer`;
  r.unknownKeys(lb, lp, ["scheme", "allowedCidrs", "maxAllowedShare"]);
  const scheme = r.oneOf(lb, "scheme", lp, "internal", ["internal", "internet-facing"] as const);
  const allowedCidrs = r.stringList(lb, "allowedCidrs", lp, []);
  allowedCidrs.forEach((cidr, i) => {
    const parsed = parseCidr(cidr);
    if (!parsed)
      r.problem(
        `${lp}.allowedCidrs[${i}]`,
        "must be an IPv4 CIDR with a clean network address",
        cidr,
        "write it as a.b.c.d/n, e.g. 10.0.0.0/8",
      );
    else if (parsed.prefix === 0)
      r.problem(`${lp}.allowedCidrs[${i}]`, "must not be the whole internet", cidr, "list the client CIDRs that need the API");
  });
  if (scheme === "internet-facing" && allowedCidrs.length === 0) {
    r.problem(
      `${lp}.allowedCidrs`,
      "must list the client CIDRs allowed to reach a public API endpoint",
      allowedCidrs,
      `list your office/VPN egress CIDRs, or set ${NAMESPACE}:${lp}.scheme to internal`,
    );
  }
  const maxAllowedShare = readAllowedShare(r, lb, allowedCidrs);
  const apiLoadBalancer: ApiLoadBalancerConfig = { scheme, allowedCidrs, maxAllowedShare };
  const auditLogMaxAgeDays = r.int(c, "auditLogMaxAgeDays", p, 30, 1, 3650);
  const auditLogMaxBackups = r.int(c, "auditLogMaxBackups", p, 10, 1, 1000);
  const auditLogMaxSizeMiB = r.int(c, "auditLogMaxSizeMiB", p, 100, 1, 10000);
  return {
    nodes,
    instanceType,
    arch,
    rootVolumeGiB,
    apiLoadBalancer,
    auditLogMaxAgeDays,
    auditLogMaxBackups,
    auditLogMaxSizeMiB,
    ...readControlPlaneAccess(r, c),
    encryption: readEncryption(r, c, p),
  };
}

/**
 * Default 1/256 of the IPv4 space: one /8, so a private network such as 10.0.0.0/8 (what prod
 * lists) passes, while anything wider — for a public endpoint, tens of millions of internet
 * addresses, or "the internet in two halves" (0.0.0.0/1 + 128.0.0.0/1) — is refused. Overlapping
 * CIDRs count once. A team that really needs more raises the share, visibly, in the stack file.
 */
export const DEFAULT_MAX_ALLOWED_SHARE = 1 / 256;

/** "1/256" for a unit fraction, else a decimal: how a share reads in messages. */
export function formatShare(share: number): string {
  const inverse = 1 / share;
  return Number.isInteger(inverse) ? `1/${inverse}` : String(share);
}

export function readAllowedShare(r: Reader, lb: Raw, allowedCidrs: string[]): number {
  const p = "controlPlane.apiLoadBalancer";
  const raw = lb.maxAllowedShare;
  let share = DEFAULT_MAX_ALLOWED_SHARE;
  if (raw !== undefined && raw !== null) {
    const m = typeof raw === "string" ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(raw) : null;
    const n = typeof raw === "number" ? raw : m ? Number(m[1]) / Number(m[2]) : typeof raw === "string" ? Number(raw) : NaN;
    if (!(n > 0 && n <= 1)) {
      r.problem(
        `${p}.maxAllowedShare`,
        "must be a share of the IPv4 address space above 0 and at most 1",
        raw,
        `write it as a fraction such as "1/256" (a /8) or "1/4096" (a /12)`,
      );
    } else share = n;
  }
  if (r.failed(`${p}.allowedCidrs`)) return share;
  const cidrs = allowedCidrs.map(parseCidr).filter((x): x is Cidr => x !== undefined);
  const covered = unionSize(cidrs) / 2 ** 32;
  if (covered > share) {
    r.problem(
      `${p}.allowedCidrs`,
      `must together cover at most ${formatShare(share)} of the IPv4 address space (${NAMESPACE}:${p}.maxAllowedShare); they cover ${Number((covered * 100).toPrecision(3))}%`,
      allowedCidrs,
      `list only the networks that need the API, or raise ${NAMESPACE}:${p}.maxAllowedShare`,
    );
  }
  return share;
}

const PSA_LEVELS = ["privileged", "baseline", "restricted"] as const;

/** Who may reach the API and what the apiserver admits: PSA, AlwaysPullImages, OIDC, the cluster-admins binding. */
export function readControlPlaneAccess(
  r: Reader,
  c: Raw,
): Pick<ControlPlaneConfig, "podSecurity" | "alwaysPullImages" | "oidc" | "clusterAdminsBinding"> {
  const ps = r.object(c.podSecurity, "controlPlane.podSecurity");
  const pp = "controlPlane.podSecurity";
  r.unknownKeys(ps, pp, ["enforce", "warn", "audit", "exemptNamespaces"]);
  const exemptNamespaces = r.stringList(ps, "exemptNamespaces", pp, ["kube-system"]);
  for (const ns of exemptNamespaces) {
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(ns))
      r.problem(`${pp}.exemptNamespaces`, "must hold namespace names", ns, "use lowercase DNS labels, e.g. kube-system");
  }
  if (!exemptNamespaces.includes("kube-system")) {
    r.problem(
      `${pp}.exemptNamespaces`,
      "must include kube-system: the add-ons run there with host networking, host paths and privileged containers, which baseline rejects",
      exemptNamespaces,
      "add kube-system to the list",
    );
  }
  const podSecurity = {
    enforce: r.oneOf(ps, "enforce", pp, "baseline", PSA_LEVELS),
    warn: r.oneOf(ps, "warn", pp, "restricted", PSA_LEVELS),
    audit: r.oneOf(ps, "audit", pp, "restricted", PSA_LEVELS),
    exemptNamespaces,
  };
  const alwaysPullImages = r.bool(c, "alwaysPullImages", "controlPlane", true);
  const clusterAdminsBinding = r.bool(c, "clusterAdminsBinding", "controlPlane", true);
  return { podSecurity, alwaysPullImages, oidc: readOidc(r, c.oidc), clusterAdminsBinding };
}

export function readOidc(r: Reader, raw: unknown): OidcConfig | undefined {
  if (raw === undefined || raw === null) return undefined;
  const p = "controlPlane.oidc";
  const o = r.object(raw, p);
  r.unknownKeys(o, p, ["issuerUrl", "clientId", "usernameClaim", "usernamePrefix", "groupsClaim", "groupsPrefix"]);
  const issuerUrl = r.string(o, "issuerUrl", p, undefined, {
    re: /^https:\/\/[^\s?#]+$/,
    rule: "must be an https:// URL without query or fragment",
    fix: "use the issuer exactly as its tokens' iss claim spells it, e.g. https://login.example.com",
  });
  const clientId = r.string(o, "clientId", p);
  const claim = { re: /^[A-Za-z0-9_.:\/-]+$/, rule: "must be a JWT claim name", fix: "use e.g. sub, email or groups" };
  const usernameClaim = r.string(o, "usernameClaim", p, "sub", claim);
  const groupsClaim = o.groupsClaim === undefined ? undefined : r.string(o, "groupsClaim", p, undefined, claim);
  const prefix = (field: string): string => {
    const v = typeof o[field] === "string" ? (o[field] as string) : r.string(o, field, p, "oidc:");
    if (v.startsWith("system:")) {
      r.problem(
        `${p}.${field}`,
        "must not start with system: (names there are Kubernetes' own: system:masters, system:nodes, ...)",
        v,
        'use a prefix of your own, e.g. "oidc:"',
      );
    }
    return v;
  };
  return {
    issuerUrl,
    clientId,
    usernameClaim,
    usernamePrefix: prefix("usernamePrefix"),
    groupsClaim,
    groupsPrefix: prefix("groupsPrefix"),
  };
}
