/** `prompt-lens dataset`: one analysis per prompt and model, resumable, labelled. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

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

// ---- ids that would share a file (issue 10, item 5) -----------------------------------------

test('dataset refuses ids that would write the same file, naming both lines, before any model loads', async () => {
  const dir = tempDir();
  const cases: Array<{ ids: [string, string]; message: RegExp }> = [
    { ids: ['a/b', 'a_b'], message: /p\.jsonl:1 \(id "a\/b"\) and line 2 \(id "a_b"\) would write the same file a_b\.<role>\.json in --out/ },
    { ids: ['a b', 'a/b'], message: /p\.jsonl:1 \(id "a b"\) and line 2 \(id "a\/b"\) would write the same file a_b\.<role>\.json/ },
    { ids: ['Case', 'case'], message: /p\.jsonl:1 \(id "Case"\) and line 2 \(id "case"\) would write Case\.<role>\.json and case\.<role>\.json, one file where letter case does not count/ },
  ];
  for (const c of cases) {
    const prompts = path.join(dir, 'p.jsonl');
    writeFileSync(prompts, c.ids.map((id, k) => JSON.stringify({ id, prompt: `Reverse the words: blue sky ${k}.` })).join('\n') + '\n');
    const out = path.join(dir, `out-${c.ids[0].replace(/\W/g, '')}`);
    const r = await runCli(['dataset', '--base', testModel('tiny-gpt2'), '--prompts', prompts, '--out', out, '--max-new-tokens', '2'], { env });
    assert.equal(r.code, 2, `${c.ids.join(' / ')}: refused\n${r.stderr}`);
    assert.match(r.stderr, c.message);
    assert.match(r.stderr, /fix: give the records ids that differ/);
    assert.doesNotMatch(r.stderr, /already done|load|prepar/, 'refused before any model loads');
    assert.equal(existsSync(out), false, 'nothing written');
  }
});

// ---- one run at a time in a folder (issue 10, item 6) ---------------------------------------

function startCli(args: string[]): { child: ChildProcessWithoutNullStreams; stderr: () => string; exited: Promise<number | null>; waitFor: (pattern: RegExp) => Promise<void> } {
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/cli.js'), ...args], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env } });
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiters.filter((x) => x.pattern.test(stderr))) w.resolve();
  });
  child.stdout.resume();
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(stderr)) return resolve();
      waiters.push({ pattern, resolve });
      void exited.then(() => reject(new Error(`exited before ${pattern}:\n${stderr}`)));
    });
  return { child, stderr: () => stderr, exited, waitFor };
}

function writeToyPrompts(dir: string, n: number): string {
  const prompts = path.join(dir, 'prompts.jsonl');
  writeFileSync(prompts, Array.from({ length: n }, (_, k) => JSON.stringify({ id: `p${k}`, prompt: `Reverse the words: blue sky number ${k}.`, source: 'toy' })).join('\n') + '\n');
  return prompts;
}

test('dataset locks its --out folder: a second run into it is refused while the first runs', async () => {
  const dir = tempDir();
  const prompts = writeToyPrompts(dir, 2);
  const out = path.join(dir, 'out');
  const args = (method: string) => ['dataset', '--base', testModel('tiny-llama'), '--prompts', prompts, '--out', out, '--max-new-tokens', '3', '--method', method];
  // The first run is paused (SIGSTOP) once it has started on the folder, so it certainly still
  // runs while the second, with another method, starts.
  const first = startCli(args('gradient'));
  await first.waitFor(/base .*: 0 of 2 prompts already done/);
  first.child.kill('SIGSTOP');
  const second = await runCli(args('occlusion'), { env });
  first.child.kill('SIGCONT');
  assert.notEqual(second.code, 0, `the second run is refused\n${second.stderr}`);
  assert.match(second.stderr, new RegExp(`--out .*out is in use by another prompt-lens dataset run \\(pid ${first.child.pid}, started `));
  assert.match(second.stderr, /fix: wait for that run to end, or give another --out folder; if no such run is going on, delete .*\.prompt-lens\.lock/);
  assert.equal(await first.exited, 0, first.stderr());
  const methods = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(path.join(out, f), 'utf8')).settings.method);
  assert.deepEqual(methods, ['gradient', 'gradient'], 'only the first run wrote');
  assert.equal(existsSync(path.join(out, '.prompt-lens.lock')), false, 'released at the end');
});

test('dataset: the lock of a killed run is taken over; Ctrl-C and SIGTERM release it', async () => {
  const dir = tempDir();
  const prompts = writeToyPrompts(dir, 6);
  const out = path.join(dir, 'out');
  const lock = path.join(out, '.prompt-lens.lock');
  const args = ['dataset', '--base', testModel('tiny-llama'), '--prompts', prompts, '--out', out, '--max-new-tokens', '3'];
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const r = await runCli(args, { env, killSignal: signal, killWhen: (stderr) => /already done/.test(stderr) });
    assert.ok(r.code === (signal === 'SIGINT' ? 130 : 143) || r.signal === signal, `${signal} ended the run: ${r.code} ${r.signal}\n${r.stderr}`);
    assert.equal(existsSync(lock), false, `${signal} released the lock`);
  }
  // kill -9 leaves the lock behind, with the pid of a process that no longer runs.
  const killed = startCli(args);
  await killed.waitFor(/base: 1\/\d+ p/);
  killed.child.kill('SIGKILL');
  await killed.exited;
  const left = JSON.parse(readFileSync(lock, 'utf8'));
  assert.equal(left.pid, killed.child.pid);
  assert.equal(typeof left.host, 'string');
  assert.ok(!Number.isNaN(Date.parse(left.startedAt)));
  const resumed = await runCli(args, { env });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, new RegExp(`note: taking over the lock of .*out from an ended run \\(pid ${killed.child.pid}, started `));
  assert.deepEqual(readdirSync(out).sort(), Array.from({ length: 6 }, (_, k) => `p${k}.base.json`).sort());
});

// ---- a prompt the model answers with nothing (issue 10, item 7) ------------------------------

test('dataset skips a prompt whose reply is empty, lists it in the manifest and in stats, and exits 0', async () => {
  const dir = tempDir();
  const prompts = path.join(dir, 'prompts.jsonl');
  // demo-instruct answers a raw prompt after a newline and ends its answer with <|endoftext|>
  // (models/demo-instruct/README.md). A prompt that already holds its answer is complete, so the
  // model's greedy first token is <|endoftext|>: an empty reply, made by the model itself.
  const records = [
    { id: 'answered', prompt: 'Give the definition of glimpse.\nYou asked what "glimpse" means. The definition of glimpse is: a quick look.', source: 'demo' },
    { id: 'open', prompt: 'Give the definition of glimpse.', source: 'demo' },
  ];
  writeFileSync(prompts, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const out = path.join(dir, 'out');
  const args = ['dataset', '--tuned', path.join(repoRoot, 'models/demo-instruct'), '--prompts', prompts, '--out', out, '--max-new-tokens', '4'];
  const first = await runCli(args, { env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /tuned: skipped answered \(.*prompts\.jsonl:1\): .*demo-instruct ended its response at once/);
  assert.match(first.stdout, /1 prompt analysis skipped, listed in .*prompt-lens-dataset\.json/);
  assert.deepEqual(readdirSync(out).sort(), ['open.tuned.json', 'prompt-lens-dataset.json'], 'the next prompt was analysed');
  const manifest = JSON.parse(readFileSync(path.join(out, 'prompt-lens-dataset.json'), 'utf8'));
  assert.equal(manifest.skipped.length, 1);
  assert.deepEqual({ ...manifest.skipped[0], reason: undefined }, { id: 'answered', role: 'tuned', model: path.join(repoRoot, 'models/demo-instruct'), code: 'empty-response', reason: undefined });
  assert.match(manifest.skipped[0].reason, /ended its response at once/);

  // Resuming tries the skipped prompt again, skips it again, and ends well.
  const again = await runCli(args, { env });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /1 of 2 prompts already done; 1 skipped before, tried again/);
  assert.equal(JSON.parse(readFileSync(path.join(out, 'prompt-lens-dataset.json'), 'utf8')).skipped.length, 1);

  const stats = await runCli(['stats', out], { env });
  assert.equal(stats.code, 0, stats.stderr);
  assert.match(stats.stdout, /skipped by prompt-lens dataset \(not in the statistics\): 1 prompt analysis: answered \(tuned: .*ended its response at once/);
  const report = JSON.parse(readFileSync(path.join(out, 'stats.json'), 'utf8'));
  assert.equal(report.prompts, 1);
  assert.equal(report.skipped.count, 1);
  assert.equal(report.skipped.prompts[0].id, 'answered');
  const html = readFileSync(path.join(out, 'stats.html'), 'utf8');
  assert.match(html, /1 prompt analyses \(gradient\) \(1 skipped, listed below\)/);
  assert.match(html, /<h2>Skipped prompts<\/h2>[\s\S]*<td>answered<\/td><td>tuned \(.*demo-instruct\)<\/td><td>.*ended its response at once/);
});

test('dataset --use-response skips a record whose own response is empty, and goes on', async () => {
  const dir = tempDir();
  const prompts = path.join(dir, 'prompts.jsonl');
  const records = [
    { id: 'a', prompt: 'Reverse the words: blue sky.', response: 'sky blue' },
    { id: 'b', prompt: 'Spell the word cat in capitals.', response: '' },
    { id: 'c', prompt: 'Name a colour.', response: 'red' },
  ];
  writeFileSync(prompts, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const out = path.join(dir, 'out');
  const r = await runCli(['dataset', '--base', testModel('tiny-gpt2'), '--prompts', prompts, '--out', out, '--use-response'], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /base: skipped b \(.*prompts\.jsonl:2\): The given response is empty\./);
  assert.deepEqual(readdirSync(out).sort(), ['a.base.json', 'c.base.json', 'prompt-lens-dataset.json']);
  const manifest = JSON.parse(readFileSync(path.join(out, 'prompt-lens-dataset.json'), 'utf8'));
  assert.deepEqual(manifest.skipped.map((s: { id: string; code: string }) => [s.id, s.code]), [['b', 'empty-response']]);
});

test('dataset: a lock held by a running process or another host refuses the run; an unreadable one is replaced', async () => {
  const dir = tempDir();
  const prompts = writeToyPrompts(dir, 1);
  const out = path.join(dir, 'out');
  mkdirSync(out);
  const lock = path.join(out, '.prompt-lens.lock');
  // The model does not exist: a run that gets past the lock fails on loading it.
  const args = ['dataset', '--base', '/nonexistent/model', '--prompts', prompts, '--out', out];
  writeFileSync(lock, JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: '2026-01-01T00:00:00.000Z', command: 'dataset' }));
  const live = await runCli(args, { env });
  assert.equal(live.code, 2, live.stderr);
  assert.match(live.stderr, new RegExp(`is in use by another prompt-lens dataset run \\(pid ${process.pid}, started 2026-01-01T00:00:00\\.000Z\\)`));
  writeFileSync(lock, JSON.stringify({ pid: 1, host: 'elsewhere.example', startedAt: '2026-01-01T00:00:00.000Z', command: 'dataset' }));
  const remote = await runCli(args, { env });
  assert.equal(remote.code, 2, remote.stderr);
  assert.match(remote.stderr, /in use by another prompt-lens dataset run \(pid 1 on elsewhere\.example, started /);
  assert.ok(existsSync(lock), 'a refused run leaves the other run its lock');
  writeFileSync(lock, '');
  const unreadable = await runCli(args, { env });
  assert.match(unreadable.stderr, /note: replacing the unreadable lock .*\.prompt-lens\.lock/);
  assert.doesNotMatch(unreadable.stderr, /in use/);
  assert.equal(existsSync(lock), false, 'released when the run fails');
});
