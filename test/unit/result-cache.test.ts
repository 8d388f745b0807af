/**
 * The extension's result cache gives a result back only while the files its model recorded
 * (config, tokenizer, graph and weights files) are unchanged on disk, in memory and from its
 * file store alike.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import { ResultCache } from '../../src/extension/resultCache.ts';
import { tempDir } from '../helpers/paths.ts';

/** An Analysis-shaped record with what the cache reads: the model's folder and files. */
function analysisOf(folder: string): Analysis {
  const sha = 'a'.repeat(64);
  return {
    schemaVersion: 1, tool: { name: 'prompt-lens', version: 't' }, createdAt: '',
    model: { ref: folder, path: folder, architecture: 'llama', dtype: 'fp32', fileHashes: { 'config.json': sha, 'onnx/model.onnx': sha, 'onnx/model.onnx_data': sha } },
    settings: { levels: 10, threshold: 0, p: 4, method: 'occlusion', template: 'none', granularity: 'token', maxNewTokens: 1, responseSource: 'generated' },
    prompt: 'hi', modelInput: 'hi', response: 'a',
    promptTokens: [{ text: 'hi', start: 0, end: 2, special: false }], responseTokens: [{ text: 'a' }],
    importance: [[0.5]], normalized: [[5]], density: [0.5], densityNormalized: [1],
    responseProbabilities: [0.5], parity: { maxAbsLogitDiff: 0, probeTokens: 0 },
    work: { positionsProcessed: 0, forwardPasses: 0, positionsWithoutCacheReuse: 0, batchSize: 1 },
    timings: { loadMs: 0, generateMs: 0, attributeMs: 0, totalMs: 0 },
  };
}

function modelFolder(): string {
  const folder = tempDir();
  mkdirSync(path.join(folder, 'onnx'));
  writeFileSync(path.join(folder, 'config.json'), '{}');
  writeFileSync(path.join(folder, 'onnx/model.onnx'), 'graph');
  writeFileSync(path.join(folder, 'onnx/model.onnx_data'), 'weights one');
  return folder;
}

test('result cache: a result is given back while its model files are unchanged, and not after its weights change', () => {
  const store = tempDir();
  for (const change of ['replaced', 'removed'] as const) {
    const folder = modelFolder();
    const a = analysisOf(folder);
    const cache = new ResultCache(store);
    cache.set(`k-${change}`, a);
    assert.deepEqual(cache.get(`k-${change}`), a, 'from memory');
    assert.deepEqual(new ResultCache(store).get(`k-${change}`), a, 'from the file store');
    const weights = path.join(folder, 'onnx/model.onnx_data');
    rmSync(weights);
    if (change === 'replaced') writeFileSync(weights, 'other weights, same graph');
    assert.equal(new ResultCache(store).get(`k-${change}`), undefined, `${change} weights: not from the file store`);
    assert.equal(cache.get(`k-${change}`), undefined, `${change} weights: not from memory`);
  }
});
