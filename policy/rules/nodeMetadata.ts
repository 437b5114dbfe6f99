/**
 * IMDSv2 only: session tokens stop SSRF-style reads of the node's IAM credentials
 * (https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html).
 * Same field on launch templates and instances.
 */
import { asRecord, isUnknown } from "./unknown";

export function imdsProblems(props: Record<string, unknown>): string[] {
  const mo = props.metadataOptions;
  if (isUnknown(mo)) return [];
  const opts = asRecord(mo) ?? {};
  if (isUnknown(opts.httpTokens) || opts.httpEndpoint === "disabled") return [];
  if (opts.httpTokens !== "required") {
    return [`metadataOptions.httpTokens is ${JSON.stringify(opts.httpTokens ?? "unset (optional)")}; set it to "required" (IMDSv2).`];
  }
  return [];
}
