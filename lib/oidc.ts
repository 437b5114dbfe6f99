/**
 * The cluster's public service-account issuer, as plain data: where it lives (a deterministic S3
 * bucket), the OpenID discovery document and JWKS it serves, and the IAM names and trust policies
 * of the roles pods assume with its tokens (IAM roles for service accounts on a self-managed
 * cluster, as kops' serviceAccountIssuerDiscovery does). Pure: no Pulumi, no network.
 *
 * https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#service-account-issuer-discovery
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_create_oidc.html
 */
import { createHash, createPublicKey, KeyObject } from "node:crypto";

/** The audience STS expects in a web identity token, and the OIDC provider's only client ID. */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** Object keys in the issuer bucket; URL paths below the issuer. As kube-apiserver serves them. */
export const DISCOVERY_KEY = ".well-known/openid-configuration";
export const JWKS_KEY = "openid/v1/jwks";

const CLUSTER = /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const sha256 = (s: string | Buffer): Buffer => createHash("sha256").update(s).digest();

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/**
 * The issuer bucket's name: `<cluster>-oidc-<account>-<region>`, or `<cluster>-oidc-<hash of
 * account and region>` when that exceeds S3's 63 characters (cluster names go up to 32). Derived,
 * never autonamed: the issuer URL is in every token and in every role's trust policy, so it must
 * not change for the cluster's life. Account and region make it unique across S3's global
 * namespace for clusters of the same name.
 */
export function issuerBucketName(cluster: string, accountId: string, region: string): string {
  check(CLUSTER.test(cluster), `cluster name must be a lowercase DNS label of at most 32 characters (got ${JSON.stringify(cluster)})`);
  check(ACCOUNT.test(accountId), `account ID must be 12 digits (got ${JSON.stringify(accountId)})`);
  check(REGION.test(region), `region must be an AWS region like eu-west-1 (got ${JSON.stringify(region)})`);
  // S3 reserves these prefixes; the cluster name starts the bucket name.
  check(
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(cluster),
    `cluster name ${JSON.stringify(cluster)} starts with a prefix S3 reserves (xn--, sthree-, amzn-s3-demo-): rename the cluster`,
  );
  const descriptive = `${cluster}-oidc-${accountId}-${region}`;
  if (descriptive.length <= 63) return descriptive;
  const head = `${cluster}-oidc-`;
  return (
    head +
    sha256(`${accountId}/${region}`)
      .toString("hex")
      .slice(0, 63 - head.length)
  );
}

/** The issuer URL: the bucket's virtual-hosted, regional HTTPS endpoint (no path, no trailing slash). */
export function issuerUrl(bucket: string, region: string, dnsSuffix = "amazonaws.com"): string {
  return `https://${bucket}.s3.${region}.${dnsSuffix}`;
}

