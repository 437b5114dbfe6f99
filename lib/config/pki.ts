/** kubestead:pki — certificate lifetimes and the bootstrap token window. */
import { Raw, Reader } from "./reader";
import { PkiConfig } from "./types";

export function readPki(r: Reader, k: Raw): PkiConfig {
  const p = "pki";
  r.unknownKeys(k, p, ["caValidityHours", "leafValidityHours", "earlyRenewalHours", "bootstrapTokenMaxAgeDays", "adminValidityHours"]);
  const caValidityHours = r.int(k, "caValidityHours", p, 87600, 720, 262800);
  const leafValidityHours = r.int(k, "leafValidityHours", p, 8760, 24, 87600);
  const earlyRenewalHours = r.int(k, "earlyRenewalHours", p, 720, 0, 8760);
  // At most 90 days: a token lives up to twice this (its window, then one more as grace).
  const bootstrapTokenMaxAgeDays = r.int(k, "bootstrapTokenMaxAgeDays", p, 30, 1, 90);
  if (leafValidityHours > caValidityHours) {
    r.problem(
      `${p}.leafValidityHours`,
      `must not exceed caValidityHours (${caValidityHours})`,
      leafValidityHours,
      "shorten leaf certificates or lengthen the CAs",
    );
  }
  if (earlyRenewalHours >= leafValidityHours) {
    r.problem(
      `${p}.earlyRenewalHours`,
      `must be shorter than leafValidityHours (${leafValidityHours})`,
      earlyRenewalHours,
      "renew e.g. 720 hours (30 days) before expiry",
    );
  }
  // A week: a leaked exported kubeconfig works for days, not a year, while a team that runs
  // `pulumi up` weekly (re-issued after half the validity) never finds it expired.
  const adminValidityHours = r.int(k, "adminValidityHours", p, 168, 2, 8760);
  if (adminValidityHours > leafValidityHours) {
    r.problem(
      `${p}.adminValidityHours`,
      `must not exceed leafValidityHours (${leafValidityHours})`,
      adminValidityHours,
      "keep the exported admin credential short-lived, e.g. 168 hours (7 days)",
    );
  }
  return { caValidityHours, leafValidityHours, earlyRenewalHours, bootstrapTokenMaxAgeDays, adminValidityHours };
}
