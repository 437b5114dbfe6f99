/** Minimal `--key value` / `--flag` parsing for the project's commands, with clear usage errors. */
export class UsageError extends Error {}

export interface ParsedArgs {
  values: Record<string, string>;
  flags: Record<string, boolean>;
}

export function parseArgs(argv: string[], defaults: Record<string, string>, valueKeys: string[], flagKeys: string[]): ParsedArgs {
  const values: Record<string, string> = { ...defaults };
  const flags: Record<string, boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(a);
    if (!m) throw new UsageError(`unexpected argument ${JSON.stringify(a)}`);
    const [, key, inline] = m;
    if (flagKeys.includes(key)) {
      flags[key] = true;
    } else if (valueKeys.includes(key)) {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith("--")) throw new UsageError(`--${key} needs a value`);
      values[key] = v;
    } else {
      throw new UsageError(`unknown option --${key}`);
    }
  }
  return { values, flags };
}
