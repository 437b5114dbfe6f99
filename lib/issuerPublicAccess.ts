/**
 * Whether the account's S3 Block Public Access lets the service-account issuer bucket serve its
 * two documents to anyone (components/serviceAccountIssuer.ts). STS fetches the discovery document
 * and the JWKS anonymously; an account-level setting silently wins over the bucket's own
 * (S3 applies the most restrictive combination of account and bucket settings):
 *
 * - BlockPublicPolicy: S3 rejects PutBucketPolicy for a policy that grants public access
 *   (403 AccessDenied), so `pulumi up` fails at the bucket policy, after the bucket exists;
 * - RestrictPublicBuckets: the policy is accepted but its public statement is ignored: anonymous
 *   GETs get 403, IAM still creates the OIDC provider, and every pod's AssumeRoleWithWebIdentity
 *   fails later (InvalidIdentityToken: STS cannot retrieve the verification key).
 *
 * The two ACL settings don't matter: the bucket uses no ACLs (ownership enforced). No @pulumi
 * imports: the component reads the settings and gates on these problems.
 */
import type { Problem } from "./config/problems";

export interface AccountPublicAccessBlock {
  blockPublicAcls: boolean;
  ignorePublicAcls: boolean;
  blockPublicPolicy: boolean;
  restrictPublicBuckets: boolean;
}

/** An account without an account-level configuration: S3 applies none of the four settings. */
export const NO_ACCOUNT_BLOCK: AccountPublicAccessBlock = {
  blockPublicAcls: false,
  ignorePublicAcls: false,
  blockPublicPolicy: false,
  restrictPublicBuckets: false,
};

/**
 * Whether a failed read of the account's settings means "none configured": S3 Control answers
 * NoSuchPublicAccessBlockConfiguration (404), which the provider's data source reports as an
 * error ("couldn't find resource") rather than as four false values.
 */
export function meansNoAccountBlock(err: unknown): boolean {
  const message = err instanceof Error ? err.message : String(err);
  return /NoSuchPublicAccessBlockConfiguration|couldn't find resource|empty result/i.test(message);
}

/** The account setting a problem is reported under (there is no config key to name: the setting is the account's). */
export function accountSettingKey(accountId: string, setting: "BlockPublicPolicy" | "RestrictPublicBuckets"): string {
  return `s3control:PublicAccessBlock(account ${accountId}).${setting}`;
}

/** The issuer bucket's problems with the account's settings; empty when it can serve its documents. */
export function issuerPublicAccessProblems(accountId: string, block: AccountPublicAccessBlock): Problem[] {
  // Keep the ACL settings as they are: only the two policy settings stand in the issuer's way.
  const fix =
    `turn it off for the account, keeping the ACL settings: aws s3control put-public-access-block --account-id ${accountId} ` +
    `--public-access-block-configuration BlockPublicAcls=${block.blockPublicAcls},IgnorePublicAcls=${block.ignorePublicAcls},BlockPublicPolicy=false,RestrictPublicBuckets=false ` +
    "(the issuer bucket itself blocks ACLs and serves only its discovery document and keys), or deploy the cluster to an account that allows public bucket policies";
  const problems: Problem[] = [];
  if (block.blockPublicPolicy)
    problems.push({
      key: accountSettingKey(accountId, "BlockPublicPolicy"),
      rule: "must be off for the service-account issuer: S3 would refuse the bucket policy that lets STS read the issuer's discovery document and keys (PutBucketPolicy: 403 AccessDenied)",
      got: true,
      fix,
    });
  if (block.restrictPublicBuckets)
    problems.push({
      key: accountSettingKey(accountId, "RestrictPublicBuckets"),
      rule: "must be off for the service-account issuer: S3 would ignore the bucket's public read, STS could not fetch the issuer's keys, and every add-on's AssumeRoleWithWebIdentity would fail (InvalidIdentityToken)",
      got: true,
      fix,
    });
  return problems;
}
