/**
 * Runs the pack's policy objects in-process on an offline Plan, the way the engine's analyzer
 * would: resource policies see inputs, stack policies see outputs with parent/dependencies
 * resolved to objects, props sit behind the SDK's unknown-checking proxy, enforcement is resolved
 * per policy config > `all` > the policy's own > the pack's, "disabled" skips, "remediate" counts
 * as mandatory. Never constructs a PolicyPack (that starts a gRPC server).
 */
import * as policyProxy from "@pulumi/policy/proxy";
import type {
  EnforcementLevel,
  PolicyResource,
  PolicyResourceOptions,
  ReportViolation,
  ResourceValidation,
  ResourceValidationArgs,
  StackValidationArgs,
} from "@pulumi/policy";
import type { Plan, PlanResource } from "../lib/plan/types";
import { KubesteadPolicy, PACK_ENFORCEMENT_LEVEL, makePolicies } from "./policies";
import { isUnknown } from "./rules/unknown";

/** The `--policy-pack-config` file: policy name (or "all") → level, or `{ enforcementLevel?, ...properties }`. */
export type PolicyPackConfigFile = Record<string, string | { enforcementLevel?: string; [k: string]: unknown }>;

export interface RunOptions {
  /** Plan made in preview: unknown values are expected (default true). false = any unknown is an error. */
  preview?: boolean;
  /** "Now" for the certificate policies (default: the real clock). */
  now?: Date;
  /** Policies to run (default: makePolicies({ now })). */
  policies?: KubesteadPolicy[];
  /** Stack tags the engine would pass (default none). */
  stackTags?: Record<string, string>;
}

export interface PolicyViolation {
  policy: string;
  description: string;
  message: string;
  urn?: string;
  name?: string;
  type?: string;
  enforcementLevel: "advisory" | "mandatory";
}

export interface PolicyReport {
  violations: PolicyViolation[];
  mandatoryCount: number;
  advisoryCount: number;
  /** (policy, resource) pairs and stack runs that called notApplicable. */
  notApplicable: number;
  /** Per enabled policy: validations that ran to the end (resources checked, or 1 per stack run). */
  evaluated: Record<string, number>;
  /** Resolved enforcement level of every policy, "disabled" included. */
  levels: Record<string, EnforcementLevel>;
}

const LEVELS: ReadonlySet<string> = new Set(["advisory", "mandatory", "remediate", "disabled"]);

// The proxy and its error, from the SDK's own proxy module (the one its analyzer uses; the package
// index re-exports the same module). Loaded alone, not through the index: the index also loads the
// analyzer's gRPC server and the engine's protobufs, about 1.5 s per test file. Their typings are
// hidden (proxy.d.ts exports nothing), hence the cast.
const sdk = policyProxy as unknown as {
  unknownCheckingProxy<X extends object>(x: X): X;
  UnknownValueError: new (...args: never[]) => Error;
};

class NotApplicableSignal extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

export interface ResolvedPolicy {
  policy: KubesteadPolicy;
  level: EnforcementLevel;
  properties: Record<string, unknown>;
}

function levelOf(key: string, v: unknown): EnforcementLevel | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !LEVELS.has(v)) {
    throw new Error(
      `policy config ${key}: enforcementLevel must be advisory, mandatory, remediate or disabled (got ${JSON.stringify(v)}); fix the policy config file.`,
    );
  }
  return v as EnforcementLevel;
}

function checkProperty(policy: KubesteadPolicy, key: string, value: unknown): void {
  const schema = policy.configSchema?.properties?.[key];
  const where = `policy config ${policy.name}.${key}`;
  if (schema === undefined || typeof schema === "boolean") {
    const known = Object.keys(policy.configSchema?.properties ?? {});
    throw new Error(`${where} is not a property of ${policy.name} (got ${JSON.stringify(value)}); known: ${known.join(", ") || "none"}.`);
  }
  const type = schema.type;
  const ok =
    type === "integer"
      ? Number.isInteger(value)
      : type === "number"
        ? typeof value === "number"
        : type === "string"
          ? typeof value === "string"
          : type === "boolean"
            ? typeof value === "boolean"
            : type === "array"
              ? Array.isArray(value) &&
                (typeof schema.items !== "object" ||
                  Array.isArray(schema.items) ||
                  schema.items.type !== "string" ||
                  value.every((x) => typeof x === "string"))
              : true;
  if (!ok)
    throw new Error(
      `${where} must be ${String(type)}${type === "array" ? " of strings" : ""} (got ${JSON.stringify(value)}); fix the policy config file.`,
    );
  if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
    throw new Error(`${where} must be ≥ ${schema.minimum} (got ${value}); fix the policy config file.`);
  }
}

