/**
 * A learned decision over the rules' pieces: logistic regression on each piece's features
 * (features.ts: the rules' own verdict and signals, position, length). Where it agrees with the
 * rules, the rules' exact spans stay; where it disagrees, the whole piece is added or dropped.
 * The weights are trained by tools/spans/learn.ts (docs/spans.md, "Sixth round").
 */
import type { Span } from '../analysis.ts';
import type { DetectTrace } from './detect.ts';
import { pieceFeatures, type PieceFeatures } from './features.ts';
import { CHAT_MARKER } from './pasted.ts';
import { normalizeSpans } from './spans.ts';

export interface SpanModel {
  /** Feature names, in the order of `mean`, `scale` and `weights` (FEATURE_NAMES when trained). */
  features: string[];
  mean: number[];
  scale: number[];
  weights: number[];
  bias: number;
  /**
   * How sure the model must be to overrule the rules: a piece they mark is dropped when the
   * probability is below 0.5 − margin, one they leave out is added when it is at least 0.5 + margin.
   */
  margin: number;
  /** A feature (by name) that, when set, leaves the piece to the rules (e.g. "answer slot": template instances). */
  gate?: string;
}

/** Whether the rules mark any of a piece (they may mark part of it: an order before a quotation). */
export function ruleMarks(piece: PieceFeatures): boolean {
  return piece.rule > 0;
}

/** The decision on a piece: the rules' verdict, unless the model is sure enough of the opposite. */
export function decide(model: SpanModel, piece: PieceFeatures): boolean {
  if (model.gate && piece.features[model.features.indexOf(model.gate)]) return ruleMarks(piece);
  const p = probability(model, piece.features);
  return ruleMarks(piece) ? p >= 0.5 - model.margin : p >= 0.5 + model.margin;
}

export function probability(model: SpanModel, features: readonly number[]): number {
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) z += model.weights[j] * ((features[j] - model.mean[j]) / model.scale[j]);
  return 1 / (1 + Math.exp(-z));
}

/** The spans of a prompt given its pieces' decisions: the rules' spans, with the pieces the decision flips added or dropped whole. */
export function spansFromDecisions(prompt: string, trace: DetectTrace, pieces: readonly PieceFeatures[], decisions: readonly boolean[]): Span[] {
  const mask = new Uint8Array(prompt.length);
  for (const s of trace.spans) mask.fill(1, s.start, s.end);
  for (const [k, piece] of pieces.entries()) {
    if (decisions[k] !== ruleMarks(piece)) mask.fill(decisions[k] ? 1 : 0, piece.start, piece.end);
  }
  for (const m of prompt.matchAll(CHAT_MARKER)) mask.fill(0, m.index, m.index + m[0].length);
  const ranges: Array<[number, number]> = [];
  for (let i = 0; i < prompt.length; i++) {
    if (!mask[i]) continue;
    let j = i;
    while (j < prompt.length && mask[j]) j++;
    ranges.push([i, j]);
    i = j;
  }
  return normalizeSpans(prompt, ranges);
}

/** Instruction spans decided by `model` over the rules' pieces. */
export function detectLearned(prompt: string, model: SpanModel): Span[] {
  const { pieces, trace } = pieceFeatures(prompt);
  return spansFromDecisions(prompt, trace, pieces, pieces.map((p) => decide(model, p)));
}
