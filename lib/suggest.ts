/**
 * "Did you mean": the known names nearest to what the user wrote, by edit distance (insertions,
 * deletions, substitutions and swaps of neighbours each count one).
 */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * Up to `max` known names within reach of `got` (a third of its length, at least 2 edits),
 * nearest first, ties in the order given. Case is ignored.
 */
export function nearest(got: string, known: readonly string[], max = 3): string[] {
  const g = got.toLowerCase();
  const reach = Math.max(2, Math.floor(g.length / 3));
  return known
    .map((k, i) => ({ k, i, d: editDistance(g, k.toLowerCase()) }))
    .filter((x) => x.d <= reach && x.k !== got)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, max)
    .map((x) => x.k);
}

/** "did you mean a or b?" or "" when nothing is near. */
export function didYouMean(got: string, known: readonly string[], max = 3): string {
  const near = nearest(got, known, max);
  if (near.length === 0) return "";
  const list = near.length === 1 ? near[0] : `${near.slice(0, -1).join(", ")} or ${near[near.length - 1]}`;
  return `did you mean ${list}?`;
}
