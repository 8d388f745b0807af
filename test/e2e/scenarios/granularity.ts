/**
 * Sentence granularity: with `promptLens.granularity` set to `sentence`, Analyze highlights whole
 * sentences (the analysis' units are the prompt's sentences, raw importance summed per unit), and
 * the hover over a sentence gives its score.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { host, step, models, resultsDir, runsOf, SENTENCE_FILE, SENTENCE_TEXT } from '../suite.ts';
import { until, readResults, highlights, type Decorated } from '../ui.ts';
import type { Analysis } from '../../../src/engine/analysis.ts';

const joined = (ds: Decorated[]) => [...ds].sort((a, b) => a.x - b.x).map((d) => d.text).join('');

export async function granularityScenario(): Promise<void> {
  host.setWorkspaceSettings({ 'promptLens.granularity': 'sentence' });
  try {
    await host.openFile(SENTENCE_FILE);
    const sentenceAnalysis = (): Analysis | undefined => readResults(resultsDir())
      .filter((a) => a.prompt === SENTENCE_TEXT.trimEnd() && a.settings.granularity === 'sentence' && path.basename(a.model.path) === path.basename(models.tunedDir))
      .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
    // The settings file is read asynchronously: a run that started before the new granularity
    // arrived is made again (once).
    for (let attempt = 0; attempt < 2 && !sentenceAnalysis(); attempt++) {
      if (attempt > 0) await host.page.waitForTimeout(2000);
      const runs = runsOf(SENTENCE_FILE);
      await host.command('Prompt Lens: Analyze Prompt');
      await until('the analysis', () => runsOf(SENTENCE_FILE) > runs, 120_000);
    }
    const analysis = sentenceAnalysis();
    assert.ok(analysis, 'a sentence-granularity analysis of the tuned model');
    const units = analysis.promptTokens.filter((t) => !t.special).map((t) => t.text.trim());
    assert.deepEqual(units, ['Give a synonym of the word happy.', 'Answer with one word.'], 'the units are the sentences');
    const expected = analysis.promptTokens
      .filter((t, n) => !t.special && analysis.densityNormalized[n] > 0)
      .map((t) => analysis.prompt.slice(t.start, t.end)).join('');
    const drawn = await until('sentence highlights', async () => { const d = await highlights(host); return joined(d) === expected && d; }, 20_000)
      .catch(async () => highlights(host));
    assert.equal(joined(drawn), expected, 'the highlights are whole sentences with â > 0');
    const strongest = drawn.reduce((a, b) => (b.alpha > a.alpha ? b : a));
    await host.page.mouse.move(strongest.x, strongest.y);
    const hover = host.page.locator('.monaco-hover:visible', { hasText: 'density' }).first();
    await hover.waitFor({ timeout: 15_000 });
    await host.screenshot('granularity-sentence');
    console.log(`# sentence units ${JSON.stringify(units)}; highlights ${JSON.stringify(drawn.map((d) => d.text))}`);
    step('sentence granularity done');
  } finally {
    host.setWorkspaceSettings({ 'promptLens.granularity': null });
  }
}
