/**
 * Scratch stack files for the scaling runs: a base stack (prod) with its worker pools replaced by
 * N copies of its first pool (pool-0 … pool-N-1) and etcd resized to M members, still valid config.
 * Pure: the caller reads the base file and writes the result.
 */
export interface ScaleCase {
  pools: number;
  members: number;
}

/** A parsed Pulumi.<stack>.yaml. */
export interface StackDoc {
  config: Record<string, unknown>;
  [key: string]: unknown;
}

type Obj = Record<string, unknown>;
const ZONE_LETTERS = "abcdef"; // us-east-1 has six zones; other regions fewer, config parsing says so.
const NS = "kubestead";

const obj = (v: unknown): Obj => (v && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const num = (v: unknown, dflt: number): number => (typeof v === "number" ? v : dflt);

/** The base zones, extended with the region's next zone letters until each etcd member has its own. */
export function zonesFor(region: string, base: string[], members: number): string[] {
  const zones = [...base];
  for (const letter of ZONE_LETTERS) {
    if (zones.length >= members) break;
    if (!zones.includes(`${region}${letter}`)) zones.push(`${region}${letter}`);
  }
  if (zones.length < members) {
    throw new Error(
      `${NS}:zones: ${members} etcd members need ${members} zones, ${region} offers ${zones.length} (${zones.join(", ")}); bench with fewer members`,
    );
  }
  return zones;
}

export function scratchStack(base: StackDoc, c: ScaleCase): StackDoc {
  if (!Number.isInteger(c.pools) || c.pools < 1) throw new Error(`pools must be a positive integer (got ${c.pools})`);
  const cfg = { ...base.config };
  const region = String(cfg["aws:region"] ?? "us-east-1");
  const baseZones = Array.isArray(cfg[`${NS}:zones`])
    ? (cfg[`${NS}:zones`] as unknown[]).map(String)
    : ["a", "b", "c"].map((l) => `${region}${l}`);
  cfg[`${NS}:zones`] = zonesFor(region, baseZones, c.members);
  cfg[`${NS}:etcd`] = { ...obj(cfg[`${NS}:etcd`]), members: c.members };

  // Every pool copies the first one, shrunk so the pools' maxSize sum plus the control plane still
  // fits maxNodes (the config parser's capacity check); labels naming the old pool are dropped.
  const pools = Array.isArray(cfg[`${NS}:workers`]) ? (cfg[`${NS}:workers`] as unknown[]) : [];
  const template = obj(pools[0]);
  const maxNodes = num(cfg[`${NS}:maxNodes`], 100);
  const controlPlaneNodes = num(obj(cfg[`${NS}:controlPlane`]).nodes, 3);
  const room = Math.floor((maxNodes - controlPlaneNodes) / c.pools);
  if (room < 1)
    throw new Error(`${NS}:maxNodes (${maxNodes}) leaves no room for ${c.pools} pools of at least one node; raise it in the base stack`);
  const maxSize = Math.min(num(template.maxSize, 3), room);
  const minSize = Math.min(num(template.minSize, 1), maxSize);
  const desiredCapacity = Math.min(Math.max(num(template.desiredCapacity, minSize), minSize), maxSize);
  const { labels: _labels, zones: _zones, ...rest } = template;
  cfg[`${NS}:workers`] = Array.from({ length: c.pools }, (_, i) => ({ ...rest, name: `pool-${i}`, minSize, maxSize, desiredCapacity }));
  return { ...base, config: cfg };
}
