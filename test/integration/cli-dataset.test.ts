/** `prompt-lens dataset`: one analysis per prompt and model, resumable, labelled. */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };

test('dataset writes <id>.<role>.json per prompt and model, and resumes', async () => {
  const dir = tempDir();
  const prompts = path.join(dir, 'prompts.jsonl');
  const records = [
    { id: 'a', prompt: 'Reverse the words: blue sky.', instruction_spans: [{ start: 0, end: 18 }], source: 'toy', followed: true },
    { id: 'b', prompt: 'Spell the word cat in capitals.', instruction_spans: [{ start: 0, end: 31 }], source: 'toy', followed: false },
  ];
  writeFileSync(prompts, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const out = path.join(dir, 'out');
  const args = ['dataset', '--base', testModel('tiny-llama'), '--tuned', testModel('tiny-gpt2'), '--prompts', prompts, '--out', out, '--max-new-tokens', '4', '--threshold', '0'];
  const first = await runCli(args, { env });
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(readdirSync(out).sort(), ['a.base.json', 'a.tuned.json', 'b.base.json', 'b.tuned.json']);
  const a = JSON.parse(readFileSync(path.join(out, 'a.tuned.json'), 'utf8'));
  assert.deepEqual(a.dataset, { id: 'a', source: 'toy', followed: true, role: 'tuned' });
  assert.equal(typeof a.instructionScore, 'number');

  const before = statSync(path.join(out, 'a.base.json')).mtimeMs;
  const second = await runCli(args, { env });
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stderr, /2 of 2 prompts already done/);
  assert.equal(statSync(path.join(out, 'a.base.json')).mtimeMs, before);

  // Statistics from the saved analyses, without models.
  const stats = await runCli(['stats', out, '--threshold', '0'], { env });
  assert.equal(stats.code, 0, stats.stderr);
  const report = JSON.parse(readFileSync(path.join(out, 'stats.json'), 'utf8'));
  assert.equal(report.sources[0].source, 'toy');
  assert.deepEqual(report.methods, ['gradient'], 'the report names the attribution method');
  assert.match(readFileSync(path.join(out, 'stats.html'), 'utf8'), /prompt analyses \(gradient\)/);
  assert.equal(report.sources[0].baseVsTuned.base.n, 2);
  assert.equal(report.sources[0].baseVsTuned.tuned.n, 2);
});

test('stats imports the documented JSON Lines format', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'imported.jsonl');
  const line = (id: string, tunedTop: number) => ({
    id,
    source: 'mine',
    prompt_tokens: ['Do', 'it', 'now', ':', 'x', 'y'],
    instruction_mask: [1, 1, 1, 1, 0, 0],
    models: {
      b: { role: 'base', response_tokens: ['a', 'b', 'c', 'd', 'e'], I: [[0.1, 0, 0, 0, 0], [0, 0.1, 0, 0, 0], [0, 0, 0.1, 0, 0], [0, 0, 0, 0.1, 0], [0.9, 0.9, 0.9, 0.9, 0.9], [0, 0, 0, 0, 0.1]] },
      t: { role: 'tuned', response_tokens: ['a', 'b', 'c', 'd', 'e'], I: [[tunedTop, tunedTop, tunedTop, tunedTop, tunedTop], [0, 0.1, 0, 0, 0], [0, 0, 0.1, 0, 0], [0, 0, 0, 0.1, 0], [0.1, 0.1, 0.1, 0.1, 0.1], [0, 0, 0, 0, 0.1]] },
    },
  });
  writeFileSync(file, [line('1', 0.9), line('2', 0.8), line('3', 0.95)].map((l) => JSON.stringify(l)).join('\n'));
  const r = await runCli(['stats', '--import', file, '--out', dir], { env });
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(readFileSync(path.join(dir, 'stats.json'), 'utf8'));
  const bt = report.sources[0].baseVsTuned;
  assert.ok(bt.tuned.mean > bt.base.mean);
  assert.equal(bt.base.n, 3);
});

test('dataset rejects a malformed prompts file with the line number', async () => {
  const dir = tempDir();
  const prompts = path.join(dir, 'p.jsonl');
  writeFileSync(prompts, '{"id": "x", "prompt": "ok"}\n{"id": "y", "prompt": \n');
  const r = await runCli(['dataset', '--base', testModel('tiny-gpt2'), '--prompts', prompts, '--out', path.join(dir, 'o')], { env });
  assert.equal(r.code, 2);
  assert.match(r.stderr, /p\.jsonl:2 is not valid JSON/);
});
