/**
 * The service-account issuer against the account's S3 Block Public Access, planned: the program
 * reads the account's settings before any of the issuer exists and refuses, with the fix, an
 * account whose settings would reject or silently ignore the bucket's public read. Each run in a
 * process of its own (test/helpers/runPlanChild.ts).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ACCOUNT_ID } from "../../tools/offline/aws";
import { ROOT } from "../helpers/plannedStack";

const ISSUER_BUCKET = `kubestead-dev-oidc-${ACCOUNT_ID}-us-east-1`;

function plan(accountPublicAccessBlock: unknown): { status: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubestead-bpa-"));
  const spec = path.join(dir, "spec.json");
  fs.writeFileSync(spec, JSON.stringify({ stack: "dev", accountPublicAccessBlock }));
  const r = spawnSync(process.execPath, ["--import", "tsx", "test/helpers/runPlanChild.ts", spec], { cwd: ROOT, encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, out: r.stdout.trim() };
}

test("an account without account-level settings (the data source's not-found error) plans the public issuer", () => {
  const r = plan("none");
  expect(r.out.split("\n")).toContain(`bucket ${ISSUER_BUCKET}`);
  expect(r.status).toBe(0);
}, 120_000);

test("BlockPublicPolicy on the account: refused before the issuer bucket exists, with the fix", () => {
  const r = plan({ blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: true, restrictPublicBuckets: false });
  expect(r.status).toBe(2);
  expect(r.out).toBe(
    [
      "stack dev: the account's S3 Block Public Access stops the public service-account issuer (1 problem):",
      `  - s3control:PublicAccessBlock(account ${ACCOUNT_ID}).BlockPublicPolicy must be off for the service-account issuer: S3 would refuse the bucket policy that lets STS read the issuer's discovery document and keys (PutBucketPolicy: 403 AccessDenied) (got true): turn it off for the account, keeping the ACL settings: aws s3control put-public-access-block --account-id ${ACCOUNT_ID} --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=false,RestrictPublicBuckets=false (the issuer bucket itself blocks ACLs and serves only its discovery document and keys), or deploy the cluster to an account that allows public bucket policies`,
    ].join("\n"),
  );
}, 120_000);

test("RestrictPublicBuckets on the account, which would let the policy apply and be ignored: refused too", () => {
  const r = plan({ blockPublicAcls: false, ignorePublicAcls: false, blockPublicPolicy: false, restrictPublicBuckets: true });
  expect(r.status).toBe(2);
  expect(r.out).toMatch(
    /^stack dev: the account's S3 Block Public Access stops the public service-account issuer \(1 problem\):\n {2}- s3control:PublicAccessBlock\(account \d+\)\.RestrictPublicBuckets must be off/,
  );
  expect(r.out).toContain("BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false");
}, 120_000);
