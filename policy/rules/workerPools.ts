/** Worker pools: spread over zones so a zone outage leaves capacity, and never scaled below a floor. */
import type { Finding } from "./finding";
import { Graph, TAG, T, subnetZones, tagsOf, withRole, zoneCountProblem } from "./graph";
import { asNumber, isUnknown } from "./unknown";

export interface WorkerPoolConfig {
  minZones: number;
  minSize: number;
}

export function workerPoolProblems(g: Graph, cfg: WorkerPoolConfig): Finding[] {
  const out: Finding[] = [];
  for (const asg of withRole(g, T.asg, "worker")) {
    const pool = tagsOf(asg.props)[TAG.pool] ?? asg.name;
    const zp = zoneCountProblem(
      `worker pool ${pool}`,
      subnetZones(g, asg, "vpcZoneIdentifiers", asg.props.vpcZoneIdentifiers),
      cfg.minZones,
    );
    if (zp) out.push({ urn: asg.urn, message: zp });
    const min = asNumber(asg.props.minSize);
    if (!isUnknown(asg.props.minSize) && (min ?? 0) < cfg.minSize) {
      out.push({ urn: asg.urn, message: `worker pool ${pool} has minSize ${min ?? "unset"}, needs at least ${cfg.minSize}.` });
    }
  }
  return out;
}
