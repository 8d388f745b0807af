/** Importance density a_n = ‖S[n,:]‖₁ / ‖S[n,:]‖_p and its max-normalized form (METHODS.md §1.4). */
export function tokenDensity(normalized: number[][], p: number): number[] {
  return normalized.map((row) => {
    let l1 = 0;
    let lp = 0;
    for (const v of row) {
      const a = Math.abs(v);
      l1 += a;
      lp += a ** p;
    }
    return l1 === 0 ? 0 : l1 / lp ** (1 / p);
  });
}

export function normalizeDensity(density: number[]): number[] {
  const max = Math.max(0, ...density);
  return density.map((a) => (max > 0 ? a / max : 0));
}
