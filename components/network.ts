import * as cloudwatch from "@pulumi/aws/cloudwatch";
import * as ec2 from "@pulumi/aws/ec2";
import * as iam from "@pulumi/aws/iam";
import * as kms from "@pulumi/aws/kms";
import * as pulumi from "@pulumi/pulumi";
import { adoptedNetworkProblems, SubnetFacts, vpcCidrBlocks } from "../lib/adoptedNetwork";
import { planSubnets } from "../lib/cidr";
import { ConfigError, Problem } from "../lib/config/problems";
import { ClusterConfig, ExistingNetwork } from "../lib/config/types";
import { Offering, offeringProblems, offeringQuery, offeringsFromDataSource, typePlacements } from "../lib/instanceTypeOfferings";
import { flowLogAssumeRolePolicy, flowLogDeliveryPolicy, flowLogGroupPrefix, flowLogKeyPolicy } from "../lib/logDelivery";
import { clusterTag, roleTags } from "../lib/tags";
import { LogBucket } from "./logBucket";

export interface NetworkArgs {
  /** The validated cluster config: name, region, zones, network settings and tags. */
  config: ClusterConfig;
  /** Account of the stack: the flow-log key, role and bucket admit only its own flow logs. */
  accountId: pulumi.Input<string>;
  /** AWS partition, e.g. "aws". */
  partition: pulumi.Input<string>;
}

/**
 * A VPC over the cluster's zones with a public and a private subnet per zone, or an adopted VPC.
 * Nodes live in the private subnets; the public ones hold NAT gateways and public load balancers.
 */
export class Network extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  /** The VPC's primary IPv4 block. */
  public readonly vpcCidr: pulumi.Output<string>;
  /** Every IPv4 block associated with the VPC, the primary first (an adopted VPC may have secondary ones). */
  public readonly vpcCidrs: pulumi.Output<string[]>;
  /** Zone names, in the order of the subnet lists. */
  public readonly zones: string[];
  public readonly privateSubnetIds: pulumi.Output<string>[];
  public readonly publicSubnetIds: pulumi.Output<string>[];
  public readonly privateSubnetCidrs: pulumi.Output<string>[];
  /**
   * Zones of adopted subnets, by ID (empty for a created VPC, whose Subnet resources carry their
   * zones). Registered as an output: policy packs never see data-source reads (pulumi/pulumi#3950),
   * so the zone policies read the adopted subnets' zones here.
   */
  public readonly subnetZones: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:Network", name, {}, opts);
    const c = args.config;
    this.zones = c.zones;
    const existing = c.network.existing;
    // What AWS must confirm before any node is placed: the zones offer the cluster's instance
    // types and, for an adopted VPC, the VPC and subnets are what the config says. A failed check
    // ends the program with one RunError listing every problem (the engine prints its message
    // alone); the VPC ID, CIDRs and subnet IDs the rest of the stack uses resolve only once the
    // checks have passed, so they then never resolve and no security group, flow log or node is
    // created in a wrong place. (Resources that need nothing of the network — keys, buckets,
    // roles — may still be created by an update run without a preview.)
    const typeProblems = offeredTypes(this, c).apply((offered) => offeringProblems(typePlacements(c), offered));
    if (existing) {
      const adopted = readAdoptedNetwork(this, c, existing);
      const problems = pulumi
        .all([adopted, typeProblems])
        .apply(([a, t]): Problem[] => [...(a.problems as Problem[]), ...(t as Problem[])]);
      const passed = gate(c.stack, problems, adopted);
      const checked = (id: string) => passed.apply(() => id);
      this.vpcId = checked(existing.vpcId);
      this.vpcCidr = passed.apply((a) => a.vpcBlocks[0]);
      this.vpcCidrs = passed.apply((a) => a.vpcBlocks);
      this.privateSubnetIds = existing.privateSubnetIds.map(checked);
      this.publicSubnetIds = existing.publicSubnetIds.map(checked);
      this.privateSubnetCidrs = existing.privateSubnetIds.map((id) => passed.apply((a) => a.subnets.find((s) => s.id === id)!.cidrBlock));
      this.subnetZones = passed.apply((a) => Object.fromEntries(a.subnets.map((s) => [s.id, s.availabilityZone])));
    } else {
      const created = createVpc(this, name, c);
      const passed = gate(c.stack, typeProblems, undefined);
      const checked = (id: pulumi.Output<string>) => pulumi.all([passed, id]).apply(([, v]) => v);
      this.vpcId = checked(created.vpcId);
      this.vpcCidr = pulumi.output(c.network.vpcCidr);
      this.vpcCidrs = pulumi.output([c.network.vpcCidr]);
      this.privateSubnetIds = created.privateSubnetIds.map(checked);
      this.publicSubnetIds = created.publicSubnetIds.map(checked);
      this.privateSubnetCidrs = created.privateSubnetCidrs;
      this.subnetZones = pulumi.output<Record<string, string>>({});
    }
    // Adopted VPCs get flow logs too: the cluster's traffic is recorded wherever it runs.
    if (c.network.flowLogs.enabled) createFlowLogs(this, name, c, this.vpcId, args);
    this.registerOutputs({
      vpcId: this.vpcId,
      vpcCidr: this.vpcCidr,
      vpcCidrs: this.vpcCidrs,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
      privateSubnetCidrs: this.privateSubnetCidrs,
      subnetZones: this.subnetZones,
    });
  }
}

