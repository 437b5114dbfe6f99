/** Which launch template an auto scaling group in a plan launches from. */
import { UNKNOWN_VALUE, type Plan, type PlanResource } from "./types";

const LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate";

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The template a group points at (plainly or inside its mixed-instances policy), by the id or name
 * the plan recorded. In a preview the IDs of new templates are all the same unknown value: never
 * match on it, follow the group's property dependencies to the template instead.
 */
export function launchTemplateOf(plan: Plan, asg: PlanResource): PlanResource | undefined {
  const direct = obj(asg.inputs.launchTemplate);
  const mixed = obj(obj(obj(asg.inputs.mixedInstancesPolicy).launchTemplate).launchTemplateSpecification);
  const known = (v: unknown) => (str(v) === UNKNOWN_VALUE ? undefined : str(v));
  const id = known(direct.id) ?? known(mixed.launchTemplateId);
  const name = known(direct.name) ?? known(mixed.launchTemplateName);
  if (id === undefined && name === undefined) {
    const urns = [...(asg.propertyDependencies.launchTemplate ?? []), ...(asg.propertyDependencies.mixedInstancesPolicy ?? [])];
    return plan.resources.find((r) => r.type === LAUNCH_TEMPLATE && urns.includes(r.urn));
  }
  return plan.resources.find(
    (r) =>
      r.type === LAUNCH_TEMPLATE &&
      ((id !== undefined && (r.outputs.id === id || r.id === id)) ||
        (name !== undefined && (r.inputs.name === name || r.outputs.name === name))),
  );
}
