/**
 * Certificate expiry against an injected "now". tls provider certificates carry validityEndTime
 * (RFC3339) as an output; a cert inside the renewal window should already have been re-issued by
 * early_renewal_hours, so one found there means renewal is not happening.
 */
import { asNumber, isUnknown } from "./unknown";

export const DAY_MS = 86_400_000;

export interface CertView {
  name: string;
  validityEndTime: unknown;
  /** The certificate's lifetime and early renewal, hours (tls inputs, echoed in outputs); optional. */
  validityPeriodHours?: unknown;
  earlyRenewalHours?: unknown;
}

export interface ExpiryWindow {
  /** Report certificates expiring in fewer than this many days… */
  withinDays: number;
  /** …but not those expiring in fewer than this many (another policy reports them); unset = no lower bound. */
  notWithinDays?: number;
}

export function certExpiryProblem(cert: CertView, now: Date, w: ExpiryWindow): string | undefined {
  const end = cert.validityEndTime;
  if (isUnknown(end)) return undefined;
  if (typeof end !== "string" || !/^\d{4}-\d{2}-\d{2}T/.test(end) || Number.isNaN(Date.parse(end))) {
    return `certificate ${cert.name} has no RFC3339 validityEndTime (got ${JSON.stringify(end ?? null)}).`;
  }
  const days = (Date.parse(end) - now.getTime()) / DAY_MS;
  const lifetime = asNumber(cert.validityPeriodHours);
  if (lifetime !== undefined && lifetime / 24 <= w.withinDays) return shortLivedProblem(cert, end, days, w);
  if (days >= w.withinDays || days < (w.notWithinDays ?? -Infinity)) return undefined;
  if (days <= 0) return `certificate ${cert.name} expired at ${end}.`;
  return `certificate ${cert.name} expires at ${end}, in ${Math.floor(days)} day(s) (threshold ${w.withinDays}); re-issue it.`;
}

/**
 * A certificate that lives no longer than the window (the exported admin kubeconfig's, days) would
 * always sit inside it. It is judged by its own early-renewal window instead: found there, `pulumi
 * up` has not been re-issuing it. The warning policy has nothing to say ahead of that.
 */
function shortLivedProblem(cert: CertView, end: string, days: number, w: ExpiryWindow): string | undefined {
  if (w.notWithinDays !== undefined) return undefined;
  const renewHours = asNumber(cert.earlyRenewalHours) ?? 0;
  if (days * 24 >= renewHours) return undefined;
  if (days <= 0) return `certificate ${cert.name} expired at ${end}.`;
  return `certificate ${cert.name} (valid ${String(cert.validityPeriodHours)} hours) expires at ${end}, inside its ${renewHours}-hour early-renewal window: \`pulumi up\` re-issues it there; run it.`;
}