/**
 * `value` once `problems` is empty; with problems, one RunError naming them all, and an Output
 * that never resolves (everything placed in the network waits on it forever, so nothing is).
 */
function gate<T>(stack: string, problems: pulumi.Output<Problem[]>, value: pulumi.Input<T>): pulumi.Output<T> {
  // Thrown from an apply nothing awaits: the engine prints the RunError's message and stops.
  problems.apply((p) => {
    if (p.length > 0) throw new pulumi.RunError(new ConfigError(stack, p).message);
  });
  return pulumi
    .all([problems, value])
    .apply(([p, v]): Promise<T> => (p.length > 0 ? new Promise<T>(() => undefined) : Promise.resolve(v as T)));
}

/** Which of the cluster's types (and their peers) each of its zones offers (ec2:DescribeInstanceTypeOfferings). */
function offeredTypes(parent: pulumi.Resource, c: ClusterConfig): pulumi.Output<Offering[]> {
  const q = offeringQuery(c);
  return ec2
    .getInstanceTypeOfferingsOutput(
      {
        locationType: "availability-zone",
        filters: [
          { name: "location", values: q.zones },
          { name: "instance-type", values: q.types },
        ],
      },
      { parent },
    )
    .apply(offeringsFromDataSource);
}

/**
 * The adopted VPC and subnets as EC2 describes them, read in forms that return nothing for an
 * unknown ID (DescribeVpcs / DescribeSubnets filtered by ID) so a typo or a deleted subnet is a
 * problem at its key, not the provider's NotFound error; then each one found is read in full.
 */
function readAdoptedNetwork(parent: pulumi.Resource, c: ClusterConfig, existing: ExistingNetwork) {
  const opts = { parent };
  const ids = [...existing.privateSubnetIds, ...existing.publicSubnetIds];
  const vpcs = ec2.getVpcsOutput({ filters: [{ name: "vpc-id", values: [existing.vpcId] }] }, opts);
  // Filtered by ID only, not by VPC: a subnet of another VPC is then named with its VPC.
  const found = ec2.getSubnetsOutput({ filters: [{ name: "subnet-id", values: ids }] }, opts);
  return pulumi.all([vpcs.ids, found.ids]).apply(async ([vpcIds, subnetIds]) => {
    const vpc = vpcIds.includes(existing.vpcId) ? await ec2.getVpc({ id: existing.vpcId }, opts) : undefined;
    const read = await Promise.all(ids.filter((id) => subnetIds.includes(id)).map((id) => ec2.getSubnet({ id }, opts)));
    const subnets: SubnetFacts[] = read.map((s) => ({
      id: s.id,
      vpcId: s.vpcId,
      availabilityZone: s.availabilityZone,
      cidrBlock: s.cidrBlock,
    }));
    const vpcBlocks = vpc ? vpcCidrBlocks(vpc.cidrBlock, vpc.cidrBlockAssociations ?? []) : [];
    const problems = adoptedNetworkProblems({
      existing,
      zones: c.zones,
      vpc: vpc ? { cidrBlocks: vpcBlocks } : undefined,
      subnets,
      kubernetes: c.kubernetes,
    });
    return { vpcBlocks, subnets, problems };
  });
}

