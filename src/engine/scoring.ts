/**
 * From raw importance to what views show (METHODS.md §1.3–1.5): S, densities, and the
 * instruction score when spans are known. Used by `analyze` and by `rescore`, so a view
 * never recomputes scores itself.
 */
import type { Analysis, PromptToken, ScoreSettings, Span } from './analysis.ts';
import { instructionScore, normalizeDensity, normalizeImportance, spansToMask, tokenDensity } from './scores/index.ts';

export interface Scores {
  normalized: number[][];
  density: number[];
  densityNormalized: number[];
  instructionSpans?: Span[];
  instructionMask?: number[];
  instructionScore?: number;
}

export function scoreImportance(importance: number[][], tokens: PromptToken[], settings: ScoreSettings, spans?: Span[], prompt?: string): Scores {
  // Template and BOS rows are not the user's text: they take no part in the normalization.
  const normalized = normalizeImportance(importance, settings, tokens.map((t) => !t.special));
  const density = tokenDensity(normalized, settings.p);
  const densityNormalized = normalizeDensity(density);
  const scores: Scores = { normalized, density, densityNormalized };
  if (spans && spans.length > 0) {
    scores.instructionSpans = spans;
    scores.instructionMask = spansToMask(tokens, spans, prompt);
    scores.instructionScore = instructionScore(densityNormalized, scores.instructionMask);
  }
  return scores;
}

/** The same analysis under other score settings or instruction spans, without any model. */
export function rescore(analysis: Analysis, change: Partial<ScoreSettings> & { instructionSpans?: Span[] }): Analysis {
  const settings = { ...analysis.settings, ...pickScoreSettings(change) };
  const spans = change.instructionSpans ?? analysis.instructionSpans;
  const scores = scoreImportance(analysis.importance, analysis.promptTokens, settings, spans, analysis.prompt);
  return { ...analysis, settings, ...scores };
}

function pickScoreSettings(change: Partial<ScoreSettings>): Partial<ScoreSettings> {
  const out: Partial<ScoreSettings> = {};
  if (change.levels !== undefined) out.levels = change.levels;
  if (change.threshold !== undefined) out.threshold = change.threshold;
  if (change.p !== undefined) out.p = change.p;
  return out;
}
