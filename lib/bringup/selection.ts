/**
 * nodeSelector and required node affinity, matched as the scheduler does — except that a label
 * whose value is known only once the node runs (null) satisfies only Exists: the solver must
 * prove a pod fits, not hope it does.
 * https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
 */
import type { NodeLabels, NodeSelectorRequirement, NodeSelectorTerm } from "./types";

function parseInteger(s: string): number | undefined {
  return /^-?\d+$/.test(s) ? Number(s) : undefined;
}

/** One requirement against one value (undefined: label absent; null: present, value unknown). */
function matchesValue(req: NodeSelectorRequirement, value: string | null | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case "Exists":
      return value !== undefined;
    case "DoesNotExist":
      return value === undefined;
    case "In":
      return typeof value === "string" && values.includes(value);
    case "NotIn":
      // Kubernetes: an absent label satisfies NotIn.
      return value === undefined || (value !== null && !values.includes(value));
    case "Gt":
    case "Lt": {
      // Exactly one integer value; a label that is not an integer never matches.
      const bound = values.length === 1 ? parseInteger(values[0]) : undefined;
      const got = typeof value === "string" ? parseInteger(value) : undefined;
      if (bound === undefined || got === undefined) return false;
      return req.operator === "Gt" ? got > bound : got < bound;
    }
    default: {
      const never: never = req.operator;
      throw new Error(`unknown node selector operator ${String(never)}`);
    }
  }
}

export function matchesRequirement(req: NodeSelectorRequirement, labels: NodeLabels): boolean {
  return matchesValue(req, Object.prototype.hasOwnProperty.call(labels, req.key) ? labels[req.key] : undefined);
}

/** pod.spec.nodeSelector: every key present with exactly that value. */
export function matchesNodeSelector(selector: Record<string, string>, labels: NodeLabels): boolean {
  return Object.entries(selector).every(([k, v]) => matchesRequirement({ key: k, operator: "In", values: [v] }, labels));
}

/** A term ANDs its requirements; an empty term matches no node (as in Kubernetes). */
export function matchesTerm(term: NodeSelectorTerm, labels: NodeLabels, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  return exprs.every((r) => matchesRequirement(r, labels)) && fields.every((r) => r.key === "metadata.name" && matchesValue(r, nodeName));
}

/** requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: terms are ORed. */
export function matchesNodeSelectorTerms(terms: NodeSelectorTerm[], labels: NodeLabels, nodeName: string): boolean {
  return terms.some((t) => matchesTerm(t, labels, nodeName));
}

export function formatNodeSelector(selector: Record<string, string>): string {
  return Object.keys(selector)
    .sort()
    .map((k) => `${k}=${selector[k] === "" ? '""' : selector[k]}`)
    .join(",");
}

function formatRequirement(r: NodeSelectorRequirement): string {
  return r.values && r.values.length > 0 ? `${r.key} ${r.operator} (${r.values.join(",")})` : `${r.key} ${r.operator}`;
}

export function formatNodeSelectorTerms(terms: NodeSelectorTerm[]): string {
  if (terms.length === 0) return "(no terms)";
  return terms
    .map((t) => [...(t.matchExpressions ?? []), ...(t.matchFields ?? [])].map(formatRequirement).join(" and ") || "(empty term)")
    .join(" or ");
}
