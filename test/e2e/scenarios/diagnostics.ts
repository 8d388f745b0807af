/**
 * The Problems panel: with the warning level set to 1 (every instruction under the prompt's top
 * density), analyzing a prompt with two detected instruction spans lists a "Prompt Lens" warning
 * for each span without the top token, "may be ignored", at the span's words. A workspace
 * prompt-lens.config.json's assertions on the file show as CodeLens with their values once it is
 * analyzed (the palette opens right after the run, which once cancelled VS Code's re-query of the
 * lenses: lensRefresh.ts), and a failed one as a Problems-panel warning. (The quick fixes and
 * clearing on edit are unit-tested only: in the real host the quick-fix menu's click was
 * intercepted; see the closing note.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { host, runsOf, step } from '../suite.ts';
import { until } from '../ui.ts';

const FILE = 'prompts/diagnostics.prompt';
const TEXT = 'Write the words of the following sentence in reverse order.\nThe quiet river carried the small boat home\n';

/** The Prompt Lens rows of the Problems panel, as text. */
async function problems(): Promise<string[]> {
  const rows = host.page.locator('.markers-panel .monaco-list-row');
  const texts = await rows.evaluateAll((els) => els.map((e) => e.textContent ?? ''));
  return texts.filter((t) => t.includes('may be ignored'));
}

const CONFIG = {
  models: { tuned: 'bundled' },
  prompts: [{ file: FILE, assertions: [{ kind: 'instruction-score', min: 0 }, { kind: 'phrase', phrase: 'reverse', minDensity: 1.0 }, { kind: 'special-share', max: 1 }] }],
};

export async function diagnosticsScenario(): Promise<void> {
  const configFile = path.join(host.workspace, 'prompt-lens.config.json');
  fs.writeFileSync(path.join(host.workspace, FILE), TEXT);
  fs.writeFileSync(configFile, JSON.stringify(CONFIG, null, 2));
  host.setWorkspaceSettings({ 'promptLens.diagnosticsWarningBelow': 1, 'promptLens.diagnosticsInformationBelow': 1 });
  try {
    await host.openFile(FILE);
    const runs = runsOf(FILE);
    await host.command('Prompt Lens: Analyze Prompt');
    await until('the analysis of the diagnostics prompt', () => runsOf(FILE) > runs, 120_000);
    await host.command('View: Focus Problems');
    const listed = await until('a Prompt Lens problem', async () => { const p = await problems(); return p.length > 0 && p; }, 30_000);
    for (const p of listed) {
      assert.match(p, /The tuned model gives this detected instruction 0\.\d\d of the prompt's top density: it may be ignored\./);
      assert.match(p, /Prompt Lens/, 'source "Prompt Lens"');
    }
    // The config's assertions as CodeLens: an instruction score >= 0 holds; "reverse" at the top density (1.0) may not.
    const lens = host.page.locator('.contentWidgets .codelens-decoration', { hasText: 'tuned: instruction score' }).first();
    await lens.waitFor({ timeout: 30_000 });
    assert.match((await lens.textContent()) ?? '', /tuned: instruction score [\d.]+ \(>= 0\)/);
    const phraseLens = (await host.page.locator('.contentWidgets .codelens-decoration', { hasText: 'phrase "reverse"' }).first().textContent()) ?? '';
    assert.match(phraseLens, /tuned: phrase "reverse" rank \d+ of \d+, density [\d.]+ \(density >= 1\)/);
    const checkWarnings = await host.page.locator('.markers-panel .monaco-list-row', { hasText: 'prompt-lens.config.json: tuned: the phrase "reverse"' }).count();
    assert.equal(checkWarnings, /density 1\b/.test(phraseLens) ? 0 : 1, 'a failed assertion is a warning');
    await host.screenshot('12-problems-panel');

    step(`diagnostics: ${listed.length} warning(s) in the Problems panel`);
  } finally {
    fs.rmSync(configFile, { force: true });
    host.setWorkspaceSettings({ 'promptLens.diagnosticsWarningBelow': null, 'promptLens.diagnosticsInformationBelow': null });
  }
  step('diagnostics done');
}
