/**
 * VPC flow logs: every VPC the cluster runs in — created by the stack, or adopted (seen through
 * its security groups' vpcId) — records its flows; a CloudWatch destination in the stack is
 * KMS-encrypted and expires its records.
 */
import type { Finding } from "./finding";
import { Graph, GraphResource, T, resolveRefs } from "./graph";
import { asNumber, isUnknown } from "./unknown";

function covers(g: Graph, flowLogs: GraphResource[], vpc: GraphResource | string): boolean | undefined {
  let unknown = false;
  for (const f of flowLogs) {
    if (typeof vpc === "string") {
      if (f.props.vpcId === vpc) return true;
      if (isUnknown(f.props.vpcId)) unknown = true;
      continue;
    }
    const res = resolveRefs(g, f, "vpcId", f.props.vpcId, T.vpc, ["id"]);
    if (res.targets.includes(vpc)) return true;
    if (res.unknown) unknown = true;
  }
  return unknown ? undefined : false;
}

function destinationProblems(g: Graph, f: GraphResource): string[] {
  const type = f.props.logDestinationType ?? "cloud-watch-logs";
  if (type !== "cloud-watch-logs") return [];
  const res = resolveRefs(g, f, "logDestination", f.props.logDestination, T.logGroup, ["arn"]);
  return res.targets.flatMap((lg) => {
    const out: string[] = [];
    if (!isUnknown(lg.props.kmsKeyId) && (typeof lg.props.kmsKeyId !== "string" || lg.props.kmsKeyId === "")) {
      out.push(`flow log ${f.name} writes to log group ${lg.name}, which is not encrypted with a KMS key; set kmsKeyId.`);
    }
    const days = asNumber(lg.props.retentionInDays);
    if (!isUnknown(lg.props.retentionInDays) && (days === undefined || days <= 0)) {
      out.push(`log group ${lg.name} of flow log ${f.name} keeps records forever; set retentionInDays.`);
    }
    return out;
  });
}

/** VPCs of the stack and IDs of adopted VPCs (security groups' vpcId that no Vpc resource has). */
export function clusterVpcs(g: Graph): (GraphResource | string)[] {
  const vpcs = g.resources.filter((r) => r.type === T.vpc);
  const ids = new Set(vpcs.map((v) => v.props.id));
  const adopted = new Set<string>();
  for (const sg of g.resources.filter((r) => r.type === T.securityGroup)) {
    const id = sg.props.vpcId;
    if (
      typeof id === "string" &&
      !isUnknown(id) &&
      !ids.has(id) &&
      (sg.propertyDependencies.vpcId ?? []).every((u) => g.byUrn.get(u)?.type !== T.vpc)
    ) {
      adopted.add(id);
    }
  }
  return [...vpcs, ...adopted];
}

export function flowLogProblems(g: Graph): Finding[] {
  const flowLogs = g.resources.filter((r) => r.type === T.flowLog);
  const out: Finding[] = [];
  for (const vpc of clusterVpcs(g)) {
    if (covers(g, flowLogs, vpc) === false) {
      const what = typeof vpc === "string" ? `adopted VPC ${vpc}` : `VPC ${vpc.name}`;
      out.push({
        ...(typeof vpc === "string" ? {} : { urn: vpc.urn }),
        message: `${what} has no flow log: no record of the traffic in and out of the cluster; add an ec2.FlowLog (kubestead: network.flowLogs.enabled).`,
      });
    }
  }
  for (const f of flowLogs) for (const message of destinationProblems(g, f)) out.push({ urn: f.urn, message });
  return out;
}
