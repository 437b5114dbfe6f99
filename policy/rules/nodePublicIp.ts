/**
 * Control-plane and etcd nodes sit in private subnets and are reached through the NLB or the VPC.
 * The launch template must say associatePublicIpAddress "false" explicitly: left unset, the
 * subnet's mapPublicIpOnLaunch decides, and one misplaced subnet would expose etcd.
 */
import { T } from "./graph";
import { asBool, asList, asRecord, isUnknown } from "./unknown";

export const PRIVATE_ROLES: ReadonlySet<string> = new Set(["etcd", "controlplane"]);

export function publicIpProblems(type: string, role: string, props: Record<string, unknown>): string[] {
  if (type === T.launchTemplate) {
    const nis = props.networkInterfaces;
    if (isUnknown(nis)) return [];
    const list = asList(nis).map(asRecord);
    if (list.length === 0) {
      return [
        `${role} launch template has no networkInterfaces; add one with associatePublicIpAddress "false" so the subnet default cannot assign a public IP.`,
      ];
    }
    return list.flatMap((ni, i) => {
      const v = ni?.associatePublicIpAddress;
      if (isUnknown(v) || asBool(v) === false) return [];
      return [
        `${role} launch template networkInterfaces[${i}].associatePublicIpAddress is ${JSON.stringify(v ?? "unset")}; set it to "false".`,
      ];
    });
  }
  if (type === T.instance) {
    const v = props.associatePublicIpAddress;
    if (isUnknown(v) || asBool(v) === false) return [];
    return [`${role} instance associatePublicIpAddress is ${JSON.stringify(v ?? "unset")}; set it to false.`];
  }
  return [];
}
