import * as lb from "@pulumi/aws/lb";
import * as route53 from "@pulumi/aws/route53";
import * as pulumi from "@pulumi/pulumi";
import { ClusterConfig } from "../lib/config/types";
import { apiServerHost } from "../lib/dns";
import { roleTags } from "../lib/tags";

/** ≤ 6 characters: the provider's limit for load balancer and target group name prefixes. */
const NAME_PREFIX = "kapi-";

export interface ApiLoadBalancerArgs {
  config: ClusterConfig;
  vpcId: pulumi.Input<string>;
  /** Public subnets for internet-facing, private for internal; one per zone. */
  subnetIds: pulumi.Input<string>[];
  securityGroupId: pulumi.Input<string>;
  /** The cluster's private Route53 zone: the API's stable name is an alias record there. */
  privateZoneId: pulumi.Input<string>;
}

/**
 * A Network Load Balancer on TCP 6443 across every zone, cross-zone on, health-checking the
 * apiserver's /readyz over HTTPS. Client IP preservation is off so a control-plane node whose
 * own connection lands on itself (hairpin) still connects: the source is then the NLB, not the node.
 */
export class ApiLoadBalancer extends pulumi.ComponentResource {
  public readonly dnsName: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly targetGroupArn: pulumi.Output<string>;
  /** https://<dns>:6443 */
  public readonly endpoint: pulumi.Output<string>;
  /** api.<cluster>.kubestead.internal: the name certificates and node kubeconfigs carry. */
  public readonly apiHost: string;
  /** What a node joining through the API needs to exist first: the listener and the name. */
  public readonly endpointResources: pulumi.Resource[];

  constructor(name: string, args: ApiLoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:ApiLoadBalancer", name, {}, opts);
    const c = args.config;
    const tags = roleTags(c, "api-lb", `${c.name}-api`);
    // Load balancer and target group names are at most 32 characters, and Pulumi's autoname
    // (logical name + "-" + 7 random) of `${cluster}-api-apiserver` already exceeds that for
    // "kubestead-dev", so `pulumi up` would fail. A short prefix lets AWS's provider append a
    // unique suffix (create-before-delete replacements keep working); the Name tag says what it is.
    const nlb = new lb.LoadBalancer(
      `${name}-nlb`,
      {
        namePrefix: NAME_PREFIX,
        loadBalancerType: "network",
        internal: c.controlPlane.apiLoadBalancer.scheme === "internal",
        subnets: args.subnetIds,
        securityGroups: [args.securityGroupId],
        enableCrossZoneLoadBalancing: true,
        enableDeletionProtection: c.protect,
        ipAddressType: "ipv4",
        tags,
      },
      { parent: this },
    );
    const tg = new lb.TargetGroup(
      `${name}-apiserver`,
      {
        namePrefix: NAME_PREFIX,
        vpcId: args.vpcId,
        port: 6443,
        protocol: "TCP",
        targetType: "instance",
        preserveClientIp: "false",
        connectionTermination: true,
        deregistrationDelay: 30,
        healthCheck: {
          enabled: true,
          protocol: "HTTPS",
          port: "6443",
          path: "/readyz",
          matcher: "200",
          interval: 10,
          timeout: 5,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        tags,
      },
      { parent: this },
    );
    const listener = new lb.Listener(
      `${name}-6443`,
      {
        loadBalancerArn: nlb.arn,
        port: 6443,
        protocol: "TCP",
        defaultActions: [{ type: "forward", targetGroupArn: tg.arn }],
        tags,
      },
      { parent: this },
    );
    // The stable name: replacing the load balancer re-points this alias and touches no node.
    this.apiHost = apiServerHost(c.name);
    const record = new route53.Record(
      `${name}-name`,
      {
        zoneId: args.privateZoneId,
        name: this.apiHost,
        type: "A",
        // One alias, one target: there is no other record to fail over to, so target health is not evaluated.
        aliases: [{ name: nlb.dnsName, zoneId: nlb.zoneId, evaluateTargetHealth: false }],
      },
      { parent: this },
    );
    this.endpointResources = [listener, record];
    this.dnsName = nlb.dnsName;
    this.arn = nlb.arn;
    this.targetGroupArn = tg.arn;
    this.endpoint = pulumi.interpolate`https://${nlb.dnsName}:6443`;
    this.registerOutputs({ dnsName: this.dnsName, endpoint: this.endpoint, targetGroupArn: this.targetGroupArn });
  }
}