function createVpc(parent: pulumi.Resource, name: string, c: ClusterConfig) {
  const opts = { parent };
  const tags = (n: string, extra: Record<string, string> = {}) => roleTags(c, "network", n, { ...clusterTag(c.name, true), ...extra });
  const layout = planSubnets(c.network.vpcCidr, c.zones, c.network.privateSubnetPrefix, c.network.publicSubnetPrefix);

  const vpc = new ec2.Vpc(
    `${name}-vpc`,
    {
      cidrBlock: c.network.vpcCidr,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: tags(`${c.name}-vpc`),
    },
    opts,
  );
  const igw = new ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags(`${c.name}-igw`) }, opts);

  const publicRt = new ec2.RouteTable(
    `${name}-public`,
    {
      vpcId: vpc.id,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: tags(`${c.name}-public`),
    },
    opts,
  );

  const publics = layout.map((l, i) => {
    const subnet = new ec2.Subnet(
      `${name}-public-${i}`,
      {
        vpcId: vpc.id,
        cidrBlock: l.publicCidr,
        availabilityZone: l.zone,
        mapPublicIpOnLaunch: false,
        tags: tags(`${c.name}-public-${l.zone}`, { "kubernetes.io/role/elb": "1", "kubestead.io/tier": "public" }),
      },
      opts,
    );
    new ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRt.id }, opts);
    return subnet;
  });

  // One NAT per zone in prod: a NAT or zone outage must not take the other zones' egress with it.
  const natCount = c.network.natGateways === "perAz" ? layout.length : 1;
  const nats = Array.from({ length: natCount }, (_, i) => {
    const eip = new ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags(`${c.name}-nat-${layout[i].zone}`) }, opts);
    return new ec2.NatGateway(
      `${name}-nat-${i}`,
      {
        allocationId: eip.id,
        subnetId: publics[i].id,
        connectivityType: "public",
        tags: tags(`${c.name}-nat-${layout[i].zone}`),
      },
      { parent, dependsOn: [igw] },
    );
  });

  const privateRts: ec2.RouteTable[] = [];
  const privates = layout.map((l, i) => {
    const rt = new ec2.RouteTable(
      `${name}-private-${i}`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[natCount === 1 ? 0 : i].id }],
        tags: tags(`${c.name}-private-${l.zone}`),
      },
      opts,
    );
    privateRts.push(rt);
    const subnet = new ec2.Subnet(
      `${name}-private-${i}`,
      {
        vpcId: vpc.id,
        cidrBlock: l.privateCidr,
        availabilityZone: l.zone,
        mapPublicIpOnLaunch: false,
        tags: tags(`${c.name}-private-${l.zone}`, { "kubernetes.io/role/internal-elb": "1", "kubestead.io/tier": "private" }),
      },
      opts,
    );
    new ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: rt.id }, opts);
    return subnet;
  });

  // S3 gateway endpoint: etcd backups and node downloads from S3 stay off the (metered) NAT.
  new ec2.VpcEndpoint(
    `${name}-s3`,
    {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${c.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: privateRts.map((rt) => rt.id),
      tags: tags(`${c.name}-s3`),
    },
    opts,
  );

  return {
    vpcId: vpc.id,
    privateSubnetIds: privates.map((s) => s.id),
    publicSubnetIds: publics.map((s) => s.id),
    privateSubnetCidrs: privates.map((s) => s.cidrBlock),
  };
}

/**
 * VPC flow logs of every interface in the VPC: to a CloudWatch log group encrypted with a key of
 * its own and kept for the configured days (delivered through a role only the flow logs service
 * of this account can assume), or to a private log bucket (cheaper per GB, queried with Athena).
 */
function createFlowLogs(parent: pulumi.Resource, name: string, c: ClusterConfig, vpcId: pulumi.Input<string>, args: NetworkArgs) {
  const f = c.network.flowLogs;
  const tags = roleTags(c, "network", `${c.name}-flow-logs`);
  const flow = { vpcId, trafficType: f.trafficType, tags };
  const retained = { parent, protect: c.protect, retainOnDelete: c.protect };
  switch (f.destination) {
    case "cloudwatch": {
      const key = new kms.Key(
        `${name}-flow-logs`,
        {
          description: `kubestead ${c.name}: VPC flow logs`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: pulumi
            .all([args.partition, args.accountId])
            .apply(([partition, accountId]) => JSON.stringify(flowLogKeyPolicy(partition, accountId, c.region, c.name))),
          tags,
        },
        retained,
      );
      const group = new cloudwatch.LogGroup(
        `${name}-flow-logs`,
        { namePrefix: flowLogGroupPrefix(c.name), retentionInDays: f.retentionDays, kmsKeyId: key.arn, tags },
        retained,
      );
      const role = new iam.Role(
        `${name}-flow-logs`,
        {
          assumeRolePolicy: pulumi
            .all([args.partition, args.accountId])
            .apply(([partition, accountId]) => JSON.stringify(flowLogAssumeRolePolicy(partition, accountId, c.region))),
          tags,
        },
        { parent },
      );
      const delivery = new iam.RolePolicy(
        `${name}-flow-logs`,
        { role: role.name, policy: group.arn.apply((arn) => JSON.stringify(flowLogDeliveryPolicy(arn))) },
        { parent },
      );
      // The flow log checks the role when it is created: wait for its policy.
      new ec2.FlowLog(
        `${name}-flow-logs`,
        { ...flow, logDestinationType: "cloud-watch-logs", logDestination: group.arn, iamRoleArn: role.arn },
        { parent, dependsOn: [delivery] },
      );
      return;
    }
    case "s3": {
      const bucket = new LogBucket(
        `${name}-flow-logs`,
        {
          config: c,
          ownerRole: "network",
          purpose: "flow-logs",
          retentionDays: f.retentionDays,
          writer: pulumi
            .all([args.partition, args.accountId])
            .apply(([partition, accountId]) => ({ kind: "vpc-flow-logs" as const, partition, accountId, region: c.region })),
        },
        { parent },
      );
      new ec2.FlowLog(
        `${name}-flow-logs`,
        { ...flow, logDestinationType: "s3", logDestination: bucket.bucketArn },
        { parent, dependsOn: [bucket] },
      );
      return;
    }
    default: {
      const never: never = f.destination;
      throw new Error(`unknown flow log destination ${String(never)}`);
    }
  }
}
