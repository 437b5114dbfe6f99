/**
 * A small typed reader over raw config values that records problems instead of throwing, so the
 * parser can read every key and report all mistakes at once.
 */
import { didYouMean } from "../suggest";
import { Problem } from "./problems";

export type Raw = Record<string, unknown>;

/** Left out, null or empty: how every reader counts a value as not written (its default stands in). */
export function unset(v: unknown): boolean {
  return v === undefined || v === null || v === "";
}

export class Reader {
  readonly problems: Problem[] = [];
  constructor(readonly namespace: string) {}

  key(path: string): string {
    return `${this.namespace}:${path}`;
  }

  problem(path: string, rule: string, got: unknown, fix: string): void {
    const key = this.key(path);
    // One message per root cause: the same rule on the same key and value is said once.
    const same = this.problems.some((p) => p.key === key && p.rule === rule && JSON.stringify(p.got) === JSON.stringify(got));
    if (!same) this.problems.push({ key, rule, got, fix });
  }

  /**
   * Whether a problem was already reported at `path` or below it: rules that build on a value
   * skip it then, so one mistake gives one message, not its knock-on effects.
   */
  failed(...paths: string[]): boolean {
    return paths.some((path) => {
      const key = this.key(path);
      return this.problems.some((p) => p.key === key || p.key.startsWith(`${key}.`) || p.key.startsWith(`${key}[`));
    });
  }

  object(raw: unknown, path: string): Raw {
    if (raw === undefined || raw === null) return {};
    if (typeof raw !== "object" || Array.isArray(raw)) {
      this.problem(path, "must be an object", raw, `write ${this.key(path)} as a YAML mapping`);
      return {};
    }
    return raw as Raw;
  }

  /** Reports keys of `obj` that are not in `known` (typos would otherwise be silently ignored). */
  unknownKeys(obj: Raw, path: string, known: string[]): void {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) {
        const where = path ? `${path}.${k}` : k;
        const hint = didYouMean(k, known);
        this.problem(where, "is not a known setting", obj[k], `${hint ? `${hint} ` : ""}remove it or use one of: ${known.join(", ")}`);
      }
    }
  }

  string(obj: Raw, field: string, path: string, def?: string, pattern?: { re: RegExp; rule: string; fix: string }): string {
    const v = obj[field];
    const where = path ? `${path}.${field}` : field;
    if (unset(v)) {
      if (def !== undefined) return def;
      this.problem(where, "is required", v, `set ${this.key(where)}`);
      return "";
    }
    if (typeof v !== "string") {
      this.problem(where, "must be a string", v, `quote the value of ${this.key(where)}`);
      return String(v);
    }
    if (pattern && !pattern.re.test(v)) {
      this.problem(where, pattern.rule, v, pattern.fix);
    }
    return v;
  }

  int(obj: Raw, field: string, path: string, def: number | undefined, min: number, max: number): number {
    const where = path ? `${path}.${field}` : field;
    let v = obj[field];
    if (unset(v)) {
      if (def !== undefined) return def;
      this.problem(where, "is required", v, `set ${this.key(where)} to a whole number from ${min} to ${max}`);
      return min;
    }
    if (typeof v === "string" && /^-?\d+$/.test(v.trim())) v = Number(v);
    if (typeof v !== "number" || !Number.isInteger(v)) {
      this.problem(where, "must be a whole number", v, `set ${this.key(where)} to a whole number from ${min} to ${max}`);
      return def ?? min;
    }
    if (v < min || v > max) {
      this.problem(where, `must be from ${min} to ${max}`, v, `set ${this.key(where)} to a whole number from ${min} to ${max}`);
    }
    return v;
  }

  bool(obj: Raw, field: string, path: string, def: boolean): boolean {
    const where = path ? `${path}.${field}` : field;
    const v = obj[field];
    if (v === undefined || v === null) return def;
    if (v === true || v === "true") return true;
    if (v === false || v === "false") return false;
    this.problem(where, "must be true or false", v, `set ${this.key(where)} to true or false`);
    return def;
  }

  oneOf<T extends string>(obj: Raw, field: string, path: string, def: T, allowed: readonly T[]): T {
    const where = path ? `${path}.${field}` : field;
    const v = obj[field];
    if (v === undefined || v === null) return def;
    if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
    this.problem(where, `must be one of ${allowed.join(", ")}`, v, `set ${this.key(where)} to one of: ${allowed.join(", ")}`);
    return def;
  }

  stringList(obj: Raw, field: string, path: string, def?: string[]): string[] {
    const where = path ? `${path}.${field}` : field;
    const v = obj[field];
    if (v === undefined || v === null) {
      if (def !== undefined) return def;
      this.problem(where, "is required", v, `set ${this.key(where)} to a list`);
      return [];
    }
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.problem(where, "must be a list of strings", v, `write ${this.key(where)} as a YAML list of strings`);
      return def ?? [];
    }
    return v as string[];
  }

  /**
   * A mapping of strings. With `scalars`, YAML booleans and numbers (`value: true`, `zone: 1`)
   * are taken as the text the user wrote, as Kubernetes label values are.
   */
  stringMap(obj: Raw, field: string, path: string, scalars = false): Record<string, string> {
    const where = path ? `${path}.${field}` : field;
    const v = obj[field];
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) {
      this.problem(where, "must be a mapping of strings", v, `write ${this.key(where)} as a YAML mapping`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(v as Raw)) {
      if (scalars && (typeof val === "boolean" || typeof val === "number")) {
        out[k] = String(val);
        continue;
      }
      if (typeof val !== "string") {
        this.problem(`${where}.${k}`, "must be a string", val, `quote the value of ${this.key(`${where}.${k}`)}`);
        continue;
      }
      out[k] = val;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }
}
