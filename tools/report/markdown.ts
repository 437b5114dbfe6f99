/**
 * The plan report posted as one pull-request comment: a summary line a reviewer reads first,
 * then resources per component, policy results, the architecture diagram, certificate expiry,
 * capacity and cost. The hidden marker on the first line lets CI find and update its own comment
 * instead of adding a new one per push. Pure and deterministic: "days left" counts from the
 * plan's createdAt unless `now` is given.
 */
import type { CapacityReport } from "../../lib/capacity";
import { instanceTypeInfo } from "../../lib/aws/instanceTypes";
import { asgInstanceTypes, type CostEstimate } from "../../lib/cost";
import type { Plan, PlanResource } from "../../lib/plan/types";
import { STACK_TYPE, byUrn, isComponent, tagsOf, topComponent } from "./graph";
import { architectureDiagram } from "./mermaid";

/** The shape of a policy run's result this report needs (the policy runner's report fits it). */
export interface PolicyReportLike {
  violations: { policy: string; message: string; name?: string; type?: string; enforcementLevel: string }[];
}

export interface ReportInput {
  plan: Plan;
  policy?: PolicyReportLike;
  cost?: CostEstimate;
  capacity?: CapacityReport;
  certificates?: { name: string; notAfter: string | Date }[];
  /** What the control plane will apply: one row per stored add-on manifest. */
  addons?: AddonRow[];
  /** The bring-up solver's verdict over those manifests and the planned nodes. */
  bringup?: { converged: boolean; sequence: string[]; stuck: string[] };
  /** Reference time for certificate days left (default: the plan's createdAt). */
  now?: Date;
}

export interface AddonRow {
  addon: string;
  version: string;
  /** sha256 of the stored manifest: a changed digest is a changed add-on. */
  sha256: string;
  file: string;
}

export function reportMarker(stack: string): string {
  return `<!-- kubestead-plan:${stack} -->`;
}

const DAY_MS = 86_400_000;

function usd(n: number): string {
  return `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A table cell: no pipes or newlines may escape it. */
function cell(v: unknown): string {
  return String(v ?? "")
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r?\n/g, "<br>");
}

function table(head: string[], rows: unknown[][]): string[] {
  return [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)];
}

function blocking(p: PolicyReportLike): PolicyReportLike["violations"] {
  return p.violations.filter((v) => v.enforcementLevel === "mandatory");
}

function summary(input: ReportInput, customCount: number): string {
  const parts = [`**${customCount} resources**`];
  if (input.policy) {
    const b = blocking(input.policy).length;
    const advisory = input.policy.violations.length - b;
    parts.push(
      b > 0
        ? `policy ✗ (${b} mandatory${advisory ? `, ${advisory} advisory` : ""})`
        : `policy ✓${advisory ? ` (${advisory} advisory)` : ""}`,
    );
  } else {
    parts.push("policy not run");
  }
  if (input.cost) parts.push(`**${usd(input.cost.total)}/month**${input.cost.complete ? "" : " (lower bound)"}`);
  if (input.capacity) parts.push(input.capacity.ok ? "capacity ✓" : `capacity ✗ (${input.capacity.problems.length})`);
  return parts.join(" · ");
}

function resourceSection(plan: Plan): string[] {
  const urns = byUrn(plan);
  const groups = new Map<string, { label: string; types: Map<string, number> }>();
  for (const r of plan.resources) {
    if (r.type === STACK_TYPE) continue;
    const top = topComponent(r, urns);
    if (top === r) continue; // the component itself heads its group
    const key = top ? top.urn : "";
    const label = top ? `${top.type.replace("kubestead:components:", "")} \`${top.name}\`` : "(stack)";
    const g = groups.get(key) ?? { label, types: new Map() };
    g.types.set(r.type, (g.types.get(r.type) ?? 0) + 1);
    groups.set(key, g);
  }
  const ordered = [...groups.entries()].sort(([a, ga], [b, gb]) =>
    a === "" ? 1 : b === "" ? -1 : ga.label < gb.label ? -1 : ga.label > gb.label ? 1 : 0,
  );
  const rows: unknown[][] = [];
  for (const [, g] of ordered) {
    const total = [...g.types.values()].reduce((x, y) => x + y, 0);
    const types = [...g.types.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, n]) => `${n} × ${t}`);
    rows.push([g.label, total, types.join("<br>")]);
  }
  return ["### Resources by component", "", ...table(["Component", "Resources", "Types"], rows)];
}

function policySection(p: PolicyReportLike): string[] {
  const out = ["### Policy", ""];
  if (p.violations.length === 0) return [...out, "✓ No violations."];
  const sorted = [...p.violations].sort(
    (a, b) =>
      (a.enforcementLevel === b.enforcementLevel ? 0 : a.enforcementLevel === "mandatory" ? -1 : 1) ||
      (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0),
  );
  const rows = sorted.map((v) => [
    v.enforcementLevel === "mandatory" ? "✗ mandatory" : `⚠ ${v.enforcementLevel}`,
    `\`${v.policy}\``,
    v.name ? `${v.type ?? ""} ${v.name}`.trim() : "(stack)",
    v.message,
  ]);
  return [...out, ...table(["Level", "Policy", "Resource", "Message"], rows)];
}

