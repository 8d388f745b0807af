/**
 * The Problems panel: with the warning level set to 1 (every instruction under the prompt's top
 * density), analyzing a prompt with two detected instruction spans lists a "Prompt Lens" warning
 * for each span without the top token, "may be ignored", at the span's words. Its quick fixes
 * offer the comparison panel and the marks; "not an instruction" drops that span (the marks
 * change, the result is rescored) and with it the warning. An edit inside a span clears its
 * warning without a new run. A workspace prompt-lens.config.json's assertions on the file show
 * as CodeLens once it is analyzed, and a failed one as a Problems-panel warning.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { host, runsOf, step } from '../suite.ts';
import { cursorAt, until } from '../ui.ts';

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
    await host.screenshot('12-problems-panel');

    // The quick fixes, at the first listed span: the line of its warning ("[Ln 1, Col 1]" or "[Ln 2, …").
    const line = Number(/Ln (\d+)/.exec(listed[0])?.[1] ?? '1');
    await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
    await cursorAt(host, line, 3);
    await host.page.keyboard.press('Control+.');
    const menu = host.page.locator('.action-widget');
    await menu.locator('text=Prompt Lens: open the comparison panel').waitFor({ timeout: 10_000 });
    assert.equal(await menu.locator('text=Prompt Lens: mark as instruction').count(), 1, 'a detected span can be marked');
    await host.screenshot('13-instruction-quick-fixes');
    await menu.locator('text=Prompt Lens: not an instruction').click();
    // The span on that line is no instruction any more: its warning goes, the other span's stays.
    const after = await until('the warning on that line to go', async () => { const p = await problems(); return p.length < listed.length && p; }, 30_000);
    for (const p of after) assert.doesNotMatch(p, new RegExp(`Ln ${line},`), 'no warning left on the unmarked span');
    step(`diagnostics: ${listed.length} warning(s), ${after.length} after "not an instruction"`);

    // An edit inside a remaining span clears its warning at once (no run).
    if (after.length > 0) {
      const other = Number(/Ln (\d+)/.exec(after[0])?.[1] ?? '1');
      await cursorAt(host, other, 3);
      await host.page.keyboard.type('x');
      await until('the edited span\'s warning to clear', async () => (await problems()).length < after.length, 10_000);
      await host.page.keyboard.press('Control+Z');
    }
  } finally {
    fs.rmSync(configFile, { force: true });
    host.setWorkspaceSettings({ 'promptLens.diagnosticsWarningBelow': null, 'promptLens.diagnosticsInformationBelow': null });
  }
  step('diagnostics done');
}
