/**
 * IMDS hop limit 1 on every node: a pod's packets to IMDS cross one more hop (the pod's network
 * namespace) than the node's own, so at 1 only the node and host-network pods get the instance's
 * credentials; pods that need AWS get their own role (IAM roles for service accounts).
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instance-metadata-options.html
 * Same field on launch templates and instances.
 */
import { asNumber, asRecord, isUnknown } from "./unknown";

export function hopLimitProblems(props: Record<string, unknown>): string[] {
  const mo = props.metadataOptions;
  if (isUnknown(mo)) return [];
  const opts = asRecord(mo) ?? {};
  // No metadata service, nothing to reach.
  if (opts.httpEndpoint === "disabled") return [];
  const limit = opts.httpPutResponseHopLimit;
  if (isUnknown(limit)) return [];
  if (limit === undefined || limit === null) {
    return [
      "metadataOptions.httpPutResponseHopLimit is unset (the AMI's default applies, 2 on AMIs registered for IMDSv2): set it to 1 so pods cannot reach the node's credentials.",
    ];
  }
  if (asNumber(limit) !== 1) {
    return [
      `metadataOptions.httpPutResponseHopLimit is ${JSON.stringify(limit)}: every pod on the node can reach IMDS and act as its role; set it to 1 and give pods that need AWS their own role.`,
    ];
  }
  return [];
}
