/**
 * One IAM request, decided by @cloud-copilot/iam-simulate's request evaluation (identity policies,
 * the resource's policy, explicit denies, same-account trust, KMS key-policy trust). No @pulumi
 * imports.
 *
 * We call `runUnsafeSimulation`, the library's core evaluation without its input checks, rather
 * than `runSimulation`: the checked path drops every context key it does not list for the action,
 * and it lists `kms:EncryptionContext:*` only as a prefix, so a condition on
 * `kms:EncryptionContext:PARAMETER_ARN` would always read as unmet there. The price is that nothing
 * checks action names for us: test/lib/iamEval checks every action the matrix asks about against
 * the library's IAM data.
 */
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy } from "@cloud-copilot/iam-policy";
import { runUnsafeSimulation } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

/** A policy document as IAM stores it (parsed JSON), with the name a report shows for it. */
export interface NamedPolicy {
  name: string;
  document: unknown;
}

export interface IamRequest {
  /** ARN of the calling principal (a role ARN for node roles). */
  principal: string;
  /** service:Action */
  action: string;
  /** ARN of the resource acted on. */
  resource: string;
  /** Account owning the resource (for same-account trust). */
  resourceAccount: string;
  /** Every context key the request carries, with its full name (`kms:EncryptionContext:PARAMETER_ARN`). */
  context: Record<string, string | string[]>;
}

export interface Evaluation {
  decision: Decision;
  /** When allowed: the identity policies that allow it on their own, or the resource policy's name. */
  grantedBy: string[];
}

function decide(req: IamRequest, identity: NamedPolicy[], resourcePolicy?: NamedPolicy): Decision {
  return runUnsafeSimulation(
    {
      request: {
        principal: req.principal,
        action: req.action,
        resource: { resource: req.resource, accountId: req.resourceAccount },
        contextVariables: req.context,
      },
      identityPolicies: identity.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      // Wrapped so the evaluation has a name for it (a bare document leaves its metadata undefined,
      // which the library's resource-policy analysis dereferences).
      resourcePolicy: resourcePolicy
        ? createValidatedPolicy(resourcePolicy.document, validateResourcePolicy, { name: resourcePolicy.name })
        : undefined,
    },
    {},
  ) as Decision;
}

/** Decide `req` against the principal's identity policies and the resource's policy, if it has one. */
export function evaluateRequest(req: IamRequest, identity: NamedPolicy[], resourcePolicy?: NamedPolicy): Evaluation {
  const decision = decide(req, identity, resourcePolicy);
  if (decision !== "Allowed") return { decision, grantedBy: [] };
  const alone = identity.filter((p) => decide(req, [p], resourcePolicy) === "Allowed").map((p) => p.name);
  if (alone.length > 0) return { decision, grantedBy: alone };
  if (resourcePolicy && decide(req, [], resourcePolicy) === "Allowed") return { decision, grantedBy: [resourcePolicy.name] };
  return { decision, grantedBy: identity.map((p) => p.name) };
}

/**
 * Decisions already made in this process, keyed by the request and the policies' text. The pack
 * asks the same questions of the same documents on every run (a preview and its `up`, the tests'
 * hundreds of runs), and one evaluation costs far more than the key. Bounded: cleared when full.
 */
const decided = new Map<string, Evaluation>();
const DECIDED_MAX = 50_000;

/** evaluateRequest, remembered: the same request against the same documents is decided once. */
export function evaluateRequestOnce(req: IamRequest, identity: NamedPolicy[], resourcePolicy?: NamedPolicy): Evaluation {
  const key = JSON.stringify([req, identity, resourcePolicy ?? null]);
  const hit = decided.get(key);
  if (hit) return { decision: hit.decision, grantedBy: [...hit.grantedBy] };
  const e = evaluateRequest(req, identity, resourcePolicy);
  if (decided.size >= DECIDED_MAX) decided.clear();
  decided.set(key, e);
  return { decision: e.decision, grantedBy: [...e.grantedBy] };
}

/** Problems that make IAM refuse `document` as an identity policy (empty when valid). */
export function identityPolicyErrors(document: unknown): string[] {
  return [...validateIdentityPolicy(document).map((e) => `${e.path}: ${e.message}`), ...sidErrors(document)];
}

/**
 * IAM's rules for statement IDs, which the schema validator does not check: in an identity policy a
 * Sid holds only ASCII letters and digits and is unique within the document (IAM JSON policy
 * elements: Sid). IAM refuses the document otherwise (MalformedPolicyDocument).
 */
function sidErrors(document: unknown): string[] {
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  // IAM takes a single statement as an object as well as a list.
  const statements = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  const errors: string[] = [];
  const seen = new Set<string>();
  statements.forEach((st, i) => {
    const sid = (st as { Sid?: unknown } | null)?.Sid;
    if (sid === undefined) return;
    if (typeof sid !== "string" || !/^[A-Za-z0-9]+$/.test(sid)) errors.push(`Statement.${i}.Sid: must be ASCII letters and digits only`);
    else if (seen.has(sid))
      errors.push(`Statement.${i}.Sid: "${sid}" is used by an earlier statement; a Sid must be unique within the policy`);
    else seen.add(sid);
  });
  return errors;
}

/** Problems that make IAM refuse `document` as a resource policy (empty when valid). */
export function resourcePolicyErrors(document: unknown): string[] {
  return validateResourcePolicy(document).map((e) => `${e.path}: ${e.message}`);
}
