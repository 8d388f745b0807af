/**
 * Feed-forward concepts (METHODS.md §2) on the test models against the float64 numpy reference
 * (tools/internals/reference_concepts.py → test/fixtures/internals/goldens), on fp16 / q8 / q4
 * exports, and through the built CLI.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { env } from '../../src/engine/env.ts';
import { analyzeConcepts } from '../../src/engine/internals/concepts.ts';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

const VOCABULARY = path.join(repoRoot, 'test/fixtures/internals/vocabulary-3000.txt');
const GOLDENS = path.join(repoRoot, 'test/fixtures/internals/goldens');
// tiny-llama-genai-gqa-q4: 4-bit MatMulNBits projections and LM head (dequantized by the reader and, independently, by the reference).
const MODELS = ['tiny-gpt2', 'tiny-llama', 'tiny-qwen2', 'tiny-phi3', 'tiny-llama-extdata', 'tiny-llama-genai-gqa-q4'];

interface GoldenConcepts {
  vocabulary: { size: number };
  components: number;
  topWords: number;
  layers: Array<{ layer: number; components: Array<{ rank: number; varianceRatio: number; words: Array<{ word: string; score: number }> }> }>;
}

function golden(model: string): GoldenConcepts {
  return JSON.parse(readFileSync(path.join(GOLDENS, `${model}.json`), 'utf8')) as GoldenConcepts;
}

env.cacheDir = tempDir();

for (const model of MODELS) {
  test(`concepts of ${model} match the float64 numpy reference (top-15 words of 20 components, variance ratios to 1e-6)`, async () => {
    const expected = golden(model);
    const result = await analyzeConcepts(testModel(model), { vocabularyFile: VOCABULARY, components: expected.components, topWords: expected.topWords });
    assert.equal(result.vocabulary.size, expected.vocabulary.size);
    assert.equal(result.vocabulary.source, VOCABULARY);
    assert.equal(result.layers.length, expected.layers.length);
    for (const [i, layer] of result.layers.entries()) {
      const want = expected.layers[i];
      assert.equal(layer.layer, want.layer);
      assert.equal(layer.components.length, want.components.length);
      for (const [r, c] of layer.components.entries()) {
        const w = want.components[r];
        assert.ok(Math.abs(c.varianceRatio - w.varianceRatio) < 1e-6, `${model} layer ${layer.layer} #${c.rank}: variance ratio ${c.varianceRatio} vs ${w.varianceRatio}`);
        assert.deepEqual(c.words.map((x) => x.word), w.words.map((x) => x.word), `${model} layer ${layer.layer} component #${c.rank}`);
        c.words.forEach((x, k) => assert.ok(Math.abs(x.score - w.words[k].score) < 1e-9));
      }
    }
  });
}

test('concepts read fp16 and q8 exports (weights within their rounding of fp32) and q4 exports (the LM head is float)', async () => {
  const expected = golden('tiny-llama');
  for (const [dtype, tolerance] of [['fp16', 2e-4], ['q8', 1e-9], ['q4', 1e-9]] as const) {
    const result = await analyzeConcepts(testModel('tiny-llama'), { vocabularyFile: VOCABULARY, components: 5, topWords: 15, dtype });
    assert.equal(result.model.dtype, dtype);
    for (const [i, layer] of result.layers.entries()) {
      for (const [r, c] of layer.components.entries()) {
        const want = expected.layers[i].components[r].varianceRatio;
        assert.ok(Math.abs(c.varianceRatio - want) < tolerance, `${dtype} layer ${i} #${r + 1}: ${c.varianceRatio} vs ${want}`);
      }
    }
  }
});

test('a vocabulary file with a non-numeric frequency is refused with the line named', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'words.txt');
  (await import('node:fs')).writeFileSync(file, 'cat\t12\ndog\tmany\n');
  await assert.rejects(analyzeConcepts(testModel('tiny-llama'), { vocabularyFile: file }), (e: Error & { code?: string }) => e.code === 'bad-argument' && /words\.txt:2/.test(e.message));
});

test('prompt-lens concepts: fixed JSON layout, layer range, cached per model identity', async () => {
  assert.ok(existsSync(path.join(repoRoot, 'dist/cli.js')), 'run npm run build first');
  const dir = tempDir();
  const cache = tempDir();
  const out = path.join(dir, 'concepts.json');
  const args = ['concepts', '--model', testModel('tiny-qwen2'), '--layers', '1-1', '--components', '4', '--top-words', '6', '--vocabulary', VOCABULARY, '--json', out, '--html', path.join(dir, 'concepts.html')];
  const first = await runCli(args, { env: { PROMPT_LENS_CACHE: cache } });
  assert.equal(first.code, 0, first.stderr);
  const data = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown> & { layers: Array<{ layer: number; components: Array<{ rank: number; varianceRatio: number; words: Array<{ word: string; score: number }> }> }> };
  assert.deepEqual(Object.keys(data).sort(), ['layers', 'model', 'options', 'schemaVersion', 'vocabulary']);
  assert.equal(data.schemaVersion, 1);
  assert.deepEqual(data.vocabulary, { source: VOCABULARY, size: golden('tiny-qwen2').vocabulary.size });
  assert.deepEqual(data.layers.map((l) => l.layer), [1]);
  assert.equal(data.layers[0].components.length, 4);
  assert.deepEqual(data.layers[0].components[0].words.map((w) => w.word), golden('tiny-qwen2').layers[1].components[0].words.slice(0, 6).map((w) => w.word));
  assert.match(first.stdout, /layer 1\n {2}#1 /);
  assert.match(readFileSync(path.join(dir, 'concepts.html'), 'utf8'), /Feed-forward concepts of/);
  assert.equal(readdirSync(path.join(cache, 'internals')).filter((f) => f.startsWith('concepts-')).length, 1);
  const second = await runCli(args, { env: { PROMPT_LENS_CACHE: cache } });
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(JSON.parse(readFileSync(out, 'utf8')), data);
});

test('prompt-lens concepts --base --tuned: identical weights give zero angles and no word changes', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'cmp.json');
  const result = await runCli(['concepts', '--base', testModel('tiny-llama'), '--tuned', testModel('tiny-llama-extdata'), '--components', '8', '--top-words', '15', '--subspace', '4', '--vocabulary', VOCABULARY, '--json', out], {
    env: { PROMPT_LENS_CACHE: tempDir() },
  });
  assert.equal(result.code, 0, result.stderr);
  const data = JSON.parse(readFileSync(out, 'utf8')) as { subspace: number; layers: Array<{ principalAnglesDegrees: number[]; wordsGained: string[]; wordsLost: string[] }> };
  assert.equal(data.subspace, 4);
  for (const l of data.layers) {
    assert.equal(l.principalAnglesDegrees.length, 4);
    for (const a of l.principalAnglesDegrees) assert.ok(a < 1e-4, `angle ${a}`);
    assert.deepEqual([l.wordsGained, l.wordsLost], [[], []]);
  }
  assert.match(result.stdout, /mean angle 0\.0°/);
});

test('prompt-lens concepts: usage mistakes and layers out of range get one clear message', async () => {
  const both = await runCli(['concepts', '--model', testModel('tiny-llama'), '--base', testModel('tiny-llama')]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /needs either --model M or both --base M1 and --tuned M2/);
  const layers = await runCli(['concepts', '--model', testModel('tiny-llama'), '--layers', '5-9', '--vocabulary', VOCABULARY], { env: { PROMPT_LENS_CACHE: tempDir() } });
  assert.notEqual(layers.code, 0);
  assert.match(layers.stderr, /layers 0-1; layer 5 does not exist/);
  assert.doesNotMatch(layers.stderr, /\n\s+at /);
});
