/** The benchmark's result and its human-readable report (pure). */
import { formatKiB, formatMs, formatRatio, Summary } from "./stats";

/** The project's target: the plan at most 1.5× the floor that registers the same data (floor+data). */
export const TARGET_RATIO = 1.5;

export const INCLUDED =
  "runProgram in a fresh process, from loading @pulumi/pulumi and setMocks through loading the program " +
  "(tsx transpiling its TypeScript, the provider SDKs it imports) and running it, the mock monitor and its " +
  "recording, until every registration has settled; not timed: node and tsx start-up, loading tools/offline, reading the stack file";

export interface ScalePoint {
  pools: number;
  members: number;
  /** Median over the runs; `resourceCounts` lists them all when they differ. */
  resources: number;
  resourceCounts: number[];
  ms: number;
  cpuMs: number;
}

export interface BenchResult {
  stack: string;
  runs: number;
  targetRatio: number;
  included: string;
  plan: Summary;
  floor: Summary;
  /** plan / floor, median wall times. */
  ratio: number;
  /** plan / floor, median CPU times. */
  cpuRatio: number;
  /** Reference: the bare floor with the program's provider SDKs loaded too (informational). */
  floorWithProviders?: Summary;
  /** Reference: the bare floor with each resource carrying the shape of the plan's data (informational). */
  floorWithData?: Summary;
  scaling: ScalePoint[];
}

const pad = (s: string, n: number) => s.padStart(n);

export function scalingTable(points: ScalePoint[]): string {
  const head = ["pools", "etcd", "resources", "ms", "cpu ms", "ms/resource", "Δms/Δresource"];
  const first = points[0];
  const rows = points.map((p) => {
    const dr = first ? p.resources - first.resources : 0;
    const marginal = first && dr > 0 ? ((p.ms - first.ms) / dr).toFixed(1) : "–";
    return [
      String(p.pools),
      String(p.members),
      String(p.resources),
      String(Math.round(p.ms)),
      String(Math.round(p.cpuMs)),
      (p.ms / p.resources).toFixed(1),
      marginal,
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => pad(c, widths[i])).join("  ")).join("\n");
}

export interface Breakdown {
  /** What the target allows the plan over the floor: floor × (target − 1). */
  allowed: number;
  /** Loading the provider SDK modules the program imports (floor+providers − floor). */
  providers: number;
  /** Registering the plan's data, blanked, through the SDK and the runtime (floor+data − floor). */
  data: number;
  /** The rest of the plan: loading the program's own modules, running it, the emulators. */
  program: number;
  /** allowed − providers − data: what the target leaves for the program. */
  leftForProgram: number;
}

/** Where the plan's time over the floor goes, from the reference floors (undefined without them). */
export function breakdown(r: BenchResult): Breakdown | undefined {
  if (!r.floorWithProviders || !r.floorWithData) return undefined;
  const allowed = r.floor.ms * (r.targetRatio - 1);
  const providers = r.floorWithProviders.ms - r.floor.ms;
  const data = r.floorWithData.ms - r.floor.ms;
  return { allowed, providers, data, program: r.plan.ms - r.floor.ms - providers - data, leftForProgram: allowed - providers - data };
}

function breakdownLines(r: BenchResult): string[] {
  const b = breakdown(r);
  if (!b || !r.floorWithProviders || !r.floorWithData) return [];
  const ms = (x: number) => `${Math.round(x)} ms`;
  return [
    "",
    "  Where the plan's time over the floor goes (medians; reference floors, not the target):",
    `    provider SDK modules the program imports   ${pad(ms(b.providers), 8)}  (floor+providers ${formatMs(r.floorWithProviders.ms)})`,
    `    registering the plan's data (blanked)      ${pad(ms(b.data), 8)}  (floor+data ${formatMs(r.floorWithData.ms)}: each bare resource carries one planned resource's inputs)`,
    `    the program itself                         ${pad(ms(b.program), 8)}  (its own modules, rendering node files, the emulators)`,
    `    1.5× the bare floor would allow            ${pad(ms(b.allowed), 8)}  over it, leaving ${ms(b.leftForProgram)} for the program itself`,
    `  plan ÷ floor+data ${formatRatio(r.plan.ms / r.floorWithData.ms, r.targetRatio)}  (the target: against the floor that registers what the plan registers)`,
  ];
}

export function formatReport(r: BenchResult): string {
  const lines = [
    `Offline plan benchmark: stack ${r.stack}, ${r.plan.resources} resources, median of ${r.runs} run(s) each`,
    `  (timed: ${r.included})`,
    "",
    `  plan   ${pad(formatMs(r.plan.ms), 9)} wall  ${pad(formatMs(r.plan.cpuMs), 9)} cpu  peak RSS ${formatKiB(r.plan.maxRssKiB)}`,
    `  floor  ${pad(formatMs(r.floor.ms), 9)} wall  ${pad(formatMs(r.floor.cpuMs), 9)} cpu  peak RSS ${formatKiB(r.floor.maxRssKiB)}  (${r.floor.resources} bare resources, same runtime)`,
    r.floorWithData
      ? `  ratio  ${r.ratio.toFixed(2)}× against the bare floor (informational)   cpu ${r.cpuRatio.toFixed(2)}×`
      : `  ratio  ${formatRatio(r.ratio, r.targetRatio)} against the bare floor (no floor+data measured)   cpu ${r.cpuRatio.toFixed(2)}×`,
    ...breakdownLines(r),
    "  (cpu: user + system time of all the child's threads; steadier than wall time on a busy machine, above it when threads overlap)",
    `  runs   plan ${r.plan.runs.map((s) => Math.round(s.ms)).join(", ")} ms; floor ${r.floor.runs.map((s) => Math.round(s.ms)).join(", ")} ms`,
  ];
  for (const [label, s] of [
    ["plan", r.plan],
    ["floor", r.floor],
  ] as const) {
    if (s.resourceCounts.length > 1) {
      lines.push(
        `  ! the ${label} runs planned different resource counts (${s.resourceCounts.join(", ")}): was the program edited meanwhile?`,
      );
    }
  }
  if (r.scaling.length) {
    lines.push("", "Scaling (prod with N worker pools and M etcd members; 5 members span 5 zones):", scalingTable(r.scaling));
    for (const p of r.scaling.filter((x) => x.resourceCounts.length > 1)) {
      lines.push(`  ! ${p.pools} pools, ${p.members} members: the runs planned different resource counts (${p.resourceCounts.join(", ")})`);
    }
  }
  return lines.join("\n") + "\n";
}
