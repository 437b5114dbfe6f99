/**
 * The only place that reads pulumi.Config. Collects the raw values under the kubestead namespace
 * and aws:region, then hands them to the pure parser, which reports every problem at once.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { locateProblems } from "../lib/config/locate";
import { ConfigError } from "../lib/config/problems";
import { NAMESPACE, parseClusterConfig, TOP_LEVEL_KEYS } from "../lib/config/parse";
import { ClusterConfig } from "../lib/config/types";

function decode(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function loadClusterConfig(): ClusterConfig {
  const values: Record<string, unknown> = {};
  const otherKeys: string[] = [];
  // Every key of the namespace, so a typo at the top level is reported rather than ignored; the
  // other namespaces' keys, so `kubestaed:tags` is reported rather than ignored.
  for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
    const [ns, key] = fullKey.split(":");
    if (ns === NAMESPACE && key) values[key] = decode(raw);
    else otherKeys.push(fullKey);
  }
  const cfg = new pulumi.Config(NAMESPACE);
  for (const key of TOP_LEVEL_KEYS) {
    if (!(key in values)) {
      const raw = cfg.get(key);
      if (raw !== undefined) values[key] = decode(raw);
    }
  }
  const stack = pulumi.getStack();
  try {
    return parseClusterConfig({
      stack,
      region: new pulumi.Config("aws").get("region"),
      values,
      otherKeys,
    });
  } catch (e) {
    throw e instanceof ConfigError ? withLocations(e, stack) : e;
  }
}

/**
 * The same error with `Pulumi.<stack>.yaml:line:column` on each problem. The CLI runs the program
 * from the project folder, where the stack file is; without it the problems stay as they are.
 */
function withLocations(e: ConfigError, stack: string): ConfigError {
  const file = `Pulumi.${stack}.yaml`;
  let text: string;
  try {
    text = fs.readFileSync(path.join(process.cwd(), file), "utf8");
  } catch {
    return e;
  }
  return new ConfigError(stack, locateProblems(e.problems, text, file));
}
