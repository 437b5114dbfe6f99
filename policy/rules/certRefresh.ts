/**
 * Renewed certificates reach nodes before the old ones expire. `pulumi up` re-issues a leaf once
 * it is inside its early-renewal window (tls earlyRenewalHours) and writes it to its SSM
 * parameter; the nodes' refresh timer (bootstrap/certRefresh.ts) installs it within the delay its
 * launch template's kubestead.io/cert-refresh-hours tag states. The window must hold several such
 * delays: one run may find SSM throttled, a certificate refused, or a restart deferred to the next.
 */
import { CERT_REFRESH_TAG } from "../../bootstrap/certRefresh";
import type { Finding } from "./finding";
import { Graph, GraphResource, T, tagsOf } from "./graph";
import { asNumber } from "./unknown";

const SSM_PARAMETER = "aws:ssm/parameter:Parameter";

/** How many refresh delays the early-renewal window must hold. */
export const CERT_REFRESH_RUNS = 4;

/**
 * The problem with one certificate that nodes refresh, or undefined. `earlyRenewalHours` unknown
 * (preview) or not a number is left to other rules.
 */
export function certRefreshWindowProblem(cert: { name: string; earlyRenewalHours: unknown }, refreshHours: number): string | undefined {
  const early = asNumber(cert.earlyRenewalHours);
  if (early === undefined) return undefined;
  const needed = CERT_REFRESH_RUNS * refreshHours;
  if (early >= needed) return undefined;
  return (
    `certificate ${cert.name} is renewed ${early} hours before it expires, but nodes pick a renewed certificate up only ` +
    `within ${refreshHours} hours (their refresh timer): renew at least ${needed} hours (${CERT_REFRESH_RUNS} refresh runs) early, ` +
    `e.g. kubestead:pki.earlyRenewalHours: 720.`
  );
}

/** Locally signed certificates some String parameter's value comes from: the ones nodes refresh. */
export function refreshedCertificates(g: Graph): GraphResource[] {
  const sources = new Set(
    g.resources
      // String: what nodes read as certificates (a SecureString rendered beside them, the
      // encryption config, depends on them without holding one).
      .filter((r) => r.type === SSM_PARAMETER && r.props.type === "String")
      .flatMap((r) => r.propertyDependencies.value ?? []),
  );
  return g.resources.filter((r) => r.type === T.locallySignedCert && sources.has(r.urn));
}

/** The longest refresh delay any launch template states; undefined when none refreshes. */
export function refreshHours(g: Graph): number | undefined {
  const hours = g.resources
    .filter((r) => r.type === T.launchTemplate)
    // A missing tag, a preview's unknown (a UUID) and any other text all read as NaN.
    .map((r) => Number(tagsOf(r.props)[CERT_REFRESH_TAG]))
    .filter((n) => Number.isFinite(n) && n > 0);
  return hours.length === 0 ? undefined : Math.max(...hours);
}

export function certRefreshWindowProblems(g: Graph): Finding[] {
  const hours = refreshHours(g);
  if (hours === undefined) return [];
  return refreshedCertificates(g).flatMap((c) => {
    const message = certRefreshWindowProblem({ name: c.name, earlyRenewalHours: c.props.earlyRenewalHours }, hours);
    return message ? [{ urn: c.urn, message }] : [];
  });
}
