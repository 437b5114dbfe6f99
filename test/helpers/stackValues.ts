/**
 * A real stack file's kubestead values as the pure config parser takes them (through
 * tools/offline/stackFile.ts `rawStackConfig`, the plan command's own reader), optionally changed.
 */
import type { RawStackConfig } from "../../lib/config/parse";
import { rawStackConfig, stackConfig } from "../../tools/offline/stackFile";
import { ROOT } from "./plannedStack";

export function rawOf(stack: string): RawStackConfig {
  return rawStackConfig(stackConfig(ROOT, stack), stack);
}

/** The stack's values after `change`, parsed as stack `as` (default: the same stack). */
export function withChange(stack: string, change: (v: Record<string, any>) => void, as = stack): RawStackConfig {
  const raw = rawOf(stack);
  const values = structuredClone(raw.values) as Record<string, any>;
  change(values);
  return { ...raw, stack: as, values };
}
