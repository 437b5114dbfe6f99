/**
 * The shape of a plan's data, for the benchmark's second reference floor: every resource's inputs
 * with the same structure and string lengths but no values (so no key material leaves the plan),
 * its output-only properties as the empty inputs a typed resource class declares, and which inputs
 * are secret. Bare resources registered with these shapes cost what registering the plan's data
 * costs the SDK and the mock runtime, without the program that computed it.
 */
import type { PlanResource } from "../../lib/plan/types";

export interface ResourceShape {
  /** Inputs with every value blanked; output-only properties present as null (declared, unset). */
  props: Record<string, unknown>;
  /** Top-level properties that were secret (whole or in part). */
  secret: string[];
}

/** Same structure: strings of the same length, numbers 0, booleans false. */
export function blank(v: unknown): unknown {
  if (typeof v === "string") return "x".repeat(v.length);
  if (typeof v === "number") return 0;
  if (typeof v === "boolean") return false;
  if (Array.isArray(v)) return v.map(blank);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x)]));
  return v;
}

export function shapeOf(resources: PlanResource[]): ResourceShape[] {
  return resources.map((r) => {
    const props = blank(r.inputs) as Record<string, unknown>;
    if (r.custom) for (const k of Object.keys(r.outputs)) if (!(k in props) && k !== "id" && k !== "urn") props[k] = null;
    const secret = [
      ...new Set(r.secretPaths.filter((p) => p.startsWith("inputs.")).map((p) => p.slice("inputs.".length).split(/[.[]/)[0])),
    ];
    return { props, secret };
  });
}
