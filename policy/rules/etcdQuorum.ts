/**
 * etcd quorum: an odd member count ≥ 3, members in ≥ 3 zones, each member pinned to its data
 * volume's zone. Quorum is floor(n/2)+1, so an even count adds a member without adding fault
 * tolerance (https://etcd.io/docs/v3.5/faq/#why-an-odd-number-of-cluster-members), and members
 * sharing a zone lose quorum together when that zone goes.
 */
import type { Finding } from "./finding";
import { Graph, TAG, T, ZoneSet, subnetZones, tagsOf, withRole } from "./graph";
import { asNumber, isUnknown } from "./unknown";

export const ETCD_MIN_MEMBERS = 3;
export const ETCD_MIN_ZONES = 3;

export interface EtcdMemberView {
  urn: string;
  name: string;
  /** `kubestead.io/member` tag of the member's ASG. */
  member?: string;
  maxSize: unknown;
  zones: ZoneSet;
  /** The member's data volume (role etcd, same member tag); undefined = none found. */
  volume?: { urn: string; zone: unknown };
}

export function etcdMembers(g: Graph): EtcdMemberView[] {
  const volumes = withRole(g, T.volume, "etcd");
  return withRole(g, T.asg, "etcd").map((asg) => {
    const member = tagsOf(asg.props)[TAG.member];
    const vol = member === undefined ? undefined : volumes.find((v) => tagsOf(v.props)[TAG.member] === member);
    return {
      urn: asg.urn,
      name: asg.name,
      member,
      maxSize: asg.props.maxSize,
      zones: subnetZones(g, asg, "vpcZoneIdentifiers", asg.props.vpcZoneIdentifiers),
      volume: vol && { urn: vol.urn, zone: vol.props.availabilityZone },
    };
  });
}

export function etcdQuorumProblems(members: EtcdMemberView[]): Finding[] {
  const out: Finding[] = [];
  const n = members.length;
  if (n < ETCD_MIN_MEMBERS || n % 2 === 0) {
    out.push({
      message: `etcd has ${n} member(s); it needs an odd number, at least ${ETCD_MIN_MEMBERS} (quorum is floor(n/2)+1, so an even count adds no fault tolerance).`,
    });
  }
  const zones = new Set<string>();
  let anyUnknown = false;
  for (const m of members) {
    const label = `etcd member ${m.member ?? "?"} (${m.name})`;
    if (m.member === undefined) out.push({ urn: m.urn, message: `${label} has no ${TAG.member} tag.` });
    const max = asNumber(m.maxSize); // undefined while unknown too: no sentinel reads as a number
    if (max !== undefined && max > 1) {
      out.push({
        urn: m.urn,
        message: `${label} has maxSize ${max}; one member's ASG holds one instance (its data volume attaches to one node).`,
      });
    }
    if (m.zones.unknown) anyUnknown = true;
    m.zones.zones.forEach((z) => zones.add(z));
    if (m.zones.zones.length > 1) {
      out.push({
        urn: m.urn,
        message: `${label} spans zones ${m.zones.zones.join(", ")}; a member must stay in the single zone of its EBS data volume.`,
      });
    }
    if (!m.volume) {
      out.push({
        urn: m.urn,
        message: `${label} has no data volume (aws:ebs/volume:Volume tagged ${TAG.role}=etcd, ${TAG.member}=${m.member ?? "<i>"}).`,
      });
    } else if (
      typeof m.volume.zone === "string" &&
      !isUnknown(m.volume.zone) &&
      m.zones.zones.length === 1 &&
      m.zones.zones[0] !== m.volume.zone
    ) {
      out.push({
        urn: m.urn,
        message: `${label} runs in ${m.zones.zones[0]} but its data volume is in ${m.volume.zone}; EBS volumes attach only within their zone.`,
      });
    }
  }
  if (n > 0 && !anyUnknown && zones.size < ETCD_MIN_ZONES) {
    out.push({
      message: `etcd members span ${zones.size} availability zone(s) (${[...zones].sort().join(", ") || "none known"}); they need at least ${ETCD_MIN_ZONES} so one zone outage keeps quorum.`,
    });
  }
  return out;
}
