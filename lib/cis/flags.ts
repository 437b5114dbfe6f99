/**
 * Reads a control-plane static pod the way a CIS audit reads `ps -ef`: the component and its
 * `--flag=value` arguments. Pure; accepts the pod object or its YAML text.
 */
import { parse } from "yaml";

export type Component = "kube-apiserver" | "kube-controller-manager" | "kube-scheduler";
export const COMPONENTS: Component[] = ["kube-apiserver", "kube-controller-manager", "kube-scheduler"];

interface PodLike {
  kind?: string;
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: { containers?: { command?: string[]; args?: string[] }[] };
}

function asPod(pod: unknown): PodLike {
  const p = (typeof pod === "string" ? parse(pod) : pod) as PodLike;
  if (!p || typeof p !== "object" || p.kind !== "Pod") throw new Error(`not a Pod manifest (kind ${JSON.stringify((p as PodLike)?.kind)})`);
  return p;
}

function argv(p: PodLike): string[] {
  const c = p.spec?.containers?.[0];
  return [...(c?.command ?? []), ...(c?.args ?? [])];
}

/** The component a pod runs, from its binary name (falling back to the `component` label). */
export function componentOf(pod: unknown): Component | undefined {
  const p = asPod(pod);
  const bin = argv(p)[0]?.split("/").pop();
  const name = COMPONENTS.find((c) => c === bin) ?? COMPONENTS.find((c) => c === p.metadata?.labels?.component);
  return name;
}

/**
 * `--name=value` → name ↦ value; a bare `--name` ↦ "true". A repeated flag keeps the last value,
 * as pflag does. Arguments not starting with "--" (the binary) are skipped.
 */
export function flagsOf(pod: unknown): Map<string, string> {
  const flags = new Map<string, string>();
  for (const a of argv(asPod(pod))) {
    if (!a.startsWith("--")) continue;
    const eq = a.indexOf("=");
    if (eq < 0) flags.set(a.slice(2), "true");
    else flags.set(a.slice(2, eq), a.slice(eq + 1));
  }
  return flags;
}

/** A comma-separated flag as a list ("" and absent → []). */
export function listOf(flags: Map<string, string>, name: string): string[] {
  const v = flags.get(name);
  return v
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];
}
