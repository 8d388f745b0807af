/**
 * The learned span decision (src/engine/spans/learned.ts): leave-one-set-out evaluation and
 * training (docs/spans.md, "Sixth round").
 *
 *   node --import tsx tools/spans/learn.ts            per-set table: rules, leave-one-set-out classifier, baselines
 *   node --import tsx tools/spans/learn.ts --write    … and write the model trained on all sets
 *   node --import tsx tools/spans/learn.ts --check    … and fail unless the committed model is what training gives
 *
 * Sets: the paper's 252 Self-Instruct prompts (../shared, or PROMPT_LENS_SHARED_DIR), own 18,
 * own 12 (test/fixtures/spans/own-sets.ts), and the style sets in test/fixtures/spans/*.jsonl.
 * Each piece of the segmentation (a line's label, list marker or sentence) is an example,
 * labelled by whether most of its characters are annotated, weighted by its non-space
 * characters; the score is character-level P/R/F1 as in the tests.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Matrix, solve } from 'ml-matrix';
import type { Span } from '../../src/engine/analysis.ts';
import { FEATURE_NAMES, pieceFeatures, type PieceFeatures } from '../../src/engine/spans/features.ts';
import { decide, spansFromDecisions, type SpanModel } from '../../src/engine/spans/learned.ts';
import { addCounts, countAgreement, evaluate, firstAndLastSentenceSpans, firstSentenceSpans, lastParagraphSpans, scoresOf, wholePromptSpans, type Counts, type Scores } from '../../src/engine/spans/index.ts';
import type { DetectTrace } from '../../src/engine/spans/detect.ts';
import { HELD_OUT, OWN_SET, ownSetItems } from '../../test/fixtures/spans/own-sets.ts';

const root = path.resolve(__dirname, '../..');
const sharedDir = process.env.PROMPT_LENS_SHARED_DIR ?? path.resolve(root, '../shared');
export const MODEL_FILE = path.join(root, 'src/engine/spans/span-model.json');

interface Item {
  prompt: string;
  reference: Span[];
}

export interface Prepared extends Item {
  pieces: PieceFeatures[];
  trace: DetectTrace;
  labels: boolean[];
  weights: number[];
}

function jsonl(file: string): Item[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => {
    const r = JSON.parse(line) as { prompt: string; instruction_spans: Span[] };
    return { prompt: r.prompt, reference: r.instruction_spans };
  });
}

export function loadSets(): Array<{ name: string; items: Item[] }> {
  const fixture = (f: string) => jsonl(path.join(root, 'test/fixtures/spans', f));
  const paperFile = path.join(sharedDir, 'data/paper-self-instruct/prompts.jsonl');
  if (!existsSync(paperFile)) throw new Error(`the paper's annotations are missing at ${paperFile} (set PROMPT_LENS_SHARED_DIR)`);
  return [
    { name: 'paper 252', items: jsonl(paperFile) },
    { name: 'own 18', items: ownSetItems(OWN_SET) },
    { name: 'own 12', items: ownSetItems(HELD_OUT) },
    { name: 'dev 106', items: fixture('dev-styles.jsonl') },
    { name: 'former 30', items: fixture('held-out-styles.jsonl') },
    { name: 'fresh 43', items: fixture('fresh-held-out-styles.jsonl') },
    { name: 'third 46', items: fixture('new-held-out-styles.jsonl') },
    { name: 'fourth 43', items: fixture('fourth-held-out-styles.jsonl') },
    { name: 'fifth 43', items: fixture('fifth-held-out-styles.jsonl') },
  ];
}

function nonSpace(text: string): number {
  return text.replace(/\s/g, '').length;
}

export function prepare(item: Item): Prepared {
  const { pieces, trace } = pieceFeatures(item.prompt);
  if (pieces[0] && pieces[0].features.length !== FEATURE_NAMES.length) throw new Error(`${pieces[0].features.length} features, ${FEATURE_NAMES.length} names`);
  const inReference = new Uint8Array(item.prompt.length);
  for (const s of item.reference) inReference.fill(1, s.start, s.end);
  const labels = pieces.map((p) => {
    let inside = 0;
    let all = 0;
    for (let i = p.start; i < p.end; i++) if (!/\s/.test(item.prompt[i])) { all++; inside += inReference[i]; }
    return inside * 2 > all;
  });
  return { ...item, pieces, trace, labels, weights: pieces.map((p) => nonSpace(item.prompt.slice(p.start, p.end))) };
}

/** Candidate L2 penalties on the standardized weights (not the bias) and margins (learned.ts), chosen by inner leave-one-set-out. */
const L2S = [1, 10, 100];
/**
 * Pieces of a template instance (a prompt ending in an empty answer slot, "Output:") are left to
 * the rules and not trained on: that format is the paper's, whose annotation convention for the
 * material the rules follow and the style sets' guide does not (docs/spans.md, "Third round").
 */
