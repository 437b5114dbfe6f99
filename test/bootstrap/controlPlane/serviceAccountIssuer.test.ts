/** The apiserver's service-account flags when tokens move to the public issuer (lib/oidc.ts). */
import { renderApiServerManifest } from "../../../bootstrap/controlPlane/apiserver";
import { controlPlaneFiles } from "../../../bootstrap/controlPlane/files";
import { renderFlags } from "../../../bootstrap/controlPlane/staticPod";
import { controlPlaneSpecProblems } from "../../../bootstrap/controlPlane/validate";
import { commandOf, spec } from "./fixture";

const PUBLIC = "https://prod-oidc-123456789012-eu-west-1.s3.eu-west-1.amazonaws.com";
const IN_CLUSTER = "https://kubernetes.default.svc.cluster.local";
const issuerSpec = {
  serviceAccountIssuer: PUBLIC,
  acceptedServiceAccountIssuers: [IN_CLUSTER],
  serviceAccountJwksUri: `${PUBLIC}/openid/v1/jwks`,
  apiAudiences: [IN_CLUSTER],
};

test("the public issuer signs, the in-cluster one is still accepted, in that order; JWKS URI and API audience explicit", () => {
  const s = spec(issuerSpec);
  const cmd = commandOf(renderApiServerManifest({ ...s, extraArgs: undefined }));
  expect(cmd.filter((a) => a.startsWith("--service-account-issuer="))).toEqual([
    `--service-account-issuer=${PUBLIC}`,
    `--service-account-issuer=${IN_CLUSTER}`,
  ]);
  // Adjacent, right where the sorted flag list puts them.
  const i = cmd.indexOf(`--service-account-issuer=${PUBLIC}`);
  expect(cmd[i + 1]).toBe(`--service-account-issuer=${IN_CLUSTER}`);
  expect(cmd).toContain(`--service-account-jwks-uri=${PUBLIC}/openid/v1/jwks`);
  expect(cmd).toContain(`--api-audiences=${IN_CLUSTER}`);
  // The rendered files still pass the self-containment check (no flag path left unmounted).
  expect(() => controlPlaneFiles(s)).not.toThrow();
});

test("without them, the flags are what they were (one issuer, no JWKS URI, default audience)", () => {
  const cmd = commandOf(renderApiServerManifest({ ...spec(), extraArgs: undefined }));
  expect(cmd.filter((a) => a.startsWith("--service-account-issuer="))).toEqual([`--service-account-issuer=${IN_CLUSTER}`]);
  expect(cmd.some((a) => a.startsWith("--service-account-jwks-uri") || a.startsWith("--api-audiences"))).toBe(false);
});

test("a list flag renders once per value; extraArgs replaces the whole list", () => {
  expect(renderFlags({ b: "1", a: ["x", "y"] })).toEqual(["--a=x", "--a=y", "--b=1"]);
  expect(renderFlags({ a: ["x", "y"] }, { a: "z" })).toEqual(["--a=z"]);
});

test.each([
  [{ acceptedServiceAccountIssuers: ["kubernetes"] }, "controlPlane.acceptedServiceAccountIssuers[0]"],
  [{ acceptedServiceAccountIssuers: [PUBLIC] }, "controlPlane.acceptedServiceAccountIssuers[0]"],
  [{ serviceAccountJwksUri: "http://example.com/jwks" }, "controlPlane.serviceAccountJwksUri"],
  [{ apiAudiences: [] }, "controlPlane.apiAudiences"],
])("refuses %j", (over, key) => {
  expect(controlPlaneSpecProblems(spec({ ...issuerSpec, ...over })).map((p) => p.key)).toEqual([key]);
});
