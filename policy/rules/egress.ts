/**
 * Egress of the groups that never need the open internet beyond HTTPS: etcd, the control plane
 * and the API load balancer. None may allow all traffic out, and none may reach 0.0.0.0/0 or ::/0
 * on anything but TCP 443 (AWS APIs, registries, release downloads). Workers are left alone:
 * their workloads decide what they reach.
 *
 * Egress comes in three shapes (inline SecurityGroup.egress, SecurityGroupRule of type egress,
 * vpc.SecurityGroupEgressRule); a security group with none of them has no egress at all (the
 * provider removes AWS's default allow-all rule).
 */
import { isAnywhere } from "./cidr";
import type { Finding } from "./finding";
import { Graph, GraphResource, T, resolveRefs, roleOf } from "./graph";
import { withPrefixListEntries } from "./prefixLists";
import { asList, asNumber, asRecord, isUnknown } from "./unknown";

export const RESTRICTED_ROLES = new Set(["etcd", "controlplane", "api-lb"]);

export interface Egress {
  protocol: unknown;
  fromPort: unknown;
  toPort: unknown;
  /** Destination CIDRs (IPv4 and IPv6; entries may be unknown). */
  cidrs: unknown[];
  /** Destination prefix-list IDs; restrictedEgressProblems reads the stack's lists as their CIDRs. */
  prefixLists: unknown[];
}

function strings(v: unknown): unknown[] {
  return isUnknown(v) ? [v] : asList(v);
}

/** Egress rules a resource declares, in one shape; [] for anything that is not egress. */
export function egressRulesOf(type: string, props: Record<string, unknown>): Egress[] {
  if (type === T.securityGroup) {
    return asList(props.egress).flatMap((raw) => {
      const r = asRecord(raw);
      return r
        ? [
            {
              protocol: r.protocol,
              fromPort: r.fromPort,
              toPort: r.toPort,
              cidrs: [...strings(r.cidrBlocks), ...strings(r.ipv6CidrBlocks)],
              prefixLists: strings(r.prefixListIds),
            },
          ]
        : [];
    });
  }
  if (type === T.securityGroupRule) {
    if (props.type !== "egress") return [];
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
  if (type === T.egressRule) {
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

/** What is wrong with one egress rule of a restricted group; [] when it is fine or unknown. */
export function egressProblems(e: Omit<Egress, "prefixLists">): string[] {
  if (isUnknown(e.protocol)) return [];
  const proto = String(e.protocol).toLowerCase();
  if (proto === "-1" || proto === "all") return ["allows all traffic out (protocol -1); list the ports and peers the role needs."];
  const anywhere = e.cidrs.filter((c): c is string => typeof c === "string" && !isUnknown(c) && isAnywhere(c));
  if (anywhere.length === 0) return [];
  if (isUnknown(e.fromPort) || isUnknown(e.toPort)) return [];
  const from = asNumber(e.fromPort);
  const to = asNumber(e.toPort);
  const https = (proto === "tcp" || proto === "6") && from === 443 && to === 443;
  if (https) return [];
  const ports = from === to ? `port ${from}` : `ports ${from}-${to}`;
  return [`opens ${proto} ${ports} to ${anywhere.join(", ")}; only TCP 443 may go to the internet.`];
}

/** The security group a separate rule belongs to, else the rule's own role tag. */
function roleOfRule(g: Graph, r: GraphResource): string | undefined {
  // A group has no securityGroupId, so it resolves to nothing and keeps its own tag.
  const res = resolveRefs(g, r, "securityGroupId", r.props.securityGroupId, T.securityGroup, ["id"]);
  return res.targets.map((sg) => roleOf(sg.props)).find((x) => x !== undefined) ?? roleOf(r.props);
}

export const EGRESS_TYPES: string[] = [T.securityGroup, T.securityGroupRule, T.egressRule];

export function restrictedEgressProblems(g: Graph): Finding[] {
  const out: Finding[] = [];
  for (const r of g.resources.filter((x) => EGRESS_TYPES.includes(x.type))) {
    const role = roleOfRule(g, r);
    if (role === undefined || !RESTRICTED_ROLES.has(role)) continue;
    // A prefix list of the stack holding 0.0.0.0/0 is the internet all the same.
    for (const e of withPrefixListEntries(g, r, "egress", egressRulesOf(r.type, r.props))) {
      for (const p of egressProblems(e)) out.push({ urn: r.urn, message: `${role} egress ${r.name} ${p}` });
    }
  }
  return out;
}
