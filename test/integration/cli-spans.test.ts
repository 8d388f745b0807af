/** `prompt-lens spans`, called in-process through its run(). */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { run } from '../../src/cli/commands/spans.ts';
import { tempDir } from '../helpers/paths.ts';

const PROMPT = 'You are given a list of numbers. Sort them in ascending order.\n\nInput: 3, 1, 2\n\nOutput:';

/**
 * Runs the command with stdout and stderr captured. Stdout is also passed on: the test runner
 * reports through it, possibly while the command runs.
 */
async function capture(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    out.push(String(chunk));
    return write.out.call(process.stdout, chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (err.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    const code = await run(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
}

interface Rec {
  id: string;
  spans: Array<{ start: number; end: number; text: string }>;
}

test('--prompt prints the spans; --json writes one record with id "prompt"', async () => {
  const dir = tempDir();
  const json = path.join(dir, 'out.json');
  const r = await capture(['--prompt', PROMPT, '--json', json]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Sort them in ascending order\./);
  const rec = JSON.parse(readFileSync(json, 'utf8')) as Rec;
  assert.equal(rec.id, 'prompt');
  assert.ok(rec.spans.length > 0);
  for (const s of rec.spans) assert.equal(PROMPT.slice(s.start, s.end), s.text);
  assert.deepEqual(Object.keys(rec.spans[0]), ['start', 'end', 'text']);
});

test('--prompt-file reads the prompt verbatim', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'p.txt');
  writeFileSync(file, PROMPT);
  const json = path.join(dir, 'out.json');
  assert.equal((await capture(['--prompt-file', file, '--json', json])).code, 0);
  const rec = JSON.parse(readFileSync(json, 'utf8')) as Rec;
  assert.equal(rec.id, 'prompt');
  assert.equal(rec.spans[0].text, 'You are given a list of numbers.');
});

test('--prompts writes JSON Lines, one record per prompt, in order', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'prompts.jsonl');
  writeFileSync(file, [{ id: 'a', prompt: PROMPT }, { id: 7, prompt: 'The cat sat on the mat.' }].map((x) => JSON.stringify(x)).join('\n') + '\n\n');
  const json = path.join(dir, 'spans.jsonl');
  const r = await capture(['--prompts', file, '--json', json]);
  assert.equal(r.code, 0, r.err);
  const recs = readFileSync(json, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  assert.deepEqual(recs.map((x) => x.id), ['a', '7']);
  assert.ok(recs[0].spans.length > 0);
  assert.deepEqual(recs[1].spans, []);
});

test('bad inputs: one clear message, non-zero exit, no output file', async () => {
  const dir = tempDir();
  const json = path.join(dir, 'out.jsonl');
  const cases: Array<{ argv: string[]; message: RegExp }> = [
    { argv: ['--prompts', path.join(dir, 'missing.jsonl'), '--json', json], message: /cannot read prompts file .*missing\.jsonl/ },
    { argv: ['--prompt-file', path.join(dir, 'missing.txt'), '--json', json], message: /cannot read prompt file/ },
    { argv: ['--json', json], message: /exactly one of --prompt/ },
    { argv: ['--prompt', 'a', '--prompts', 'b', '--json', json], message: /exactly one of --prompt/ },
    { argv: ['--prompt', 'a', '--bogus'], message: /bogus/ },
  ];
  const malformed = path.join(dir, 'bad.jsonl');
  writeFileSync(malformed, `${JSON.stringify({ id: 'a', prompt: PROMPT })}\n{"id": "b", "prompt": \n`);
  cases.push({ argv: ['--prompts', malformed, '--json', json], message: /bad\.jsonl:2 is not valid JSON/ });
  const noPrompt = path.join(dir, 'noprompt.jsonl');
  writeFileSync(noPrompt, '{"id": "x", "text": "hi"}\n');
  cases.push({ argv: ['--prompts', noPrompt, '--json', json], message: /noprompt\.jsonl:1 has no "prompt" string/ });
  for (const c of cases) {
    const r = await capture(c.argv);
    assert.notEqual(r.code, 0, c.argv.join(' '));
    assert.match(r.err, c.message);
    assert.equal(r.err.split('\n').filter((l) => l.startsWith('prompt-lens:')).length, 1, r.err);
    assert.doesNotMatch(r.err, /unexpected error|\bat .*\.ts:\d+/);
    assert.equal(existsSync(json), false, `no output after ${c.argv.join(' ')}`);
  }
});
