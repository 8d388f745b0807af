/**
 * A model's tokenizer files are the user's input too: a chat template is a program (it may loop,
 * build huge strings, fail to parse or raise), and tokenizer.json / tokenizer_config.json may be
 * truncated, not JSON, or not a tokenizer. `analyze` (dist/cli.js) refuses each in one message
 * that names the file and the fix, exits with 1, and stays within the template bounds of env.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { craftedModel, TEMPLATES, withChatTemplate, withFile } from '../helpers/crafted-model.ts';
import { repoRoot, tempDir } from '../helpers/paths.ts';
import { alive, waitForRenderer } from '../helpers/processes.ts';

const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };
/** A CLI that hangs (the defect) is killed after this; a bounded one answers within seconds. */
const KILL_AFTER_MS = 90_000;

function analyze(model: string, ...extra: string[]): Promise<CliResult> {
  return runCli(['analyze', '--model', model, '--prompt', 'Sort the list.', '--template', 'auto', '--method', 'occlusion', '--max-new-tokens', '2', ...extra], { env, killAfterMs: KILL_AFTER_MS, killSignal: 'SIGKILL' });
}

function assertRefused(r: CliResult, message: RegExp, fix: RegExp, what: string): void {
  assert.equal(r.signal, null, `${what}: the CLI was killed (it hung)\n${r.stderr.slice(-2000)}`);
  assert.equal(r.code, 1, `${what}: exit code\n${r.stderr.slice(-2000)}`);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('prompt-lens:') || l.startsWith('  fix:'));
  assert.equal(lines.length, 2, `${what}: one message and its fix\n${r.stderr}`);
  assert.match(lines[0], message, what);
  assert.match(lines[1], fix, what);
  assert.doesNotMatch(r.stderr, /unexpected error|FATAL ERROR|heap out of memory|\bat .*\.(ts|js|cjs|mjs):\d+/, `${what}: no stack or V8 report`);
  assert.equal(r.stdout, '', `${what}: no analysis printed`);
}

const TEMPLATE_FIX = /fix: Analyze without it \(--template none, or the template setting "none"\), or fix "chat_template" in \/.*\/tokenizer_config\.json/;
const DOWNLOAD_FIX = /fix: .*[Dd]ownload the model again/;

test('analyze --template auto: a looping, huge, broken or raising chat template is refused naming tokenizer_config.json', async () => {
  const cases: Array<{ name: string; template: unknown; message: RegExp; maxSeconds?: number }> = [
    { name: 'endless loop', template: TEMPLATES.loop, message: /The chat template in \/.*\/tokenizer_config\.json (ran longer than 5 s \(it may loop for ever\)|needed more than the 256 MB of memory a template may use)\.$/, maxSeconds: 30 },
    { name: 'nested loops', template: TEMPLATES.nestedLoops, message: /The chat template in \/.*\/tokenizer_config\.json (ran longer than 5 s|produced|needed more than the 256 MB)/, maxSeconds: 30 },
    { name: 'huge string', template: TEMPLATES.hugeString, message: /The chat template in \/.*\/tokenizer_config\.json produced 16,777,216 characters, more than the 1,000,014 allowed for this prompt\.$/ },
    { name: 'huge range (a V8 fatal error in the CLI before)', template: TEMPLATES.hugeRange, message: /The chat template in \/.*\/tokenizer_config\.json (ran longer than 5 s|needed more than the 256 MB of memory a template may use)/, maxSeconds: 30 },
    { name: 'huge list', template: TEMPLATES.hugeList, message: /The chat template in \/.*\/tokenizer_config\.json (ran longer than 5 s|needed more than the 256 MB of memory a template may use)/, maxSeconds: 30 },
    { name: 'syntax error', template: TEMPLATES.syntaxError, message: /The chat template in \/.*\/tokenizer_config\.json failed: Parser Error: Expected closing expression token/ },
    { name: 'raise_exception', template: TEMPLATES.raises, message: /The chat template in \/.*\/tokenizer_config\.json failed: Only user and assistant roles are supported!$/ },
    { name: 'named templates without a default', template: [{ name: 'tool_use', template: '{{ messages }}' }], message: /The chat template in \/.*\/tokenizer_config\.json cannot be used: This model has multiple chat templates with no default specified/ },
    { name: 'a template that drops the prompt', template: "{{ messages[0]['content'] | upper }}", message: /The chat template in \/.*\/tokenizer_config\.json changes the prompt text so that it cannot be found in the model input\.$/ },
  ];
  for (const c of cases) {
    const started = Date.now();
    const r = await analyze(craftedModel(withChatTemplate(c.template)));
    assertRefused(r, c.message, TEMPLATE_FIX, c.name);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds < (c.maxSeconds ?? 20), `${c.name}: refused after ${seconds.toFixed(1)} s`);
  }
});

