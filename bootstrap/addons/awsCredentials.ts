/**
 * AWS credentials for an add-on's pods by web identity (IAM roles for service accounts), written
 * into the pod spec directly rather than injected by amazon-eks-pod-identity-webhook: the same
 * volume, mount and environment the webhook adds, so the AWS SDKs' default credential chain picks
 * them up, with no webhook that would have to run before the pods it mutates.
 *
 * The kubelet projects a token for the pod's service account with audience sts.amazonaws.com and
 * refreshes it before it expires; the SDK exchanges it with STS (AssumeRoleWithWebIdentity) for
 * the role's credentials. Nodes' IMDS stays out of reach (hop limit 1): these pods never see the
 * node's role. https://github.com/aws/amazon-eks-pod-identity-webhook (pkg/handler)
 */
import { STS_AUDIENCE } from "../../lib/oidc";

export const WEB_IDENTITY_VOLUME = "aws-iam-token";
export const WEB_IDENTITY_TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
export const WEB_IDENTITY_TOKEN_FILE = `${WEB_IDENTITY_TOKEN_DIR}/token`;
/** The webhook's default token lifetime; the kubelet renews at 80 % of it. */
export const WEB_IDENTITY_TOKEN_SECONDS = 86400;

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/;

export function requireRoleArn(what: string, arn: string): void {
  if (!ROLE_ARN.test(arn ?? "")) {
    throw new Error(
      `${what} role ARN must look like arn:aws:iam::123456789012:role/<name> (got ${JSON.stringify(arn)}): pass the add-on's pod role (lib/oidc.ts podRoleName)`,
    );
  }
}

/** The projected token volume (pod spec `volumes`). */
export function webIdentityVolume(): Record<string, unknown> {
  return {
    name: WEB_IDENTITY_VOLUME,
    projected: {
      sources: [{ serviceAccountToken: { audience: STS_AUDIENCE, expirationSeconds: WEB_IDENTITY_TOKEN_SECONDS, path: "token" } }],
    },
  };
}

/** Its mount in the container that calls AWS. */
export function webIdentityMount(): Record<string, unknown> {
  return { name: WEB_IDENTITY_VOLUME, mountPath: WEB_IDENTITY_TOKEN_DIR, readOnly: true };
}

/** The environment the SDKs read: role, token file, region, and STS's regional endpoint (no us-east-1 dependency). */
export function webIdentityEnv(roleArn: string, region: string): { name: string; value: string }[] {
  return [
    { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
    { name: "AWS_DEFAULT_REGION", value: region },
    { name: "AWS_REGION", value: region },
    { name: "AWS_ROLE_ARN", value: roleArn },
    { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: WEB_IDENTITY_TOKEN_FILE },
  ];
}

/**
 * The pod security context of a pod that calls AWS as a non-root user: fsGroup makes the projected
 * web identity token readable by that user.
 */
export function webIdentityPodSecurity(uid: number): Record<string, unknown> {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}