/** Per policy: enforcement level and config properties, checked against each policy's schema. */
export function resolvePolicyConfig(
  policies: KubesteadPolicy[],
  config: PolicyPackConfigFile,
  packLevel: EnforcementLevel = PACK_ENFORCEMENT_LEVEL,
): ResolvedPolicy[] {
  const names = new Set(policies.map((p) => p.name));
  for (const key of Object.keys(config)) {
    if (key !== "all" && !names.has(key))
      throw new Error(`policy config key ${key} names no policy of the pack; known: all, ${[...names].join(", ")}.`);
  }
  const all = config.all;
  const allLevel = levelOf("all", typeof all === "object" ? all.enforcementLevel : all);
  return policies.map((policy) => {
    const entry = config[policy.name];
    let own: EnforcementLevel | undefined;
    const properties: Record<string, unknown> = {};
    if (typeof entry === "string") own = levelOf(policy.name, entry);
    else if (entry !== undefined) {
      const { enforcementLevel, ...rest } = entry;
      own = levelOf(policy.name, enforcementLevel);
      for (const [k, v] of Object.entries(rest)) {
        checkProperty(policy, k, v);
        properties[k] = v;
      }
    }
    return { policy, level: own ?? allLevel ?? policy.enforcementLevel ?? packLevel, properties };
  });
}

function unknownPaths(v: unknown, path: string, out: string[]): void {
  if (isUnknown(v)) out.push(path);
  else if (Array.isArray(v)) v.forEach((x, i) => unknownPaths(x, `${path}[${i}]`, out));
  else if (v !== null && typeof v === "object") for (const [k, x] of Object.entries(v)) unknownPaths(x, `${path}.${k}`, out);
}

function optsOf(r: PlanResource): PolicyResourceOptions {
  const o = r.options;
  const opts: PolicyResourceOptions = {
    protect: o.protect,
    ignoreChanges: [...o.ignoreChanges],
    aliases: [...o.aliases],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [...o.additionalSecretOutputs],
    deleteBeforeReplace: o.deleteBeforeReplace,
  };
  if (r.parent) opts.parent = r.parent;
  return opts;
}

function isTypeOf(type: string, cls: unknown): boolean {
  const c = cls as { __pulumiType?: unknown; isInstance?: (o: unknown) => boolean };
  if (typeof c?.__pulumiType === "string" && c.__pulumiType !== "") return c.__pulumiType === type;
  return typeof c?.isInstance === "function" && c.isInstance({ __pulumiType: type }) === true;
}

function frozenTags(tags: Record<string, string>): ReadonlyMap<string, string> {
  return Object.freeze(new Map(Object.entries(tags)));
}

function assertSync(ret: unknown, policy: string): void {
  if (ret !== null && typeof ret === "object" && typeof (ret as { then?: unknown }).then === "function") {
    throw new Error(`policy ${policy} returned a Promise; the in-process runner only runs synchronous validations.`);
  }
}

