/** Small text helpers shared by "did you mean" answers. */

/**
 * Edit distance with adjacent transpositions (optimal string alignment), case-insensitive: "hlep" is one edit from
 * "help", as a person would count it.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  if (s === t) return 0;
  let before: number[] = [];
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (s[i - 1] === t[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
    }
    before = prev;
    prev = cur;
  }
  return prev[t.length]!;
}

/**
 * The candidates closest to `input`, best first, within a distance that grows with the word's length
 * (so "scroe" finds "score" but "x" does not find "exposure").
 */
export function closestMatches(input: string, candidates: readonly string[], max = 3): string[] {
  const limit = Math.max(1, Math.floor(input.length / 3));
  return candidates
    .map((c) => ({ c, d: Math.min(editDistance(input, c), prefixDistance(input, c)) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}

/** 0 when one is a prefix of the other and the shorter has at least 3 characters ("recom" → "recommendations"). */
function prefixDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const [short, long] = s.length <= t.length ? [s, t] : [t, s];
  return short.length >= 3 && long.startsWith(short) ? 0 : Number.POSITIVE_INFINITY;
}
