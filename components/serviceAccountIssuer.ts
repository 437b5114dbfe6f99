import * as iam from "@pulumi/aws/iam";
import * as s3 from "@pulumi/aws/s3";
import * as pulumi from "@pulumi/pulumi";
import type { PodRoleSpec } from "../bootstrap/addons/podRoles";
import { ClusterConfig } from "../lib/config/types";
import {
  DISCOVERY_KEY,
  issuerBucketName,
  issuerDocuments,
  issuerUrl,
  JWKS_KEY,
  podRoleName,
  STS_AUDIENCE,
  webIdentityTrustPolicy,
} from "../lib/oidc";
import { roleTags } from "../lib/tags";
import { formatProblem, Problem } from "../lib/config/problems";
import { AccountPublicAccessBlock, issuerPublicAccessProblems, meansNoAccountBlock, NO_ACCOUNT_BLOCK } from "../lib/issuerPublicAccess";

export interface ServiceAccountIssuerArgs {
  config: ClusterConfig;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  /** The partition's DNS suffix (amazonaws.com, amazonaws.com.cn): the issuer URL's domain. */
  dnsSuffix: pulumi.Input<string>;
  /** The cluster's service-account public key (PEM): its JWK is what STS verifies tokens with. */
  serviceAccountPublicKeyPem: pulumi.Input<string>;
  /** One IAM role per add-on that calls AWS (bootstrap/addons/podRoles.ts). */
  podRoles: PodRoleSpec[];
  /** The cluster key: the EBS CSI driver's volumes are encrypted with it. */
  clusterKeyArn: pulumi.Input<string>;
}

/**
 * The cluster's public service-account issuer (IAM roles for service accounts on a self-managed
 * cluster, as kops' serviceAccountIssuerDiscovery): an S3 bucket serving the apiserver's OpenID
 * discovery document and JWKS to anyone, an IAM OIDC provider trusting that issuer for STS, and
 * one role per add-on, each assumable by exactly one service account's tokens.
 *
 * Public on purpose: STS fetches the JWKS anonymously. The two objects hold the issuer URL and a
 * public key, nothing else; the bucket serves nothing else (the policy names the two keys) and
 * only over TLS.
 *
 * The bucket name (so the issuer URL) is derived from cluster, account and region
 * (lib/oidc.ts issuerBucketName): it must not change while the cluster lives, since every token
 * and every role's trust names it. Renaming the cluster gives a new bucket, issuer, provider and
 * roles (a replacement of all of them): tokens already projected into pods carry the old issuer,
 * so those pods' AWS calls fail until the kubelet renews their tokens (within a day) or they
 * restart — like every other rename in this project, treat it as a new cluster.
 */
export class ServiceAccountIssuer extends pulumi.ComponentResource {
  /** https://<bucket>.s3.<region>.<dnsSuffix>: --service-account-issuer. */
  public readonly issuerUrl: pulumi.Output<string>;
  public readonly bucketName: pulumi.Output<string>;
  public readonly providerArn: pulumi.Output<string>;
  /** Role ARN per add-on (as created; the manifests compute the same ARNs from the names). */
  public readonly roleArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: ServiceAccountIssuerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kubestead:components:ServiceAccountIssuer", name, {}, opts);
    const c = args.config;
    const parent = { parent: this };
    const tags = roleTags(c, "pod-identity", `${c.name}-service-account-issuer`);
    const bucketName = pulumi.output(args.accountId).apply((account) => issuerBucketName(c.name, account, c.region));
    const url = pulumi.all([bucketName, args.dnsSuffix]).apply(([bucket, suffix]) => issuerUrl(bucket, c.region, suffix));

    // Before any of the issuer exists: an account-level S3 Block Public Access setting would make
    // the bucket policy fail halfway through `pulumi up`, or be ignored and break every pod's AWS
    // calls at run time (lib/issuerPublicAccess.ts). Refuse now, in preview too, with the fix; the
    // bucket's name resolves only once the check has passed, so nothing of the issuer is created.
    const accessProblems = pulumi
      .output(args.accountId)
      .apply(async (account) => issuerPublicAccessProblems(account, await accountPublicAccessBlock(account, this)));
    const checkedBucketName = gate(c.stack, accessProblems, bucketName);

