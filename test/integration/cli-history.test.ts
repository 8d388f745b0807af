/**
 * `prompt-lens history` through the built CLI: a temporary git repository with two commits of a
 * prompt, the bundled demo model, and the comparison printed and written (JSON and HTML); the
 * clear refusals outside a repository, for an unknown revision and a file absent at a revision.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import type { HistoryComparison } from '../../src/engine/history/index.ts';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir } from '../helpers/paths.ts';

const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };
const MODEL = path.join(repoRoot, 'models/demo-instruct');
const FIRST = 'Write the words of the following sentence in reverse order.\nThe quiet river carried the small boat home\n';
const SECOND = 'Write the words of the following list in reverse order, keeping each word intact.\nThe quiet river carried the small boat home\n';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Prompt Lens', '-c', 'user.email=test@prompt-lens.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

describe('prompt-lens history', () => {
  const repo = tempDir();
  const file = path.join(repo, 'prompts', 'reverse.prompt');
  before(() => {
    git(repo, 'init', '-q');
    mkdirSync(path.dirname(file));
    writeFileSync(file, FIRST);
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'first');
    writeFileSync(file, SECOND);
    git(repo, 'commit', '-q', '-a', '-m', 'second');
  });

  it('compares two commits of a prompt with the same model and settings: words, scores, JSON and HTML', async () => {
    const out = tempDir();
    const json = path.join(out, 'history.json');
    const html = path.join(out, 'history.html');
    const r = await runCli(['history', '--model', MODEL, '--prompt-file', file, '--rev', 'HEAD~1..HEAD', '--method', 'occlusion', '--max-new-tokens', '12', '--json', json, '--html', html], { env });
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(readFileSync(json, 'utf8')) as HistoryComparison;
    assert.equal(c.file, 'prompts/reverse.prompt');
    assert.equal(c.before.label, 'HEAD~1');
    assert.equal(c.after.label, 'HEAD');
    assert.equal(c.before.commit, git(repo, 'rev-parse', 'HEAD~1').trim());
    // Each version was analyzed as it was committed, alike.
    assert.equal(c.analyses.before.prompt, FIRST);
    assert.equal(c.analyses.after.prompt, SECOND);
    for (const a of [c.analyses.before, c.analyses.after]) assert.deepEqual([a.settings.method, a.settings.granularity, a.model.ref], ['occlusion', 'word', MODEL]);
    assert.equal(c.before.instructionScore, c.analyses.before.instructionScore);
    assert.equal(c.after.instructionScore, c.analyses.after.instructionScore);
    // The text diff: "sentence" went, "list", ",", "keeping", "each", "word", "intact" came; the rest is shared.
    const words = (kinds: string[]) => c.words.filter((w) => kinds.includes(w.kind)).map((w) => w.text.trim());
    assert.deepEqual(words(['removed']), ['sentence']);
    assert.deepEqual(words(['added']), ['list', ',', 'keeping', 'each', 'word', 'intact']);
    assert.equal(words(['gained', 'lost', 'unchanged']).length, 18);
    for (const w of c.words) {
      const d = (w.after?.density ?? 0) - (w.before?.density ?? 0);
      assert.ok(Math.abs(w.delta - d) < 1e-12, `${w.text}: delta is after − before`);
      if (w.before) assert.equal(w.before.density, c.analyses.before.densityNormalized[w.before.index]);
      if (w.after) assert.equal(w.after.density, c.analyses.after.densityNormalized[w.after.index]);
    }
    // The terminal table says the same.
    assert.match(r.stdout, /^prompts\/reverse\.prompt: HEAD~1 \([0-9a-f]{7}\) → HEAD \([0-9a-f]{7}\)$/m);
    assert.ok(r.stdout.includes(`instruction score: ${c.before.instructionScore!.toFixed(4)} → ${c.after.instructionScore!.toFixed(4)}`), r.stdout);
    assert.match(r.stdout, /^ {2}− sentence +0\.\d\d → +— +−0\.\d\d +removed$/m);
    assert.match(r.stdout, /^ {2}\+ intact +— → 0\.\d\d +\+0\.\d\d +added$/m);
    const page = readFileSync(html, 'utf8');
    assert.match(page, /<table class="changes">/);
    assert.match(page, /<tr class="removed"><td>−<\/td><td>sentence<\/td>/);
    assert.equal((page.match(/<section>/g) ?? []).length, 2, 'both analyses in the report');
  });

  it('--rev REV alone compares that revision with the file on disk', async () => {
    writeFileSync(file, SECOND.replace('intact', 'whole'));
    const r = await runCli(['history', '--model', MODEL, '--prompt-file', file, '--rev', 'HEAD', '--max-new-tokens', '4'], { env });
    writeFileSync(file, SECOND);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /: HEAD \([0-9a-f]{7}\) → working copy$/m);
    assert.match(r.stdout, /^ {2}− intact .* removed$/m);
    assert.match(r.stdout, /^ {2}\+ whole .* added$/m);
  });

  it('refuses, with one message and its fix, a file outside git, an unknown revision and a file absent at a revision', async () => {
    const outside = path.join(tempDir(), 'loose.prompt');
    writeFileSync(outside, FIRST);
    const newer = path.join(repo, 'new.prompt');
    writeFileSync(newer, FIRST);
    git(repo, 'add', 'new.prompt');
    git(repo, 'commit', '-q', '-m', 'third');
    const cases: Array<{ args: string[]; message: RegExp; fix: RegExp }> = [
      { args: ['--prompt-file', outside], message: /loose\.prompt is not inside a git repository/, fix: /git init/ },
      { args: ['--prompt-file', file, '--rev', 'no-such-branch..HEAD'], message: /"no-such-branch" is not a revision of the repository/, fix: /git log --oneline/ },
      { args: ['--prompt-file', newer, '--rev', 'HEAD~1..HEAD'], message: /new\.prompt does not exist at revision HEAD~1/, fix: /git log --oneline -- new\.prompt/ },
      { args: ['--prompt-file', file, '--rev=--output=x'], message: /"--output=x" is not a git revision/, fix: /HEAD~1/ },
      { args: ['--prompt-file', file, '--rev', 'A...B'], message: /three-dot range/, fix: /HEAD~1\.\.HEAD/ },
    ];
    for (const c of cases) {
      const r = await runCli(['history', '--model', MODEL, ...c.args], { env });
      assert.equal(r.code, 1, `${c.args.join(' ')}: ${r.stderr}`);
      const [message, fix, ...rest] = r.stderr.trim().split('\n');
      assert.match(message, c.message);
      assert.match(fix, c.fix);
      assert.deepEqual(rest, [], 'one message, no stack trace');
    }
    assert.ok(!existsSync(path.join(repo, 'x')), 'a revision is never read as an option');
  });
});