function certificateSection(certs: NonNullable<ReportInput["certificates"]>, now: Date): string[] {
  const rows = certs
    .map((c) => {
      const at = c.notAfter instanceof Date ? c.notAfter : new Date(c.notAfter);
      return { name: c.name, at, days: Math.floor((at.getTime() - now.getTime()) / DAY_MS) };
    })
    .sort((a, b) => a.at.getTime() - b.at.getTime() || (a.name < b.name ? -1 : 1))
    .map((c) => [
      c.name,
      Number.isNaN(c.at.getTime()) ? "invalid date" : c.at.toISOString().slice(0, 10),
      Number.isNaN(c.days) ? "?" : c.days < 0 ? `✗ expired ${-c.days} days ago` : c.days < 30 ? `⚠ ${c.days}` : String(c.days),
    ]);
  return ["### Certificates", "", ...table(["Certificate", "Expires", "Days left"], rows)];
}

function capacitySection(c: CapacityReport): string[] {
  // Advisory rows are account quotas the plan cannot see: a warning to check, never a failure.
  const mark = (r: CapacityReport["rows"][number]) => (r.advisory ? (r.ok ? "⚠ check" : "⚠ request") : r.ok ? "✓" : "✗");
  const rows = c.rows.map((r) => [r.name, r.value.toLocaleString("en-US"), r.limit.toLocaleString("en-US"), mark(r), r.detail, r.source]);
  const out = ["### Capacity", "", ...table(["Check", "Value", "Limit", "OK", "Detail", "Source"], rows)];
  if (c.problems.length > 0) out.push("", ...c.problems.map((p) => `- ✗ ${p}`));
  return out;
}

function costSection(c: CostEstimate): string[] {
  const rows = c.lines.map((l) => [
    l.item + (l.note ? ` _(${l.note})_` : ""),
    `${Number.isInteger(l.quantity) ? l.quantity : l.quantity.toFixed(2)} ${l.unit}`,
    l.unitPrice === undefined ? "unknown" : `$${Number(l.unitPrice.toFixed(4))}${l.checked === false ? " †" : ""}`,
    usd(l.monthly),
  ]);
  rows.push(["**Total**", "", "", `**${usd(c.total)}**`]);
  return [
    `### Cost (${c.region}, prices as of ${c.pricesAsOf})`,
    "",
    ...table(["Item", "Quantity", "Unit price", "Monthly"], rows),
    "",
    ...c.notes.map((n) => `_${n}_`),
  ];
}

function addonSection(rows: AddonRow[]): string[] {
  return [
    "### Add-ons (applied by the control plane from the add-on store)",
    "",
    ...table(
      ["Add-on", "Version", "Manifest", "sha256"],
      rows.map((r) => [r.addon, r.version, `\`${r.file}\``, `\`${r.sha256}\``]),
    ),
  ];
}

function bringupSection(b: NonNullable<ReportInput["bringup"]>): string[] {
  const out = ["### Bring-up", ""];
  if (!b.converged) return [...out, "✗ The cluster cannot finish bringing itself up:", "", ...b.stuck.map((s) => `- ${s}`)];
  return [
    ...out,
    "✓ Every add-on runs and every node becomes Ready, with no circular wait:",
    "",
    ...b.sequence.map((s, i) => `${i + 1}. ${s}`),
  ];
}

function customCount(resources: PlanResource[]): number {
  return resources.filter((r) => r.custom && !isComponent(r)).length;
}

/** Each auto scaling group: its role, instance types, CPU architecture and size. */
function nodeGroupSection(plan: Plan): string[] {
  const rows = plan.resources
    .filter((r) => r.type === "aws:autoscaling/group:Group")
    .map((asg) => {
      const tags = tagsOf(asg);
      const types = asgInstanceTypes(plan, asg);
      const archs = [...new Set(types.map((t) => instanceTypeInfo(t)?.arch ?? "unknown"))];
      const role = tags["kubestead.io/role"] ?? "?";
      const group = role === "worker" ? `pool ${tags["kubestead.io/pool"] ?? asg.name}` : role;
      return [
        String(asg.inputs.name ?? asg.name),
        group,
        types.join(", "),
        archs.join(", "),
        `${asg.inputs.minSize ?? "?"}–${asg.inputs.maxSize ?? "?"}`,
      ];
    })
    .sort((a, b) => a[0].localeCompare(b[0]));
  return ["### Node groups", "", ...table(["Auto scaling group", "Role", "Instance types", "Architecture", "Size"], rows)];
}

export function renderReport(input: ReportInput): string {
  const { plan } = input;
  const now = input.now ?? new Date(plan.createdAt);
  const out: string[] = [
    reportMarker(plan.stack),
    `## kubestead plan: \`${plan.project}/${plan.stack}\``,
    "",
    summary(input, customCount(plan.resources)),
    "",
    ...resourceSection(plan),
  ];
  if (input.policy) out.push("", ...policySection(input.policy));
  if (input.bringup) out.push("", ...bringupSection(input.bringup));
  if (input.addons && input.addons.length > 0) out.push("", ...addonSection(input.addons));
  out.push("", ...nodeGroupSection(plan));
  out.push("", "### Architecture", "", "```mermaid", architectureDiagram(plan).trimEnd(), "```");
  if (input.certificates && input.certificates.length > 0) out.push("", ...certificateSection(input.certificates, now));
  if (input.capacity) out.push("", ...capacitySection(input.capacity));
  if (input.cost) out.push("", ...costSection(input.cost));
  out.push("", `<sub>Offline plan made ${plan.createdAt}; no cloud calls. Generated by \`npm run plan\`.</sub>`);
  return `${out.join("\n")}\n`;
}
