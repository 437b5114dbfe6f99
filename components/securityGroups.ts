import * as ec2 from "@pulumi/aws/ec2";
import * as vpc from "@pulumi/aws/vpc";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { roleTags } from "../lib/tags";
import { clusterRules, Peer } from "../lib/securityRules";

export interface SecurityGroupsArgs {
  config: ClusterConfig;
  vpcId: pulumi.Input<string>;
  vpcCidr: pulumi.Input<string>;
}

/**
 * Every network path of the cluster in one place: which role may reach which port from where.
 * The rule table itself is pure (lib/securityRules.ts) and tested on its own.
 */
export class SecurityGroups extends pulumi.ComponentResource {
  public readonly etcd: pulumi.Output<string>;
  public readonly controlPlane: pulumi.Output<string>;
  public readonly workers: pulumi.Output<string>;
  public readonly apiLoadBalancer: pulumi.Output<string>;

  constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:SecurityGroups", name, {}, opts);
    const c = args.config;
    const group = (role: "etcd" | "controlplane" | "worker" | "api-lb", description: string) =>
      new ec2.SecurityGroup(
        `${name}-${role}`,
        {
          vpcId: args.vpcId,
          description,
          tags: roleTags(c, role, `${c.name}-${role}`),
        },
        { parent: this },
      );
    const groups: Record<Exclude<Peer, { cidr: string }>["group"], ec2.SecurityGroup> = {
      etcd: group("etcd", "kubestead etcd members"),
      controlplane: group("controlplane", "kubestead control-plane nodes"),
      worker: group("worker", "kubestead worker nodes"),
      "api-lb": group("api-lb", "kubestead API load balancer"),
    };

    for (const rule of clusterRules(c)) {
      const target = groups[rule.group];
      const from = rule.from;
      const source =
        "group" in from
          ? { referencedSecurityGroupId: groups[from.group].id }
          : from.cidr === "vpc"
            ? { cidrIpv4: args.vpcCidr }
            : { cidrIpv4: from.cidr };
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
    for (const [role, g] of Object.entries(groups)) {
      new vpc.SecurityGroupEgressRule(
        `${name}-${role}-egress`,
        {
          securityGroupId: g.id,
          description: "all egress (package mirrors, AWS APIs, peers)",
          ipProtocol: "-1",
          cidrIpv4: "0.0.0.0/0",
        },
        { parent: this },
      );
    }

    this.etcd = groups.etcd.id;
    this.controlPlane = groups.controlplane.id;
    this.workers = groups.worker.id;
    this.apiLoadBalancer = groups["api-lb"].id;
    this.registerOutputs({
      etcd: this.etcd,
      controlPlane: this.controlPlane,
      workers: this.workers,
      apiLoadBalancer: this.apiLoadBalancer,
    });
  }
}
