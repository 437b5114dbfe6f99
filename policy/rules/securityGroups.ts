/**
 * Ingress rules from the three ways to write them (inline SecurityGroup.ingress, SecurityGroupRule
 * of type ingress, vpc.SecurityGroupIngressRule) reduced to one shape (security-group sources are in-VPC and always allowed), and the two port rules:
 * etcd (2379 client, 2380 peer) is never open to the internet; the apiserver (6443) only to the
 * configured CIDRs, the VPC's own ranges, or other security groups.
 */
import { isAnywhere, parseRange, rangeContains } from "./cidr";
import { T } from "./graph";
import { asList, asNumber, asRecord, isUnknown } from "./unknown";

export const ETCD_PORTS = [2379, 2380];
export const APISERVER_PORT = 6443;

export interface Ingress {
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
  /** IPv4 and IPv6 CIDRs (entries may be unknown). */
  cidrs: unknown[];
  prefixLists: unknown[];
}

function strings(v: unknown): unknown[] {
  return isUnknown(v) ? [v] : asList(v);
}

export function ingressRules(type: string, props: Record<string, unknown>): Ingress[] {
  if (type === T.securityGroup) {
    // An unknown `ingress` is a sentinel string: asList gives no rules.
    return asList(props.ingress).flatMap((raw) => {
      const r = asRecord(raw);
      if (!r) return [];
      return [
        {
          protocol: r.protocol,
          fromPort: r.fromPort,
          toPort: r.toPort,
          cidrs: [...strings(r.cidrBlocks), ...strings(r.ipv6CidrBlocks)],
          prefixLists: strings(r.prefixListIds),
        },
      ];
    });
  }
  if (type === T.securityGroupRule) {
    if (props.type !== "ingress") return [];
    return [
      {
        protocol: props.protocol,
        fromPort: props.fromPort,
        toPort: props.toPort,
        cidrs: [...strings(props.cidrBlocks), ...strings(props.ipv6CidrBlocks)],
        prefixLists: strings(props.prefixListIds),
      },
    ];
  }
  if (type === T.ingressRule) {
    return [
      {
        protocol: props.ipProtocol,
        fromPort: props.fromPort,
        toPort: props.toPort,
        cidrs: [props.cidrIpv4, props.cidrIpv6].filter((c) => c !== undefined),
        prefixLists: props.prefixListId === undefined ? [] : [props.prefixListId],
      },
    ];
  }
  return [];
}

/** Does the rule admit TCP `port`? undefined while protocol or ports are unknown. */
export function coversPort(r: Ingress, port: number): boolean | undefined {
  if (isUnknown(r.protocol)) return undefined;
  const proto = String(r.protocol).toLowerCase();
  if (proto === "-1" || proto === "all") return true;
  if (proto !== "tcp" && proto !== "6") return false;
  if (isUnknown(r.fromPort) || isUnknown(r.toPort)) return undefined;
  const from = asNumber(r.fromPort);
  const to = asNumber(r.toPort);
  if (from === undefined || to === undefined) return false;
  // -1/-1 or 0/0 with tcp is not valid AWS input; treat 0..65535 literally.
  return from <= port && port <= to;
}

function knownCidrs(r: Ingress): string[] {
  return r.cidrs.filter((c): c is string => typeof c === "string" && !isUnknown(c));
}

export function etcdPortProblems(rules: Ingress[]): string[] {
  const out: string[] = [];
  for (const r of rules) {
    const ports = ETCD_PORTS.filter((p) => coversPort(r, p) === true);
    if (ports.length === 0) continue;
    for (const c of knownCidrs(r).filter(isAnywhere)) {
      out.push(`ingress from ${c} admits etcd port(s) ${ports.join(", ")}; allow only the etcd and control-plane security groups.`);
    }
  }
  return out;
}

/** `allowed` = configured CIDRs plus the VPC's own ranges. */
export function apiserverIngressProblems(rules: Ingress[], allowed: string[]): string[] {
  const ranges = allowed.map(parseRange).filter((r) => r !== undefined);
  const out: string[] = [];
  for (const r of rules) {
    if (coversPort(r, APISERVER_PORT) !== true) continue;
    for (const c of knownCidrs(r)) {
      const inner = parseRange(c);
      if (!inner || !ranges.some((o) => rangeContains(o, inner))) {
        out.push(
          `ingress from ${c} admits the apiserver port ${APISERVER_PORT} but is outside the allowed ranges (allowedApiCidrs and the VPC: ${allowed.join(", ") || "none"}); add it to allowedApiCidrs in the policy config or narrow the rule.`,
        );
      }
    }
    for (const pl of r.prefixLists.filter((p) => typeof p === "string" && !isUnknown(p))) {
      out.push(
        `ingress from prefix list ${String(pl)} admits the apiserver port ${APISERVER_PORT}; its CIDRs cannot be checked against allowedApiCidrs, list them instead.`,
      );
    }
  }
  return out;
}
