/**
 * Roles pods assume by web identity (IAM roles for service accounts) are scoped to one service
 * account: every Allow statement that trusts the cluster's OIDC provider conditions, with
 * StringEquals, `<issuer>:sub` on exactly one `system:serviceaccount:<namespace>:<name>` and
 * `<issuer>:aud` on sts.amazonaws.com. Without the `sub` condition any pod of the cluster (any
 * service account, any namespace) could assume the role; without `aud`, a token minted for another
 * audience could.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html
 *
 * Recognised: aws:iam/openIdConnectProvider:OpenIdConnectProvider (outputs `arn`, `url`) and
 * aws:iam/role:Role whose `assumeRolePolicy` (a JSON string or object) names a provider's ARN as a
 * Federated principal, or depends on the provider through that property (ARN unknown in preview).
 */
import type { Finding } from "./finding";
import { Graph, GraphResource, dependsThrough } from "./graph";
import { asList, asRecord, containsUnknown, isUnknown } from "./unknown";

export const OIDC_PROVIDER_TYPE = "aws:iam/openIdConnectProvider:OpenIdConnectProvider";
export const IAM_ROLE_TYPE = "aws:iam/role:Role";
export const STS_AUDIENCE = "sts.amazonaws.com";
const SUBJECT = /^system:serviceaccount:[^:*?\s]+:[^:*?\s]+$/;

export function oidcProviders(g: Graph): GraphResource[] {
  return g.resources.filter((r) => r.type === OIDC_PROVIDER_TYPE);
}

// "" passes, but every caller tests the result for truth.
const known = (v: unknown): string | undefined => (typeof v === "string" && !isUnknown(v) ? v : undefined);
const hostOf = (url: string) => url.replace(/^https:\/\//, "").replace(/\/+$/, "");

function parsePolicy(v: unknown): Record<string, unknown> | undefined {
  if (typeof v === "string") {
    try {
      return asRecord(JSON.parse(v));
    } catch {
      // not JSON: a string is no record, so the return below gives undefined
    }
  }
  return asRecord(v);
}

/** The statement's Federated principals. */
function federated(st: Record<string, unknown>): string[] {
  const p = asRecord(st.Principal);
  const f = p?.Federated;
  return (Array.isArray(f) ? f : [f]).filter((x): x is string => typeof x === "string");
}

/** Values of one condition key under one operator, as a list; undefined when absent. */
function conditionValues(st: Record<string, unknown>, operator: string, key: string): unknown[] | undefined {
  const block = asRecord(asRecord(st.Condition)?.[operator]);
  if (!block || !(key in block)) return undefined;
  const v = block[key];
  return Array.isArray(v) ? v : [v];
}

function statementProblems(st: Record<string, unknown>, host: string): string[] {
  const sub = `${host}:sub`;
  const aud = `${host}:aud`;
  const out: string[] = [];
  const subs = conditionValues(st, "StringEquals", sub);
  if (subs === undefined) {
    const like = conditionValues(st, "StringLike", sub);
    out.push(
      like
        ? `conditions "${sub}" with StringLike (${JSON.stringify(like)}): use StringEquals on one service account, system:serviceaccount:<namespace>:<name>`
        : `has no StringEquals condition on "${sub}": any service account of the cluster could assume it; condition it on one, system:serviceaccount:<namespace>:<name>`,
    );
  } else if (subs.length !== 1 || typeof subs[0] !== "string" || !SUBJECT.test(subs[0])) {
    out.push(
      `conditions "${sub}" on ${JSON.stringify(subs)}: it must name exactly one service account, system:serviceaccount:<namespace>:<name>`,
    );
  }
  const auds = conditionValues(st, "StringEquals", aud);
  if (auds === undefined || auds.length === 0 || auds.some((a) => a !== STS_AUDIENCE)) {
    out.push(
      auds === undefined
        ? `has no StringEquals condition on "${aud}": condition it on "${STS_AUDIENCE}"`
        : `conditions "${aud}" on ${JSON.stringify(auds)}: only "${STS_AUDIENCE}" may assume it`,
    );
  }
  return out;
}

/**
 * Problems of every role that trusts one of the graph's OIDC providers. A role whose trust policy
 * is still unknown (preview) is skipped: it is checked again on `pulumi up`.
 */
export function irsaRoleProblems(g: Graph): Finding[] {
  const providers = oidcProviders(g);
  const arns = new Map<string, GraphResource>();
  const hosts = new Map<string, GraphResource>();
  for (const p of providers) {
    const arn = known(p.props.arn);
    const url = known(p.props.url);
    if (arn) arns.set(arn, p);
    if (url) hosts.set(hostOf(url), p);
  }
  const findings: Finding[] = [];
  for (const role of g.resources.filter((r) => r.type === IAM_ROLE_TYPE)) {
    const raw = role.props.assumeRolePolicy;
    // An absent policy does not parse below; containsUnknown covers a wholly unknown one.
    if (containsUnknown(raw)) continue;
    const doc = parsePolicy(raw);
    if (!doc) continue;
    const viaDependency = providers.filter((p) => dependsThrough(role, "assumeRolePolicy", p.urn));
    const statements = Array.isArray(doc.Statement) ? asList(doc.Statement) : [doc.Statement];
    for (const item of statements) {
      const st = asRecord(item);
      if (!st || st.Effect !== "Allow") continue;
      for (const fed of federated(st)) {
        const host = fed.includes(":oidc-provider/") ? fed.slice(fed.indexOf(":oidc-provider/") + ":oidc-provider/".length) : undefined;
        if (host === undefined) continue;
        const trusted = arns.has(fed) || hosts.has(host) || viaDependency.length > 0;
        if (!trusted) continue;
        for (const m of statementProblems(st, host)) {
          findings.push({ urn: role.urn, message: `Role ${role.name} trusts the cluster's OIDC provider (${host}) but ${m}.` });
        }
      }
    }
  }
  return findings;
}
