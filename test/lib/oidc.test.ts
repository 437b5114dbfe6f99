import { createHash, createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import {
  discoveryDocument,
  issuerBucketName,
  issuerDocuments,
  issuerHost,
  issuerUrl,
  jwks,
  jwksUri,
  keyId,
  oidcProviderArn,
  podRoleName,
  roleArn,
  webIdentityTrustPolicy,
} from "../../lib/oidc";

const b64url = (b: Buffer) => b.toString("base64url");

/** A fresh P-256 key pair, as the cluster's PKI makes it (tls.PrivateKey ECDSA P256). */
function p256() {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return { publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

describe("kid", () => {
  test("matches kube-apiserver's known answer (pkg/serviceaccount/jwt_test.go ecdsaPublicKey → ecdsaKeyID)", () => {
    const upstreamTestKey = [
      "-----BEGIN PUBLIC KEY-----",
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEH6cuzP8XuD5wal6wf9M6xDljTOPL",
      "X2i8uIp/C/ASqiIGUeeKQtX0/IR3qCXyThP/dbCiHrF3v1cuhBOHY8CLVg==",
      "-----END PUBLIC KEY-----",
    ].join("\n");
    expect(keyId(upstreamTestKey)).toBe("SoABiieYuNx4UdqYvZRVeuC6SihxgLrhLy9peHMHpTc");
  });

  test("is base64url(sha256(DER SubjectPublicKeyInfo)), computed here from the raw point", () => {
    const { publicPem } = p256();
    const [key] = jwks([publicPem]).keys;
    // The SPKI of an uncompressed P-256 point is a fixed 26-byte header (id-ecPublicKey, prime256v1,
    // BIT STRING) followed by 04 || X || Y: rebuild it from the JWK's coordinates, not from the PEM.
    const header = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");
    const der = Buffer.concat([header, Buffer.from([4]), Buffer.from(key.x!, "base64url"), Buffer.from(key.y!, "base64url")]);
    expect(key.kid).toBe(b64url(createHash("sha256").update(der).digest()));
    expect(key.kid).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, unpadded
  });

  test("refuses private key material", () => {
    const { privateKey } = p256();
    expect(() => keyId(privateKey.export({ type: "pkcs8", format: "pem" }).toString())).toThrow(/public keys only/);
  });
});

describe("JWKS", () => {
  test("one ES256 signing key per public key, in kube-apiserver's member order", () => {
    const { publicPem } = p256();
    const set = jwks([publicPem]);
    expect(set.keys).toHaveLength(1);
    const [k] = set.keys;
    expect(Object.keys(k)).toEqual(["use", "kty", "kid", "crv", "alg", "x", "y"]);
    expect(k).toMatchObject({ use: "sig", kty: "EC", crv: "P-256", alg: "ES256" });
    expect(Buffer.from(k.x!, "base64url")).toHaveLength(32);
    expect(Buffer.from(k.y!, "base64url")).toHaveLength(32);
  });

  test("a token signed with the private key verifies against the published JWK (what STS does)", () => {
    const { publicPem, privateKey } = p256();
    const [k] = jwks([publicPem]).keys;
    const header = b64url(Buffer.from(JSON.stringify({ alg: "ES256", kid: k.kid })));
    const payload = b64url(
      Buffer.from(JSON.stringify({ iss: "https://x", sub: "system:serviceaccount:kube-system:a", aud: ["sts.amazonaws.com"] })),
    );
    const signature = sign("sha256", Buffer.from(`${header}.${payload}`), { key: privateKey, dsaEncoding: "ieee-p1363" });
    const fromJwk = createPublicKey({ key: { kty: k.kty, crv: k.crv, x: k.x, y: k.y }, format: "jwk" });
    expect(verify("sha256", Buffer.from(`${header}.${payload}`), { key: fromJwk, dsaEncoding: "ieee-p1363" }, signature)).toBe(true);
  });

  test("a rotation publishes both keys; RSA keys are RS256", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ type: "spki", format: "pem" }).toString();
    const set = jwks([p256().publicPem, rsa]);
    expect(set.keys.map((k) => [k.kty, k.alg])).toEqual([
      ["EC", "ES256"],
      ["RSA", "RS256"],
    ]);
    expect(discoveryDocument("https://issuer.example", set).id_token_signing_alg_values_supported).toEqual(["ES256", "RS256"]);
    expect(() => jwks([])).toThrow(/at least one public key/);
  });
});

