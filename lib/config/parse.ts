/**
 * Raw stack config → validated ClusterConfig, or a ConfigError listing every problem.
 * Pure: `stacks/config.ts` reads pulumi.Config and calls this; tests call it directly.
 *
 * Each section of the stack file has its own reader (network.ts, kubernetes.ts, …); this file
 * reads the top-level keys, runs the sections in order and the rules that span them.
 */
import { DESTRUCTIVE_CHANGE_IDS } from "../plan/diff";
import { didYouMean } from "../suggest";
import { readAddons } from "./addons";
import { resolveChecksums } from "./checksums";
import { readControlPlane } from "./controlPlane";
import { crossChecks } from "./crossChecks";
import { DEFAULTS } from "./defaults";
import { readEtcd } from "./etcd";
import { readKubernetes } from "./kubernetes";
import { readNetwork } from "./network";
import { NAMESPACE } from "./patterns";
import { readPki } from "./pki";
import { ConfigError, Problem } from "./problems";
import { Raw, Reader } from "./reader";
import { nodeArchitectures, readSessionManager } from "./sessionManager";
import { readTags } from "./tags";
import { ClusterConfig } from "./types";
import { readWorkers } from "./workers";
import { readRegion, readZones } from "./zones";

export { NAMESPACE } from "./patterns";

/** Top-level keys under the `kubestead:` namespace. */
export const TOP_LEVEL_KEYS = [
  "clusterName",
  "environment",
  "zones",
  "network",
  "kubernetes",
  "etcd",
  "controlPlane",
  "workers",
  "pki",
  "addons",
  "maxNodes",
  "protect",
  "enforcement",
  "tags",
  "checksums",
  "acknowledge",
  "sessionManager",
] as const;

export interface RawStackConfig {
  stack: string;
  /** aws:region */
  region?: string;
  /** Values under the kubestead namespace, keyed without the namespace, JSON already decoded. */
  values: Raw;
  /** Every other namespaced key of the stack (`aws:profile`, `kubestaed:tags`, …): near-misses of the namespace are reported. */
  otherKeys?: string[];
}

/** Namespaces a kubestead stack file may use besides its own. */
const OTHER_NAMESPACES = ["aws", "pulumi"];

export function parseClusterConfig(raw: RawStackConfig): ClusterConfig {
  const r = new Reader(NAMESPACE);
  const v = raw.values;
  r.unknownKeys(v, "", [...TOP_LEVEL_KEYS]);
  readOtherNamespaces(r, raw.otherKeys ?? []);

  const name = r.string(v, "clusterName", "", undefined, {
    re: /^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$/,
    rule: "must be a lowercase DNS label of at most 32 characters",
    fix: "use lowercase letters, digits and dashes, starting with a letter, e.g. acme-prod",
  });
  const environment = r.oneOf(v, "environment", "", "development", ["development", "production"] as const);
  const production = environment === "production";
  // A stack that looks like production but doesn't say so would silently get development's rules.
  if (v.environment === undefined && /^(prod|production)([-_].*)?$/.test(raw.stack)) {
    r.problem(
      "environment",
      `must be set on a stack named ${raw.stack}: without it the development rules apply (one control-plane node, advisory policies, no protection)`,
      undefined,
      `set ${NAMESPACE}:environment to production (or to development, if that is what this stack is)`,
    );
  }

  const region = readRegion(r, raw.region);
  const zones = readZones(r, v, region);
  const enforcement = r.oneOf(v, "enforcement", "", production ? "mandatory" : "advisory", ["advisory", "mandatory"] as const);
  if (production && enforcement !== "mandatory") {
    r.problem(
      "enforcement",
      `must be mandatory when ${NAMESPACE}:environment is production (the policy pack must be able to stop a non-HA change)`,
      enforcement,
      `set ${NAMESPACE}:enforcement to mandatory, or leave it out`,
    );
  }
  // Flow logs default on where policies are mandatory.
  const network = readNetwork(r, r.object(v.network, "network"), zones, { production, flowLogsByDefault: enforcement === "mandatory" });
  const kubernetes = readKubernetes(r, r.object(v.kubernetes, "kubernetes"));
  const etcd = readEtcd(r, r.object(v.etcd, "etcd"), zones);
  const controlPlane = readControlPlane(r, r.object(v.controlPlane, "controlPlane"), zones, production);
  const workers = readWorkers(r, v.workers, zones, kubernetes.version);
  const pki = readPki(r, r.object(v.pki, "pki"));
  const addons = readAddons(r, r.object(v.addons, "addons"), kubernetes.version);
  const maxNodes = r.int(v, "maxNodes", "", DEFAULTS.maxNodes, 1, 100000);
  const protect = r.bool(v, "protect", "", production);
  const tags = readTags(r, v);
  const acknowledge = r.stringList(v, "acknowledge", "", []);
  acknowledge.forEach((id, i) => {
    if (!(DESTRUCTIVE_CHANGE_IDS as readonly string[]).includes(id)) {
      const hint = didYouMean(id, DESTRUCTIVE_CHANGE_IDS);
      r.problem(
        `acknowledge[${i}]`,
        "must name a destructive change `npm run plan -- --base` reports",
        id,
        `${hint ? `${hint} ` : ""}use one of: ${DESTRUCTIVE_CHANGE_IDS.join(", ")}`,
      );
    }
  });

  crossChecks(r, { network, kubernetes, workers, controlPlane, maxNodes, zones });
  const archs = [...new Set([controlPlane.arch, ...workers.map((w) => w.arch)])];
  const checksums = resolveChecksums(r, kubernetes, r.object(v.checksums, "checksums"), archs, controlPlane.arch);
  const sessionManager = readSessionManager(r, v.sessionManager, nodeArchitectures({ etcd, controlPlane, workers }));

  if (r.problems.length > 0) throw new ConfigError(raw.stack, r.problems);
  return {
    stack: raw.stack,
    name,
    environment,
    region,
    zones,
    network,
    kubernetes,
    etcd,
    controlPlane,
    workers,
    pki,
    addons,
    maxNodes,
    protect,
    enforcement,
    tags,
    checksums,
    acknowledge,
    ...(sessionManager ? { sessionManager } : {}),
  };
}

/** `kubestaed:tags` would be ignored by the program: a namespace one or two letters from ours is a typo. */
function readOtherNamespaces(r: Reader, keys: string[]): void {
  for (const key of keys) {
    const ns = key.split(":")[0];
    if (ns === NAMESPACE || OTHER_NAMESPACES.includes(ns)) continue;
    if (didYouMean(ns, [NAMESPACE])) {
      r.problems.push({
        key,
        rule: `is in namespace "${ns}", which this program never reads`,
        got: ns,
        fix: `did you mean ${NAMESPACE}:${key.slice(ns.length + 1)}? rename the key`,
      });
    }
  }
}

/** Problems without throwing: for tests and for the plan command's error report. */
export function configProblems(raw: RawStackConfig): Problem[] {
  try {
    parseClusterConfig(raw);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
