/**
 * "Why this reply rather than that one" in the comparison panel (src/extension/contrastRun.ts and
 * webview/contrast.ts), through the real engine worker (dist/worker.js; npm run build) on a test
 * model: the panel's values equal a CLI `analyze --contrast-response` run on the same inputs, a
 * reply of another length comes back as the engine's message and hint, the markup carries the
 * values with a legend and one line in words, and a re-run with another reply drops the contrast.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import { WorkerClient } from '../../src/extension/workerClient.ts';
import { contrastFor, contrastRequest, contrastValues, holdContrast, runContrast } from '../../src/extension/contrastRun.ts';
import type { PanelState } from '../../src/protocol/index.ts';
import { panelModelOf } from '../../src/extension/panelData.ts';
import { DEFAULT_COLORS } from '../../src/shared/highlightColors.ts';
import { contrastHtml } from '../../webview/contrast.ts';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

const MODEL = testModel('tiny-llama');
const PROMPT = 'Summarize: the model reads the prompt and writes a response.';
const TUNED_REPLY = ' It reads the prompt, then it answers.';
const BASE_REPLY = ' It reads the answer, then it answers.';
const SETTINGS = { dtype: 'fp32', precision: 'float64' } as const;
const cache = tempDir();
let client: WorkerClient;
let tuned: Analysis;
let base: Analysis;

before(async () => {
  client = new WorkerClient({
    workerPath: path.join(repoRoot, 'dist', 'worker.js'),
    init: () => ({ type: 'init', cacheDir: cache, allowRemoteModels: false, maxLoadedModels: 1 }),
    log: () => undefined,
    onModelState: () => undefined,
  });
  const run = (response: string) => client.request({ type: 'analyze', ref: MODEL, ...SETTINGS, request: { prompt: PROMPT, response, method: 'gradient', granularity: 'word' } });
  tuned = await run(TUNED_REPLY);
  base = await run(BASE_REPLY);
});
after(async () => client.terminate());

test('the panel\'s contrast values equal a CLI --contrast-response run on the same inputs', async () => {
  const shown = await runContrast(client, tuned, 'tiny-llama', 'base', base.response, SETTINGS);
  assert.equal(shown.error, undefined);
  const a = shown.analysis!;
  assert.equal(a.contrast?.response, base.response);
  assert.equal(a.response, tuned.response);
  assert.equal(a.settings.granularity, 'word');
  assert.equal(a.contrast?.kind, 'log-probability', 'the panel explains log p(tuned reply) − log p(base reply)');
  const out = path.join(tempDir(), 'c.json');
  const r = await runCli(['analyze', '--model', MODEL, '--prompt', PROMPT, '--response', tuned.response, '--contrast-response', base.response,
    '--method', 'gradient', '--granularity', 'word', '--dtype', SETTINGS.dtype, '--precision', SETTINGS.precision, '--json', out], { env: { PROMPT_LENS_CACHE: cache, PROMPT_LENS_OFFLINE: '1' } });
  assert.equal(r.code, 0, r.stderr);
  const cliAnalysis = JSON.parse(readFileSync(out, 'utf8')) as Analysis;
  assert.equal(cliAnalysis.contrast?.kind, 'log-probability');
  const cli = contrastValues(cliAnalysis);
  assert.equal(shown.values!.length, cli.length);
  shown.values!.forEach((v, n) => assert.ok(Math.abs(v - cli[n]) <= 1e-9, `unit ${n}: panel ${v}, CLI ${cli[n]}`));
  // The two replies differ in one word, so some prompt words matter for the difference.
  assert.ok(shown.values!.some((v) => Math.abs(v) > 1e-6), 'the two replies differ, so some words matter');
  // The contrast's attribution is the difference of the two replies' attributions of log p_m
  // (gradient × input is linear): each reply's ordinary analysis explains p_m, so divide its
  // columns by p_m (d log p_m = dp_m / p_m).
  const logAttribution = (x: Analysis) => x.importance.map((row) => row.map((v, m) => v / x.responseProbabilities[m]));
  const [lt, lb] = [logAttribution(tuned), logAttribution(base)];
  const diff = lt.map((row, n) => row.reduce((s, v, m) => s + v - lb[n][m], 0));
  shown.values!.forEach((v, n) => assert.ok(Math.abs(v - diff[n]) <= 1e-9 * Math.max(1, Math.abs(diff[n])), `unit ${n}: ${v} vs tuned − base ${diff[n]}`));
  assert.deepEqual(a.contrast?.responseProbabilities, base.responseProbabilities);
});

test('a reply with another number of tokens comes back as the engine\'s message and hint, not a throw', async () => {
  const shown = await runContrast(client, tuned, 'tiny-llama', 'typed', ' No.', SETTINGS);
  assert.equal(shown.analysis, undefined);
  assert.match(shown.error ?? '', /The contrast response is \d+ tokens and the response \d+; contrastive attribution compares them token by token\. Give a contrast with the same number of tokens/);
});

test('the request keeps the tuned analysis\' prompt, reply and settings; marked spans stay given', () => {
  const req = contrastRequest(tuned, BASE_REPLY);
  assert.deepEqual({ prompt: req.prompt, response: req.response, contrastResponse: req.contrastResponse, method: req.method, granularity: req.granularity },
    { prompt: PROMPT, response: tuned.response, contrastResponse: BASE_REPLY, method: 'gradient', granularity: 'word' });
  assert.equal(req.instructionSpans, undefined, 'detected spans are detected again');
  const marked = { ...tuned, instructionSpansSource: 'given' as const, instructionSpans: [{ start: 0, end: 9 }] };
  assert.deepEqual(contrastRequest(marked, BASE_REPLY).instructionSpans, [{ start: 0, end: 9 }]);
});

test('the panel markup: the replies, one line in words, a legend, the prompt and each word\'s value', async () => {
  const shown = await runContrast(client, tuned, 'tiny-llama', 'base', base.response, SETTINGS);
  const state: PanelState = {
    version: 1, title: 't', colors: DEFAULT_COLORS, contrast: shown,
    controls: { method: 'gradient', levels: 10, threshold: 0, p: 4, template: 'none', sameResponse: 'none', granularity: 'word' },
    models: [panelModelOf('base', 'base', base), panelModelOf('tuned', 'tiny-llama', tuned)],
  };
  const html = contrastHtml(state);
  assert.match(html, /Why this reply rather than that one/);
  assert.match(html, /id="contrastBase"/);
  assert.match(html, /“ It reads the prompt, then it answers\.” <span class="hint">rather than<\/span> “ It reads the answer, then it answers\.”/);
  assert.match(html, /Each word’s value is how much it raises log p\(the tuned reply’s token\) − log p\(the alternative’s token\), summed over the \d+ steps: positive pushes tiny-llama toward its own reply, negative toward the alternative/);
  assert.match(html, /class="legend contrast-legend" title="Sum over the reply’s steps of the importance for log p\(tuned reply token\) − log p\(alternative token\)"/);
  assert.match(html, /<span class="hint contrast-quantity">log p\(tuned reply\) − log p\(base reply\), summed over the steps<\/span>/);
  assert.match(html, /title="Explain log p\(tuned reply\) − log p\(base reply\), token by token"/);
  assert.match(html, /class="ctok" data-n="\d+" data-v="[^"]+" title="[^"]*: [+−]\d\.\d{6} to log p\(tuned reply\) − log p\(alternative\), summed over the steps \(toward the/);
  // A probability contrast says p, not log p.
  const prob = { ...shown, analysis: { ...shown.analysis!, contrast: { ...shown.analysis!.contrast!, kind: 'probability' as const } } };
  const probHtml = contrastHtml({ ...state, contrast: prob });
  assert.match(probHtml, /how much it raises p\(the tuned reply’s token\) − p\(the alternative’s token\)/);
  assert.match(probHtml, /<span class="hint contrast-quantity">p\(tuned reply\) − p\(base reply\), summed over the steps<\/span>/);
  const inPrompt = [...html.matchAll(/class="ctok" data-n="(\d+)" data-v="([^"]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
  const inTable = new Map([...html.matchAll(/<tr data-n="(\d+)">.*?data-v="([^"]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]));
  const words = tuned.promptTokens.filter((t) => !t.special).length;
  assert.equal(inPrompt.length, words);
  assert.equal(inTable.size, words);
  for (const [n, v] of inPrompt) {
    assert.equal(v, shown.values![n], 'the prompt carries the exact value');
    assert.equal(inTable.get(n), shown.values![n], 'the table carries the exact value');
  }
  // Without a tuned result there is nothing to explain; without a base one only the typed reply is offered.
  assert.equal(contrastHtml({ ...state, models: [] }), '');
  assert.match(contrastHtml({ ...state, models: [panelModelOf('tuned', 'tiny-llama', tuned)], contrast: undefined }), /id="contrastBase" disabled/);
});

test('the held contrast belongs to its document and tuned reply: a re-run with another reply drops it', () => {
  const shown = { against: 'base' as const, alternative: BASE_REPLY, label: 'x', busy: true };
  const held = holdContrast('file:///a.prompt', tuned, shown);
  assert.equal(contrastFor(held, 'file:///a.prompt', tuned), shown);
  assert.equal(contrastFor(held, 'file:///b.prompt', tuned), undefined);
  assert.equal(contrastFor(held, 'file:///a.prompt', { ...tuned, response: ' Other.' }), undefined);
  assert.equal(contrastFor(held, 'file:///a.prompt', undefined), undefined);
  assert.equal(contrastFor(undefined, 'file:///a.prompt', tuned), undefined);
});
