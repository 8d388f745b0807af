/**
 * Planted structure: models whose down projection is built from a known low-rank basis aligned
 * with chosen words' output embeddings, and whose query/key weights pair two chosen words.
 * The analyses must recover exactly what was planted.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { env } from '../../src/engine/env.ts';
import { analyzeConcepts } from '../../src/engine/internals/concepts.ts';
import { analyzeHeads } from '../../src/engine/internals/heads.ts';
import { allThresholds, vectorRelatedness, type Relatedness } from '../../src/engine/internals/relatedness.ts';
import { loadHfTokenizer } from '../../src/engine/tokens/load.ts';
import { tempDir, testModel } from '../helpers/paths.ts';
import { writePlantedModel, type PlantedWeights } from '../helpers/planted-model.ts';

const HIDDEN = 16;
const VOCAB = 458;
const CANDIDATES = ['the', 'and', 'was', 'for', 'that', 'with', 'his', 'her', 'you', 'not', 'are', 'but', 'this', 'have', 'from', 'they', 'one', 'all', 'said', 'were'];

const singleToken: Array<{ word: string; id: number }> = [];
let vocabularyFile = '';

/** A deterministic pseudo-random number in [-0.5, 0.5). */
function noise(i: number): number {
  const x = Math.sin(i * 12.9898 + 78.233) * 43758.5453;
  return x - Math.floor(x) - 0.5;
}

