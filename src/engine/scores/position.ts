/**
 * Importance versus relative position (METHODS.md §1.6, "lost in the middle"): the mean â_n
 * in 10 equal bins of n/(N−1) for one prompt; null for prompts shorter than 10 tokens.
 */
export function positionProfile(densityNormalized: number[], bins = 10): number[] | null {
  const N = densityNormalized.length;
  if (N < 10) return null;
  const sums = new Array<number>(bins).fill(0);
  const counts = new Array<number>(bins).fill(0);
  densityNormalized.forEach((a, n) => {
    const bin = Math.min(bins - 1, Math.floor((n / (N - 1)) * bins));
    sums[bin] += a;
    counts[bin]++;
  });
  return sums.map((s, b) => (counts[b] > 0 ? s / counts[b] : 0));
}

/** The mean profile over prompts (those with a profile). */
export function meanProfile(profiles: (number[] | null)[]): number[] | null {
  const kept = profiles.filter((p): p is number[] => p !== null);
  if (kept.length === 0) return null;
  return kept[0].map((_, b) => kept.reduce((s, p) => s + p[b], 0) / kept.length);
}
