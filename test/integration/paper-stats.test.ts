/**
 * Acceptance (issue 5): the paper's own stored attributions, imported and run through the
 * statistics with L = 10, b = 7, p = 4, reproduce its published numbers.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { importPaperData, scoreItem, summarize } from '../../src/engine/stats/index.ts';
import { runCli } from '../helpers/cli.ts';
import { sharedDir, sharedSkipReason, tempDir } from '../helpers/paths.ts';

const skip = sharedSkipReason();
const paper = path.join(sharedDir, 'data/paper-self-instruct');
const settings = { levels: 10, threshold: 7, p: 4 };

/** p-values to 2 significant digits. */
function twoDigits(p: number): string {
  return p.toExponential(1);
}

test('Self-Instruct: Vicuna followed 1.2283 vs unfollowed 0.8917 (p = 5.7e-5); Vicuna 1.1302 vs LLaMA 0.9394 (p = 1.9e-5)', { skip }, () => {
  const items = importPaperData(path.join(paper, 'prompts.jsonl'), path.join(paper, 'attributions.jsonl.gz'));
  const [stats] = summarize(items.map((i) => scoreItem(i, settings)));
  const bt = stats.baseVsTuned!;
  assert.equal(bt.tuned.n, 252);
  assert.equal(bt.tuned.mean.toFixed(4), '1.1302');
  assert.equal(bt.base.mean.toFixed(4), '0.9394');
  assert.equal(twoDigits(bt.welch!.pValue), '1.9e-5');
  const vicuna = stats.followed.find((f) => f.model === 'vicuna-7b')!;
  assert.equal(vicuna.followed.n, 194);
  assert.equal(vicuna.unfollowed.n, 44);
  assert.equal(vicuna.followed.mean.toFixed(4), '1.2283');
  assert.equal(vicuna.unfollowed.mean.toFixed(4), '0.8917');
  assert.equal(twoDigits(vicuna.welch!.pValue), '5.7e-5');
  console.log(`# reproduced: Vicuna ${bt.tuned.mean.toFixed(4)} vs LLaMA ${bt.base.mean.toFixed(4)} p=${bt.welch!.pValue.toExponential(2)}; followed ${vicuna.followed.mean.toFixed(4)} vs unfollowed ${vicuna.unfollowed.mean.toFixed(4)} p=${vicuna.welch!.pValue.toExponential(2)}`);
});

test('prompt-lens stats --import-paper writes the same numbers to stats.json and a self-contained stats.html', { skip }, async () => {
  const out = tempDir();
  const r = await runCli(['stats', '--import-paper', path.join(paper, 'prompts.jsonl'), '--import-paper', path.join(paper, 'attributions.jsonl.gz'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /vicuna-7b followed 1\.2283 \(n = 194\) vs unfollowed 0\.8917 \(n = 44\), p = 5\.7e-5/);
  const report = JSON.parse(readFileSync(path.join(out, 'stats.json'), 'utf8'));
  assert.equal(report.sources[0].baseVsTuned.tuned.mean.toFixed(4), '1.1302');
  const html = readFileSync(path.join(out, 'stats.html'), 'utf8');
  assert.match(html, /<canvas id="scores">/);
  assert.doesNotMatch(html, /<script[^>]+src=/, 'no external scripts');
  assert.equal(report.sources[0].profiles.length, 2);
});

test('stats: settings change the result without models (b = 0 keeps more entries)', { skip }, () => {
  const items = importPaperData(path.join(paper, 'prompts.jsonl'), path.join(paper, 'attributions.jsonl.gz'));
  const [b7] = summarize(items.map((i) => scoreItem(i, settings)));
  const [b0] = summarize(items.map((i) => scoreItem(i, { ...settings, threshold: 0 })));
  assert.notEqual(b0.baseVsTuned!.tuned.mean.toFixed(4), b7.baseVsTuned!.tuned.mean.toFixed(4));
  assert.throws(() => scoreItem(items[0], { ...settings, levels: 5 }), /L = 10/);
});
