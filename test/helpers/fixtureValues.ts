/**
 * The small values the policy tests share: the engine's unknown sentinel, the fixed clock, and
 * the cluster's tags. Kept apart from policyFixtures.ts, which renders node files and builds IAM
 * documents, so a rule test that needs only these does not load the renderers and lib/iam.ts (the
 * mutation run loads every test file that imports a mutated file, once per mutant).
 */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const NOW = new Date("2026-03-01T00:00:00Z");
const DAY = 86_400_000;
export const daysFromNow = (d: number): string => new Date(NOW.getTime() + d * DAY).toISOString();

export const CLUSTER = "kc";

export function tags(role: string, extra: Record<string, string> = {}): Record<string, string> {
  return { "kubestead.io/cluster": CLUSTER, "kubestead.io/role": role, ...extra };
}

export function asgTags(t: Record<string, string>): { key: string; value: string; propagateAtLaunch: boolean }[] {
  return Object.entries(t).map(([key, value]) => ({ key, value, propagateAtLaunch: true }));
}
