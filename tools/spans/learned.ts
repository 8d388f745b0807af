/**
 * A learned decision over the rules' pieces: logistic regression on each piece's features
 * (features.ts: the rules' own verdict and signals, position, length). Where it agrees with the
 * rules, the rules' exact spans stay; where it disagrees, the whole piece is added or dropped.
 * Trained and measured by learn.ts (docs/spans.md, "Sixth round"): an experiment, not adopted;
 * detection is the rules alone.
 */
import type { Span } from '../../src/engine/analysis.ts';
import type { DetectTrace } from '../../src/engine/spans/detect.ts';
import { FEATURE_NAMES, type PieceFeatures } from './features.ts';
import { CHAT_MARKER } from '../../src/engine/spans/pasted.ts';
import { normalizeSpans } from '../../src/engine/spans/spans.ts';

export interface SpanModel {
  /** Names of the features used (of FEATURE_NAMES), in the order of `mean`, `scale` and `weights`. */
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
  /** Only drop pieces the rules mark, never add one (their precision is the weak side on unseen sets). */
  dropOnly?: boolean;
}

/** Whether the rules mark any of a piece (they may mark part of it: an order before a quotation). */
export function ruleMarks(piece: PieceFeatures): boolean {
  return piece.rule > 0;
}

/** The decision on a piece: the rules' verdict, unless the model is sure enough of the opposite. */
export function decide(model: SpanModel, piece: PieceFeatures): boolean {
  if (model.gate && piece.features[FEATURE_NAMES.indexOf(model.gate)]) return ruleMarks(piece);
  const p = probability(model, piece.features);
  return ruleMarks(piece) ? p >= 0.5 - model.margin : !model.dropOnly && p >= 0.5 + model.margin;
}

const columns = new WeakMap<SpanModel, number[]>();

/** Where each of the model's features is in FEATURE_NAMES (a model may use a subset). */
function columnsOf(model: SpanModel): number[] {
  let c = columns.get(model);
  if (!c) {
    c = model.features.map((name) => FEATURE_NAMES.indexOf(name));
    if (c.some((i) => i < 0)) throw new Error(`span model: unknown feature ${model.features[c.indexOf(-1)]}`);
    columns.set(model, c);
  }
  return c;
}

export function probability(model: SpanModel, features: readonly number[]): number {
  const c = columnsOf(model);
  let z = model.bias;
  for (let j = 0; j < model.weights.length; j++) z += model.weights[j] * ((features[c[j]] - model.mean[j]) / model.scale[j]);
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
