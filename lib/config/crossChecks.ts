/** Rules that span sections: ranges that must not overlap, capacity of the ranges for maxNodes. */
import { awsUsableAddresses, overlaps, parseCidr, planSubnets } from "../cidr";
import { Reader } from "./reader";
import { NAMESPACE } from "./patterns";
import { ControlPlaneConfig, KubernetesConfig, NetworkConfig, WorkerPoolConfig } from "./types";

/** A CIDR and the config key (without namespace) that sets it. */
export interface NamedRange {
  key: string;
  cidr: string;
}

/**
 * Each pair of ranges that overlap, as `range` (the later one in the list, where the problem is
 * reported) and `other` (the earlier one it collides with). Unparseable CIDRs are skipped: their
 * own key reports them.
 */
export function overlappingRanges(ranges: NamedRange[]): { range: NamedRange; other: NamedRange }[] {
  const out: { range: NamedRange; other: NamedRange }[] = [];
  for (let j = 0; j < ranges.length; j++) {
    for (let i = 0; i < j; i++) {
      const a = parseCidr(ranges[i].cidr);
      const b = parseCidr(ranges[j].cidr);
      if (a && b && overlaps(a, b)) out.push({ range: ranges[j], other: ranges[i] });
    }
  }
  return out;
}

export function crossChecks(
  r: Reader,
  c: {
    network: NetworkConfig;
    kubernetes: KubernetesConfig;
    workers: WorkerPoolConfig[];
    controlPlane: ControlPlaneConfig;
    maxNodes: number;
    zones: string[];
  },
): void {
  // An adopted VPC's blocks are known only once AWS is asked: lib/adoptedNetwork.ts checks them.
  const named: NamedRange[] = [
    { key: "kubernetes.podCidr", cidr: c.kubernetes.podCidr },
    { key: "kubernetes.serviceCidr", cidr: c.kubernetes.serviceCidr },
  ];
  if (!c.network.existing) named.unshift({ key: "network.vpcCidr", cidr: c.network.vpcCidr });
  for (const { range, other } of overlappingRanges(named)) {
    r.problem(
      range.key,
      `must not overlap ${NAMESPACE}:${other.key} (${other.cidr})`,
      range.cidr,
      "pick non-overlapping ranges, e.g. VPC 10.0.0.0/16, pods 10.128.0.0/11, services 10.96.0.0/12",
    );
  }
  // Capacity: the pod CIDR must hand every node its own range, the private subnets must hold them.
  const pod = parseCidr(c.kubernetes.podCidr);
  if (pod && c.kubernetes.nodeCidrMaskSize > pod.prefix) {
    const nodeRanges = 2 ** (c.kubernetes.nodeCidrMaskSize - pod.prefix);
    if (nodeRanges < c.maxNodes) {
      r.problem(
        "kubernetes.podCidr",
        `with nodeCidrMaskSize ${c.kubernetes.nodeCidrMaskSize} allows ${nodeRanges} nodes, fewer than maxNodes (${c.maxNodes})`,
        c.kubernetes.podCidr,
        `use a pod CIDR of /${c.kubernetes.nodeCidrMaskSize - Math.ceil(Math.log2(c.maxNodes))} or shorter, or lower ${NAMESPACE}:maxNodes`,
      );
    }
  }
  const workerMax = c.workers.reduce((s, w) => s + w.maxSize, 0);
  if (workerMax + c.controlPlane.nodes > c.maxNodes) {
    r.problem(
      "maxNodes",
      `must cover the pools' maxSize sum plus control-plane nodes (${workerMax + c.controlPlane.nodes})`,
      c.maxNodes,
      "raise maxNodes or lower the pools' maxSize",
    );
  }
  if (!c.network.existing && parseCidr(c.network.vpcCidr) && c.zones.length > 0) {
    try {
      const subnets = planSubnets(c.network.vpcCidr, c.zones, c.network.privateSubnetPrefix, c.network.publicSubnetPrefix);
      const ips = subnets.reduce((s, x) => s + awsUsableAddresses(parseCidr(x.privateCidr)!), 0);
      if (ips < c.maxNodes) {
        r.problem(
          "network.privateSubnetPrefix",
          `gives ${ips} node addresses in the private subnets, fewer than maxNodes (${c.maxNodes})`,
          c.network.privateSubnetPrefix,
          "use a shorter prefix (larger subnets) or a larger VPC",
        );
      }
    } catch {
      /* reported by readNetwork */
    }
  }
}
