// The shift the demo pair exists to show, measured on the committed weights the way a user would:
// `prompt-lens dataset` over all held-out prompts (occlusion, raw prompts, each model's own greedy
// reply of at most 64 tokens) and `prompt-lens stats` (L = 10, b = 7, p = 4). The tuned model's
// instruction score must be higher (Welch one-sided p < 0.01), its position profile flatter, and
// the numbers must be the ones the model card reports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.ts';
import { repoRoot, tempDir } from '../helpers/paths.ts';

interface RoleStats {
  mean: number;
  sd: number;
  n: number;
}
interface StatsReport {
  methods: string[];
  sources: {
    source: string;
    profiles: { role: 'base' | 'tuned'; profile: number[] }[];
    baseVsTuned: { base: RoleStats; tuned: RoleStats; welch: { pValue: number } };
  }[];
}

const heldOut = path.join(repoRoot, 'models', 'demo-heldout.jsonl');
const card = readFileSync(path.join(repoRoot, 'models', 'demo-instruct', 'README.md'), 'utf8');

/** The card's occlusion line: "**occlusion …**: mean instruction score **base X**, **tuned Y** …". */
function cardNumbers(): { base: number; tuned: number } {
  const m = /\*\*occlusion[^\n]*?\*\*base ([0-9.]+)\*\*, \*\*tuned ([0-9.]+)\*\*/.exec(card);
  assert.ok(m, 'the model card reports the occlusion instruction scores');
  return { base: Number(m[1]), tuned: Number(m[2]) };
}

const spread = (xs: number[]) => Math.max(...xs) - Math.min(...xs);

test('demo pair: the tuned model relies more on the instruction (occlusion, b = 7), as its card says', async () => {
  const out = path.join(tempDir(), 'dataset');
  const env = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };
  const run = await runCli(
    ['dataset', '--base', 'models/demo-base', '--tuned', 'models/demo-instruct', '--prompts', heldOut, '--out', out,
      '--method', 'occlusion', '--template', 'none', '--max-new-tokens', '64', '--threshold', '7'],
    { env },
  );
  assert.equal(run.code, 0, run.stderr);
  const stats = await runCli(['stats', out, '--levels', '10', '--threshold', '7', '--p', '4'], { env });
  assert.equal(stats.code, 0, stats.stderr);
  const report = JSON.parse(readFileSync(path.join(out, 'stats.json'), 'utf8')) as StatsReport;
  assert.deepEqual(report.methods, ['occlusion']);
  const demo = report.sources.find((s) => s.source === 'demo');
  assert.ok(demo, 'stats has the demo source');
  const { base, tuned, welch } = demo.baseVsTuned;
  const prompts = readFileSync(heldOut, 'utf8').split('\n').filter((l) => l.trim()).length;
  assert.equal(base.n, prompts);
  assert.equal(tuned.n, prompts);
  assert.ok(tuned.mean > base.mean, `tuned ${tuned.mean} > base ${base.mean}`);
  assert.ok(welch.pValue < 0.01, `Welch one-sided p = ${welch.pValue}`);

  // What the card reports is what these weights give (greedy replies may flip on a near tie on
  // another CPU, hence a small tolerance rather than equality).
  const reported = cardNumbers();
  assert.ok(Math.abs(reported.base - base.mean) < 0.01, `card base ${reported.base} vs measured ${base.mean}`);
  assert.ok(Math.abs(reported.tuned - tuned.mean) < 0.01, `card tuned ${reported.tuned} vs measured ${tuned.mean}`);

  // Tuning flattens the position profile (METHODS.md §1.6).
  const profile = (role: 'base' | 'tuned') => demo.profiles.find((p) => p.role === role)?.profile ?? [];
  assert.equal(profile('base').length, 10);
  assert.ok(spread(profile('tuned')) < spread(profile('base')), `profile spread tuned ${spread(profile('tuned'))} < base ${spread(profile('base'))}`);
});
