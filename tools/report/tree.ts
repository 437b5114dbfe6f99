/**
 * The plan as a console tree, like `pulumi preview` prints it: every resource under its parent,
 * components with the number of resources beneath them. Children are sorted by type and name, so
 * the output does not depend on registration order (which async component code can vary).
 */
import type { Plan, PlanResource } from "../../lib/plan/types";
import { compareResources } from "./graph";

function plural(n: number): string {
  return `${n} resource${n === 1 ? "" : "s"}`;
}

export function renderTree(plan: Plan): string {
  const urns = new Set(plan.resources.map((r) => r.urn));
  const children = new Map<string, PlanResource[]>();
  const roots: PlanResource[] = [];
  for (const r of plan.resources) {
    // A parent missing from the plan would orphan the subtree: show it at the top instead.
    if (r.parent && urns.has(r.parent) && r.parent !== r.urn) {
      const list = children.get(r.parent) ?? [];
      list.push(r);
      children.set(r.parent, list);
    } else {
      roots.push(r);
    }
  }
  const count = new Map<string, number>();
  const descendants = (r: PlanResource, seen: Set<string>): number => {
    const cached = count.get(r.urn);
    if (cached !== undefined) return cached;
    seen.add(r.urn);
    let n = 0;
    for (const c of children.get(r.urn) ?? []) if (!seen.has(c.urn)) n += 1 + descendants(c, seen);
    count.set(r.urn, n);
    return n;
  };

  const lines: string[] = [];
  const walk = (r: PlanResource, depth: number, seen: Set<string>): void => {
    if (seen.has(r.urn)) return;
    seen.add(r.urn);
    const kids = [...(children.get(r.urn) ?? [])].sort(compareResources);
    const n = descendants(r, new Set());
    const suffix = kids.length > 0 || !r.custom ? ` (${plural(n)})` : "";
    lines.push(`${"  ".repeat(depth)}+ ${r.type} ${r.name}${suffix}`);
    for (const k of kids) walk(k, depth + 1, seen);
  };
  const seen = new Set<string>();
  for (const r of [...roots].sort(compareResources)) walk(r, 0, seen);
  lines.push("", `${plan.resources.length} resources to create in ${plan.project}/${plan.stack}`);
  return `${lines.join("\n")}\n`;
}
