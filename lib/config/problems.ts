/**
 * Config problems are collected, never thrown one at a time: a user fixing a stack file wants
 * every mistake in one run. Each names the key, the rule, the value received and the fix.
 */

export interface Problem {
  /** Full config key, e.g. kubestead:etcd.members. */
  key: string;
  /** What must hold, phrased to follow the key: "must be odd and ≥ 3". */
  rule: string;
  /** The value received, as the user wrote it. */
  got: unknown;
  /** What to do about it. */
  fix: string;
  /** `Pulumi.<stack>.yaml:line:column` of the key (or its nearest written parent), when the file is at hand. */
  where?: string;
}

export function formatGot(got: unknown): string {
  if (got === undefined) return "nothing";
  // Strings come out quoted; a value JSON has no text for (a function, a symbol) as JavaScript prints it.
  return JSON.stringify(got) ?? String(got);
}

export function formatProblem(p: Problem): string {
  return `${p.key} ${p.rule} (got ${formatGot(p.got)}): ${p.fix}`;
}

/** The message with its place in the stack file in front, as compilers print it. */
export function formatLocatedProblem(p: Problem): string {
  return p.where ? `${p.where}: ${formatProblem(p)}` : formatProblem(p);
}

/** One error for all problems; its message is the whole report, readable without a trace. */
export class ConfigError extends Error {
  readonly problems: Problem[];
  constructor(stack: string, problems: Problem[]) {
    const lines = problems.map((p) => `  - ${formatLocatedProblem(p)}`);
    super(
      `invalid configuration for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}
