/**
 * Certificate expiry against an injected "now". tls provider certificates carry validityEndTime
 * (RFC3339) as an output; a cert inside the renewal window should already have been re-issued by
 * early_renewal_hours, so one found there means renewal is not happening.
 */
import { isUnknown } from "./unknown";

export const DAY_MS = 86_400_000;

export interface CertView {
  name: string;
  validityEndTime: unknown;
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
  if (days >= w.withinDays || days < (w.notWithinDays ?? -Infinity)) return undefined;
  if (days <= 0) return `certificate ${cert.name} expired at ${end}.`;
  return `certificate ${cert.name} expires at ${end}, in ${Math.floor(days)} day(s) (threshold ${w.withinDays}); re-issue it.`;
}
