/** The benchmark's result and its human-readable report (pure). */
import { formatKiB, formatMs, formatRatio, Summary } from "./stats";

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
  /** plan / floorWithProviders, median wall times. */
  providerRatio?: number;
  /** Reference: the bare floor with each resource carrying the shape of the plan's data (informational). */
  floorWithData?: Summary;
  /** plan / floorWithData, median wall times. */
  dataRatio?: number;
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

export function formatReport(r: BenchResult): string {
  const lines = [
    `Offline plan benchmark: stack ${r.stack}, ${r.plan.resources} resources, median of ${r.runs} run(s) each`,
    `  (timed: ${r.included})`,
    "",
    `  plan   ${pad(formatMs(r.plan.ms), 9)} wall  ${pad(formatMs(r.plan.cpuMs), 9)} cpu  peak RSS ${formatKiB(r.plan.maxRssKiB)}`,
    `  floor  ${pad(formatMs(r.floor.ms), 9)} wall  ${pad(formatMs(r.floor.cpuMs), 9)} cpu  peak RSS ${formatKiB(r.floor.maxRssKiB)}  (${r.floor.resources} bare resources, same runtime)`,
    `  ratio  ${formatRatio(r.ratio, r.targetRatio)}   cpu ${r.cpuRatio.toFixed(2)}×`,
    ...(r.floorWithProviders && r.providerRatio !== undefined
      ? [
          `  floor+providers ${formatMs(r.floorWithProviders.ms)} wall (the same bare resources with the provider SDKs loaded): plan is ${r.providerRatio.toFixed(2)}× that`,
        ]
      : []),
    ...(r.floorWithData && r.dataRatio !== undefined
      ? [
          `  floor+data ${formatMs(r.floorWithData.ms)} wall (the same bare resources carrying the plan's data, blanked: registering it costs the SDK and the runtime ${formatMs(r.floorWithData.ms - r.floor.ms)}): plan is ${r.dataRatio.toFixed(2)}× that`,
        ]
      : []),
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
