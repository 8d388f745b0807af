/** The "Model internals" view: its word index and page, and the engine worker's `internals` request (dist/worker.js). */
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { ConceptsComparison } from '../../src/engine/internals/compare-concepts.ts';
import type { HeadsComparison } from '../../src/engine/internals/compare-heads.ts';
import type { ConceptsResult } from '../../src/engine/internals/concepts.ts';
import type { HeadsResult } from '../../src/engine/internals/heads.ts';
import { internalsView, wherePlacesText, type InternalsView } from '../../src/engine/internals/view.ts';
import type { FromWorker } from '../../src/protocol/index.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

const model = { ref: 'm', path: 'm', graphFile: 'onnx/model.onnx', dtype: 'fp32', sha256: '' };
const vocabulary = { source: 'test', size: 3 };

function concepts(words: string[][]): ConceptsResult {
  return { schemaVersion: 1, model, vocabulary, options: { components: 2, topWords: 3 }, layers: [{ layer: 0, components: words.map((w, r) => ({ rank: r + 1, varianceRatio: 0.5, words: w.map((word) => ({ word, score: 1 })) })) }] };
}

function heads(pairs: Array<[string, string]>): HeadsResult {
  return { schemaVersion: 1, model, vocabulary, options: { topWords: 3, minDimensions: 2, relatedness: 'test' }, layers: [{ layer: 0, heads: [{ head: 0, kvHead: 0, pairs: [] }, { head: 1, kvHead: 0, pairs: pairs.map(([query, key]) => ({ query, key, dimensions: 2 })) }] }] };
}

test('where a word lives: its components (by its place in their word lists) and heads (by their pairs with it), per model', () => {
  const c: ConceptsComparison = { schemaVersion: 1, subspace: 1, base: concepts([['cat', 'dog'], ['write', 'cat']]), tuned: concepts([['write', 'pen'], ['dog', 'cat']]), layers: [{ layer: 0, principalAnglesDegrees: [10], meanAngleDegrees: 10, wordsGained: ['pen'], wordsLost: [] }] };
  const h: HeadsComparison = { schemaVersion: 1, base: heads([]), tuned: heads([['write', 'essay'], ['write', 'letter']]), groups: [] };
  const view = internalsView(c, h);
  assert.deepEqual(wherePlacesText(view, 'Write'), ['base: layer 0 component #2 (word 1)', 'tuned: layer 0 component #1 (word 1); layer 0 head 1 (2 pairs)']);
  assert.deepEqual(wherePlacesText(view, 'cat'), ['base: layer 0 component #1 (word 1); layer 0 component #2 (word 2)', 'tuned: layer 0 component #2 (word 2)']);
  assert.deepEqual(wherePlacesText(view, 'zebra'), []);
  assert.match(view.html, /Subspace shift per layer/);
  assert.match(view.html, /<h1>Attention heads<\/h1>/);
  assert.match(view.html, /write→essay \(2\)/);
});

test('the page names a model folder by its last part (its path is in the data), a Hub id or relative path as given', () => {
  const withRef = (r: ConceptsResult, ref: string): ConceptsResult => ({ ...r, model: { ...r.model, ref, path: ref } });
  const folder = '/home/someone/.vscode/extensions/prompt-lens.prompt-lens-0.1.0/models/demo-base';
  const c: ConceptsComparison = { schemaVersion: 1, subspace: 1, base: withRef(concepts([['cat']]), folder), tuned: withRef(concepts([['dog']]), 'HuggingFaceTB/SmolLM-135M-Instruct'), layers: [{ layer: 0, principalAnglesDegrees: [10], meanAngleDegrees: 10, wordsGained: [], wordsLost: [] }] };
  const view = internalsView(c);
  assert.match(view.html, /<h1>Feed-forward concepts: demo-base vs HuggingFaceTB\/SmolLM-135M-Instruct<\/h1>/);
  assert.ok(!view.html.includes('/home/someone'), 'no folder path on the page');
  assert.equal(view.base, folder, 'the view keeps the full reference');
  const relative = internalsView({ ...c, base: withRef(concepts([['cat']]), 'models/demo-base') });
  assert.match(relative.html, /<h1>Feed-forward concepts: models\/demo-base vs /);
});

test('engine worker: the internals request returns the view of a base/tuned pair', { timeout: 600_000 }, async () => {
  const worker = new Worker(path.join(repoRoot, 'dist/worker.js'));
  try {
    const result = await new Promise<InternalsView>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'result' && m.id === 1) resolve(m.value as InternalsView);
        if (m.type === 'error') reject(new Error(m.error.message));
      });
      worker.on('error', reject);
      worker.postMessage({ type: 'init', cacheDir: tempDir(), allowRemoteModels: false, maxLoadedModels: 1 });
      worker.postMessage({ type: 'internals', id: 1, base: testModel('tiny-llama'), tuned: testModel('tiny-qwen2'), dtype: 'fp32' });
    });
    assert.equal(result.base, testModel('tiny-llama'));
    assert.match(result.html, /Feed-forward concepts: .*tiny-llama vs .*tiny-qwen2/);
    assert.match(result.html, /Instruction verbs vs general verbs/);
    const word = Object.keys(result.places)[0];
    assert.ok(wherePlacesText(result, word).length > 0);
  } finally {
    await worker.terminate();
  }
});
