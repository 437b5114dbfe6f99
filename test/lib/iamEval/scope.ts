/**
 * The account the IAM evaluation tests run in: one account and region, the cluster `kc` and its
 * key, the key's default policy, and a request as the evaluator takes it.
 */
import type { IamRequest, NamedPolicy } from "../../../lib/iamEval/evaluate";

export const ACCOUNT = "111122223333";
export const REGION = "us-east-1";
export const KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/k1`;
export const SCOPE = { partition: "aws", region: REGION, accountId: ACCOUNT, cluster: "kc", kmsKeyArn: KEY };

/** The default key policy: the account's IAM policies decide the key's use on their own. */
export function accountKeyPolicy(name = "key policy"): NamedPolicy {
  return {
    name,
    document: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
    },
  };
}

/** `principal` asks for `action` on `resource` of this account, in this region. */
export function iamRequest(
  principal: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): IamRequest {
  return { principal, action, resource, resourceAccount: ACCOUNT, context: { "aws:RequestedRegion": REGION, ...context } };
}