test('analyze --template none runs a model whose chat template would loop for ever', async () => {
  const r = await analyze(craftedModel(withChatTemplate(TEMPLATES.loop)), '--template', 'none');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /instruction score/);
});

test('Ctrl-C while a chat template loops cancels the run at once (exit 130), not after the time limit', async () => {
  const model = craftedModel(withChatTemplate(TEMPLATES.spin));
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/cli.js'), 'analyze', '--model', model, '--prompt', 'Sort the list.', '--template', 'auto', '--method', 'occlusion'], { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1', ...env } });
  const closed = once(child, 'close');
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const hang = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
  // The renderer starts with the first render: interrupt half a second into the endless loop.
  const renderer = await waitForRenderer(child.pid!);
  await sleep(500);
  const interruptedAt = Date.now();
  child.kill('SIGINT');
  const [code, signal] = (await closed) as [number | null, NodeJS.Signals | null];
  clearTimeout(hang);
  const seconds = (Date.now() - interruptedAt) / 1000;
  assert.equal(signal, null, `the CLI was killed (it hung)\n${stderr}`);
  assert.equal(code, 130, stderr);
  assert.match(stderr, /prompt-lens: The run was cancelled\./);
  assert.doesNotMatch(stderr, /chat template|unexpected error/);
  assert.ok(seconds < 4, `stopped ${seconds.toFixed(1)} s after Ctrl-C`);
  assert.ok(renderer !== undefined, 'a renderer ran');
  for (let waited = 0; alive(renderer) && waited < 3000; waited += 100) await sleep(100); // reaped by init
  assert.equal(alive(renderer), false, 'the renderer was stopped too');
});

test('analyze: tokenizer.json and tokenizer_config.json that are truncated, not JSON or not a tokenizer are refused naming the file', async () => {
  const cases: Array<{ name: string; file: string; content: (original: string) => string; message: RegExp }> = [
    { name: 'tokenizer.json truncated', file: 'tokenizer.json', content: (s) => s.slice(0, 3000), message: /prompt-lens: \/.*\/tokenizer\.json is not valid JSON \(/ },
    { name: 'tokenizer.json not JSON', file: 'tokenizer.json', content: () => '<html><body>404 Not Found</body></html>\n', message: /prompt-lens: \/.*\/tokenizer\.json is not valid JSON \(Unexpected token '<'/ },
    { name: 'tokenizer.json valid JSON, no tokenizer', file: 'tokenizer.json', content: () => '{"hello": "world"}', message: /prompt-lens: \/.*\/tokenizer\.json is not a tokenizer: it has no "model" section\.$/ },
    { name: 'tokenizer.json a list', file: 'tokenizer.json', content: () => '[]', message: /prompt-lens: \/.*\/tokenizer\.json holds a list, not the object of settings a tokenizer file has\.$/ },
    { name: 'tokenizer.json an incomplete tokenizer', file: 'tokenizer.json', content: (s) => JSON.stringify({ model: (JSON.parse(s) as { model: unknown }).model }), message: /prompt-lens: The tokenizer in \/.*tiny-qwen2 \(tokenizer\.json with tokenizer_config\.json\) cannot be loaded: / },
    { name: 'tokenizer_config.json truncated', file: 'tokenizer_config.json', content: (s) => s.slice(0, 300), message: /prompt-lens: \/.*\/tokenizer_config\.json is not valid JSON \(/ },
    { name: 'tokenizer_config.json not JSON', file: 'tokenizer_config.json', content: () => 'version https://git-lfs.github.com/spec/v1\noid sha256:0123\nsize 42\n', message: /prompt-lens: \/.*\/tokenizer_config\.json is not valid JSON \(/ },
  ];
  for (const c of cases) {
    const r = await analyze(craftedModel(withFile(c.file, c.content)));
    assertRefused(r, c.message, DOWNLOAD_FIX, c.name);
  }
});
