/**
 * The cluster's ingress rules as data. etcd's client port admits only the control plane and
 * etcd itself, its peer port only etcd; metrics stay on 127.0.0.1 and need no rule at all.
 */
import { ClusterConfig } from "./config/types";

export type GroupRole = "etcd" | "controlplane" | "worker" | "api-lb";
export type Peer = { group: GroupRole } | { cidr: string };

export interface IngressRule {
  name: string;
  group: GroupRole;
  from: Peer;
  protocol: "tcp" | "udp";
  fromPort: number;
  toPort: number;
  description: string;
}

const NODES: GroupRole[] = ["controlplane", "worker"];

export function clusterRules(c: Pick<ClusterConfig, "controlPlane">): IngressRule[] {
  const rules: IngressRule[] = [
    {
      name: "etcd-client-from-controlplane",
      group: "etcd",
      from: { group: "controlplane" },
      protocol: "tcp",
      fromPort: 2379,
      toPort: 2379,
      description: "etcd clients: kube-apiserver",
    },
    {
      name: "etcd-client-from-etcd",
      group: "etcd",
      from: { group: "etcd" },
      protocol: "tcp",
      fromPort: 2379,
      toPort: 2379,
      description: "etcd clients: members (health, backup, member add)",
    },
    {
      name: "etcd-peer-from-etcd",
      group: "etcd",
      from: { group: "etcd" },
      protocol: "tcp",
      fromPort: 2380,
      toPort: 2380,
      description: "etcd peers",
    },
    {
      name: "apiserver-from-lb",
      group: "controlplane",
      from: { group: "api-lb" },
      protocol: "tcp",
      fromPort: 6443,
      toPort: 6443,
      description: "kube-apiserver via the API load balancer",
    },
    {
      name: "apiserver-from-workers",
      group: "controlplane",
      from: { group: "worker" },
      protocol: "tcp",
      fromPort: 6443,
      toPort: 6443,
      description: "kube-apiserver from workers (service VIP)",
    },
    {
      name: "apiserver-from-controlplane",
      group: "controlplane",
      from: { group: "controlplane" },
      protocol: "tcp",
      fromPort: 6443,
      toPort: 6443,
      description: "kube-apiserver between control-plane nodes",
    },
    {
      name: "api-lb-from-vpc",
      group: "api-lb",
      from: { cidr: "vpc" },
      protocol: "tcp",
      fromPort: 6443,
      toPort: 6443,
      description: "Kubernetes API from inside the VPC",
    },
  ];
  for (const [i, cidr] of c.controlPlane.apiLoadBalancer.allowedCidrs.entries()) {
    rules.push({
      name: `api-lb-from-allowed-${i}`,
      group: "api-lb",
      from: { cidr },
      protocol: "tcp",
      fromPort: 6443,
      toPort: 6443,
      description: `Kubernetes API from ${cidr}`,
    });
  }
  for (const to of NODES) {
    rules.push({
      name: `kubelet-${to}-from-controlplane`,
      group: to,
      from: { group: "controlplane" },
      protocol: "tcp",
      fromPort: 10250,
      toPort: 10250,
      description: "kubelet API from kube-apiserver",
    });
    for (const from of NODES) {
      // Cilium: VXLAN overlay and its health checks between every pair of nodes.
      rules.push({
        name: `vxlan-${to}-from-${from}`,
        group: to,
        from: { group: from },
        protocol: "udp",
        fromPort: 8472,
        toPort: 8472,
        description: "Cilium VXLAN overlay",
      });
      rules.push({
        name: `cilium-health-${to}-from-${from}`,
        group: to,
        from: { group: from },
        protocol: "tcp",
        fromPort: 4240,
        toPort: 4240,
        description: "Cilium health checks",
      });
    }
  }
  // metrics-server runs on workers (or, without pools, on the control plane) and scrapes every
  // kubelet, control-plane nodes' included; Cilium masquerades pod traffic to node IPs, so the
  // source is the node's own group.
  for (const to of NODES) {
    rules.push({
      name: `metrics-server-${to}-from-worker`,
      group: to,
      from: { group: "worker" },
      protocol: "tcp",
      fromPort: 10250,
      toPort: 10250,
      description: "kubelet API from metrics-server",
    });
  }
  rules.push({
    name: "nodeports-from-vpc",
    group: "worker",
    from: { cidr: "vpc" },
    protocol: "tcp",
    fromPort: 30000,
    toPort: 32767,
    description: "NodePort services behind load balancers",
  });
  rules.push({
    name: "dns-tcp-workers-from-controlplane",
    group: "worker",
    from: { group: "controlplane" },
    protocol: "tcp",
    fromPort: 53,
    toPort: 53,
    description: "cluster DNS from control-plane nodes",
  });
  rules.push({
    name: "dns-udp-workers-from-controlplane",
    group: "worker",
    from: { group: "controlplane" },
    protocol: "udp",
    fromPort: 53,
    toPort: 53,
    description: "cluster DNS from control-plane nodes",
  });
  return rules;
}
