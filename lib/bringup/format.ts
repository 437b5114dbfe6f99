/** Plain-text report of a bring-up result, one finding per line. */
import type { BringupResult, StuckWorkload } from "./types";

/** One line per stuck workload. */
export function formatStuck(stuck: StuckWorkload[]): string[] {
  return stuck.map((s) => `${s.workload} (${s.addon}): ${s.reason}`);
}

/** Problems, stuck workloads and nodes that never become initialised and Ready, one per line. */
export function formatBringup(r: BringupResult): string[] {
  return [
    ...r.problems.map((p) => `problem: ${p}`),
    ...formatStuck(r.stuck).map((l) => `stuck: ${l}`),
    ...r.nodes.filter((n) => n.waitingFor).map((n) => `node ${n.name}: ${n.waitingFor}`),
  ];
}
