/**
 * Security-group rules may name a managed prefix list instead of CIDRs (the cluster admits "the
 * VPC", all its blocks, that way: components/securityGroups.ts). A prefix list of this stack is
 * read through: its entries' CIDRs (a list's entries are its inputs, and its outputs echo them)
 * stand in for the list, so the CIDR checks judge what it really admits. A list from outside the
 * stack (AWS-managed, another stack's) stays a prefix list; the checks decide what that means.
 */
import { Graph, GraphResource, resolveRefs, T } from "./graph";
import { asList, asRecord, isUnknown } from "./unknown";

/** Sources or destinations of one rule, in the shape the ingress and egress rules share. */
export interface PeerSet {
  /** IPv4 and IPv6 CIDRs (entries may be unknown). */
  cidrs: unknown[];
  /** Prefix-list IDs (entries may be unknown). */
  prefixLists: unknown[];
}

/** The CIDRs a ManagedPrefixList holds; an unknown entry or list stays unknown. */
export function prefixListCidrs(list: GraphResource): unknown[] {
  const entries = list.props.entries;
  if (isUnknown(entries)) return [entries];
  return asList(entries)
    .map((e) => (isUnknown(e) ? e : asRecord(e)?.cidr))
    .filter((c) => c !== undefined);
}

/** The property of `holder` its prefix-list IDs come from (followed through propertyDependencies while unknown). */
function prefixListProp(holder: GraphResource, direction: "ingress" | "egress"): string {
  if (holder.type === T.securityGroup) return direction;
  return holder.type === T.securityGroupRule ? "prefixListIds" : "prefixListId";
}

/**
 * Each rule with the stack's prefix lists replaced by their CIDRs. An ID unknown in preview is
 * followed through the holder's property dependency on it; one that cannot be followed stays
 * unknown (the checks skip it), one that names no list of the stack stays a prefix list.
 */
export function withPrefixListEntries<R extends PeerSet>(
  g: Graph,
  holder: GraphResource,
  direction: "ingress" | "egress",
  rules: R[],
): R[] {
  return rules.map((r) => {
    if (r.prefixLists.length === 0) return r;
    const res = resolveRefs(g, holder, prefixListProp(holder, direction), r.prefixLists, T.prefixList, ["id"]);
    const stillUnknown = res.unknown ? r.prefixLists.filter(isUnknown) : [];
    return {
      ...r,
      cidrs: [...r.cidrs, ...res.targets.flatMap(prefixListCidrs)],
      prefixLists: [...res.unresolved, ...stillUnknown],
    };
  });
}