/** Host (and path) of an issuer URL: the prefix of IAM's condition keys `<host>:sub` / `<host>:aud`. */
export function issuerHost(issuer: string): string {
  return issuer.replace(/^https:\/\//, "").replace(/\/+$/, "");
}

/** Where the JWKS is published; the discovery document's `jwks_uri` and --service-account-jwks-uri. */
export function jwksUri(issuer: string): string {
  return `${issuer.replace(/\/+$/, "")}/${JWKS_KEY}`;
}

/** The ARN IAM gives the OIDC provider of this issuer. */
export function oidcProviderArn(partition: string, accountId: string, issuer: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHost(issuer)}`;
}

/** One JSON Web Key as kube-apiserver publishes it (go-jose's member order). */
export interface Jwk {
  use: "sig";
  kty: string;
  kid: string;
  crv?: string;
  alg: string;
  x?: string;
  y?: string;
  n?: string;
  e?: string;
}

function publicKey(pem: string): KeyObject {
  // Never derive a public key from private material here: what this publishes is public.
  check(!/PRIVATE KEY-----/.test(pem), "the JWKS is built from public keys only: pass the service-account key's public_key_pem");
  return createPublicKey(pem);
}

/**
 * The `kid` kube-apiserver puts in every token header and in its JWKS: base64url (unpadded) of the
 * SHA-256 of the public key's PKIX (SubjectPublicKeyInfo) DER encoding.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/serviceaccount/jwt.go (keyIDFromPublicKey)
 */
export function keyId(publicKeyPem: string): string {
  return sha256(publicKey(publicKeyPem).export({ type: "spki", format: "der" })).toString("base64url");
}

const EC_ALGS: Record<string, string> = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };

/** The JWK of one service-account public key (ECDSA P-256/384/521 or RSA, the kinds the apiserver signs with). */
export function jwkOf(publicKeyPem: string): Jwk {
  const key = publicKey(publicKeyPem);
  const kid = keyId(publicKeyPem);
  const j = key.export({ format: "jwk" });
  if (key.asymmetricKeyType === "ec") {
    const alg = EC_ALGS[String(j.crv)];
    check(alg !== undefined, `unsupported EC curve ${String(j.crv)}: kube-apiserver signs with P-256, P-384 or P-521`);
    return { use: "sig", kty: "EC", kid, crv: j.crv, alg, x: j.x, y: j.y };
  }
  check(key.asymmetricKeyType === "rsa", `unsupported key type ${String(key.asymmetricKeyType)}: kube-apiserver signs with ECDSA or RSA`);
  return { use: "sig", kty: "RSA", kid, alg: "RS256", n: j.n, e: j.e };
}

/** The JWKS, one key per public key (during a key rotation: the new key and the old one). */
export function jwks(publicKeyPems: string[]): { keys: Jwk[] } {
  check(publicKeyPems.length > 0, "the JWKS needs at least one public key");
  return { keys: publicKeyPems.map(jwkOf) };
}

export interface DiscoveryDocument {
  issuer: string;
  jwks_uri: string;
  response_types_supported: string[];
  subject_types_supported: string[];
  id_token_signing_alg_values_supported: string[];
}

/** The OpenID discovery document, field for field what kube-apiserver serves (openidmetadata.go). */
export function discoveryDocument(issuer: string, keys: { keys: Jwk[] }): DiscoveryDocument {
  check(
    /^https:\/\/[^/?#\s]+$/.test(issuer),
    `issuer must be an https URL without path, query or fragment (got ${JSON.stringify(issuer)})`,
  );
  return {
    issuer,
    jwks_uri: jwksUri(issuer),
    response_types_supported: ["id_token"],
    subject_types_supported: ["public"],
    id_token_signing_alg_values_supported: [...new Set(keys.keys.map((k) => k.alg))].sort(),
  };
}

/** The two published files, byte-stable (compact JSON, as the apiserver marshals them). */
export function issuerDocuments(issuer: string, publicKeyPems: string[]): { discovery: string; jwks: string } {
  const keys = jwks(publicKeyPems);
  return { discovery: JSON.stringify(discoveryDocument(issuer, keys)), jwks: JSON.stringify(keys) };
}

/** A service account whose pods assume a role. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** The `sub` claim of a service account's tokens. */
export function serviceAccountSubject(sa: ServiceAccountRef): string {
  return `system:serviceaccount:${sa.namespace}:${sa.name}`;
}

/**
 * A pod role's IAM name: `<cluster>-<region>-<addon>`, or `<cluster>-<hash of region>-<addon>`
 * beyond IAM's 64 characters. Derived, so its ARN is known before the role exists (the add-on
 * manifests carry it); the region in it keeps two clusters of one name in one account (IAM names
 * are account-wide) apart.
 */
export function podRoleName(cluster: string, region: string, addon: string): string {
  check(CLUSTER.test(cluster), `cluster name must be a lowercase DNS label of at most 32 characters (got ${JSON.stringify(cluster)})`);
  check(REGION.test(region), `region must be an AWS region like eu-west-1 (got ${JSON.stringify(region)})`);
  check(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(addon), `add-on name must be a DNS label (got ${JSON.stringify(addon)})`);
  const descriptive = `${cluster}-${region}-${addon}`;
  if (descriptive.length <= 64) return descriptive;
  const short = `${cluster}-${sha256(region).toString("hex").slice(0, 8)}-${addon}`;
  check(short.length <= 64, `pod role name ${short} exceeds IAM's 64 characters: shorten the add-on name`);
  return short;
}

export function roleArn(partition: string, accountId: string, name: string): string {
  return `arn:${partition}:iam::${accountId}:role/${name}`;
}

/**
 * Trust policy of a pod role: only the cluster's OIDC provider, only tokens for STS, only the one
 * service account. StringEquals, never StringLike: a wildcard in `sub` would admit every service
 * account that matches it.
 */
export function webIdentityTrustPolicy(providerArn: string, issuer: string, sa: ServiceAccountRef): object {
  const host = issuerHost(issuer);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ServiceAccountWebIdentity",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${host}:sub`]: serviceAccountSubject(sa), [`${host}:aud`]: STS_AUDIENCE } },
      },
    ],
  };
}
