/**
 * Highlights follow edits and go stale; analyze on save refreshes them. With
 * `promptLens.analyzeOnSave` on: analyze a prompt file, type before the highlights (they move with
 * their words; CodeLens, status bar say the prompt changed), change a highlighted word (it loses
 * its highlight), save: a new analysis of the new text replaces the stale highlights. With
 * `files.autoSave: afterDelay` (code-server's default) the auto-saves while typing run nothing, as
 * VS Code's format on save skips them: only the user's save (Ctrl+S) analyzes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { host, step, models, resultsDir, runsOf, SAVE_FILE, SAVE_TEXT } from '../suite.ts';
import { until, readResults, highlights, cursorAt, selectWordLeft, type Decorated } from '../ui.ts';
import type { Analysis } from '../../../src/engine/analysis.ts';
import { DEFAULTS } from '../../../src/engine/options.ts';

const codeLens = () => host.page.locator('.contentWidgets .codelens-decoration').first();
const statusItem = () => host.page.locator('.statusbar-item', { hasText: models.tunedLabel }).first();
const byText = (ds: Decorated[]) => [...ds].sort((a, b) => a.x - b.x).map((d) => d.text);
/** The highlighted text of a one-line prompt, left to right (adjacent highlights of one level are drawn as one). */
const joined = (ds: Decorated[]) => byText(ds).join('');

/** What an analysis highlights (â above the editor's default floor), left to right, leaving out tokens an edit of [from, to) touched. */
function expectedText(a: Analysis, from = Infinity, to = -Infinity): string {
  return a.promptTokens
    .filter((t, n) => !t.special && a.densityNormalized[n] > DEFAULTS.extension.highlightFloor && (to <= t.start || from >= t.end))
    .map((t) => a.prompt.slice(t.start, t.end)).join('');
}

/** The latest tuned analysis of a prompt (earlier scenarios analysed the same text with other settings). */
function tunedAnalysisOf(prompt: string): Analysis | undefined {
  return readResults(resultsDir())
    .filter((a) => a.prompt === prompt && path.basename(a.model.path) === path.basename(models.tunedDir))
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))[0];
}

export async function onSaveScenario(): Promise<void> {
  host.setWorkspaceSettings({ 'promptLens.analyzeOnSave': true, 'files.autoSave': 'afterDelay', 'files.autoSaveDelay': 200 });
  await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
  await host.openFile(SAVE_FILE);
  let runs = runsOf(SAVE_FILE);
  await host.command('Prompt Lens: Analyze Prompt');
  await until('the analysis', () => runsOf(SAVE_FILE) > runs, 120_000);
  runs = runsOf(SAVE_FILE); // the edits below (and their auto-saves) add none
  const original = tunedAnalysisOf(SAVE_TEXT.trimEnd());
  assert.ok(original, 'the analysis of the prompt');
  const first = await until('all highlights drawn', async () => { const d = await highlights(host); return joined(d) === expectedText(original) && d; }, 20_000)
    .catch(async () => highlights(host));
  assert.equal(joined(first), expectedText(original), 'the highlights are the analysis\' tokens with â above the floor');
  assert.doesNotMatch((await codeLens().textContent()) ?? '', /changed/);

  // Typing before the highlights moves them with their words and marks the result stale.
  await cursorAt(host, 1);
  await host.page.keyboard.press('Home');
  await host.page.keyboard.type('Now ');
  const left = (ds: Decorated[]) => Math.min(...ds.map((x) => x.x));
  const moved = await until('highlights moved', async () => {
    const d = await highlights(host);
    return joined(d) === joined(first) && left(d) > left(first) + 5 && d;
  }, 10_000).catch(async () => highlights(host));
  assert.deepEqual(byText(moved), byText(first), 'the same words stay highlighted after the insertion');
  assert.ok(left(moved) > left(first) + 5, `the highlights moved right with their words (${left(first)} → ${left(moved)})`);
  await until('stale CodeLens', async () => /prompt changed/.test((await codeLens().textContent()) ?? ''), 10_000);
  await until('stale status bar', async () => /stale/.test((await statusItem().textContent()) ?? ''), 10_000);
  await host.screenshot('11-stale-after-edit');

  // Delete the insertion again; change the last word: its highlight goes, the others stay.
  for (let i = 0; i < 'Now '.length; i++) await host.page.keyboard.press('Backspace');
  await until('highlights back in place', async () => { const d = await highlights(host); return d.length === first.length && d; }, 10_000);
  await cursorAt(host, 1, 1);
  await selectWordLeft(host);
  await host.page.keyboard.type('glad');
  const from = SAVE_TEXT.indexOf('happy'), to = from + 'happy'.length;
  const edited = await until('the edited word unhighlighted', async () => { const d = await highlights(host); return joined(d) === expectedText(original, from, to) && d; }, 10_000)
    .catch(async () => highlights(host));
  assert.equal(joined(edited), expectedText(original, from, to), 'only the edited word lost its highlight');
  // The auto-save after the edit wrote the file and ran nothing: the highlights stay stale.
  await until('the auto-save', () => fs.readFileSync(path.join(host.workspace, SAVE_FILE), 'utf8').includes('glad'), 10_000);
  await host.page.waitForTimeout(2000);
  assert.equal(runsOf(SAVE_FILE), runs, 'an auto-save after a delay does not analyze');
  assert.equal(joined(await highlights(host)), expectedText(original, from, to), 'the highlights are still the stale ones');

  // The user's save (of the already auto-saved file): analyze on save runs on the new text; the highlights are fresh.
  await host.page.keyboard.press('Control+S');
  await until('the analysis on save', () => runsOf(SAVE_FILE) > runs, 120_000);
  const newPrompt = SAVE_TEXT.replace('happy', 'glad').trimEnd();
  assert.equal(fs.readFileSync(path.join(host.workspace, SAVE_FILE), 'utf8'), `${newPrompt}\n`, 'saved by the user, as typed');
  const fresh = tunedAnalysisOf(newPrompt);
  assert.ok(fresh, 'the new text was analysed');
  await until('CodeLens no longer stale', async () => !/changed/.test((await codeLens().textContent()) ?? ''), 10_000);
  const after = await until('fresh highlights', async () => { const d = await highlights(host); return joined(d) === expectedText(fresh) && d; }, 10_000)
    .catch(async () => highlights(host));
  assert.equal(joined(after), expectedText(fresh), 'the highlights are the new analysis\' tokens with â > 0');
  assert.doesNotMatch((await statusItem().textContent()) ?? '', /stale/);
  await host.screenshot('12-refreshed-on-save');
  host.setWorkspaceSettings({ 'promptLens.analyzeOnSave': null, 'files.autoSave': null, 'files.autoSaveDelay': null });
  step('analyze on save done');
}