function zeros(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

/** Rows of random values in columns `from`..HIDDEN-1, zero before. */
function randomRows(rows: number, from: number, seed: number): number[][] {
  return Array.from({ length: rows }, (_, r) => Array.from({ length: HIDDEN }, (_, c) => (c < from ? 0 : noise(seed + r * HIDDEN + c))));
}

function baseWeights(): PlantedWeights {
  return {
    hidden: HIDDEN,
    heads: 4,
    kvHeads: 2,
    headDim: 4,
    embedding: randomRows(VOCAB, 2, 1),
    inputNormGain: new Array<number>(HIDDEN).fill(1),
    query: zeros(HIDDEN, 16),
    key: zeros(HIDDEN, 8),
    down: randomRows(8, 0, 2),
    unembedding: randomRows(VOCAB, 3, 3),
  };
}

env.cacheDir = tempDir();

before(async () => {
  const { tok } = await loadHfTokenizer(testModel('tiny-llama'));
  for (const word of CANDIDATES) {
    const ids = tok.encode(` ${word}`, { add_special_tokens: false });
    if (ids.length === 1) singleToken.push({ word, id: ids[0] });
  }
  assert.ok(singleToken.length >= 5, 'five single-token words are needed');
  // Only single-token words: a longer word sharing a planted token would share its direction in part.
  vocabularyFile = path.join(tempDir(), 'words.txt');
  writeFileSync(vocabularyFile, singleToken.map((s) => s.word).join('\n') + '\n');
});

test('planted concepts: variance ratios 9/14, 4/14, 1/14 to 1e-6 and each component\'s top word is its planted word', async () => {
  const w = baseWeights();
  // Chosen words' output embeddings are the first three basis vectors; all others live in the other coordinates.
  singleToken.forEach(({ id }, r) => (w.unembedding[id] = Array.from({ length: HIDDEN }, (_, c) => (c === r ? 1 : 0))));
  // Down projection: Σ s_r c_r e_rᵀ with orthonormal zero-mean neuron patterns c_r, plus a common row that centring removes.
  const patterns = [
    [1, 1, 1, 1, -1, -1, -1, -1],
    [1, 1, -1, -1, 1, 1, -1, -1],
    [1, -1, 1, -1, 1, -1, 1, -1],
  ].map((p) => p.map((x) => x / Math.sqrt(8)));
  const strengths = [3, 2, 1];
  const common = Array.from({ length: HIDDEN }, (_, c) => noise(100 + c));
  w.down = Array.from({ length: 8 }, (_, n) => Array.from({ length: HIDDEN }, (_, c) => common[c] + (c < 3 ? strengths[c] * patterns[c][n] : 0)));
  const result = await analyzeConcepts(writePlantedModel(w), { vocabularyFile, components: 5, topWords: 3 });
  const [layer] = result.layers;
  const expected = [9 / 14, 4 / 14, 1 / 14, 0, 0];
  layer.components.forEach((c, r) => assert.ok(Math.abs(c.varianceRatio - expected[r]) < 1e-6, `component ${r + 1}: ${c.varianceRatio} vs ${expected[r]}`));
  for (let r = 0; r < 3; r++) {
    assert.equal(layer.components[r].words[0].word, singleToken[r].word);
    assert.ok(Math.abs(layer.components[r].words[0].score - 1) < 1e-6);
    assert.ok(layer.components[r].words[1].score < 1e-6, 'no other word lies along a planted direction');
  }
});

test('planted heads: the paired words are recovered in the query head that shares the planted key head (GQA), and nowhere else', async () => {
  const w = baseWeights();
  const [a, b] = singleToken;
  w.embedding[a.id] = Array.from({ length: HIDDEN }, (_, c) => (c === 0 ? 1 : 0));
  w.embedding[b.id] = Array.from({ length: HIDDEN }, (_, c) => (c === 1 ? 1 : 0));
  w.inputNormGain = Array.from({ length: HIDDEN }, (_, c) => 0.5 + c / 10);
  // Query head 1, dimensions 0 and 1 read coordinate 0 (word a); key head 0 (shared by query heads 0 and 1) reads coordinate 1 (word b).
  for (const j of [0, 1]) {
    w.query[0][1 * 4 + j] = 1;
    w.key[1][0 * 4 + j] = 1;
  }
  const allRelated: Relatedness = { source: 'test: every pair related', related: () => true };
  const result = await analyzeHeads(writePlantedModel(w), { vocabularyFile, topWords: 5, relatedness: async () => allRelated });
  const heads = result.layers[0].heads;
  assert.deepEqual(heads.map((h) => h.kvHead), [0, 0, 1, 1]);
  assert.deepEqual(heads[1].pairs, [{ query: a.word, key: b.word, dimensions: 2 }]);
  for (const h of [0, 2, 3]) assert.deepEqual(heads[h].pairs, [], `head ${h}`);

  // Unrelated words are no pair, however strongly the weights pair them.
  const noneRelated: Relatedness = { source: 'test: no pair related', related: () => false };
  const unrelated = await analyzeHeads(writePlantedModel(w), { vocabularyFile, topWords: 5, relatedness: async () => noneRelated });
  assert.deepEqual(unrelated.layers[0].heads[1].pairs, []);
});

test('relatedness: a pair is related only when its cosine is above both words\' mean + 1.96 sd to the frequent words', async () => {
  // 40 random directions in 20 dimensions (the frequent words), then two near-copies of word 3.
  const unit = (v: number[]) => Float64Array.from(v, (x) => x / Math.hypot(...v));
  const random = Array.from({ length: 40 }, (_, i) => unit(Array.from({ length: 20 }, (_, c) => noise(1000 + i * 20 + c))));
  const near = (k: number) => unit(Array.from(random[3], (x, c) => x + 0.05 * noise(5000 + k * 20 + c)));
  const vectors = [...random, near(1), near(2), undefined];
  const r = vectorRelatedness('test', vectors, 40);
  assert.equal(r.related(40, 41), true, 'two near-copies of one direction');
  assert.equal(r.related(40, 3), true);
  const unrelated = [0, 1, 2, 4, 5, 6].filter((w) => !r.related(40, w));
  assert.equal(unrelated.length, 6, 'random directions are not related to it');
  assert.equal(r.related(40, 42), false, 'a word without a vector is related to nothing');
  // The same thresholds computed all at once (as matrix products) as one by one.
  const all = await allThresholds(vectors, 40);
  const eager = vectorRelatedness('test', vectors, 40, all);
  assert.ok(Number.isNaN(all[42]));
  for (let a = 0; a < 42; a++) for (let b = 0; b < 42; b++) assert.equal(eager.related(a, b), r.related(a, b), `${a}, ${b}`);
});

test('a graph without a down projection, or with a MatMulNBits one it cannot dequantize, gets one clear error naming what was not found', async () => {
  const renamed = writePlantedModel({ ...baseWeights(), downNodeName: '/layers.0/mlp/proj_out/MatMul' });
  await assert.rejects(analyzeConcepts(renamed, { vocabularyFile }), (e: Error & { code?: string; hint?: string }) => e.code === 'unsupported-graph' && /No feed-forward down projection found/.test(e.message) && /weight-roles\.ts/.test(e.hint ?? ''));
  // A MatMulNBits node without its K/N/bits/block_size attributes.
  const nbits = writePlantedModel({ ...baseWeights(), downOp: 'MatMulNBits' });
  await assert.rejects(analyzeConcepts(nbits, { vocabularyFile }), (e: Error & { code?: string }) => e.code === 'unsupported-graph' && /The MatMulNBits node "\/layers\.0\/mlp\/down_proj\/MatMul" stores its weight in a form Prompt Lens does not read/.test(e.message));
});

test('heads on a q4 export of tiny-llama reads its block-quantized embedding lookup (GatherBlockQuantized) instead of refusing it', async () => {
  const related = async () => ({ source: 'x', related: () => true });
  const q4 = await analyzeHeads(testModel('tiny-llama'), { dtype: 'q4', vocabularyFile, topWords: 10, relatedness: related });
  const fp32 = await analyzeHeads(testModel('tiny-llama'), { dtype: 'fp32', vocabularyFile, topWords: 10, relatedness: related });
  assert.equal(q4.model.dtype, 'q4');
  assert.deepEqual(q4.layers.map((l) => l.heads.map((h) => h.kvHead)), fp32.layers.map((l) => l.heads.map((h) => h.kvHead)));
  assert.ok(q4.layers.every((l) => l.heads.some((h) => h.pairs.length > 0)));
});
