/**
 * The API load balancer: an NLB (TCP pass-through, so apiserver TLS ends on the nodes), in at
 * least three zones with cross-zone balancing (otherwise a zone's NLB node only reaches that
 * zone's apiserver), a TCP 6443 listener forwarding to a health-checked 6443 target group.
 */
import { API_PORT, apiTargetGroups } from "./apiTargets";
import type { Finding } from "./finding";
import { Graph, GraphResource, T, lbSubnetValues, resolveRefs, subnetZones, withRole, zoneCountProblem } from "./graph";
import { asBool, asList, asNumber, asRecord, isUnknown } from "./unknown";

export interface ApiLoadBalancerConfig {
  minZones: number;
}

function known(v: unknown): boolean {
  return v !== undefined && !isUnknown(v);
}

function healthCheckProblem(tg: GraphResource): string | undefined {
  const hcRaw = tg.props.healthCheck;
  if (isUnknown(hcRaw)) return undefined;
  const hc = asRecord(hcRaw);
  if (!hc) return `API target group ${tg.name} has no healthCheck; set one (HTTPS /readyz on ${API_PORT}).`;
  if (asBool(hc.enabled) === false) return `API target group ${tg.name} has its health check disabled.`;
  if (!known(hc.protocol)) return isUnknown(hc.protocol) ? undefined : `API target group ${tg.name} health check sets no protocol.`;
  const proto = String(hc.protocol).toUpperCase();
  if ((proto === "HTTP" || proto === "HTTPS") && !known(hc.path) && !isUnknown(hc.path)) {
    return `API target group ${tg.name} health check uses ${proto} without a path; use /readyz.`;
  }
  return undefined;
}

/** Target group ARNs a listener forwards to: `targetGroupArn` or `forward.targetGroups[].arn`. */
function forwardArns(listener: GraphResource): unknown[] {
  const actions = listener.props.defaultActions;
  if (isUnknown(actions)) return [actions];
  const out: unknown[] = [];
  for (const a of asList(actions).map(asRecord)) {
    if (!a || a.type !== "forward") continue;
    // An absent targetGroupArn is undefined, which resolveRefs skips like any value that is not a string.
    out.push(a.targetGroupArn);
    for (const t of asList(asRecord(a.forward)?.targetGroups)) out.push(asRecord(t)?.arn);
  }
  return out;
}

function lbProblems(g: Graph, lb: GraphResource, cfg: ApiLoadBalancerConfig, apiTgs: GraphResource[]): string[] {
  const out: string[] = [];
  const p = lb.props;
  // loadBalancerType defaults to "application" when unset.
  if (!isUnknown(p.loadBalancerType) && p.loadBalancerType !== "network") {
    out.push(`API load balancer ${lb.name} is ${String(p.loadBalancerType ?? "application (default)")}; use loadBalancerType "network".`);
  }
  if (!isUnknown(p.enableCrossZoneLoadBalancing) && asBool(p.enableCrossZoneLoadBalancing) !== true) {
    out.push(`API load balancer ${lb.name} has cross-zone load balancing off; set enableCrossZoneLoadBalancing: true.`);
  }
  const { prop, values } = lbSubnetValues(p);
  const zp = zoneCountProblem(`API load balancer ${lb.name}`, subnetZones(g, lb, prop, values), cfg.minZones);
  if (zp) out.push(zp);

  const listeners = g.resources.filter(
    (l) =>
      l.type === T.listener &&
      resolveRefs(g, l, "loadBalancerArn", l.props.loadBalancerArn, T.loadBalancer, ["arn", "id"]).targets.includes(lb),
  );
  const good = listeners.filter((l) => {
    const port = l.props.port;
    const proto = l.props.protocol;
    const portOk = isUnknown(port) || asNumber(port) === API_PORT;
    const protoOk = isUnknown(proto) || proto === "TCP";
    const fwd = resolveRefs(g, l, "defaultActions", forwardArns(l), T.targetGroup, ["arn", "id"]);
    const fwdOk = fwd.unknown || fwd.targets.some((t) => apiTgs.includes(t));
    return portOk && protoOk && fwdOk;
  });
  if (good.length === 0) {
    out.push(
      `API load balancer ${lb.name} has no listener on TCP ${API_PORT} forwarding to the API target group (found ${listeners.length} listener(s)).`,
    );
  }
  return out;
}

export function apiLoadBalancerProblems(g: Graph, cfg: ApiLoadBalancerConfig): Finding[] {
  const out: Finding[] = [];
  const lbs = withRole(g, T.loadBalancer, "api-lb");
  const apiTgs = apiTargetGroups(g);
  if (lbs.length === 0) {
    out.push({ message: `no load balancer tagged kubestead.io/role=api-lb: the control plane has no stable endpoint.` });
  }
  if (apiTgs.length === 0) {
    out.push({ message: `no target group tagged kubestead.io/role=api-lb on port ${API_PORT}.` });
  }
  for (const tg of apiTgs) {
    if (!isUnknown(tg.props.protocol) && tg.props.protocol !== "TCP") {
      out.push({
        urn: tg.urn,
        message: `API target group ${tg.name} uses protocol ${String(tg.props.protocol)}; use TCP (TLS ends on the apiservers).`,
      });
    }
    const hp = healthCheckProblem(tg);
    if (hp) out.push({ urn: tg.urn, message: hp });
  }
  for (const lb of lbs) for (const m of lbProblems(g, lb, cfg, apiTgs)) out.push({ urn: lb.urn, message: m });
  return out;
}
