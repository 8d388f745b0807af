/**
 * The `prompt-lens analyze` / `compare` commands end to end on the project's test models:
 * outputs validate against the JSON schema, offsets point into the prompt, and every bad input
 * gives one clear message, a non-zero exit and no output file.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync, cpSync, rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Analysis } from '../../src/engine/analysis.ts';
import { runCli } from '../helpers/cli.ts';
import { readGolden } from '../helpers/golden.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

const cache = tempDir();
const env = { PROMPT_LENS_CACHE: cache, PROMPT_LENS_OFFLINE: '1' };
const schema = JSON.parse(readFileSync(path.join(repoRoot, 'src/engine/analysis.schema.json'), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

test('analyze writes a schema-valid analysis and a self-contained HTML report', async () => {
  const out = tempDir();
  const prompt = 'Translate the sentence into French: the cat sat on the mat.';
  const r = await runCli(['analyze', '--model', testModel('tiny-llama'), '--prompt', prompt, '--max-new-tokens', '6', '--instruction', '0:35', '--json', path.join(out, 'a.json'), '--html', path.join(out, 'a.html')], { env });
  assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(readFileSync(path.join(out, 'a.json'), 'utf8')) as Analysis;
  assert.ok(validate(a), JSON.stringify(validate.errors));
  assert.equal(a.prompt, prompt);
  assert.equal(a.promptTokens.length, a.importance.length);
  assert.equal(a.responseTokens.length, a.importance[0].length);
  assert.equal(a.promptTokens[0].special, true, 'tiny-llama prepends BOS');
  for (const t of a.promptTokens.filter((t) => !t.special)) assert.equal(prompt.slice(t.start, t.end), t.text);
  assert.equal(typeof a.instructionScore, 'number');
  assert.ok(a.parity.maxAbsLogitDiff < 1e-4);
  const html = readFileSync(path.join(out, 'a.html'), 'utf8');
  assert.match(html, /<canvas id="heat0">/);
  assert.doesNotMatch(html, /(src|href)="https?:/, 'no remote content');
  assert.match(r.stdout, /top tokens:/);
});

test('compare --same-response tuned explains one response with both models', async () => {
  const out = tempDir();
  const r = await runCli(['compare', '--base', testModel('tiny-llama'), '--tuned', testModel('tiny-qwen2'), '--prompt', 'Name three colours of the sea.', '--max-new-tokens', '5', '--same-response', 'tuned', '--method', 'occlusion', '--json', path.join(out, 'c.json')], { env });
  assert.equal(r.code, 0, r.stderr);
  const c = JSON.parse(readFileSync(path.join(out, 'c.json'), 'utf8')) as { base: Analysis; tuned: Analysis };
  assert.ok(validate(c.base) && validate(c.tuned));
  assert.equal(c.base.response, c.tuned.response);
  assert.equal(c.base.settings.responseSource, 'given');
  assert.equal(c.tuned.settings.responseSource, 'generated');
});

test('word granularity merges sub-word tokens', async () => {
  const out = tempDir();
  const prompt = 'Summarize extraordinarily complicated paragraphs.';
  const r = await runCli(['analyze', '--model', testModel('tiny-gpt2'), '--prompt', prompt, '--max-new-tokens', '4', '--granularity', 'word', '--json', path.join(out, 'w.json')], { env });
  assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(readFileSync(path.join(out, 'w.json'), 'utf8')) as Analysis;
  const words = a.promptTokens
    .filter((t) => !t.special)
    .map((t) => prompt.slice(t.start, t.end).replace(/[^A-Za-z]/g, ''))
    .filter((w) => w.length > 0);
  assert.deepEqual(words, ['Summarize', 'extraordinarily', 'complicated', 'paragraphs']);
  assert.ok(a.promptTokens.length < 15);
});

test('sentence and section granularity: raw importance summed per unit; unit-occlusion zeroes whole units', async () => {
  const out = tempDir();
  const prompt = '# Task\nTranslate into French. Keep it short.\n\nText: the cat sat on the mat.';
  const run = async (granularity: string, method: string) => {
    const file = path.join(out, `${granularity}-${method}.json`);
    const r = await runCli(['analyze', '--model', testModel('tiny-llama'), '--prompt', prompt, '--response', ' Le chat.', '--method', method, '--granularity', granularity, '--json', file], { env });
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(readFileSync(file, 'utf8')) as Analysis;
    assert.ok(validate(a), JSON.stringify(validate.errors));
    return a;
  };
  const tokens = await run('token', 'gradient');
  const sentences = await run('sentence', 'gradient');
  const sections = await run('section', 'gradient');
  const user = (a: Analysis) => a.promptTokens.filter((t) => !t.special).map((t) => t.text.trim());
  assert.deepEqual(user(sentences), ['# Task', 'Translate into French.', 'Keep it short.', 'Text: the cat sat on the mat.']);
  assert.deepEqual(user(sections), ['# Task\nTranslate into French. Keep it short.', 'Text: the cat sat on the mat.']);
  for (const a of [sentences, sections]) {
    assert.equal(a.settings.granularity === 'sentence' || a.settings.granularity === 'section', true);
    // Each unit's row is the sum of its tokens' rows (tokens lie in [unit.start, unit.end)).
    a.promptTokens.forEach((unit, u) => {
      const rows = tokens.promptTokens.map((t, n) => ({ t, n })).filter(({ t }) => t.special === unit.special && (unit.special ? t.text === unit.text : t.start >= unit.start && t.end <= unit.end));
      a.importance[u].forEach((v, m) => assert.ok(Math.abs(v - rows.reduce((s, { n }) => s + tokens.importance[n][m], 0)) < 1e-9, `unit ${u} column ${m}`));
    });
    assert.equal(a.normalized.length, a.promptTokens.length);
    assert.ok(Math.max(...a.normalized.flat()) === a.settings.levels, 'normalized per column as for tokens');
  }
  const occluded = await run('sentence', 'unit-occlusion');
  assert.deepEqual(user(occluded), user(sentences));
  assert.equal(occluded.work.forwardPasses < tokens.work.forwardPasses, true, 'one pass per unit');
  const byToken = await run('token', 'unit-occlusion');
  const occlusion = await run('token', 'occlusion');
  assert.deepEqual(byToken.importance, occlusion.importance, 'at token granularity unit occlusion is occlusion');
});

test('--contrast-response explains the response rather than the contrast, step by step', async () => {
  const out = tempDir();
  const file = path.join(out, 'c.json');
  const args = ['analyze', '--model', testModel('tiny-llama'), '--prompt', 'Summarize: the model reads the prompt and writes a response.', '--response', ' It reads the prompt, then it answers.', '--method', 'occlusion'];
  const r = await runCli([...args, '--contrast-response', ' It reads the answer, then it answers.', '--granularity', 'sentence', '--json', file], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /rather than \(contrastive[^\n]*\n\s+It reads the answer, then it answers\./);
  const a = JSON.parse(readFileSync(file, 'utf8')) as Analysis;
  assert.ok(validate(a), JSON.stringify(validate.errors));
  assert.equal(a.contrast?.response, ' It reads the answer, then it answers.');
  assert.equal(a.contrast?.responseTokens.length, a.responseTokens.length);
  assert.equal(a.contrast?.responseProbabilities.length, a.responseTokens.length);
  const mismatch = await runCli([...args, '--contrast-response', ' No.', '--json', path.join(out, 'm.json')], { env });
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, /contrast response is \d+ tokens and the response 14; contrastive attribution compares them token by token/);
  assert.equal(existsSync(path.join(out, 'm.json')), false);
  const empty = await runCli([...args, '--contrast-response', '', '--json', path.join(out, 'e.json')], { env });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /the contrast response is empty/);
});

test('--contrast-kind: log p(response) − log p(contrast) by default, p − p on request, recorded in the JSON and equal to PyTorch', async () => {
  const out = tempDir();
  const golden = readGolden(testModel('tiny-llama')).cases.find((c) => c.contrastText !== undefined)!;
  const args = ['analyze', '--model', testModel('tiny-llama'), '--prompt', golden.prompt, '--response', golden.responseText, '--contrast-response', golden.contrastText!, '--method', 'occlusion', '--precision', 'float64'];
  const analysis = async (extra: string[], name: string) => {
    const r = await runCli([...args, ...extra, '--json', path.join(out, name)], { env });
    assert.equal(r.code, 0, r.stderr);
    const a = JSON.parse(readFileSync(path.join(out, name), 'utf8')) as Analysis;
    assert.ok(validate(a), JSON.stringify(validate.errors));
    return { a, stdout: r.stdout };
  };
  const maxAbsDiff = (a: number[][], b: number[][]) => Math.max(...a.flatMap((row, n) => row.map((v, m) => Math.abs(v - b[n][m]))));
  const byDefault = await analysis([], 'default.json');
  assert.equal(byDefault.a.contrast?.kind, 'log-probability');
  assert.match(byDefault.stdout, /importance explains log p\(response token\) − log p\(contrast token\) per step/);
  assert.ok(maxAbsDiff(byDefault.a.importance, golden.contrastLogOcclusion!) < 1e-6);
  const logp = await analysis(['--contrast-kind', 'log-probability'], 'log.json');
  assert.deepEqual(logp.a.importance, byDefault.a.importance);
  const prob = await analysis(['--contrast-kind', 'probability'], 'prob.json');
  assert.equal(prob.a.contrast?.kind, 'probability');
  assert.match(prob.stdout, /importance explains p\(response token\) − p\(contrast token\) per step/);
  assert.ok(maxAbsDiff(prob.a.importance, golden.contrastOcclusion!) < 1e-6);
  const bad = await runCli([...args, '--contrast-kind', 'logit', '--json', path.join(out, 'bad.json')], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--contrast-kind must be one of log-probability, probability, not "logit"/);
  const alone = await runCli(['analyze', '--model', testModel('tiny-llama'), '--prompt', golden.prompt, '--contrast-kind', 'probability', '--json', path.join(out, 'alone.json')], { env });
  assert.equal(alone.code, 2);
  assert.match(alone.stderr, /--contrast-kind needs a contrast response/);
  assert.equal(existsSync(path.join(out, 'bad.json')) || existsSync(path.join(out, 'alone.json')), false);
});

const BAD_INPUTS: { name: string; args: () => string[]; code: number; message: RegExp }[] = [
  { name: 'missing model folder', args: () => ['analyze', '--model', '/nonexistent/model', '--prompt', 'hi'], code: 1, message: /No model folder at \/nonexistent\/model/ },
  { name: 'Hub id while offline', args: () => ['analyze', '--model', 'HuggingFaceTB/SmolLM-135M', '--prompt', 'hi'], code: 1, message: /not downloaded and downloads are turned off/ },
  { name: 'empty prompt', args: () => ['analyze', '--model', testModel('tiny-gpt2'), '--prompt', '   '], code: 2, message: /prompt is empty/ },
  { name: 'prompt longer than the context window', args: () => ['analyze', '--model', testModel('tiny-gpt2'), '--prompt', 'word '.repeat(2000)], code: 1, message: /reads at most/ },
  { name: 'unknown method', args: () => ['analyze', '--model', testModel('tiny-gpt2'), '--prompt', 'hi', '--method', 'lime'], code: 2, message: /--method must be one of/ },
  { name: 'bad instruction span', args: () => ['analyze', '--model', testModel('tiny-gpt2'), '--prompt', 'hi', '--instruction', '0:99'], code: 2, message: /not inside the prompt/ },
  { name: 'missing prompt', args: () => ['analyze', '--model', testModel('tiny-gpt2')], code: 2, message: /give the prompt/ },
];

for (const bad of BAD_INPUTS) {
  test(`bad input: ${bad.name}`, async () => {
    const out = tempDir();
    const json = path.join(out, 'never.json');
    const r = await runCli([...bad.args(), '--json', json], { env });
    assert.equal(r.code, bad.code, r.stderr);
    assert.match(r.stderr, bad.message);
    assert.ok(!existsSync(json), 'no output written');
    assert.ok(r.stderr.split('\n').filter((l) => l.startsWith('prompt-lens:')).length === 1, 'one message');
  });
}

test('bad input: Hub id with the Hub unreachable fails fast with an offline message', async () => {
  const started = Date.now();
  const r = await runCli(['analyze', '--model', 'HuggingFaceTB/SmolLM-135M', '--prompt', 'hi'], { env: { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_HUB_URL: 'http://127.0.0.1:9/' } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Cannot reach the Hugging Face Hub to download HuggingFaceTB\/SmolLM-135M/);
  assert.match(r.stderr, /fix: .*local model folder/);
  assert.ok(Date.now() - started < 20_000);
});

test('bad input: model folder without tokenizer files names them', async () => {
  const dir = tempDir();
  cpSync(testModel('tiny-gpt2'), dir, { recursive: true });
  rmSync(path.join(dir, 'tokenizer.json'));
  const r = await runCli(['analyze', '--model', dir, '--prompt', 'hi'], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /lacks tokenizer\.json/);
});

test('bad input: corrupt config.json', async () => {
  const dir = tempDir();
  cpSync(testModel('tiny-gpt2'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'config.json'), '{"model_type": "gpt2",');
  const r = await runCli(['analyze', '--model', dir, '--prompt', 'hi'], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /config\.json is not valid JSON/);
});

test('Ctrl-C during attribution stops cleanly with exit 130 and writes nothing', async () => {
  const out = tempDir();
  mkdirSync(out, { recursive: true });
  const r = await runCli(['analyze', '--model', testModel('tiny-llama'), '--prompt', 'Explain why the sky is blue, in detail. '.repeat(6), '--max-new-tokens', '40', '--json', path.join(out, 'x.json'), '--html', path.join(out, 'x.html')], {
    env,
    killWhen: (stderr) => /attribute/.test(stderr),
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /cancelled/);
  assert.deepEqual(readdirSync(out), []);
});