describe("discovery document", () => {
  const issuer = "https://kubestead-prod-oidc-123456789012-us-east-1.s3.us-east-1.amazonaws.com";
  test("the fields kube-apiserver serves, pointing at the published JWKS", () => {
    const { publicPem } = p256();
    const docs = issuerDocuments(issuer, [publicPem]);
    expect(JSON.parse(docs.discovery)).toEqual({
      issuer,
      jwks_uri: `${issuer}/openid/v1/jwks`,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: ["ES256"],
    });
    expect(Object.keys(JSON.parse(docs.discovery))[0]).toBe("issuer");
    expect(JSON.parse(docs.jwks)).toEqual(jwks([publicPem]));
    // Byte-stable: the same key gives the same objects (no spurious S3 writes).
    expect(issuerDocuments(issuer, [publicPem])).toEqual(docs);
  });
  test("refuses an issuer that is not a bare https origin", () => {
    const keys = jwks([p256().publicPem]);
    for (const bad of ["http://x.example", "https://x.example/", "https://x.example?a=1"]) {
      expect(() => discoveryDocument(bad, keys)).toThrow(/https URL without path/);
    }
  });
});

describe("names", () => {
  const LONG = `kubestead-${"x".repeat(22)}`;
  test("the issuer bucket: descriptive when it fits S3's 63 characters, hashed (still deterministic) otherwise", () => {
    expect(issuerBucketName("kubestead-prod", "123456789012", "us-east-1")).toBe("kubestead-prod-oidc-123456789012-us-east-1");
    const long = issuerBucketName(LONG, "123456789012", "ap-southeast-4");
    expect(long).toHaveLength(63);
    expect(long).toMatch(new RegExp(`^${LONG}-oidc-[0-9a-f]+$`));
    expect(issuerBucketName(LONG, "123456789012", "ap-southeast-4")).toBe(long);
    expect(issuerBucketName(LONG, "123456789012", "ap-southeast-3")).not.toBe(long);
    expect(() => issuerBucketName("xn--abc", "123456789012", "us-east-1")).toThrow(/prefix S3 reserves/);
    expect(() => issuerBucketName("prod", "1234", "us-east-1")).toThrow(/12 digits/);
  });
  test("issuer URL, host, JWKS URI and provider ARN agree", () => {
    const url = issuerUrl("b", "cn-north-1", "amazonaws.com.cn");
    expect(url).toBe("https://b.s3.cn-north-1.amazonaws.com.cn");
    expect(issuerHost(url)).toBe("b.s3.cn-north-1.amazonaws.com.cn");
    expect(jwksUri(url)).toBe(`${url}/openid/v1/jwks`);
    expect(oidcProviderArn("aws-cn", "123456789012", url)).toBe(
      "arn:aws-cn:iam::123456789012:oidc-provider/b.s3.cn-north-1.amazonaws.com.cn",
    );
  });
  test("pod role names fit IAM's 64 characters and keep the region apart", () => {
    expect(podRoleName("kubestead-prod", "us-east-1", "cluster-autoscaler")).toBe("kubestead-prod-us-east-1-cluster-autoscaler");
    const long = podRoleName(LONG, "ap-southeast-4", "cluster-autoscaler");
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).not.toBe(podRoleName(LONG, "ap-southeast-3", "cluster-autoscaler"));
    expect(roleArn("aws", "123456789012", long)).toBe(`arn:aws:iam::123456789012:role/${long}`);
  });
});

test("trust policy: only the provider, only STS, only one service account, StringEquals", () => {
  const url = "https://b.s3.us-east-1.amazonaws.com";
  const arn = oidcProviderArn("aws", "123456789012", url);
  expect(webIdentityTrustPolicy(arn, url, { namespace: "kube-system", name: "cluster-autoscaler" })).toEqual({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ServiceAccountWebIdentity",
        Effect: "Allow",
        Principal: { Federated: arn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            "b.s3.us-east-1.amazonaws.com:sub": "system:serviceaccount:kube-system:cluster-autoscaler",
            "b.s3.us-east-1.amazonaws.com:aud": "sts.amazonaws.com",
          },
        },
      },
    ],
  });
});
