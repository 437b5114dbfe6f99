/**
 * The cluster's security-group rules as data. Ingress: etcd's client port admits only the control
 * plane and etcd itself, its peer port only etcd; metrics stay on 127.0.0.1 and need no rule at
 * all. Egress (egressRules): etcd, the control plane and the API load balancer reach only what
 * they need; workers keep all egress.
 */
import { ClusterConfig } from "./config/types";

export type GroupRole = "etcd" | "controlplane" | "worker" | "api-lb";
/**
 * A security group, or a CIDR; `vpc` stands for every IPv4 block of the VPC, the primary and any
 * secondary ones (an adopted VPC's subnets may sit in either), known only once the VPC is read.
 * components/securityGroups.ts admits them through one managed prefix list of those blocks.
 */
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

export const ANYWHERE = "0.0.0.0/0";

export interface EgressRule {
  name: string;
  group: GroupRole;
  to: Peer;
  /** "-1" = every protocol and port (workers only). */
  protocol: "tcp" | "udp" | "-1";
  fromPort: number;
  toPort: number;
  description: string;
}

/** The roles whose egress is limited; policy/rules/egress.ts checks the same set. */
export const RESTRICTED_EGRESS_ROLES: readonly GroupRole[] = ["etcd", "controlplane", "api-lb"];

/**
 * Egress, the mirror of clusterRules plus what nodes fetch at boot and at run time.
 *
 * HTTPS goes to 0.0.0.0/0, not to the S3 prefix list: nodes also call SSM, EC2, Auto Scaling and
 * (on the control plane) ELB through their public regional endpoints (no interface VPC endpoints
 * here), download etcd, Kubernetes and containerd releases from GitHub and dl.k8s.io, pull images
 * from registry.k8s.io, quay.io and ghcr.io, and install Debian packages from
 * https://cdn-aws.deb.debian.org (Debian 12's EC2 images use HTTPS mirrors). Those are CDNs and
 * regional endpoints without stable address ranges a security group could list; limiting them by
 * name needs a proxy or AWS Network Firewall. What the rule does take away: every other port and
 * protocol out of etcd and the control plane (no SSH, no plain HTTP, no arbitrary TCP/UDP), and
 * every path from etcd to nodes or pods. The S3 gateway endpoint keeps backups off the NAT either way.
 *
 * Not listed because security groups do not filter them: the Amazon DNS server (VPC base + 2 and
 * 169.254.169.253), instance metadata (169.254.169.254) and the Amazon Time Sync Service
 * (169.254.169.123, which Debian's EC2 images point chrony at)
 * (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html). DNS to the VPC's
 * blocks stays open for DNS servers a DHCP option set puts inside an adopted VPC.
 */
export function egressRules(): EgressRule[] {
  const rules: EgressRule[] = [];
  const dnsToVpc = (group: GroupRole) =>
    (["tcp", "udp"] as const).map((protocol): EgressRule => ({
      name: `${group}-dns-${protocol}-to-vpc`,
      group,
      to: { cidr: "vpc" },
      protocol,
      fromPort: 53,
      toPort: 53,
      description: "DNS servers inside the VPC",
    }));

  rules.push(
    {
      name: "etcd-https-out",
      group: "etcd",
      to: { cidr: ANYWHERE },
      protocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS: AWS APIs (SSM, EC2, Auto Scaling), S3 backups, etcd release, Debian packages",
    },
    {
      name: "etcd-client-to-etcd",
      group: "etcd",
      to: { group: "etcd" },
      protocol: "tcp",
      fromPort: 2379,
      toPort: 2379,
      description: "etcd clients: members (health, backup, member add)",
    },
    {
      name: "etcd-peer-to-etcd",
      group: "etcd",
      to: { group: "etcd" },
      protocol: "tcp",
      fromPort: 2380,
      toPort: 2380,
      description: "etcd peers",
    },
    ...dnsToVpc("etcd"),
  );

  rules.push(
    {
      name: "controlplane-https-out",
      group: "controlplane",
      to: { cidr: ANYWHERE },
      protocol: "tcp",
      fromPort: 443,
      toPort: 443,
      description: "HTTPS: AWS APIs, S3, image registries, release downloads, Debian packages",
    },
    {
      name: "controlplane-etcd-client",
      group: "controlplane",
      to: { group: "etcd" },
      protocol: "tcp",
      fromPort: 2379,
      toPort: 2379,
      description: "kube-apiserver to etcd",
    },
    {
      name: "controlplane-apiserver-via-lb",
      group: "controlplane",
      to: { group: "api-lb" },
      protocol: "tcp",
      fromPort: 6443,
      toPort: 6443,
      description: "Kubernetes API through the load balancer",
    },
    {
      name: "controlplane-apiserver-to-controlplane",
      group: "controlplane",
      to: { group: "controlplane" },
      protocol: "tcp",
      fromPort: 6443,
      toPort: 6443,
      description: "kube-apiserver between control-plane nodes",
    },
  );
  for (const to of NODES) {
    rules.push(
      {
        name: `controlplane-kubelet-to-${to}`,
        group: "controlplane",
        to: { group: to },
        protocol: "tcp",
        fromPort: 10250,
        toPort: 10250,
        description: "kube-apiserver to kubelets (logs, exec, metrics)",
      },
      {
        name: `controlplane-vxlan-to-${to}`,
        group: "controlplane",
        to: { group: to },
        protocol: "udp",
        fromPort: 8472,
        toPort: 8472,
        description: "Cilium VXLAN overlay (pod traffic, webhooks and aggregated APIs on pods)",
      },
      {
        name: `controlplane-cilium-health-to-${to}`,
        group: "controlplane",
        to: { group: to },
        protocol: "tcp",
        fromPort: 4240,
        toPort: 4240,
        description: "Cilium health checks",
      },
    );
  }
  for (const protocol of ["tcp", "udp"] as const) {
    rules.push({
      name: `controlplane-dns-${protocol}-to-worker`,
      group: "controlplane",
      to: { group: "worker" },
      protocol,
      fromPort: 53,
      toPort: 53,
      description: "cluster DNS on workers",
    });
  }
  rules.push(...dnsToVpc("controlplane"));

  // A network load balancer's group needs egress to its targets on the listener and health-check
  // port (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-security-groups.html).
  rules.push({
    name: "api-lb-to-controlplane",
    group: "api-lb",
    to: { group: "controlplane" },
    protocol: "tcp",
    fromPort: 6443,
    toPort: 6443,
    description: "API load balancer to kube-apiserver targets and their health checks",
  });

  // Workers keep all egress: workloads reach whatever they were written for (databases, SaaS
  // APIs, other VPCs), which the cluster cannot know. Restrict pods with NetworkPolicies instead.
  rules.push({
    // The logical name the single all-egress rule per group had: the worker rule is not replaced.
    name: "worker-egress",
    group: "worker",
    to: { cidr: ANYWHERE },
    protocol: "-1",
    fromPort: 0,
    toPort: 0,
    description: "all egress: workloads decide what they reach (NetworkPolicies restrict pods)",
  });
  return rules;
}
