/** Replaces every secret value of a plan with SECRET_MASK, for files and reports. */
import { Plan, PlanResource, SECRET_MASK } from "./types";

function setPath(root: Record<string, unknown>, path: string): void {
  const parts = path.match(/[^.[\]]+/g) ?? [];
  let cur: any = root;
  for (let i = 0; i < parts.length - 1; i++) {
    if (cur == null || typeof cur !== "object") return;
    cur = cur[parts[i]];
  }
  const last = parts[parts.length - 1];
  if (cur != null && typeof cur === "object" && last in cur) cur[last] = SECRET_MASK;
}

export function maskResource(r: PlanResource): PlanResource {
  const copy = structuredClone(r) as PlanResource;
  for (const p of r.secretPaths) setPath(copy as unknown as Record<string, unknown>, p);
  return copy;
}

export function maskPlan(plan: Plan): Plan {
  const outputs = { ...plan.outputs };
  for (const k of plan.secretOutputs) outputs[k] = SECRET_MASK;
  return { ...plan, resources: plan.resources.map(maskResource), outputs };
}
