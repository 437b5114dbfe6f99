/**
 * The only place that reads pulumi.Config. Collects the raw values under the kubestead namespace
 * and aws:region, then hands them to the pure parser, which reports every problem at once.
 */
import * as pulumi from "@pulumi/pulumi";
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
  // Every key of the namespace, so a typo at the top level is reported rather than ignored.
  for (const [fullKey, raw] of Object.entries(pulumi.runtime.allConfig())) {
    const [ns, key] = fullKey.split(":");
    if (ns === NAMESPACE && key) values[key] = decode(raw);
  }
  const cfg = new pulumi.Config(NAMESPACE);
  for (const key of TOP_LEVEL_KEYS) {
    if (!(key in values)) {
      const raw = cfg.get(key);
      if (raw !== undefined) values[key] = decode(raw);
    }
  }
  return parseClusterConfig({
    stack: pulumi.getStack(),
    region: new pulumi.Config("aws").get("region"),
    values,
  });
}
