/** Pure arithmetic and formatting for the benchmark report. */

/** What one child process measured. */
export interface Sample {
  /** Wall time of runProgram, milliseconds. */
  ms: number;
  /** CPU time (user + system, all threads) over the same span, milliseconds: steadier than wall time on a shared machine. */
  cpuMs: number;
  /** Peak resident set size of the child at the end, KiB (process.resourceUsage().maxRSS). */
  maxRssKiB: number;
  /** Resources in the plan. */
  resources: number;
}

export function median(xs: number[]): number {
  if (xs.length === 0) throw new Error("median of no samples: run at least once (--runs 1 or more)");
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** "2.31× (target ≤ 1.5×: over)" */
export function formatRatio(ratio: number, target: number): string {
  return `${ratio.toFixed(2)}× (target ≤ ${target}×: ${ratio <= target ? "met" : "over"})`;
}

export function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
}

export function formatKiB(kib: number): string {
  return `${(kib / 1024).toFixed(0)} MiB`;
}

/** The medians of a measurement's runs, with the raw runs kept for the JSON file. */
export interface Summary {
  ms: number;
  cpuMs: number;
  maxRssKiB: number;
  resources: number;
  /** Distinct resource counts over the runs: more than one means the program changed between runs (edited meanwhile, or not deterministic). */
  resourceCounts: number[];
  runs: Sample[];
}

export function summarise(runs: Sample[]): Summary {
  const resources = runs.map((r) => r.resources);
  return {
    ms: median(runs.map((r) => r.ms)),
    cpuMs: median(runs.map((r) => r.cpuMs)),
    maxRssKiB: median(runs.map((r) => r.maxRssKiB)),
    resources: median(resources),
    resourceCounts: [...new Set(resources)].sort((x, y) => x - y),
    runs,
  };
}
