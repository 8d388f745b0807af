/**
 * The bounds on chat templates hold where the engine runs: in the extension's engine worker
 * (dist/worker.js, a worker thread that forks the renderer) as in the CLI. A looping or
 * memory-hungry template ends in one EngineError and leaves the worker serving requests; the
 * renderer's own limits (time, heap, output length) each end in their reason.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '../../src/engine/errors.ts';
import { renderChatTemplate, TemplateRenderError } from '../../src/engine/tokens/template-renderer.ts';
import { WorkerClient, WorkerRequestError } from '../../src/extension/workerClient.ts';
import { craftedModel, TEMPLATES, withChatTemplate } from '../helpers/crafted-model.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';
import { alive, waitForRenderer } from '../helpers/processes.ts';

/** A worker that hangs (the defect) fails the test after this. */
const HANG_MS = 90_000;

function within<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${HANG_MS / 1000} s (the engine hangs)`)), HANG_MS);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

test('the extension engine worker (dist/worker.js) refuses a looping and a memory-hungry chat template, and keeps serving', async () => {
  const client = new WorkerClient({
    workerPath: path.join(repoRoot, 'dist/worker.js'),
    init: () => ({ type: 'init', cacheDir: tempDir(), allowRemoteModels: false, maxLoadedModels: 4 }),
    log: () => {},
    onModelState: () => {},
  });
  const analyze = (ref: string) =>
    client.request({ type: 'analyze', ref, dtype: 'fp32', precision: 'auto', request: { prompt: 'Sort the list.', template: 'auto', method: 'occlusion', maxNewTokens: 2 } });
  try {
    const cases = [
      { name: 'endless loop', template: TEMPLATES.loop, message: /^The chat template in \/.*\/tokenizer_config\.json (ran longer than 5 s|needed more than the 256 MB)/ },
      { name: 'huge range', template: TEMPLATES.hugeRange, message: /^The chat template in \/.*\/tokenizer_config\.json (ran longer than 5 s|needed more than the 256 MB)/ },
      { name: 'raise_exception', template: TEMPLATES.raises, message: /^The chat template in \/.*\/tokenizer_config\.json failed: Only user and assistant roles are supported!$/ },
    ];
    for (const c of cases) {
      await assert.rejects(within(analyze(craftedModel(withChatTemplate(c.template))), c.name), (error: unknown) => {
        assert.ok(error instanceof WorkerRequestError, `${c.name}: ${String(error)}`);
        assert.equal(error.code, 'model-files-corrupt', `${c.name}: ${error.message}`);
        assert.match(error.message, c.message, c.name);
        assert.match(error.hint, /--template none/, c.name);
        return true;
      });
      assert.ok(client.running, `${c.name}: the engine worker is still running`);
    }
    // The same worker analyzes a model with a sound template afterwards.
    const analysis = await within(analyze(testModel('tiny-qwen2')), 'sound template');
    assert.match(analysis.modelInput, /^<\|im_start\|>user\nSort the list\.<\|im_end\|>\n<\|im_start\|>assistant\n$/);
  } finally {
    await client.terminate();
  }
});

test('renderChatTemplate: time, heap and output limits each end in their reason; the next render works', async () => {
  const context = { messages: [{ role: 'user', content: 'Hi' }], add_generation_prompt: true };
  const chatml = "{% for m in messages %}{{ '<|im_start|>' + m['role'] + '\\n' + m['content'] + '<|im_end|>\\n' }}{% endfor %}";
  const limits = { timeoutMs: 60_000, memoryMb: 256, maxChars: 1000 };
  const cases = [
    { name: 'time', template: TEMPLATES.spin, limits: { ...limits, timeoutMs: 1000 }, reason: /^ran longer than 1 s \(it may loop for ever\)$/ },
    { name: 'heap', template: TEMPLATES.hugeList, limits: { ...limits, memoryMb: 32 }, reason: /^needed more than the 32 MB of memory a template may use$/ },
    { name: 'output', template: TEMPLATES.hugeString, limits, reason: /^produced 16,777,216 characters, more than the 1,000 allowed for this prompt$/ },
    { name: 'string limit', template: TEMPLATES.hugeString.replace('range(24)', 'range(40)'), limits: { ...limits, memoryMb: 2048 }, reason: /^produced a text longer than a JavaScript string can hold$|^needed more than the 2048 MB/ },
    { name: 'syntax', template: TEMPLATES.syntaxError, limits, reason: /^failed: Parser Error: / },
  ];
  for (const c of cases) {
    await assert.rejects(renderChatTemplate(c.template, [context], c.limits), (error: unknown) => {
      assert.ok(error instanceof TemplateRenderError, `${c.name}: ${String(error)}`);
      assert.match(error.message, c.reason, c.name);
      return true;
    });
    assert.deepEqual(await renderChatTemplate(chatml, [context], limits), ['<|im_start|>user\nHi<|im_end|>\n'], `after ${c.name}`);
  }
  // Renders run one at a time in one process, in order.
  const many = await Promise.all(Array.from({ length: 20 }, (_, i) => renderChatTemplate('{{ messages[0].content }}', [{ messages: [{ role: 'user', content: `n${i}` }] }], limits)));
  assert.deepEqual(many.flat(), Array.from({ length: 20 }, (_, i) => `n${i}`));
});

test('renderChatTemplate: an aborted signal kills a looping render at once with the cancelled error', async () => {
  const controller = new AbortController();
  const started = Date.now();
  setTimeout(() => controller.abort(), 500);
  await assert.rejects(renderChatTemplate(TEMPLATES.spin, [{ messages: [] }], { timeoutMs: 60_000, memoryMb: 256, maxChars: 1000 }, controller.signal), (error: unknown) => {
    assert.ok(error instanceof EngineError && error.code === 'cancelled', String(error));
    return true;
  });
  assert.ok(Date.now() - started < 10_000, `cancelled after ${Date.now() - started} ms`);
});

test('the renderer does not outlive a CLI killed while a template loops (its watchdog ends it)', { skip: process.platform === 'win32' ? 'uses ps' : undefined }, async () => {
  const cli = spawn(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'analyze', '--model', craftedModel(withChatTemplate(TEMPLATES.spin)), '--prompt', 'Sort the list.', '--template', 'auto'], {
    cwd: repoRoot,
    env: { ...process.env, PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' },
    stdio: 'ignore',
  });
  const renderer = await waitForRenderer(cli.pid!);
  assert.ok(renderer !== undefined, 'the CLI started a renderer');
  cli.kill('SIGKILL'); // the CLI cannot end its renderer now
  // The parent's 5 s limit is gone with it; the watchdog allows the render 5 s + 1 s.
  for (let waited = 0; alive(renderer) && waited < 20_000; waited += 200) await sleep(200);
  const orphan = alive(renderer);
  if (orphan) process.kill(renderer, 'SIGKILL');
  assert.equal(orphan, false, 'the orphaned renderer ended within 20 s');
});
