/** The issuer bucket against the account's S3 Block Public Access: which settings stop it, and the fix. */
import { formatProblem } from "../../lib/config/problems";
import { issuerPublicAccessProblems, meansNoAccountBlock, NO_ACCOUNT_BLOCK } from "../../lib/issuerPublicAccess";

const ACCOUNT = "111122223333";
const ALL = { blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: true };

test("an account without settings, or blocking only ACLs, lets the issuer serve its documents", () => {
  expect(issuerPublicAccessProblems(ACCOUNT, NO_ACCOUNT_BLOCK)).toEqual([]);
  expect(issuerPublicAccessProblems(ACCOUNT, { ...NO_ACCOUNT_BLOCK, blockPublicAcls: true, ignorePublicAcls: true })).toEqual([]);
});

test.each([
  ["BlockPublicPolicy", { ...NO_ACCOUNT_BLOCK, blockPublicPolicy: true }],
  ["RestrictPublicBuckets", { ...NO_ACCOUNT_BLOCK, restrictPublicBuckets: true }],
])("%s alone stops it, named under the account's setting", (setting, block) => {
  const problems = issuerPublicAccessProblems(ACCOUNT, block);
  expect(problems.map((p) => p.key)).toEqual([`s3control:PublicAccessBlock(account ${ACCOUNT}).${setting}`]);
  expect(problems[0].got).toBe(true);
});

test("all four on: both policy settings, one message each, with the command that turns only them off", () => {
  expect(issuerPublicAccessProblems(ACCOUNT, ALL).map(formatProblem)).toEqual([
    `s3control:PublicAccessBlock(account ${ACCOUNT}).BlockPublicPolicy must be off for the service-account issuer: S3 would refuse the bucket policy that lets STS read the issuer's discovery document and keys (PutBucketPolicy: 403 AccessDenied) (got true): turn it off for the account, keeping the ACL settings: aws s3control put-public-access-block --account-id ${ACCOUNT} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false (the issuer bucket itself blocks ACLs and serves only its discovery document and keys), or deploy the cluster to an account that allows public bucket policies`,
    `s3control:PublicAccessBlock(account ${ACCOUNT}).RestrictPublicBuckets must be off for the service-account issuer: S3 would ignore the bucket's public read, STS could not fetch the issuer's keys, and every add-on's AssumeRoleWithWebIdentity would fail (InvalidIdentityToken) (got true): turn it off for the account, keeping the ACL settings: aws s3control put-public-access-block --account-id ${ACCOUNT} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false (the issuer bucket itself blocks ACLs and serves only its discovery document and keys), or deploy the cluster to an account that allows public bucket policies`,
  ]);
});

test("the data source's not-found error means no account settings; any other error does not", () => {
  expect(
    meansNoAccountBlock(
      new Error(
        "reading S3 Account Public Access Block (111122223333): couldn't find resource: NoSuchPublicAccessBlockConfiguration: The public access block configuration was not found",
      ),
    ),
  ).toBe(true);
  expect(
    meansNoAccountBlock(new Error("operation error S3 Control: GetPublicAccessBlock, https response error StatusCode: 403, AccessDenied")),
  ).toBe(false);
});
