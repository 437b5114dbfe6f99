/**
 * Reads Pulumi.<stack>.yaml the way the Pulumi CLI hands config to a program: namespaced keys,
 * strings as they are, structured values as JSON.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { RawStackConfig } from "../../lib/config/parse";

export interface StackFile {
  path: string;
  config: Record<string, string>;
  /** Keys whose values are `secure:` ciphertext; offline they cannot be decrypted. */
  secretKeys: string[];
}

export class StackFileError extends Error {}

export function listStacks(root: string): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => Boolean(s))
    .sort();
}

export function stackConfig(root: string, stack: string): StackFile {
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) {
    throw new StackFileError(`--stack must be a stack name such as dev or prod (got ${JSON.stringify(stack)})`);
  }
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) {
    throw new StackFileError(
      `no stack file ${path.basename(file)} in ${root}: stacks here are ${listStacks(root).join(", ") || "none"}; create Pulumi.${stack}.yaml to plan a new stack`,
    );
  }
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new StackFileError(`${path.basename(file)} is not valid YAML: ${(e as Error).message}`);
  }
  const raw = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new StackFileError(`${path.basename(file)}: "config" must be a mapping of namespaced keys`);
  }
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(raw)) {
    if (!key.includes(":")) {
      throw new StackFileError(`${path.basename(file)}: config key "${key}" must be namespaced, e.g. kubestead:${key}`);
    }
    if (value && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
      secretKeys.push(key);
      config[key] = "[secure value: not decryptable offline]";
      continue;
    }
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { path: file, config, secretKeys };
}

/** The kubestead values of a stack file, decoded as stacks/config.ts decodes them, for the pure parser. */
export function rawStackConfig(file: StackFile, stack: string): RawStackConfig {
  const values: Record<string, unknown> = {};
  const otherKeys: string[] = [];
  for (const [k, v] of Object.entries(file.config)) {
    const [ns, key] = k.split(":");
    if (ns !== "kubestead" || !key) {
      otherKeys.push(k);
      continue;
    }
    try {
      values[key] = JSON.parse(v);
    } catch {
      values[key] = v;
    }
  }
  return { stack, region: file.config["aws:region"], values, otherKeys };
}