    // Only public documents: nothing to keep when the cluster goes.
    const bucket = new s3.Bucket(`${name}-bucket`, { bucket: checkedBucketName, forceDestroy: true, tags }, parent);
    // ACLs stay off (owner enforced) and ignored; only a bucket policy may grant public reads.
    const publicAccessBlock = new s3.BucketPublicAccessBlock(
      `${name}-public-read`,
      { bucket: bucket.id, blockPublicAcls: true, ignorePublicAcls: true, blockPublicPolicy: false, restrictPublicBuckets: false },
      parent,
    );
    new s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, parent);
    // SSE-S3, not the cluster's KMS key: anonymous readers (STS) cannot use a KMS key.
    const encryption = new s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
      parent,
    );
    const policy = new s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "PublicReadOfIssuerDocuments",
                Effect: "Allow",
                Principal: "*",
                Action: "s3:GetObject",
                Resource: [`${arn}/${DISCOVERY_KEY}`, `${arn}/${JWKS_KEY}`],
              },
              {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
            ],
          }),
        ),
      },
      // S3 refuses a public policy while the public access block still blocks it.
      { parent: this, dependsOn: [publicAccessBlock] },
    );

    const docs = pulumi.all([url, args.serviceAccountPublicKeyPem]).apply(([u, pem]) => issuerDocuments(u, [pem]));
    const put = (id: string, key: string, content: pulumi.Output<string>) =>
      new s3.BucketObjectv2(
        `${name}-${id}`,
        {
          bucket: bucket.id,
          key,
          content,
          contentType: "application/json",
          // STS caches keys itself; a short max-age lets a key rotation reach other readers quickly.
          cacheControl: "max-age=300",
          metadata: { role: "service-account-issuer" },
          tags,
        },
        { parent: this, dependsOn: [encryption] },
      );
    const objects = [put("discovery", DISCOVERY_KEY, docs.discovery), put("jwks", JWKS_KEY, docs.jwks)];

    // No thumbprint: for an issuer whose keys are served from S3, IAM verifies TLS against its own
    // trusted CAs (the v7 provider makes thumbprintLists optional).
    const provider = new iam.OpenIdConnectProvider(
      `${name}-provider`,
      { url, clientIdLists: [STS_AUDIENCE], tags },
      // IAM reaches the issuer when the provider is created: its documents are readable first.
      { parent: this, dependsOn: [policy, ...objects] },
    );

    this.roleArns = {};
    for (const r of args.podRoles) {
      const role = new iam.Role(
        `${name}-${r.addon}`,
        {
          name: podRoleName(c.name, c.region, r.addon),
          description: `kubestead ${c.name}: pods of ${r.serviceAccount.namespace}/${r.serviceAccount.name}`,
          assumeRolePolicy: pulumi
            .all([provider.arn, url])
            .apply(([providerArn, u]) => JSON.stringify(webIdentityTrustPolicy(providerArn, u, r.serviceAccount))),
          tags: { ...tags, Name: `${c.name}-${r.addon}`, "kubestead.io/addon": r.addon },
        },
        parent,
      );
      const policy = r.policy;
      const document =
        typeof policy === "function"
          ? pulumi
              .all([args.partition, args.accountId, args.clusterKeyArn])
              .apply(([partition, accountId, clusterKeyArn]) => JSON.stringify(policy({ partition, accountId, clusterKeyArn })))
          : JSON.stringify(policy);
      new iam.RolePolicy(`${name}-${r.addon}`, { role: role.name, policy: document }, parent);
      this.roleArns[r.addon] = role.arn;
    }

    this.issuerUrl = url;
    this.bucketName = bucket.bucket;
    this.providerArn = provider.arn;
    this.registerOutputs({ issuerUrl: this.issuerUrl, providerArn: this.providerArn });
  }
}

/** The account's S3 Block Public Access settings; none configured reads as all off, as S3 applies it. */
async function accountPublicAccessBlock(accountId: string, parent: pulumi.Resource): Promise<AccountPublicAccessBlock> {
  try {
    const r = await s3.getAccountPublicAccessBlock({ accountId }, { parent });
    return {
      blockPublicAcls: r.blockPublicAcls,
      ignorePublicAcls: r.ignorePublicAcls,
      blockPublicPolicy: r.blockPublicPolicy,
      restrictPublicBuckets: r.restrictPublicBuckets,
    };
  } catch (e) {
    if (meansNoAccountBlock(e)) return NO_ACCOUNT_BLOCK;
    throw new pulumi.RunError(
      `cannot read the S3 Block Public Access settings of account ${accountId}, which decide whether the service-account issuer can be public: ${(e as Error).message} (the deploying principal needs s3:GetAccountPublicAccessBlock)`,
    );
  }
}

/**
 * `value` once `problems` is empty; with problems, one RunError naming them all (the engine prints
 * its message alone) and an Output that never resolves, so nothing that needs it is created.
 */
function gate<T>(stack: string, problems: pulumi.Output<Problem[]>, value: pulumi.Output<T>): pulumi.Output<T> {
  problems.apply((p) => {
    if (p.length > 0)
      throw new pulumi.RunError(
        `stack ${stack}: the account's S3 Block Public Access stops the public service-account issuer (${p.length} problem${p.length === 1 ? "" : "s"}):\n${p.map((x) => `  - ${formatProblem(x)}`).join("\n")}`,
      );
  });
  return pulumi
    .all([problems, value])
    .apply(([p, v]): Promise<T> => (p.length > 0 ? new Promise<T>(() => undefined) : Promise.resolve(v as T)));
}
