/** kubestead:network — the VPC (created or adopted), subnets, NAT and flow logs. */
import { parseCidr, planSubnets } from "../cidr";
import { DEFAULTS } from "./defaults";
import { Raw, Reader } from "./reader";
import { NAMESPACE } from "./patterns";
import { ExistingNetwork, FlowLogsConfig, NetworkConfig } from "./types";

export interface NetworkRules {
  /** kubestead:environment is production: one NAT gateway per zone. */
  production: boolean;
  /** Flow logs on unless the stack turns them off (mandatory enforcement). */
  flowLogsByDefault: boolean;
}

export function readNetwork(r: Reader, n: Raw, zones: string[], rules: NetworkRules): NetworkConfig {
  r.unknownKeys(n, "network", ["vpcCidr", "natGateways", "privateSubnetPrefix", "publicSubnetPrefix", "existing", "flowLogs"]);
  const vpcCidr = r.string(n, "vpcCidr", "network", DEFAULTS.vpcCidr);
  const natGateways = r.oneOf(n, "natGateways", "network", "perAz", ["single", "perAz"] as const);
  if (rules.production && natGateways === "single" && n.existing === undefined) {
    r.problem(
      "network.natGateways",
      `must be perAz when ${NAMESPACE}:environment is production: with one NAT gateway, its zone's outage cuts every zone's egress`,
      natGateways,
      "set it to perAz, or leave it out",
    );
  }
  const privateSubnetPrefix = r.int(n, "privateSubnetPrefix", "network", 19, 16, 28);
  const publicSubnetPrefix = r.int(n, "publicSubnetPrefix", "network", 24, 16, 28);
  const vpc = parseCidr(vpcCidr);
  if (!vpc) {
    r.problem("network.vpcCidr", "must be an IPv4 CIDR with a clean network address", vpcCidr, "use a private range such as 10.0.0.0/16");
  } else if (vpc.prefix < 16 || vpc.prefix > 24) {
    r.problem("network.vpcCidr", "must have a prefix from /16 to /24 (AWS VPC limits)", vpcCidr, "use a /16 such as 10.0.0.0/16");
  } else if (zones.length > 0 && n.existing === undefined) {
    try {
      planSubnets(vpcCidr, zones, privateSubnetPrefix, publicSubnetPrefix);
    } catch {
      r.problem(
        "network.privateSubnetPrefix",
        `must leave room for ${zones.length} private /${privateSubnetPrefix} and ${zones.length} public /${publicSubnetPrefix} subnets inside ${vpcCidr}`,
        privateSubnetPrefix,
        "use a larger VPC CIDR or longer subnet prefixes",
      );
    }
  }
  let existing: ExistingNetwork | undefined;
  if (n.existing !== undefined) {
    const e = r.object(n.existing, "network.existing");
    r.unknownKeys(e, "network.existing", ["vpcId", "publicSubnetIds", "privateSubnetIds"]);
    const vpcId = r.string(e, "vpcId", "network.existing", undefined, {
      re: /^vpc-[0-9a-f]{8,17}$/,
      rule: "must be a VPC ID",
      fix: "use the vpc-… ID of the VPC to adopt",
    });
    const publicSubnetIds = r.stringList(e, "publicSubnetIds", "network.existing");
    const privateSubnetIds = r.stringList(e, "privateSubnetIds", "network.existing");
    for (const [field, ids] of [
      ["publicSubnetIds", publicSubnetIds],
      ["privateSubnetIds", privateSubnetIds],
    ] as const) {
      if (ids.length !== zones.length) {
        r.problem(
          `network.existing.${field}`,
          `must list one subnet per zone (${zones.length})`,
          ids,
          "list one subnet ID per zone, in the order of kubestead:zones",
        );
      }
      ids.forEach((id, i) => {
        if (!/^subnet-[0-9a-f]{8,17}$/.test(id))
          r.problem(`network.existing.${field}[${i}]`, "must be a subnet ID", id, "use subnet-… IDs");
      });
    }
    const seen = new Map<string, string>();
    for (const [field, ids] of [
      ["publicSubnetIds", publicSubnetIds],
      ["privateSubnetIds", privateSubnetIds],
    ] as const) {
      ids.forEach((id, i) => {
        const where = `network.existing.${field}[${i}]`;
        const before = seen.get(id);
        if (before) {
          r.problem(
            where,
            `must not repeat a subnet (${NAMESPACE}:${before} is the same)`,
            id,
            "give each zone its own public and private subnet",
          );
        } else seen.set(id, where);
      });
    }
    existing = { vpcId, publicSubnetIds, privateSubnetIds };
  }
  const flowLogs = readFlowLogs(r, r.object(n.flowLogs, "network.flowLogs"), rules.flowLogsByDefault);
  return { vpcCidr, natGateways, privateSubnetPrefix, publicSubnetPrefix, existing, flowLogs };
}

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const CLOUDWATCH_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

export function readFlowLogs(r: Reader, f: Raw, mandatory: boolean): FlowLogsConfig {
  const p = "network.flowLogs";
  r.unknownKeys(f, p, ["enabled", "destination", "retentionDays", "trafficType"]);
  const enabled = r.bool(f, "enabled", p, mandatory);
  const destination = r.oneOf(f, "destination", p, "cloudwatch", ["cloudwatch", "s3"] as const);
  const retentionDays = r.int(f, "retentionDays", p, 90, 1, 3653);
  const trafficType = r.oneOf(f, "trafficType", p, "ALL", ["ALL", "ACCEPT", "REJECT"] as const);
  if (destination === "cloudwatch" && !CLOUDWATCH_RETENTION_DAYS.includes(retentionDays)) {
    const next = CLOUDWATCH_RETENTION_DAYS.find((d) => d >= retentionDays) ?? 3653;
    r.problem(
      `${p}.retentionDays`,
      `must be a retention CloudWatch Logs accepts (${CLOUDWATCH_RETENTION_DAYS.join(", ")})`,
      retentionDays,
      `use ${next}, or set ${NAMESPACE}:${p}.destination to s3`,
    );
  }
  return { enabled, destination, retentionDays, trafficType };
}
