/**
 * Control plane HA: enough apiservers to survive a node and a zone loss, all registered behind
 * the API load balancer's target group so clients never pin one node.
 */
import { API_PORT, apiTargetGroups } from "./apiTargets";
import type { Finding } from "./finding";
import { Graph, GraphResource, T, ZoneSet, resolveRefs, subnetZones, withRole, zoneCountProblem } from "./graph";
import { asNumber } from "./unknown";

export interface ControlPlaneConfig {
  minControlPlaneNodes: number;
  minZones: number;
}

export interface ControlPlaneGroupView {
  urn: string;
  name: string;
  minSize: unknown;
  zones: ZoneSet;
  /** true/false when known, undefined while a target group ARN is unknown. */
  behindApiTargetGroup: boolean | undefined;
}

export function controlPlaneGroups(g: Graph): ControlPlaneGroupView[] {
  const apiTgs = new Set<GraphResource>(apiTargetGroups(g));
  return withRole(g, T.asg, "controlplane").map((asg) => {
    const res = resolveRefs(g, asg, "targetGroupArns", asg.props.targetGroupArns, T.targetGroup, ["arn", "id"]);
    const hit = res.targets.some((t) => apiTgs.has(t));
    return {
      urn: asg.urn,
      name: asg.name,
      minSize: asg.props.minSize,
      zones: subnetZones(g, asg, "vpcZoneIdentifiers", asg.props.vpcZoneIdentifiers),
      behindApiTargetGroup: hit ? true : res.unknown ? undefined : false,
    };
  });
}

export function controlPlaneProblems(groups: ControlPlaneGroupView[], cfg: ControlPlaneConfig): Finding[] {
  const out: Finding[] = [];
  let nodes = 0;
  let countKnown = true;
  const zones: ZoneSet = { zones: [], unknown: false, unresolved: [] };
  for (const grp of groups) {
    const min = asNumber(grp.minSize); // undefined while unknown too: no sentinel reads as a number
    if (min === undefined) countKnown = false;
    else nodes += min;
    zones.zones = [...new Set([...zones.zones, ...grp.zones.zones])].sort();
    zones.unknown ||= grp.zones.unknown;
    zones.unresolved.push(...grp.zones.unresolved);
    if (grp.behindApiTargetGroup === false) {
      out.push({
        urn: grp.urn,
        message: `control plane group ${grp.name} is not registered behind the API target group (role api-lb, port ${API_PORT}); add that target group's ARN to targetGroupArns.`,
      });
    }
  }
  if (countKnown && nodes < cfg.minControlPlaneNodes) {
    out.push({
      urn: groups[0]?.urn,
      message: `control plane keeps ${nodes} node(s) (sum of minSize), needs at least ${cfg.minControlPlaneNodes}.`,
    });
  }
  const zp = zoneCountProblem("the control plane", zones, cfg.minZones);
  if (zp) out.push({ urn: groups[0]?.urn, message: zp });
  return out;
}
