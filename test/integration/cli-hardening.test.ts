/**
 * Hardening of the CLI (issue 10), through the built CLI as a user runs it: control characters
 * of prompts, responses and paths are shown, never sent raw to the terminal; bad inputs get one
 * message naming the file and the fix; SIGTERM stops as cleanly as Ctrl-C; output paths are
 * checked before any model loads, and the outputs are written all or none.
 */
/* eslint-disable no-control-regex -- these tests look for control characters */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { sharedDir, sharedSkipReason, tempDir, testModel } from '../helpers/paths.ts';

const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };
const noModel = '/nonexistent/model';
const model = testModel('tiny-llama');

/** One `prompt-lens:` message with its fix, no stack, and (unless `loads`) refused before any model loads. */
function assertOneMessage(r: CliResult, code: number, message: RegExp, what: string): void {
  assert.equal(r.code, code, `${what}: exit code\n${r.stderr}`);
  assert.match(r.stderr, message, what);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('prompt-lens:')).length, 1, `${what}: one message\n${r.stderr}`);
  assert.match(r.stderr, /\n {2}fix: /, `${what}: says what to do`);
  assert.doesNotMatch(r.stderr, /unexpected error|Error:|\bat .*\.(ts|js):\d+/, `${what}: no stack\n${r.stderr}`);
}

function assertNoModelLoaded(r: CliResult, what: string): void {
  assert.doesNotMatch(r.stderr, /prepar|loading|attribute/, `${what}: refused before any model loads\n${r.stderr}`);
}

// ---- item 3: control characters reach the terminal shown, not raw ---------------------------

