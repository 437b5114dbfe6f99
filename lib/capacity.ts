/**
 * Capacity proof: can the configured networks and node groups actually hold `maxNodes`?
 * Every limit here is arithmetic on the config, so a prod cluster that cannot grow to its
 * declared size fails in the plan, not at node 4,097 during an incident.
 *
 * Assumptions (the reason each limit has the shape it has):
 * - Pods get addresses from the pod CIDR (Cilium in cluster-pool/kubernetes IPAM with tunnelling),
 *   never from the VPC, so a node costs exactly one private-subnet address.
 * - Each Kubernetes node gets one /nodeCidrMaskSize slice of the pod CIDR (kube-controller-manager
 *   --node-cidr-mask-size); `maxNodes` counts every instance (workers, control plane, etcd) and is
 *   used as the conservative node count for the pod CIDR too.
 * - The ASG rebalances across zones, so losing one zone must leave room for every node elsewhere.
 */
import type { ClusterConfig } from "./config/types";
import { awsUsableAddresses, blockSize, mustParseCidr, parseCidr, type Cidr } from "./cidr";
import { capacityLimitRows } from "./capacityLimits";

export interface CapacityRow {
  name: string;
  value: number;
  limit: number;
  ok: boolean;
  detail: string;
  /** Where the limit comes from: the upstream guidance or rule, cited so a reader can check it. */
  source: string;
  /** An account quota the plan cannot see: shown, never fails the check. */
  advisory?: boolean;
}

const POD_CIDR_SOURCE =
  "kube-controller-manager --node-cidr-mask-size (https://kubernetes.io/docs/reference/command-line-tools-reference/kube-controller-manager/)";
const KUBELET_MAX_PODS_SOURCE = "kubelet maxPods default 110 (https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/)";
const SUBNET_SOURCE = "AWS reserves 5 addresses per subnet (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html)";
const SCALABILITY_THRESHOLDS_SOURCE =
  "SIG Scalability thresholds (https://github.com/kubernetes/community/blob/master/sig-scalability/configs-and-limits/thresholds.md)";

export interface CapacityReport {
  rows: CapacityRow[];
  ok: boolean;
  problems: string[];
}

/** kubelet's default --max-pods; a node's pod slice must hold at least this many addresses. */
export const DEFAULT_MAX_PODS = 110;

/**
 * Services expected per node. SIG Scalability's thresholds pair 5,000 nodes with 10,000 services,
 * i.e. 2 per node; we never ask for fewer than 1,024 so a small cluster can still grow services.
 * https://github.com/kubernetes/community/blob/master/sig-scalability/configs-and-limits/thresholds.md
 */
export const SERVICES_PER_NODE = 2;
export const MIN_SERVICES = 1024;

/** kube-apiserver refuses an IPv4 --service-cluster-ip-range larger than /12 (20 host bits). */
export const MAX_SERVICE_HOST_BITS = 20;

