/**
 * S[n, m] from raw importance I (METHODS.md §1.3), column by column: clip negatives, scale by
 * the column maximum (+1e-7), quantize to ceil(L·x), keep only levels above b.
 */
const EPS = 1e-7;

export function normalizeImportance(importance: number[][], s: { levels: number; threshold: number }, rowIncluded?: boolean[]): number[][] {
  const N = importance.length;
  const M = N > 0 ? importance[0].length : 0;
  const S = Array.from({ length: N }, () => new Array<number>(M).fill(0));
  for (let m = 0; m < M; m++) {
    let max = 0;
    for (let n = 0; n < N; n++) if (rowIncluded?.[n] !== false) max = Math.max(max, importance[n][m]);
    if (max <= 0) continue; // no positive entry: the column stays zero
    for (let n = 0; n < N; n++) {
      if (rowIncluded?.[n] === false) continue;
      const level = Math.ceil((s.levels * Math.max(importance[n][m], 0)) / (max + EPS));
      S[n][m] = level > s.threshold ? level : 0;
    }
  }
  return S;
}
