/**
 * Node groups are replaced safely: every group of Kubernetes nodes waits for a drain before an
 * instance goes (a terminating lifecycle hook), and instance refreshes keep quorum — etcd never
 * loses more than one member at a time, the control plane keeps enough apiservers in service.
 */
import type { Finding } from "./finding";
import { Graph, GraphResource, T, TAG, dependsThrough, tagsOf, withRole } from "./graph";
import { asNumber, asRecord, isUnknown } from "./unknown";

export const LIFECYCLE_HOOK = "aws:autoscaling/lifecycleHook:LifecycleHook";
const TERMINATING = "autoscaling:EC2_INSTANCE_TERMINATING";

export interface TerminationHookConfig {
  /** Fewest seconds a terminating instance waits for its drain (the hook's heartbeatTimeout). */
  minHeartbeatSeconds: number;
}

export interface InstanceRefreshConfig {
  /** Lowest minHealthyPercentage a control-plane group's instance refresh may use. */
  minControlPlaneHealthyPercentage: number;
}

const groupLabel = (asg: GraphResource): string => String(asg.props.name ?? asg.name);

/** The hooks attached to `asg`: by its name, or (while the name is unknown) by the property dependency. */
function hooksOf(g: Graph, asg: GraphResource): GraphResource[] {
  const name = asg.props.name;
  return g.resources.filter((h) => {
    if (h.type !== LIFECYCLE_HOOK) return false;
    const target = h.props.autoscalingGroupName;
    if (typeof name === "string" && !isUnknown(name) && typeof target === "string" && !isUnknown(target)) return target === name;
    return dependsThrough(h, "autoscalingGroupName", asg.urn);
  });
}

export function terminationHookProblems(g: Graph, cfg: TerminationHookConfig): Finding[] {
  const out: Finding[] = [];
  const groups = [...withRole(g, T.asg, "controlplane"), ...withRole(g, T.asg, "worker")];
  for (const asg of groups) {
    const role = tagsOf(asg.props)[TAG.role];
    const terminating = hooksOf(g, asg).filter((h) => h.props.lifecycleTransition === TERMINATING);
    if (terminating.length === 0) {
      out.push({
        urn: asg.urn,
        message: `${role} group ${groupLabel(asg)} has no ${TERMINATING} lifecycle hook: an instance refresh, a scale-in or a spot reclaim terminates its nodes without draining them.`,
      });
      continue;
    }
    const waits = terminating.map((h) => h.props.heartbeatTimeout);
    if (waits.some(isUnknown)) continue;
    // AWS's default heartbeat is 3600 s when none is set.
    const longest = Math.max(...waits.map((w) => asNumber(w) ?? 3600));
    if (longest < cfg.minHeartbeatSeconds) {
      out.push({
        urn: terminating[0].urn,
        message: `the terminating lifecycle hook of ${role} group ${groupLabel(asg)} waits ${longest} s, fewer than the ${cfg.minHeartbeatSeconds} s a drain is given.`,
      });
    }
  }
  return out;
}

/** How many of `size` instances a refresh with `minHealthy` % replaces at once (AWS: at least one). */
export function replacedAtOnce(size: number, minHealthy: number): number {
  return Math.max(1, size - Math.ceil((size * minHealthy) / 100));
}

function refreshMinHealthy(asg: GraphResource): unknown {
  const prefs = asRecord(asRecord(asg.props.instanceRefresh)?.preferences);
  // AWS's default when no preference is given.
  return prefs?.minHealthyPercentage ?? 90;
}

export function instanceRefreshProblems(g: Graph, cfg: InstanceRefreshConfig): Finding[] {
  const out: Finding[] = [];
  const etcd = withRole(g, T.asg, "etcd");
  const refreshing = etcd.filter((asg) => asRecord(asg.props.instanceRefresh) !== undefined);
  if (etcd.length > 1) {
    // One group per member: a release or image change touches every member's template in one
    // update, and each group's refresh starts at once.
    for (const asg of refreshing) {
      out.push({
        urn: asg.urn,
        message: `etcd group ${groupLabel(asg)} declares an instance refresh: with one group per member, a change to every member's template would refresh them all at once and lose quorum; replace members one at a time instead.`,
      });
    }
  } else {
    for (const asg of refreshing) {
      const min = refreshMinHealthy(asg);
      const size = asNumber(asg.props.maxSize);
      if (isUnknown(min) || size === undefined) continue;
      const n = replacedAtOnce(size, asNumber(min) ?? 90);
      if (n > 1)
        out.push({
          urn: asg.urn,
          message: `etcd group ${groupLabel(asg)} refreshes ${n} of its ${size} members at once (minHealthyPercentage ${String(min)}); at most one member may be replaced at a time.`,
        });
    }
  }
  for (const asg of withRole(g, T.asg, "controlplane")) {
    if (asRecord(asg.props.instanceRefresh) === undefined) continue;
    const min = refreshMinHealthy(asg);
    if (isUnknown(min)) continue;
    const pct = asNumber(min);
    if (pct === undefined || pct < cfg.minControlPlaneHealthyPercentage)
      out.push({
        urn: asg.urn,
        message: `control-plane group ${groupLabel(asg)} refreshes with minHealthyPercentage ${String(min)}, below ${cfg.minControlPlaneHealthyPercentage}: too many apiservers could be out of service at once.`,
      });
  }
  return out;
}