const GATE = 'answer slot';
const GATE_INDEX = FEATURE_NAMES.indexOf(GATE);
const MARGINS = [0, 0.15, 0.3, 0.45];

/**
 * Weighted logistic regression by Newton's method (iteratively reweighted least squares) on
 * standardized features: deterministic, so the same data give the same weights. Each set's
 * examples are weighted to the same total, so that the paper's 252 prompts do not outweigh the
 * style sets.
 */
export function train(sets: Prepared[][], l2: number, margin: number): SpanModel {
  const rows: number[][] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  for (const set of sets) {
    const total = set.reduce((n, it) => n + it.weights.reduce((a, b) => a + b, 0), 0);
    for (const it of set) for (const [k, p] of it.pieces.entries()) {
      if (p.features[GATE_INDEX]) continue;
      rows.push(p.features);
      ys.push(it.labels[k] ? 1 : 0);
      ws.push((it.weights[k] / total) * 1000);
    }
  }
  const d = FEATURE_NAMES.length;
  const n = rows.length;
  const wsum = ws.reduce((a, b) => a + b, 0);
  const mean = Array.from({ length: d }, (_, j) => rows.reduce((a, r, i) => a + ws[i] * r[j], 0) / wsum);
  const scale = Array.from({ length: d }, (_, j) => {
    const v = rows.reduce((a, r, i) => a + ws[i] * (r[j] - mean[j]) ** 2, 0) / wsum;
    return v > 1e-12 ? Math.sqrt(v) : 1;
  });
  const x = rows.map((r) => Float64Array.from([1, ...r.map((v, j) => (v - mean[j]) / scale[j])]));
  let beta = new Array<number>(d + 1).fill(0);
  for (let iter = 0; iter < 50; iter++) {
    const h = Array.from({ length: d + 1 }, () => new Float64Array(d + 1));
    const g = new Array<number>(d + 1).fill(0);
    for (let i = 0; i < n; i++) {
      const xi = x[i];
      let z = 0;
      for (let j = 0; j <= d; j++) z += beta[j] * xi[j];
      const p = 1 / (1 + Math.exp(-z));
      const r = ws[i] * (p - ys[i]);
      const s = ws[i] * p * (1 - p);
      for (let j = 0; j <= d; j++) {
        g[j] += r * xi[j];
        const sj = s * xi[j];
        const row = h[j];
        for (let l = j; l <= d; l++) row[l] += sj * xi[l];
      }
    }
    for (let j = 0; j <= d; j++) for (let l = 0; l < j; l++) h[j][l] = h[l][j];
    for (let j = 1; j <= d; j++) {
      g[j] += l2 * beta[j];
      h[j][j] += l2;
    }
    const step = solve(new Matrix(h.map((r) => Array.from(r))), Matrix.columnVector(g)).to1DArray();
    beta = beta.map((b, j) => b - step[j]);
    if (Math.max(...step.map(Math.abs)) < 1e-10) break;
  }
  const round = (v: number) => Number(v.toPrecision(8));
  return { features: [...FEATURE_NAMES], mean: mean.map(round), scale: scale.map(round), weights: beta.slice(1).map(round), bias: round(beta[0]), margin, gate: GATE };
}

function score(items: Prepared[], model: SpanModel): Scores {
  let c: Counts = { truePositive: 0, falsePositive: 0, falseNegative: 0 };
  for (const it of items) {
    const spans = spansFromDecisions(it.prompt, it.trace, it.pieces, it.pieces.map((p) => decide(model, p)));
    c = addCounts(c, countAgreement(it.prompt, spans, it.reference));
  }
  return scoresOf(c);
}

/**
 * The L2 penalty and margin with the best mean F1 over leave-one-set-out folds of `sets` (each
 * set scored by a model trained on the others); ties go to the more conservative choice.
 */