/** Everything but our own colour codes (SGR, ESC [ … m). */
function withoutOurColours(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

test('control characters of the prompt and the response are shown, not sent raw; our colours stay', async () => {
  const prompt = 'Say hi \x1b]0;pwned\x07\x1b[2J to the user. Explain the sky.';
  const response = 'ok \x1b[31mred\x1b[0m \x9b2J\x07 done';
  const args = ['analyze', '--model', model, '--prompt', prompt, '--response', response];
  const plain = await runCli(args, { env });
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, `without colour, no raw control character at all:\n${JSON.stringify(plain.stdout)}`);
  const r = await runCli(args, { env: { ...env, FORCE_COLOR: '1', NO_COLOR: '' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /\x1b\[48;5;\d+m/, 'the prompt is still coloured');
  const rest = withoutOurColours(r.stdout);
  assert.doesNotMatch(rest, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, `no raw control character besides our colours:\n${JSON.stringify(rest)}`);
  assert.match(rest, /␛\]0;pwned␇␛\[2J/, 'the prompt\'s escape sequence is shown');
  assert.match(rest, /ok ␛\[31mred␛\[0m \\u009b2J␇ done/, 'the response\'s controls are shown');
  assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/, 'stderr: no raw controls');
});

test('control characters in error messages on stderr and in the spans listing are shown, not sent raw', async () => {
  const dir = tempDir();
  const prompts = path.join(dir, 'p.jsonl');
  writeFileSync(prompts, JSON.stringify({ id: 'a\x1b[2J', prompt: 'Sort the list \x1b]0;pwned\x07 now. Then print it.' }) + '\n');
  const spans = await runCli(['spans', '--prompts', prompts], { env });
  assert.equal(spans.code, 0, spans.stderr);
  assert.match(spans.stdout, /^a␛\[2J: /);
  assert.doesNotMatch(spans.stdout, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  const r = await runCli(['analyze', '--model', noModel, '--prompt-file', path.join(dir, 'x\x1b]0;pwned\x07\x1b[2J.prompt')], { env });
  assertOneMessage(r, 2, /no such file: .*x␛\]0;pwned␇␛\[2J\.prompt/, 'missing file with controls in its name');
  assert.doesNotMatch(r.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  const option = await runCli(['analyze', '--model', noModel, '--prompt', 'hi', '--\x1b[2Jbad'], { env });
  assert.equal(option.code, 2);
  assert.match(option.stderr, /␛\[2Jbad/);
  assert.doesNotMatch(option.stderr, /[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
});

// ---- item 9: bad inputs get one message naming the file and the fix ------------------------

test('--instruction 5:2 is reversed; a binary --prompt-file is binary; a missing one is "no such file"', async () => {
  const dir = tempDir();
  const binary = path.join(dir, 'image.png');
  writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
  const latin1 = path.join(dir, 'latin1.txt');
  writeFileSync(latin1, Buffer.from('Tradu\xe7a isto.', 'latin1'));
  const cases: Array<{ args: string[]; message: RegExp }> = [
    { args: ['--prompt', 'Sort the list.', '--instruction', '5:2'], message: /--instruction 5:2 is reversed: its start 5 is after its end 2\n {2}fix: write --instruction 2:5/ },
    { args: ['--prompt-file', binary], message: /--prompt-file .*image\.png is a binary file, not text/ },
    { args: ['--prompt-file', latin1], message: /--prompt-file .*latin1\.txt is a binary file, not text\n {2}fix: give a text file \(UTF-8\)/ },
    { args: ['--prompt', 'hi', '--response-file', binary], message: /--response-file .*image\.png is a binary file/ },
    { args: ['--prompt-file', path.join(dir, 'my.prompt')], message: /--prompt-file: no such file: .*my\.prompt/ },
  ];
  for (const c of cases) {
    const r = await runCli(['analyze', '--model', noModel, ...c.args], { env });
    assertOneMessage(r, 2, c.message, c.args.join(' '));
    assertNoModelLoaded(r, c.args.join(' '));
  }
});

test('a missing input file reads "no such file: PATH" in every command', async () => {
  const dir = tempDir();
  const missing = path.join(dir, 'missing.jsonl');
  const cases: Array<{ args: string[]; code: number; message: RegExp }> = [
    { args: ['analyze', '--model', noModel, '--prompt', 'hi', '--response-file', missing], code: 2, message: /--response-file: no such file: .*missing\.jsonl/ },
    { args: ['compare', '--base', noModel, '--tuned', noModel, '--prompt-file', missing], code: 2, message: /--prompt-file: no such file: .*missing\.jsonl/ },
    { args: ['dataset', '--base', noModel, '--prompts', missing, '--out', path.join(dir, 'out')], code: 2, message: /cannot read --prompts: no such file: .*missing\.jsonl/ },
    { args: ['spans', '--prompts', missing], code: 2, message: /cannot read --prompts: no such file: .*missing\.jsonl/ },
    { args: ['stats', '--import', missing, '--out', path.join(dir, 'out')], code: 1, message: /No such file: .*missing\.jsonl/ },
  ];
  for (const c of cases) {
    const r = await runCli(c.args, { env });
    assertOneMessage(r, c.code, c.message, c.args.join(' '));
    assert.doesNotMatch(r.stderr, /ENOENT/);
  }
});

test('SIGTERM during attribution stops as cleanly as Ctrl-C: one message, exit 143, nothing written', async () => {
  const out = tempDir();
  const r = await runCli(['analyze', '--model', model, '--prompt', 'Explain why the sky is blue, in detail. '.repeat(6), '--max-new-tokens', '40', '--json', path.join(out, 'x.json'), '--html', path.join(out, 'x.html')], {
    env,
    killSignal: 'SIGTERM',
    killWhen: (stderr) => /attribute/.test(stderr),
  });
  assert.equal(r.signal, null, 'exited by itself, not killed by the signal');
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.stderr, /stopping/);
  assert.match(r.stderr, /prompt-lens: The run was cancelled\./);
  assert.doesNotMatch(r.stderr, /unexpected error|\bat .*\.(ts|js):\d+/);
  assert.deepEqual(readdirSync(out), []);
});

const skip = sharedSkipReason();
const paper = path.join(sharedDir, 'data/paper-self-instruct');

test('stats --import-paper: a truncated .jsonl.gz and swapped files each get one message naming the file and the fix', { skip }, async () => {
  const dir = tempDir();
  const prompts = path.join(paper, 'prompts.jsonl');
  const attributions = path.join(paper, 'attributions.jsonl.gz');
  const whole = readFileSync(attributions);
  const truncated = path.join(dir, 'attributions.jsonl.gz');
  writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  const out = path.join(dir, 'out');
  const cut = await runCli(['stats', '--import-paper', prompts, truncated, '--out', out], { env });
  assertOneMessage(cut, 1, /attributions\.jsonl\.gz is not a complete gzip file/, 'truncated');
  assert.match(cut.stderr, new RegExp(`${truncated.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`), 'names the file');
  assert.match(cut.stderr, /fix: .*(copy|download) it again/);

  const swapped = await runCli(['stats', '--import-paper', attributions, prompts, '--out', out], { env });
  assertOneMessage(swapped, 1, /swapped/, 'swapped');
  assert.match(swapped.stderr, /fix: Give the prompts file first, then the attributions file: .*prompts\.jsonl .*attributions\.jsonl\.gz\.\n/);
  assert.equal(existsSync(out), false, 'no report written');
});

// ---- item 10: outputs are checked before any model loads, and written all or none ----------

/** Makes `dir` refuse new files, also for root (immutable); returns the undo. */
function makeReadOnly(dir: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', dir]);
    return () => execFileSync('chattr', ['-i', dir]);
  }
  chmodSync(dir, 0o555);
  return () => chmodSync(dir, 0o755);
}

test('--json into a read-only folder is refused before any model loads', async () => {
  const dir = tempDir();
  const readOnly = path.join(dir, 'read-only');
  mkdirSync(readOnly);
  const undo = makeReadOnly(readOnly);
  try {
    for (const args of [
      ['analyze', '--model', model, '--prompt', 'Sort the list: 3 1 2.', '--json', path.join(readOnly, 'a.json')],
      ['analyze', '--model', model, '--prompt', 'Sort the list: 3 1 2.', '--html', path.join(readOnly, 'new', 'a.html')],
      ['compare', '--base', model, '--tuned', model, '--prompt', 'Sort the list.', '--json', path.join(readOnly, 'a.json')],
      ['spans', '--prompt', 'Sort the list.', '--json', path.join(readOnly, 'spans.json')],
      ['stats', '--out', path.join(readOnly, 'stats')],
    ]) {
      const r = await runCli(args, { env });
      assertOneMessage(r, 2, /cannot be written: no file can be made in .*read-only \(E(PERM|ACCES)\)\n {2}fix: choose a folder you may write to/, args.join(' '));
      assertNoModelLoaded(r, args.join(' '));
      assert.equal(r.stdout, '', 'nothing ran');
    }
  } finally {
    undo();
  }
  assert.deepEqual(readdirSync(readOnly), []);
});

test('--json and --html: when the HTML cannot be written, the JSON is not left behind either', async () => {
  const dir = tempDir();
  const jsonDir = path.join(dir, 'json');
  const htmlDir = path.join(dir, 'html');
  mkdirSync(jsonDir);
  mkdirSync(htmlDir);
  let replaced = false;
  const r = await runCli(['analyze', '--model', model, '--prompt', 'Explain why the sky is blue, in detail. '.repeat(4), '--max-new-tokens', '24', '--json', path.join(jsonDir, 'a.json'), '--html', path.join(htmlDir, 'a.html')], {
    env,
    // The HTML's folder becomes a file after the checks, while the model works.
    killWhen: (stderr) => {
      if (!replaced && /attribute/.test(stderr)) {
        rmSync(htmlDir, { recursive: true });
        writeFileSync(htmlDir, 'not a folder');
        replaced = true;
      }
      return false;
    },
  });
  assert.ok(replaced);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /html/);
  assert.deepEqual(readdirSync(jsonDir), [], 'no JSON and no partial file');
  assert.equal(readFileSync(htmlDir, 'utf8'), 'not a folder');
});
