/**
 * Every `npx prompt-lens …` command of README.md's command-line section runs verbatim, in order,
 * through the built CLI, in a folder laid out as a fresh clone (models/ and examples/ are the
 * repository's own). One substitution keeps it short: models/demo-heldout.jsonl holds the first
 * 4 of its 320 prompts (the full run takes minutes; README says how long).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir } from '../helpers/paths.ts';

/** The `sh` block under "## The command-line tool", as commands (continuations joined, comments dropped). */
function readmeCommands(readme: string): string[] {
  const section = readme.slice(readme.indexOf('## The command-line tool'));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.replace(/\s+#\s.*$/, '').trim())
    .filter((line) => line.length > 0);
}

/** Shell words: spaces separate, double and single quotes group (enough for README's commands). */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const m of command.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]));
  return words;
}

test('README: every prompt-lens command runs verbatim from a fresh clone', async () => {
  const commands = readmeCommands(readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));
  assert.ok(commands.length >= 6, `README's commands: ${commands.join('\n')}`);
  const clone = tempDir('prompt-lens-readme-');
  mkdirSync(path.join(clone, 'models'));
  for (const name of ['demo-base', 'demo-instruct']) symlinkSync(path.join(repoRoot, 'models', name), path.join(clone, 'models', name));
  symlinkSync(path.join(repoRoot, 'examples'), path.join(clone, 'examples'));
  const heldOut = readFileSync(path.join(repoRoot, 'models/demo-heldout.jsonl'), 'utf8').trim().split('\n');
  writeFileSync(path.join(clone, 'models/demo-heldout.jsonl'), heldOut.slice(0, 4).join('\n') + '\n');
  const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };

  for (const command of commands) {
    const words = shellWords(command);
    assert.deepEqual(words.slice(0, 2), ['npx', 'prompt-lens'], `a prompt-lens command: ${command}`);
    // Every file a command reads is in the repository.
    for (const word of words) if (/^(models|examples)\//.test(word)) assert.ok(existsSync(path.join(repoRoot, word)), `${word} (in "${command}") is in the repository`);
    const r = await runCli(words.slice(2), { env, cwd: clone });
    assert.equal(r.code, 0, `${command}\n${r.stderr}`);
  }
  for (const file of ['report.html', 'analysis.json', 'compare.html', 'runs/demo/stats.json', 'runs/demo/stats.html', 'runs/demo/demo-0000.base.json', 'runs/demo/demo-0003.tuned.json']) {
    assert.ok(existsSync(path.join(clone, file)), `${file} written`);
  }
});