export function select(sets: Prepared[][]): { l2: number; margin: number; mean: number } {
  let best = { l2: L2S[0], margin: MARGINS[0], mean: -1 };
  for (const l2 of L2S) {
    const f1s = MARGINS.map(() => [] as number[]);
    for (let i = 0; i < sets.length; i++) {
      const model = train(sets.filter((_, j) => j !== i), l2, 0);
      for (const [m, margin] of MARGINS.entries()) f1s[m].push(score(sets[i], { ...model, margin }).f1);
    }
    for (const [m, margin] of MARGINS.entries()) {
      const mean = f1s[m].reduce((a, b) => a + b, 0) / f1s[m].length;
      if (mean >= best.mean - 1e-12) best = { l2, margin, mean };
    }
  }
  return best;
}

export function modelJson(model: SpanModel): string {
  return `${JSON.stringify(model, null, 1)}\n`;
}

export interface Row {
  name: string;
  rules: Scores;
  /** Trained on the other sets with the first candidates (L2 1, margin 0). */
  plain: Scores;
  /** Trained on the other sets, L2 and margin chosen by leave-one-set-out among the other sets. */
  loso: Scores;
  chosen: { l2: number; margin: number };
  /** The shipped model (trained on all sets): training fit. */
  all: Scores;
  baselines: Record<string, Scores>;
}

/** Per set: the rules, the classifier trained on the other sets, the classifier trained on all, the baselines. */
export function compare(log: (line: string) => void = () => {}): { rows: Row[]; model: SpanModel } {
  const sets = loadSets().map((s) => ({ name: s.name, items: s.items.map(prepare) }));
  const chosen = select(sets.map((s) => s.items));
  log(`all sets: L2 ${chosen.l2}, margin ${chosen.margin} (mean leave-one-set-out F1 ${chosen.mean.toFixed(4)})`);
  const model = train(sets.map((s) => s.items), chosen.l2, chosen.margin);
  const baselines = { whole: wholePromptSpans, first: firstSentenceSpans, 'first+last': firstAndLastSentenceSpans, 'last paragraph': lastParagraphSpans };
  const rows = sets.map((held, k) => {
    const others = sets.filter((_, j) => j !== k).map((s) => s.items);
    const inner = select(others);
    log(`${held.name}: L2 ${inner.l2}, margin ${inner.margin} chosen on the other sets`);
    const rules = scoresOf(held.items.reduce((c: Counts, it) => addCounts(c, countAgreement(it.prompt, it.trace.spans, it.reference)), { truePositive: 0, falsePositive: 0, falseNegative: 0 }));
    return {
      name: held.name,
      rules,
      plain: score(held.items, train(others, L2S[0], MARGINS[0])),
      loso: score(held.items, train(others, inner.l2, inner.margin)),
      chosen: { l2: inner.l2, margin: inner.margin },
      all: score(held.items, model),
      baselines: Object.fromEntries(Object.entries(baselines).map(([label, f]) => [label, evaluate(held.items, f)])),
    };
  });
  return { rows, model };
}

function main(): void {
  const t0 = performance.now();
  const { rows, model } = compare(console.log);
  const f = (s: Scores) => `${s.precision.toFixed(3)} / ${s.recall.toFixed(3)} / ${s.f1.toFixed(3)}`;
  console.log('| set | baselines F1: whole / first / first+last / last paragraph | rules P / R / F1 | classifier LOSO, L2 1, margin 0 | classifier LOSO, L2 and margin chosen by inner LOSO | classifier trained on all sets (fit) |');
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) {
    const b = Object.values(r.baselines).map((s) => s.f1.toFixed(3)).join(' / ');
    console.log(`| ${r.name} | ${b} | ${f(r.rules)} | ${f(r.plain)} | ${f(r.loso)} (${r.chosen.l2}, ${r.chosen.margin}) | ${f(r.all)} |`);
  }
  console.log(`\n(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const top = model.weights.map((w, j) => [model.features[j], w] as const).sort((a, b) => Math.abs(b[1]) - Math.abs(a[1])).slice(0, 12);
  console.log(`largest weights (standardized): ${top.map(([n, w]) => `${n} ${w.toFixed(2)}`).join(', ')}`);
  const json = modelJson(model);
  if (process.argv.includes('--write')) {
    writeFileSync(MODEL_FILE, json);
    console.log(`wrote ${path.relative(root, MODEL_FILE)}`);
  }
  if (process.argv.includes('--check')) {
    const committed = existsSync(MODEL_FILE) ? readFileSync(MODEL_FILE, 'utf8') : '';
    if (committed !== json) {
      console.error(`${path.relative(root, MODEL_FILE)} is not what training gives`);
      process.exitCode = 1;
    } else console.log(`${path.relative(root, MODEL_FILE)} is what training gives, byte for byte`);
  }
}

if (require.main === module) main();
