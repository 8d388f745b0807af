/**
 * Per-line summary of an analysis (pure; no `vscode` or DOM import): for each non-blank line of the
 * prompt, the mean and the largest normalized density â of the user tokens that start on it, and
 * its rank among the lines. It only reads the engine's â; nothing is rescored. A numbered rule of
 * a system prompt is usually one line, so this is the per-rule view.
 */
import type { Analysis } from '../engine/analysis.ts';

export interface LineSummary {
  /** 0-based line number in the prompt. */
  line: number;
  /** Prompt offsets of the line, [start, end) without the newline. */
  start: number;
  end: number;
  text: string;
  /** User tokens starting on the line (their first non-blank character is on it). */
  tokens: number;
  /** Mean and largest â of those tokens (0 when there are none). */
  mean: number;
  max: number;
  /** 1 = highest mean â among the lines with tokens; 0 for a line without tokens. */
  rank: number;
}

/** The non-blank lines of `prompt` with their offsets. */
function promptLines(prompt: string): { line: number; start: number; end: number }[] {
  const out: { line: number; start: number; end: number }[] = [];
  let start = 0;
  prompt.split('\n').forEach((text, line) => {
    if (text.trim()) out.push({ line, start, end: start + text.length });
    start += text.length + 1;
  });
  return out;
}

export function lineSummaries(a: Analysis): LineSummary[] {
  const lines = promptLines(a.prompt);
  const sums = lines.map(() => ({ n: 0, sum: 0, max: 0 }));
  a.promptTokens.forEach((t, n) => {
    if (t.special || t.end <= t.start) return;
    let first = t.start;
    while (first < t.end && /\s/.test(a.prompt[first] ?? '')) first++;
    if (first >= t.end) return;
    const i = lines.findIndex((l) => l.start <= first && first < l.end);
    if (i < 0) return;
    const v = a.densityNormalized[n] ?? 0;
    sums[i].n++;
    sums[i].sum += v;
    sums[i].max = Math.max(sums[i].max, v);
  });
  const out = lines.map((l, i) => ({
    ...l, text: a.prompt.slice(l.start, l.end), tokens: sums[i].n,
    mean: sums[i].n ? sums[i].sum / sums[i].n : 0, max: sums[i].max, rank: 0,
  }));
  [...out].filter((l) => l.tokens > 0).sort((x, y) => y.mean - x.mean).forEach((l, r) => { l.rank = r + 1; });
  return out;
}

/** The summary of the line holding prompt offset `off`, if any. */
export function lineAt(lines: readonly LineSummary[], off: number): LineSummary | undefined {
  return lines.find((l) => l.start <= off && off < l.end);
}
