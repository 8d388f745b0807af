/** Welch's one-sided t-test (unequal variances), from @stdlib. */
import ttest2 from '@stdlib/stats-ttest2';

export interface WelchResult {
  /** H1: mean(x) < mean(y). */
  pValue: number;
  statistic: number;
  df: number;
}

/** One-sided Welch test of H1: mean(x) < mean(y); null when it is undefined (fewer than 2 values, or no variance at all). */
export function welchLess(x: number[], y: number[]): WelchResult | null {
  if (x.length < 2 || y.length < 2) return null;
  // Two constant samples have no variance to test against: the statistic is undefined.
  if (meanSd(x).sd === 0 && meanSd(y).sd === 0) return null;
  const out = ttest2(x, y, { alternative: 'less', variance: 'unequal' }) as { pValue: number; statistic: number; df: number };
  return { pValue: out.pValue, statistic: out.statistic, df: out.df };
}

export function meanSd(xs: number[]): { mean: number; sd: number; n: number } {
  const n = xs.length;
  const mean = n > 0 ? xs.reduce((s, x) => s + x, 0) / n : NaN;
  const sd = n > 1 ? Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : NaN;
  return { mean, sd, n };
}
