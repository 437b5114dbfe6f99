import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import { MAX_VPC_CIDR_BLOCKS } from "../lib/adoptedNetwork";
import { ClusterConfig } from "../lib/config/types";
import { clusterTag, roleTags } from "../lib/tags";
import { clusterRules, egressRules, Peer } from "../lib/securityRules";

export interface SecurityGroupsArgs {
  /** The validated cluster config: name, tags, the API's allowed CIDRs. */
  config: ClusterConfig;
  /** The VPC the groups belong to. */
  vpcId: pulumi.Input<string>;
  /**
   * Every IPv4 block of the VPC, the primary first (Network.vpcCidrs): what rules "from the VPC"
   * admit. At most MAX_VPC_CIDR_BLOCKS (lib/adoptedNetwork.ts checks an adopted VPC).
   */
  vpcCidrs: pulumi.Input<string[]>;
}

/**
 * Every network path of the cluster in one place: which role may reach which port from where, and
 * where each role may connect out to. The rule tables are pure (lib/securityRules.ts) and tested
 * on their own.
 */
export class SecurityGroups extends pulumi.ComponentResource {
  public readonly etcd: pulumi.Output<string>;
  public readonly controlPlane: pulumi.Output<string>;
  public readonly workers: pulumi.Output<string>;
  public readonly apiLoadBalancer: pulumi.Output<string>;
  /** The managed prefix list of the VPC's IPv4 blocks that rules "from the VPC" reference. */
  public readonly vpcPrefixListId: pulumi.Output<string>;

  constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:SecurityGroups", name, {}, opts);
    const c = args.config;
    const group = (role: "etcd" | "controlplane" | "worker" | "api-lb", description: string) =>
      new ec2.SecurityGroup(
        `${name}-${role}`,
        {
          vpcId: args.vpcId,
          description,
          // Node groups carry the cluster tag: the cloud-controller-manager opens them to its load
          // balancers, and its IAM policy only changes groups tagged owned (lib/iam.ts controlPlanePolicy).
          tags: roleTags(c, role, `${c.name}-${role}`, role === "worker" || role === "controlplane" ? clusterTag(c.name, true) : {}),
        },
        { parent: this },
      );
    const groups: Record<Exclude<Peer, { cidr: string }>["group"], ec2.SecurityGroup> = {
      etcd: group("etcd", "kubestead etcd members"),
      controlplane: group("controlplane", "kubestead control-plane nodes"),
      worker: group("worker", "kubestead worker nodes"),
      "api-lb": group("api-lb", "kubestead API load balancer"),
    };

    // "The VPC" is every block of it: nodes of an adopted VPC may sit in a secondary block. One
    // prefix list of a fixed size keeps the rules the same whatever blocks AWS reports (a block
    // added later changes an entry, not a rule); each rule referencing it counts as maxEntries
    // rules against the group's quota (60 per direction by default), well within it here.
    const vpcBlocks = new ec2.ManagedPrefixList(
      `${name}-vpc`,
      {
        name: `${c.name}-vpc-blocks`,
        addressFamily: "IPv4",
        maxEntries: MAX_VPC_CIDR_BLOCKS,
        entries: pulumi
          .output(args.vpcCidrs)
          .apply((blocks) => blocks.map((cidr, i) => ({ cidr, description: i === 0 ? "VPC primary block" : "VPC secondary block" }))),
        tags: roleTags(c, "network", `${c.name}-vpc-blocks`),
      },
      { parent: this },
    );
    const peer = (p: Peer) =>
      "group" in p
        ? { referencedSecurityGroupId: groups[p.group].id }
        : p.cidr === "vpc"
          ? { prefixListId: vpcBlocks.id }
          : { cidrIpv4: p.cidr };
    for (const rule of clusterRules(c)) {
      const target = groups[rule.group];
      const source = peer(rule.from);
      new vpc.SecurityGroupIngressRule(
        `${name}-${rule.name}`,
        {
          securityGroupId: target.id,
          description: rule.description,
          ipProtocol: rule.protocol,
          fromPort: rule.fromPort,
          toPort: rule.toPort,
          ...source,
          tags: roleTags(c, rule.group === "api-lb" ? "api-lb" : rule.group),
        },
        { parent: this },
      );
    }
    // Egress as data too (lib/securityRules.ts egressRules): etcd, the control plane and the API
    // load balancer reach only what they need; workers keep all egress for their workloads.
    for (const rule of egressRules()) {
      new vpc.SecurityGroupEgressRule(
        `${name}-${rule.name}`,
        {
          securityGroupId: groups[rule.group].id,
          description: rule.description,
          ipProtocol: rule.protocol,
          ...(rule.protocol === "-1" ? {} : { fromPort: rule.fromPort, toPort: rule.toPort }),
          ...peer(rule.to),
          tags: roleTags(c, rule.group),
        },
        { parent: this },
      );
    }

    this.etcd = groups.etcd.id;
    this.controlPlane = groups.controlplane.id;
    this.workers = groups.worker.id;
    this.apiLoadBalancer = groups["api-lb"].id;
    this.vpcPrefixListId = vpcBlocks.id;
    this.registerOutputs({
      etcd: this.etcd,
      controlPlane: this.controlPlane,
      workers: this.workers,
      apiLoadBalancer: this.apiLoadBalancer,
      vpcPrefixListId: this.vpcPrefixListId,
    });
  }
}
