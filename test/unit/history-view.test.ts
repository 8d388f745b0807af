/**
 * The extension's side of history compare without VS Code: the history panel's page (the later
 * prompt marked word by word, removed words struck through, both instruction scores, no script),
 * and package.json's contributions (the command in the editor title and the git Timeline, the
 * walkthrough with its media and sample prompt).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import { compareVersions } from '../../src/engine/history/index.ts';
import { loadPromptTokenizer, mergeIntoWords } from '../../src/engine/tokens/index.ts';
import { renderHistoryPage } from '../../src/extension/history/historyView.ts';
import { repoRoot } from '../helpers/paths.ts';

async function analysisOf(prompt: string, density: (word: string) => number, score: number): Promise<Analysis> {
  const tokenizer = await loadPromptTokenizer(path.join(repoRoot, 'models/demo-instruct'));
  const { tokens } = await tokenizer.encodePrompt(prompt, { template: 'none' });
  const { words } = mergeIntoWords(tokens, prompt);
  const d = words.map((w) => (w.special ? 0 : density(w.text.trim())));
  const max = Math.max(...d);
  return { prompt, promptTokens: words, density: d, densityNormalized: d.map((x) => x / max), instructionScore: score, model: { ref: '/m' }, settings: { method: 'occlusion', levels: 10, threshold: 0, p: 4, granularity: 'word' } } as unknown as Analysis;
}

test('the history page marks each word of the later prompt by its change and strikes removed words through where they stood', async () => {
  const before = await analysisOf('Write the words in <reverse> order.', (w) => (w === 'Write' ? 4 : 1), 0.5);
  const after = await analysisOf('Write the words in backwards order.', (w) => (w === 'backwards' ? 4 : w === 'Write' ? 1 : 1), 0.75);
  const c = compareVersions('prompts/a.prompt', { label: 'last commit', commit: 'abcdef0123', analysis: before }, { label: 'working copy', analysis: after });
  const html = renderHistoryPage(c, 'demo-instruct', 'vscode-resource:');
  assert.match(html, /<h1>prompts\/a\.prompt: last commit \(abcdef0\) → working copy<\/h1>/);
  assert.match(html, /Instruction score: <b id="score-before">0\.500<\/b> → <b id="score-after">0\.750<\/b> \(\+0\.25\)/);
  assert.match(html, /occlusion \(the definition\)/);
  const marked = /<div class="prompt" id="marked">([\s\S]*?)<\/div>/.exec(html)![1];
  // The later text reads through, with the removed words put back, struck through, in place.
  assert.equal(marked.replace(/<[^>]+>/g, ''), 'Write the words in &lt;reverse&gt; backwards order.');
  assert.match(marked, /<span class="w lost" data-kind="lost" title="Write: 1\.00 → 0\.25 \(−0\.75, lost\)">Write<\/span>/);
  assert.match(marked, /<span class="w added" data-kind="added"[^>]*>backwards<\/span>/);
  assert.match(marked, /<span class="w removed" data-kind="removed"[^>]*>reverse<\/span>/);
  assert.doesNotMatch(html, /<script/i, 'no script in the page');
  assert.match(html, /default-src 'none'/);
});

test('package.json contributes the command to prompt files\' editor title and git Timeline items, and a walkthrough with its media', () => {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
  const c = pkg.contributes;
  assert.ok(c.commands.some((x: { command: string; title: string }) => x.command === 'promptLens.compareWithPrevious' && x.title === 'Compare with Previous Version'));
  const title = c.menus['editor/title'].find((m: { command: string }) => m.command === 'promptLens.compareWithPrevious');
  assert.match(title.when, /resourceFilename =~ .*prompt/);
  // The Git extension's Timeline items carry the context value git:file[:commit] (its own menus use the same clause).
  assert.deepEqual(c.menus['timeline/item/context'].map((m: { command: string; when: string }) => [m.command, m.when]), [['promptLens.compareWithPrevious', 'timelineItem =~ /git:file\\b/ && !listMultiSelection']]);
  const [walk] = c.walkthroughs;
  assert.deepEqual(walk.steps.map((s: { id: string }) => s.id), ['open', 'compare', 'panel']);
  for (const s of walk.steps) assert.ok(existsSync(path.join(repoRoot, s.media.markdown)), s.media.markdown);
  assert.match(walk.steps[0].description, /command:promptLens\.openSample/);
  assert.match(walk.steps[1].description, /command:promptLens\.compare\)/);
  assert.ok(existsSync(path.join(repoRoot, 'media/walkthrough/sample.prompt')));
  const ignore = readFileSync(path.join(repoRoot, '.vscodeignore'), 'utf8');
  assert.match(ignore, /^!media\/walkthrough\/\*\*$/m, 'the walkthrough ships in the VSIX');
});
