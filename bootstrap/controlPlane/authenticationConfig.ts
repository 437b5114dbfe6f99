/**
 * The apiserver's AuthenticationConfiguration: anonymous requests are allowed ONLY on the health
 * endpoints.
 *
 * Why not --anonymous-auth=false (CIS 1.2.1)? The kubelet's liveness/readiness/startup probes and the
 * NLB's health check cannot present credentials, so with anonymous auth off entirely every probe
 * gets 401 and the kubelet restarts a healthy apiserver. kubeadm keeps --anonymous-auth=true for
 * that reason, which lets system:anonymous reach every path RBAC grants it. KEP-4633 (beta 1.32,
 * GA 1.34) lets the anonymous authenticator run only for listed paths: any other unauthenticated
 * request is rejected with 401 before authorization, even if someone binds system:anonymous to a
 * role. That is the intent of CIS 1.2.1; its v1.12 audit text still greps for the flag, so 1.2.1 is
 * a documented exception (lib/cis/exceptions.ts) verified against this file.
 *
 * The flag and the config's `anonymous` field are mutually exclusive: the apiserver refuses to start
 * with both (k8s.io/kubernetes pkg/kubeapiserver/options/authentication.go), so apiserver.ts never
 * sets --anonymous-auth and refuses it in extraArgs.
 *
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#anonymous-authenticator-configuration
 */
import { stringify } from "yaml";
import type { OidcConfig } from "../../lib/config/types";

/** Paths an unauthenticated client may call: the probes and the load balancer's health check. */
export const ANONYMOUS_PATHS = ["/healthz", "/livez", "/readyz"];

/**
 * apiserver.config.k8s.io/v1 has AuthenticationConfiguration from 1.34 (structured authentication
 * GA); 1.32 and 1.33 serve it as v1beta1 with the anonymous field behind a beta (on) feature gate.
 */
export function authenticationConfigApiVersion(kubernetesVersion: string): string {
  const minor = kubernetesMinor(kubernetesVersion);
  if (minor < 32) {
    throw new Error(
      `kubernetesVersion ${kubernetesVersion} is below 1.32: anonymous auth limited to health paths (AuthenticationConfiguration.anonymous) needs 1.32+; set kubestead:kubernetes.version to 1.32 or newer`,
    );
  }
  return minor >= 34 ? "apiserver.config.k8s.io/v1" : "apiserver.config.k8s.io/v1beta1";
}

export function kubernetesMinor(version: string): number {
  const m = /^1\.(\d+)\.\d+$/.exec(version);
  if (!m) {
    throw new Error(
      `kubernetesVersion must be a release like 1.34.2 without the leading v (got ${JSON.stringify(version)}): set kubestead:kubernetes.version`,
    );
  }
  return Number(m[1]);
}

/**
 * One `jwt` authenticator for human access through an OpenID Connect issuer: the apiserver fetches
 * the issuer's discovery document and keys over HTTPS (the control-plane nodes need egress to it),
 * accepts ID tokens whose `aud` is the client ID, and maps the claims to a username and groups,
 * each with a prefix so no token can name a built-in identity (system:masters, system:nodes, …).
 * RBAC then grants the prefixed groups what they need; a user removed at the IdP loses access when
 * their token expires, which is what makes this the revocable path for people.
 * https://kubernetes.io/docs/reference/access-authn-authz/authentication/#using-authentication-configuration
 */
export function jwtAuthenticator(o: OidcConfig): object {
  // The apiserver requires a prefix whenever a claim is set ("" = none), so both are always written.
  const claimMappings: Record<string, object> = { username: { claim: o.usernameClaim, prefix: o.usernamePrefix } };
  if (o.groupsClaim !== undefined) claimMappings.groups = { claim: o.groupsClaim, prefix: o.groupsPrefix };
  return { issuer: { url: o.issuerUrl, audiences: [o.clientId] }, claimMappings };
}

export function authenticationConfig(kubernetesVersion: string, oidc?: OidcConfig): object {
  return {
    apiVersion: authenticationConfigApiVersion(kubernetesVersion),
    kind: "AuthenticationConfiguration",
    // Without an issuer, users authenticate with client certificates (the exported kubeconfig,
    // admin.conf, the break-glass super-admin.conf) or service-account tokens.
    jwt: oidc ? [jwtAuthenticator(oidc)] : [],
    anonymous: { enabled: true, conditions: ANONYMOUS_PATHS.map((path) => ({ path })) },
  };
}

export function renderAuthenticationConfig(kubernetesVersion: string, oidc?: OidcConfig): string {
  return stringify(authenticationConfig(kubernetesVersion, oidc), { lineWidth: 0 });
}
