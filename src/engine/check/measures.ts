/**
 * What check assertions measure in an Analysis (no model needed): a phrase's density and rank
 * among the prompt's tokens, and the share of importance on template and special tokens.
 */
import type { Analysis, Span } from '../analysis.ts';

/** Where `phrase` first occurs in `prompt`, or undefined. */
export function findPhrase(prompt: string, phrase: string): Span | undefined {
  const start = prompt.indexOf(phrase);
  return start < 0 ? undefined : { start, end: start + phrase.length, text: phrase };
}

export interface PhraseMeasure {
  /** The highest max-normalized density â of the phrase's tokens. */
  density: number;
  /** 1 + the number of the prompt's own tokens with a higher â (1 = the top). */
  rank: number;
  /** The prompt's own (not special) tokens ranked. */
  of: number;
}

/** The phrase's density and rank, or undefined when no token of the prompt lies in it. */
export function measurePhrase(analysis: Analysis, span: Span): PhraseMeasure | undefined {
  const own = analysis.promptTokens.map((t, i) => ({ t, d: analysis.densityNormalized[i] })).filter(({ t }) => !t.special);
  const inside = own.filter(({ t }) => t.start < span.end && t.end > span.start);
  if (inside.length === 0) return undefined;
  const density = Math.max(...inside.map(({ d }) => d));
  return { density, rank: 1 + own.filter(({ d }) => d > density).length, of: own.length };
}

/**
 * The share of positive raw importance (summed over response tokens) that falls on template and
 * special tokens. (Their densities are zero by definition, METHODS.md §1.3, so the raw
 * importance is what tells whether the model leans on them.) 0 when nothing is positive.
 */
export function specialShare(analysis: Analysis): number {
  let special = 0;
  let total = 0;
  analysis.importance.forEach((row, n) => {
    const mass = row.reduce((sum, v) => sum + Math.max(v, 0), 0);
    total += mass;
    if (analysis.promptTokens[n].special) special += mass;
  });
  return total > 0 ? special / total : 0;
}
