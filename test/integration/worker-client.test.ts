/**
 * The extension's engine worker (dist/worker.js, as the extension starts it; npm run build) through its client:
 * each request type answers with its own result type, a cancelled request rejects as a
 * cancellation (not as a worker error), and an engine error arrives with the engine's code.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CancelledError, WorkerClient, WorkerRequestError } from '../../src/extension/workerClient.ts';
import type { ModelState } from '../../src/protocol/index.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

const states: [string, ModelState][] = [];
let client: WorkerClient;

before(() => {
  const cacheDir = tempDir();
  client = new WorkerClient({
    workerPath: path.join(repoRoot, 'dist', 'worker.js'),
    init: () => ({ type: 'init', cacheDir, allowRemoteModels: false, maxLoadedModels: 1 }),
    log: () => undefined,
    onModelState: (ref, _dtype, state) => states.push([path.basename(ref), state]),
    cancelGraceMs: 20_000,
  });
});
after(async () => client.terminate());

test('each request answers with its own result: load, analyze, rescore, detectSpans, report, unload', async () => {
  const ref = testModel('tiny-llama');
  const loaded = await client.request({ type: 'load', ref, dtype: 'fp32', precision: 'float32' });
  assert.match(loaded.architecture, /llama/);
  const prompt = 'Translate to French: the cat sleeps.';
  const a = await client.request({ type: 'analyze', ref, dtype: 'fp32', precision: 'float32', request: { prompt, maxNewTokens: 3, method: 'occlusion' } });
  assert.equal(a.prompt, prompt);
  assert.equal(a.settings.method, 'occlusion');
  const spans = await client.request({ type: 'detectSpans', prompt });
  assert.ok(Array.isArray(spans) && spans.every((s) => s.start < s.end));
  const rescored = await client.request({ type: 'rescore', analysis: a, settings: { levels: 4 } });
  assert.equal(rescored.settings.levels, 4);
  assert.deepEqual(rescored.importance, a.importance);
  const html = await client.request({ type: 'report', analyses: [a] });
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.equal(await client.request({ type: 'unload', ref }), null);
  assert.deepEqual(states.map(([, s]) => s), ['loading', 'ready', 'running', 'ready', 'unloaded']);
});

test('a cancelled request rejects with CancelledError, and the worker still answers', async () => {
  let cancel: (() => void) | undefined;
  const run = client.request(
    { type: 'analyze', ref: testModel('tiny-llama'), dtype: 'fp32', precision: 'float32', request: { prompt: 'Name three colours of the rainbow, please.', maxNewTokens: 200 } },
    { onCancel: (c) => { cancel = c; }, onProgress: () => cancel?.() },
  );
  await assert.rejects(run, (e: unknown) => e instanceof CancelledError && !(e instanceof WorkerRequestError));
  assert.ok(Array.isArray(await client.request({ type: 'detectSpans', prompt: 'Say hi.' })));
});

test('an engine error arrives as a WorkerRequestError with the engine\'s code and hint', async () => {
  const missing = path.join(tempDir(), 'no-model-here');
  await assert.rejects(client.request({ type: 'load', ref: missing, dtype: 'fp32', precision: 'float32' }), (e: unknown) => {
    assert.ok(e instanceof WorkerRequestError);
    assert.equal(e.code, 'model-not-found');
    assert.ok(e.hint.length > 0);
    return true;
  });
});
