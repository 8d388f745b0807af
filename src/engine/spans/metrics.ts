/**
 * Character-level agreement of detected spans with reference spans: precision, recall and F1
 * over non-whitespace characters, micro-averaged (counts summed over all prompts).
 */
import type { Span } from '../analysis.ts';

export interface Counts {
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
}

export interface Scores extends Counts {
  precision: number;
  recall: number;
  f1: number;
}

function mask(length: number, spans: readonly Span[]): Uint8Array {
  const m = new Uint8Array(length);
  for (const s of spans) m.fill(1, Math.max(0, s.start), Math.min(length, s.end));
  return m;
}

export function countAgreement(text: string, predicted: readonly Span[], reference: readonly Span[]): Counts {
  const p = mask(text.length, predicted);
  const r = mask(text.length, reference);
  const counts: Counts = { truePositive: 0, falsePositive: 0, falseNegative: 0 };
  for (let i = 0; i < text.length; i++) {
    if (/\s/.test(text[i])) continue;
    if (p[i] && r[i]) counts.truePositive++;
    else if (p[i]) counts.falsePositive++;
    else if (r[i]) counts.falseNegative++;
  }
  return counts;
}

export function addCounts(a: Counts, b: Counts): Counts {
  return { truePositive: a.truePositive + b.truePositive, falsePositive: a.falsePositive + b.falsePositive, falseNegative: a.falseNegative + b.falseNegative };
}

export function scoresOf(c: Counts): Scores {
  const precision = c.truePositive + c.falsePositive ? c.truePositive / (c.truePositive + c.falsePositive) : 0;
  const recall = c.truePositive + c.falseNegative ? c.truePositive / (c.truePositive + c.falseNegative) : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { ...c, precision, recall, f1 };
}

/** Micro-averaged scores of a detector over prompts with reference spans. */
export function evaluate(items: ReadonlyArray<{ prompt: string; reference: readonly Span[] }>, detect: (prompt: string) => Span[]): Scores {
  let total: Counts = { truePositive: 0, falsePositive: 0, falseNegative: 0 };
  for (const item of items) total = addCounts(total, countAgreement(item.prompt, detect(item.prompt), item.reference));
  return scoresOf(total);
}
