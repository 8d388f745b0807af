/**
 * Read-outs of an Analysis for the panel and the hover (pure; no `vscode` import).
 * These only read what the engine computed (â, S, I, the instruction mask); nothing is rescored here.
 */
import type { Analysis } from '../engine/analysis.ts';
import { positionProfile } from '../engine/scores/position.ts';
import type { PanelModel, Side } from '../protocol/index.ts';

/** Mean â inside and outside the instruction mask, over the user's (non-special) tokens. */
export function insideOutside(a: Analysis): { inside: number | null; outside: number | null } {
  const mask = a.instructionMask;
  if (!mask) return { inside: null, outside: null };
  let si = 0, ni = 0, so = 0, no = 0;
  a.promptTokens.forEach((t, n) => {
    if (t.special) return;
    const v = a.densityNormalized[n] ?? 0;
    if (mask[n]) { si += v; ni++; } else { so += v; no++; }
  });
  return { inside: ni ? si / ni : null, outside: no ? so / no : null };
}

/** Relative-position profile (METHODS.md §1.6), as the engine defines it (shared with the dataset statistics). */
export function profileOf(a: Analysis): number[] | null {
  return positionProfile(a.densityNormalized);
}

/** Rank (1 = highest â) of every prompt token among the user's tokens; special tokens get 0. */
export function densityRanks(a: Analysis): number[] {
  const order = a.promptTokens.map((t, n) => n).filter((n) => !a.promptTokens[n].special)
    .sort((x, y) => (a.densityNormalized[y] ?? 0) - (a.densityNormalized[x] ?? 0));
  const ranks = new Array<number>(a.promptTokens.length).fill(0);
  order.forEach((n, r) => { ranks[n] = r + 1; });
  return ranks;
}

/** The response tokens a prompt token influenced most: by S, then raw I; positive only. */
export function topInfluenced(a: Analysis, n: number, k = 3): { m: number; text: string; s: number; i: number }[] {
  const rowS = a.normalized[n] ?? [];
  const rowI = a.importance[n] ?? [];
  return a.responseTokens
    .map((t, m) => ({ m, text: t.text, s: rowS[m] ?? 0, i: rowI[m] ?? 0 }))
    .filter((x) => x.i > 0)
    .sort((x, y) => y.s - x.s || y.i - x.i)
    .slice(0, k);
}

/** Index of the prompt token covering prompt offset `off` (user tokens only), or -1. */
export function tokenAt(a: Analysis, off: number): number {
  const t = a.promptTokens;
  let lo = 0, hi = t.length - 1;
  // Tokens are ordered by start; special tokens may have empty spans: linear fallback is fine for them.
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const tok = t[mid];
    if (tok.end <= off) lo = mid + 1;
    else if (tok.start > off) hi = mid - 1;
    else break;
  }
  for (let n = Math.max(0, lo - 2); n < Math.min(t.length, lo + 3); n++) {
    if (!t[n].special && t[n].start <= off && off < t[n].end) return n;
  }
  return t.findIndex((tok) => !tok.special && tok.start <= off && off < tok.end);
}

/** One side of the comparison panel: the analysis and its read-outs. */
export function panelModelOf(side: Side, label: string, a: Analysis): PanelModel {
  const io = insideOutside(a);
  return { side, label, analysis: a, meanInside: io.inside, meanOutside: io.outside, profile: profileOf(a) };
}
