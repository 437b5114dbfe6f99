/**
 * Runs the real stack program under the offline mock runtime once per test file (the SDK keeps
 * its state per module registry, and jest gives each file its own) and offers lookups on the plan.
 */
import * as path from "node:path";
import { Plan, PlanResource } from "../../lib/plan/types";
import { runProgram } from "../../tools/offline/runtime";

export const ROOT = path.resolve(__dirname, "../..");

export async function planStack(stack: string): Promise<Plan> {
  const { plan } = await runProgram({ stack, root: ROOT });
  return plan;
}

export function ofType(plan: Plan, type: string): PlanResource[] {
  return plan.resources.filter((r) => r.type === type);
}

export function tagsOf(r: PlanResource): Record<string, string> {
  const t = r.inputs.tags;
  if (Array.isArray(t)) return Object.fromEntries((t as { key: string; value: string }[]).map((x) => [x.key, x.value]));
  return (t as Record<string, string> | undefined) ?? {};
}

export function withRole(plan: Plan, type: string, role: string): PlanResource[] {
  return ofType(plan, type).filter((r) => tagsOf(r)["kubestead.io/role"] === role);
}

export function byUrn(plan: Plan, urn: string): PlanResource {
  const r = plan.resources.find((x) => x.urn === urn);
  if (!r) throw new Error(`no resource ${urn} in the plan`);
  return r;
}

/** The chain of parents up to the top. */
export function ancestors(plan: Plan, r: PlanResource): PlanResource[] {
  const out: PlanResource[] = [];
  for (let p = r.parent; p;) {
    const parent = byUrn(plan, p);
    out.push(parent);
    p = parent.parent;
  }
  return out;
}

/** Zone of a subnet ID in the plan. */
export function subnetZone(plan: Plan, id: string): string | undefined {
  return ofType(plan, "aws:ec2/subnet:Subnet").find((s) => s.id === id)?.inputs.availabilityZone as string | undefined;
}
