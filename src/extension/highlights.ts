/**
 * From analyses to highlight segments (pure; no `vscode` import).
 * Offsets are prompt-relative ([start,end) in the prompt text the engine got).
 */
import type { Analysis } from '../engine/analysis.ts';
import { levelOf, diffLevelOf, lowestShownLevel } from './colors.ts';

export type { HighlightMode } from '../engine/options.ts';
import type { HighlightMode } from '../engine/options.ts';

export interface Segment {
  start: number;
  end: number;
  /** 0..L, or −L..L in difference mode. */
  level: number;
  /** The value shown (â, or â_tuned − â_base). */
  value: number;
}

/** The tokens to highlight: those whose level is above `floor` (â ≤ floor is left plain; 0 shows every â > 0). */
export function densitySegments(a: Analysis, levels: number, floor = 0): Segment[] {
  const out: Segment[] = [];
  const lowest = lowestShownLevel(levels, floor);
  a.promptTokens.forEach((t, n) => {
    if (t.special || t.end <= t.start) return;
    const v = a.densityNormalized[n] ?? 0;
    const level = levelOf(v, levels);
    if (level >= lowest) out.push({ start: t.start, end: t.end, level, value: v });
  });
  return out;
}

/** Per-character â of an analysis over [0, len). */
function charValues(a: Analysis, len: number): Float64Array {
  const v = new Float64Array(len);
  a.promptTokens.forEach((t, n) => {
    if (t.special) return;
    const d = a.densityNormalized[n] ?? 0;
    for (let i = Math.max(0, t.start); i < Math.min(len, t.end); i++) v[i] = d;
  });
  return v;
}

/**
 * tuned − base. The two models may tokenize differently, so the difference is taken per
 * character (each character carries its token's â) and runs of equal value become segments.
 */
export function differenceSegments(base: Analysis, tuned: Analysis, levels: number): Segment[] {
  const len = Math.max(base.prompt.length, tuned.prompt.length);
  const b = charValues(base, len);
  const t = charValues(tuned, len);
  const bounds = new Set<number>([0, len]);
  for (const a of [base, tuned]) for (const tok of a.promptTokens) if (!tok.special) { bounds.add(tok.start); bounds.add(tok.end); }
  const cuts = [...bounds].filter((x) => x >= 0 && x <= len).sort((x, y) => x - y);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const s = cuts[i], e = cuts[i + 1];
    if (e <= s) continue;
    const d = t[s] - b[s];
    const level = diffLevelOf(d, levels);
    if (level === 0) continue;
    const prev = out[out.length - 1];
    if (prev && prev.end === s && prev.level === level && Math.abs(prev.value - d) < 1e-12) prev.end = e;
    else out.push({ start: s, end: e, level, value: d });
  }
  return out;
}

/** The segments of a highlight mode; `floor` hides low â in the density modes (differences are all shown). */
export function segmentsFor(mode: HighlightMode, analyses: { base?: Analysis; tuned?: Analysis }, levels: number, floor = 0): Segment[] {
  if (mode === 'difference') {
    if (analyses.base && analyses.tuned) return differenceSegments(analyses.base, analyses.tuned, levels);
    mode = analyses.tuned ? 'tuned' : 'base';
  }
  const a = mode === 'base' ? analyses.base ?? analyses.tuned : analyses.tuned ?? analyses.base;
  return a ? densitySegments(a, levels, floor) : [];
}

/** The k strongest segments (for overview-ruler marks). */
export function strongest(segments: readonly Segment[], k: number): Segment[] {
  return [...segments].sort((x, y) => Math.abs(y.value) - Math.abs(x.value)).slice(0, k);
}