function bitsFor(n: number): number {
  return Math.max(0, Math.ceil(Math.log2(Math.max(1, n))));
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

function podCidrRows(c: ClusterConfig, pod: Cidr): { rows: CapacityRow[]; problems: string[] } {
  const mask = c.kubernetes.nodeCidrMaskSize;
  const rows: CapacityRow[] = [];
  const problems: string[] = [];
  const nodes = mask >= pod.prefix ? 2 ** (mask - pod.prefix) : 0;
  // The prefix that would hold maxNodes at the current mask, and the mask that would at the current prefix.
  const neededBits = bitsFor(c.maxNodes);
  const widerPrefix = mask - neededBits;
  const largerMask = pod.prefix + neededBits;
  const podsAtLargerMask = blockSize(largerMask) - 2;
  rows.push({
    name: "nodes the pod CIDR allows",
    value: nodes,
    limit: c.maxNodes,
    ok: nodes >= c.maxNodes,
    detail: `${c.kubernetes.podCidr} in /${mask} slices = 2^(${mask}-${pod.prefix})`,
    source: POD_CIDR_SOURCE,
  });
  if (mask < pod.prefix) {
    problems.push(
      `kubestead:kubernetes.nodeCidrMaskSize ${mask} is shorter than the pod CIDR prefix /${pod.prefix} of ${c.kubernetes.podCidr}: ` +
        `no node can get a pod range; use a mask size between ${pod.prefix} and 26 (24 is the default)`,
    );
  } else if (nodes < c.maxNodes) {
    const options = [`use a /${widerPrefix} pod CIDR (${fmt(2 ** neededBits)} nodes at /${mask} per node)`];
    if (podsAtLargerMask >= DEFAULT_MAX_PODS) {
      options.push(`nodeCidrMaskSize ${largerMask} (${fmt(podsAtLargerMask)} pod IPs per node)`);
    }
    problems.push(
      `kubestead:kubernetes.podCidr ${c.kubernetes.podCidr} with nodeCidrMaskSize ${mask} allows ${fmt(nodes)} nodes, ` +
        `below maxNodes ${fmt(c.maxNodes)}: ${options.join(" or ")}`,
    );
  }
  // Two addresses of each slice are not handed to pods (network address and the node's router/gateway).
  const podIps = mask <= 32 ? blockSize(mask) - 2 : 0;
  rows.push({
    name: "pod IPs per node",
    value: podIps,
    limit: DEFAULT_MAX_PODS,
    ok: podIps >= DEFAULT_MAX_PODS,
    detail: `a /${mask} slice, kubelet maxPods ${DEFAULT_MAX_PODS}`,
    source: KUBELET_MAX_PODS_SOURCE,
  });
  if (podIps < DEFAULT_MAX_PODS) {
    problems.push(
      `kubestead:kubernetes.nodeCidrMaskSize ${mask} gives ${podIps} pod IPs per node, below kubelet's maxPods ${DEFAULT_MAX_PODS}: ` +
        `use 25 or smaller (24 is the default) and widen the pod CIDR instead`,
    );
  }
  return { rows, problems };
}

function subnetRows(c: ClusterConfig, subnets: Cidr[]): { rows: CapacityRow[]; problems: string[] } {
  const rows: CapacityRow[] = [];
  const problems: string[] = [];
  const usable = subnets.map(awsUsableAddresses);
  const total = usable.reduce((a, b) => a + b, 0);
  // An internal NLB takes one address in each private subnet it spans.
  const lbIps = c.controlPlane.apiLoadBalancer.scheme === "internal" ? subnets.length : 0;
  const needed = c.maxNodes + lbIps;
  rows.push({
    name: "private subnet IPs",
    value: total,
    limit: needed,
    ok: total >= needed,
    detail: `${subnets.length} subnets, size - 5 reserved by AWS each; 1 IP per node${lbIps ? `, ${lbIps} for the internal NLB` : ""}`,
    source: SUBNET_SOURCE,
  });
  const prefixKey = c.network.existing ? "kubestead:network.existing.privateSubnetIds" : "kubestead:network.privateSubnetPrefix";
  const prefixFix = (n: number) =>
    c.network.existing
      ? `adopt larger private subnets (each needs ${fmt(n)} usable addresses)`
      : `use a /${32 - bitsFor(n + 5)} or larger private subnet (each needs ${fmt(n)} usable addresses)`;
  if (total < needed) {
    const per = Math.ceil(needed / Math.max(1, subnets.length));
    problems.push(
      `${prefixKey}: the private subnets hold ${fmt(total)} addresses, below the ${fmt(needed)} that maxNodes ${fmt(c.maxNodes)} needs: ${prefixFix(per)}`,
    );
  }
  if (subnets.length >= 2) {
    // Losing the largest zone must leave room for every node in the others (ASG AZ rebalancing).
    const sorted = [...usable].sort((a, b) => b - a);
    const afterLoss = total - sorted[0];
    const neededAfterLoss = c.maxNodes + (lbIps ? lbIps - 1 : 0);
    rows.push({
      name: "private subnet IPs after losing one zone",
      value: afterLoss,
      limit: neededAfterLoss,
      ok: afterLoss >= neededAfterLoss,
      detail: `the ${subnets.length - 1} smallest subnets must hold every node`,
      source: SUBNET_SOURCE,
    });
    if (afterLoss < neededAfterLoss) {
      const per = Math.ceil(neededAfterLoss / (subnets.length - 1));
      problems.push(
        `${prefixKey}: after losing one zone the private subnets hold ${fmt(afterLoss)} addresses, below maxNodes ${fmt(c.maxNodes)}: ${prefixFix(per)}`,
      );
    }
  }
  return { rows, problems };
}

function asgRows(c: ClusterConfig): { rows: CapacityRow[]; problems: string[] } {
  const workerMax = c.workers.reduce((a, w) => a + w.maxSize, 0);
  const value = workerMax + c.controlPlane.nodes + c.etcd.members;
  const ok = value <= c.maxNodes;
  const row: CapacityRow = {
    name: "instances the ASGs can reach",
    value,
    limit: c.maxNodes,
    ok,
    detail: `worker maxSize ${fmt(workerMax)} + control plane ${c.controlPlane.nodes} + etcd ${c.etcd.members}`,
    source: "kubestead:maxNodes (the cluster's own claim)",
  };
  const problems = ok
    ? []
    : [
        `kubestead:workers maxSize sums to ${fmt(workerMax)}, which with ${c.controlPlane.nodes} control plane and ${c.etcd.members} etcd nodes ` +
          `(${fmt(value)}) exceeds maxNodes ${fmt(c.maxNodes)}: lower the pools' maxSize or raise kubestead:maxNodes (and prove the networks hold it)`,
      ];
  return { rows: [row], problems };
}

function serviceRows(c: ClusterConfig, svc: Cidr): { rows: CapacityRow[]; problems: string[] } {
  const problems: string[] = [];
  // The network address and the kubernetes.default service IP are not available to other services.
  const usable = blockSize(svc.prefix) - 2;
  const wanted = Math.max(MIN_SERVICES, SERVICES_PER_NODE * c.maxNodes);
  const rows: CapacityRow[] = [
    {
      name: "service IPs",
      value: usable,
      limit: wanted,
      ok: usable >= wanted,
      detail: `${c.kubernetes.serviceCidr}; rule of thumb ${SERVICES_PER_NODE} services per node, at least ${fmt(MIN_SERVICES)}`,
      source: SCALABILITY_THRESHOLDS_SOURCE,
    },
  ];
  if (usable < wanted) {
    problems.push(
      `kubestead:kubernetes.serviceCidr ${c.kubernetes.serviceCidr} holds ${fmt(usable)} services, below the ${fmt(wanted)} expected for maxNodes ${fmt(c.maxNodes)}: ` +
        `use a /${Math.max(32 - MAX_SERVICE_HOST_BITS, 32 - bitsFor(wanted + 2))} service CIDR`,
    );
  }
  if (32 - svc.prefix > MAX_SERVICE_HOST_BITS) {
    rows[0].ok = false;
    problems.push(
      `kubestead:kubernetes.serviceCidr ${c.kubernetes.serviceCidr} is larger than kube-apiserver accepts (at most /${32 - MAX_SERVICE_HOST_BITS} for IPv4): use a /12 or smaller`,
    );
  }
  return { rows, problems };
}

/**
 * Checks that `c` can hold `c.maxNodes`. `privateSubnetCidrs` are the private (node) subnets:
 * planned from the VPC CIDR, or looked up for an adopted network.
 */
export function capacityCheck(c: ClusterConfig, privateSubnetCidrs: string[]): CapacityReport {
  const rows: CapacityRow[] = [];
  const problems: string[] = [];
  const add = (r: { rows: CapacityRow[]; problems: string[] }) => {
    rows.push(...r.rows);
    problems.push(...r.problems);
  };

  const pod = parseCidr(c.kubernetes.podCidr);
  if (pod) add(podCidrRows(c, pod));
  else problems.push(`kubestead:kubernetes.podCidr ${JSON.stringify(c.kubernetes.podCidr)} is not an IPv4 CIDR: use e.g. 10.32.0.0/11`);

  const bad = privateSubnetCidrs.filter((s) => !parseCidr(s));
  if (bad.length > 0) {
    problems.push(`private subnet CIDRs ${bad.join(", ")} are not IPv4 CIDRs: pass the subnets' cidrBlock values`);
  } else if (privateSubnetCidrs.length === 0) {
    problems.push(`no private subnet CIDRs were given: pass one per zone so node addresses can be counted`);
  } else {
    add(subnetRows(c, privateSubnetCidrs.map(mustParseCidr)));
  }

  add(asgRows(c));

  const svc = parseCidr(c.kubernetes.serviceCidr);
  if (svc) add(serviceRows(c, svc));
  else
    problems.push(
      `kubestead:kubernetes.serviceCidr ${JSON.stringify(c.kubernetes.serviceCidr)} is not an IPv4 CIDR: use e.g. 10.96.0.0/12`,
    );

  // Control-plane and etcd sizes, etcd quota and IOPS, the boot-time API budget, account quotas.
  add(capacityLimitRows(c));

  return { rows, ok: problems.length === 0 && rows.every((r) => r.ok || r.advisory), problems };
}
