/**
 * The kubelet bootstrap token: whoever holds it can ask for a node client certificate, so the
 * random resources it is made of keep their `result` secret (state, plan JSON, policy reports) and
 * carry the token's expiry as a keeper (components/bootstrapToken.ts), which also makes the token
 * rotate. The expiry is the one written into the token Secret, after which the tokencleaner deletes it.
 */
import type { Finding } from "./finding";
import { DAY_MS } from "./certificates";
import { asRecord, isUnknown } from "./unknown";

/** Random resource types whose `result` the provider's schema marks secret. */
const SECRET_BY_SCHEMA = new Set(["random:index/randomPassword:RandomPassword", "random:index/randomBytes:RandomBytes"]);

/** Longest a token may live: twice the largest pki.bootstrapTokenMaxAgeDays (its window, then the grace). */
export const MAX_TOKEN_LIFETIME_DAYS = 180;

export interface TokenPart {
  urn: string;
  name: string;
  type: string;
  additionalSecretOutputs: string[];
  /** The resource's `keepers` (outputs as stack policies see them). */
  keepers: unknown;
}

/** A kubestead:components:BootstrapToken and the random resources it is made of (its children). */
export interface TokenView {
  urn: string;
  name: string;
  parts: TokenPart[];
}

export const BOOTSTRAP_TOKEN_COMPONENT = "kubestead:components:BootstrapToken";

export function bootstrapTokenProblems(tokens: TokenView[], now: Date): Finding[] {
  const out: Finding[] = [];
  for (const t of tokens) {
    if (t.parts.length === 0) {
      out.push({
        urn: t.urn,
        message: `bootstrap token ${t.name} has no random resources under it: nothing shows its value is secret and expires.`,
      });
    }
    out.push(...partProblems(t.parts, now));
  }
  return out;
}

function partProblems(parts: TokenPart[], now: Date): Finding[] {
  const out: Finding[] = [];
  for (const p of parts) {
    if (!SECRET_BY_SCHEMA.has(p.type) && !p.additionalSecretOutputs.includes("result")) {
      out.push({
        urn: p.urn,
        message: `bootstrap token part ${p.name} (${p.type}) keeps its result in plain text in state and the plan: use random.RandomPassword, or set additionalSecretOutputs: ["result"].`,
      });
    }
    const keepers = asRecord(p.keepers);
    const expiration = keepers?.expiration;
    if (isUnknown(p.keepers) || isUnknown(expiration)) continue;
    if (
      typeof expiration !== "string" ||
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(expiration) ||
      Number.isNaN(Date.parse(expiration))
    ) {
      out.push({
        urn: p.urn,
        message: `bootstrap token part ${p.name} has no expiry (keepers.expiration got ${JSON.stringify(expiration ?? null)}): derive it from the rotation window (lib/bootstrapTokenWindow.ts) so the token expires and rotates.`,
      });
      continue;
    }
    const days = (Date.parse(expiration) - now.getTime()) / DAY_MS;
    if (days <= 0) {
      out.push({
        urn: p.urn,
        message: `bootstrap token part ${p.name} expired at ${expiration}: nodes cannot join until pulumi up makes a new token.`,
      });
    } else if (days > MAX_TOKEN_LIFETIME_DAYS) {
      out.push({
        urn: p.urn,
        message: `bootstrap token part ${p.name} expires at ${expiration}, ${Math.floor(days)} days from now (at most ${MAX_TOKEN_LIFETIME_DAYS}): lower pki.bootstrapTokenMaxAgeDays.`,
      });
    }
  }
  return out;
}
