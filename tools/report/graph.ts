/**
 * Read-only views over a plan's resource graph shared by the report renderers: parent chains,
 * component grouping, tags in either AWS shape, and subnet → zone lookups.
 */
import type { Plan, PlanResource } from "../../lib/plan/types";

export const COMPONENT_PREFIX = "kubestead:components:";
export const STACK_TYPE = "pulumi:pulumi:Stack";

export function isComponent(r: PlanResource): boolean {
  return r.type.startsWith(COMPONENT_PREFIX);
}

export function byUrn(plan: Plan): Map<string, PlanResource> {
  return new Map(plan.resources.map((r) => [r.urn, r]));
}

/** The outermost kubestead component above `r` (or `r` itself when it is one), if any. */
export function topComponent(r: PlanResource, urns: Map<string, PlanResource>): PlanResource | undefined {
  let found: PlanResource | undefined = isComponent(r) ? r : undefined;
  const seen = new Set<string>([r.urn]);
  let p = r.parent ? urns.get(r.parent) : undefined;
  while (p && !seen.has(p.urn)) {
    seen.add(p.urn);
    if (isComponent(p)) found = p;
    p = p.parent ? urns.get(p.parent) : undefined;
  }
  return found;
}

/**
 * Tags as a map. Most resources carry `tags: {k: v}`; autoscaling groups carry
 * `tags: [{key, value, propagateAtLaunch}]`.
 */
export function tagsOf(r: PlanResource): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = r.inputs.tags ?? r.outputs.tags;
  if (Array.isArray(raw)) {
    for (const t of raw) {
      const o = t as Record<string, unknown>;
      if (typeof o?.key === "string" && o.value !== undefined) out[o.key] = String(o.value);
    }
  } else if (raw && typeof raw === "object") {
    for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
      if (v !== undefined && v !== null) out[k] = String(v);
    }
  }
  return out;
}

/** Every id a resource may be referenced by in another resource's inputs. */
export function idsOf(r: PlanResource): string[] {
  const ids = [r.id, r.outputs.id, r.outputs.arn].filter((x): x is string => typeof x === "string" && x !== "");
  return [...new Set(ids)];
}

/** Subnet id → availability zone, from every aws:ec2/subnet:Subnet in the plan. */
export function subnetZones(plan: Plan): Map<string, string> {
  const m = new Map<string, string>();
  for (const r of plan.resources) {
    if (r.type !== "aws:ec2/subnet:Subnet") continue;
    const az = r.inputs.availabilityZone ?? r.outputs.availabilityZone;
    if (typeof az !== "string") continue;
    for (const id of idsOf(r)) m.set(id, az);
  }
  return m;
}

export function compareResources(a: PlanResource, b: PlanResource): number {
  return a.type < b.type ? -1 : a.type > b.type ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
