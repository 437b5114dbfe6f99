/** The offline AWS emulation of what the service-account issuer creates: OIDC providers and named buckets. */
import { ACCOUNT_ID, AwsEmulator } from "../../../tools/offline/aws";

const aws = () => new AwsEmulator("us-east-1", ["us-east-1a", "us-east-1b", "us-east-1c"]);
const PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";

describe("IAM OIDC provider", () => {
  test("named by its URL without the scheme, as IAM names it; a thumbprint recorded when none is given", () => {
    const r = aws().newResource(PROVIDER, "p", { url: "https://b.s3.us-east-1.amazonaws.com", clientIdLists: ["sts.amazonaws.com"] });
    expect(r.id).toBe(`arn:aws:iam::${ACCOUNT_ID}:oidc-provider/b.s3.us-east-1.amazonaws.com`);
    expect(r.state.arn).toBe(r.id);
    expect(r.state.thumbprintLists).toEqual([expect.stringMatching(/^[0-9a-f]{40}$/)]);
    // Deterministic: the same program plans the same ARN.
    expect(aws().newResource(PROVIDER, "p", { url: "https://b.s3.us-east-1.amazonaws.com", clientIdLists: ["x"] }).id).toBe(r.id);
  });
  test.each([
    [{ url: "http://b.example", clientIdLists: ["sts.amazonaws.com"] }, /must be an https URL/],
    [{ url: "https://b.example", clientIdLists: [] }, /at least one audience/],
  ])("refuses %j as IAM does", (inputs, message) => {
    expect(() => aws().newResource(PROVIDER, "p", inputs)).toThrow(message);
  });
});

describe("S3 bucket names given explicitly", () => {
  test("a valid name is the bucket's id and ARN", () => {
    const r = aws().newResource("aws:s3/bucket:Bucket", "b", { bucket: "kubestead-prod-oidc-123456789012-us-east-1" });
    expect(r.id).toBe("kubestead-prod-oidc-123456789012-us-east-1");
    expect(r.state.arn).toBe("arn:aws:s3:::kubestead-prod-oidc-123456789012-us-east-1");
  });
  test.each([["x".repeat(64)], ["Upper-Case"], ["xn--bucket"], ["a..b"], ["ab"]])("refuses %s", (bucket) => {
    expect(() => aws().newResource("aws:s3/bucket:Bucket", "b", { bucket })).toThrow(/S3's naming rules/);
  });
});