export function runPolicies(plan: Plan, config: PolicyPackConfigFile, opts: RunOptions = {}): PolicyReport {
  const preview = opts.preview ?? true;
  if (!preview) {
    const paths: string[] = [];
    for (const r of plan.resources) {
      unknownPaths(r.inputs, `${r.urn} inputs`, paths);
      unknownPaths(r.outputs, `${r.urn} outputs`, paths);
    }
    if (paths.length > 0) {
      throw new Error(
        `plan has ${paths.length} unknown value(s) but preview is false (first: ${paths.slice(0, 3).join("; ")}); run with { preview: true } or let the mocks return those outputs.`,
      );
    }
  }
  const now = opts.now;
  const policies = opts.policies ?? makePolicies(now ? { now: () => now } : {});
  const resolved = resolvePolicyConfig(policies, config);
  const stackTags = frozenTags(opts.stackTags ?? {});
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const report: PolicyReport = { violations: [], mandatoryCount: 0, advisoryCount: 0, notApplicable: 0, evaluated: {}, levels: {} };

  const providerOf = (r: PlanResource) => {
    if (!r.provider) return undefined;
    const p = byUrn.get(r.provider) ?? byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")));
    return p && { type: p.type, props: sdk.unknownCheckingProxy({ ...p.inputs }), urn: p.urn, name: p.name };
  };

  const push = (p: KubesteadPolicy, level: "advisory" | "mandatory", message: string, urn?: string) => {
    const r = urn === undefined ? undefined : byUrn.get(urn);
    report.violations.push({
      policy: p.name,
      description: p.description,
      message,
      urn,
      name: r?.name,
      type: r?.type,
      enforcementLevel: level,
    });
    if (level === "mandatory") report.mandatoryCount++;
    else report.advisoryCount++;
  };

  // Runs one validation; true when it ran to the end.
  const attempt = (p: KubesteadPolicy, urn: string | undefined, run: () => unknown): boolean => {
    try {
      assertSync(run(), p.name);
      return true;
    } catch (e) {
      if (e instanceof NotApplicableSignal) {
        report.notApplicable++;
        return false;
      }
      if (e instanceof sdk.UnknownValueError) {
        // What the engine does when a policy touches an unknown: an advisory "can't run" notice.
        push(p, "advisory", `can't run policy '${p.name}' during preview: ${e.message}`, urn);
        return false;
      }
      throw new Error(`policy ${p.name} failed${urn ? ` on ${urn}` : ""}: ${e instanceof Error ? e.message : String(e)}`);
    }
  };

  for (const { policy: p, level: configured, properties } of resolved) {
    report.levels[p.name] = configured;
    if (configured === "disabled") continue;
    const level = configured === "advisory" ? "advisory" : "mandatory";
    const getConfig = <X extends object>() => ({ ...properties }) as X;
    const notApplicable = (reason?: string): never => {
      throw new NotApplicableSignal(reason);
    };
    let evaluated = 0;

    if ("validateResource" in p && p.validateResource) {
      const validations: ResourceValidation[] = Array.isArray(p.validateResource) ? p.validateResource : [p.validateResource];
      for (const r of plan.resources) {
        if (r.type.startsWith("pulumi:providers:")) continue;
        for (const validate of validations) {
          const props = sdk.unknownCheckingProxy({ ...r.inputs });
          const args: ResourceValidationArgs = {
            type: r.type,
            props,
            urn: r.urn,
            name: r.name,
            opts: optsOf(r),
            stackTags,
            isType: (cls) => isTypeOf(r.type, cls),
            asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as ResourceValidationArgs["asType"],
            getConfig,
            notApplicable,
          };
          const provider = providerOf(r);
          if (provider) args.provider = provider;
          // Resource policies always blame the resource itself, as the engine does.
          const reportViolation: ReportViolation = (message) => push(p, level, message, r.urn);
          if (attempt(p, r.urn, () => validate(args, reportViolation))) evaluated++;
        }
      }
    }

    if ("validateStack" in p && p.validateStack) {
      const validateStack = p.validateStack;
      const resources = new Map<string, PolicyResource>();
      for (const r of plan.resources) {
        const props = sdk.unknownCheckingProxy({ ...r.outputs });
        const pr: PolicyResource = {
          type: r.type,
          props,
          urn: r.urn,
          name: r.name,
          opts: optsOf(r),
          dependencies: [],
          propertyDependencies: {},
          isType: (cls) => isTypeOf(r.type, cls),
          asType: ((cls: unknown) => (isTypeOf(r.type, cls) ? props : undefined)) as PolicyResource["asType"],
        };
        const provider = providerOf(r);
        if (provider) pr.provider = provider;
        resources.set(r.urn, pr);
      }
      const resolve = (urns: string[]) => urns.map((u) => resources.get(u)).filter((x): x is PolicyResource => x !== undefined);
      for (const r of plan.resources) {
        const pr = resources.get(r.urn) as PolicyResource;
        if (r.parent && resources.has(r.parent)) pr.parent = resources.get(r.parent);
        pr.dependencies = resolve(r.dependencies);
        for (const [k, v] of Object.entries(r.propertyDependencies)) pr.propertyDependencies[k] = resolve(v);
      }
      const args: StackValidationArgs = { resources: [...resources.values()], stackTags, getConfig, notApplicable };
      const reportViolation: ReportViolation = (message, urn) => push(p, level, message, urn);
      if (attempt(p, undefined, () => validateStack(args, reportViolation))) evaluated++;
    }
    report.evaluated[p.name] = evaluated;
  }
  return report;
}

/** One line per violation, mandatory first, the way a reader scans a preview. */
export function formatReport(report: PolicyReport): string {
  const order = [...report.violations].sort((a, b) =>
    a.enforcementLevel === b.enforcementLevel ? 0 : a.enforcementLevel === "mandatory" ? -1 : 1,
  );
  const lines = order.map((v) => `[${v.enforcementLevel}] ${v.policy}${v.name ? ` (${v.name})` : ""}: ${v.message}`);
  lines.push(`${report.mandatoryCount} mandatory, ${report.advisoryCount} advisory, ${report.notApplicable} not applicable`);
  return lines.join("\n");
}
