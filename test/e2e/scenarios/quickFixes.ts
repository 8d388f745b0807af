/**
 * The quick fixes of an ignored-instruction diagnostic, chosen as a keyboard user does (the
 * menu's mouse clicks are intercepted by the workbench's context-view pointer block): cursor in
 * the diagnostic's range, Ctrl+. (or "Quick Fix..." from the command palette), arrow keys to the
 * entry, Enter. "Open the comparison panel" opens the panel on the file; "mark as instruction"
 * stores the instruction as marks (drawn dashed; kept outside the file, whose bytes and mtime stay
 * the same); "not an instruction" drops that span and with it the diagnostic.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { host, runsOf, step } from '../suite.ts';
import { cursorAt, decorations, sha256, until } from '../ui.ts';

const FILE = 'prompts/quickfix.prompt';
const TEXT = 'Write the words of the following sentence in reverse order.\nThe quiet river carried the small boat home\n';

/** The lines (1-based) of the active editor that carry a warning or information squiggle. */
async function squiggleLines(): Promise<number[]> {
  return host.page.evaluate(() => {
    const editor = document.querySelector('.editor-group-container.active .editor-instance .monaco-editor');
    if (!editor) return [];
    const numbers = [...editor.querySelectorAll<HTMLElement>('.margin-view-overlays .line-numbers')].map((el) => ({ n: Number(el.textContent), top: el.getBoundingClientRect().top }));
    const lines = new Set<number>();
    for (const sq of editor.querySelectorAll<HTMLElement>('.view-overlays [class*="squiggly-warning"], .view-overlays [class*="squiggly-info"]')) {
      const top = sq.getBoundingClientRect().top;
      const line = numbers.find((x) => Math.abs(x.top - top) < 4);
      if (line) lines.add(line.n);
    }
    return [...lines].sort((a, b) => a - b);
  });
}

/** Focus the prompt's editor (first group) and put the cursor inside line `line`'s diagnostic. */
async function cursorInDiagnostic(line: number): Promise<void> {
  await host.fileTab(path.basename(FILE)).click();
  await host.page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
  await cursorAt(host, line, 3);
}

/** Open the quick fixes by keyboard and choose the entry `title` with the arrow keys and Enter. */
async function chooseQuickFix(title: string): Promise<void> {
  const p = host.page;
  const menu = p.locator('.action-widget');
  await p.keyboard.press('Control+.');
  if (!(await menu.waitFor({ state: 'visible', timeout: 5_000 }).then(() => true, () => false))) {
    await host.command('Quick Fix...');
    await menu.waitFor({ state: 'visible', timeout: 10_000 });
  }
  await menu.locator('.monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
  const focused = menu.locator('.monaco-list-row.focused');
  for (let i = 0; i < 12 && !((await focused.textContent().catch(() => '')) ?? '').includes(title); i++) await p.keyboard.press('ArrowDown');
  assert.match((await focused.textContent()) ?? '', new RegExp(title), `the keyboard reaches "${title}"`);
  await p.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The comparison panel's page showing this file. */
async function panelOnFile(): Promise<Frame | undefined> {
  for (const f of host.page.frames()) {
    const h1 = await f.$('header.top h1').catch(() => null);
    if (h1 && (await h1.textContent()) === path.basename(FILE) && (await f.$('.side.tuned'))) return f;
  }
  return undefined;
}

export async function quickFixesScenario(): Promise<void> {
  const file = path.join(host.workspace, FILE);
  fs.writeFileSync(file, TEXT);
  host.setWorkspaceSettings({ 'promptLens.diagnosticsWarningBelow': 1, 'promptLens.diagnosticsInformationBelow': 1 });
  try {
    // Open the file in the first group (the comparison panel may have the focus).
    const firstEditor = host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first();
    if (await firstEditor.count()) await firstEditor.click();
    await host.openFile(FILE);
    const written = { hash: sha256(file), mtimeMs: fs.statSync(file).mtimeMs };
    const runs = runsOf(FILE);
    await host.command('Prompt Lens: Analyze Prompt');
    await until('the analysis of the quick-fix prompt', () => runsOf(FILE) > runs, 120_000);
    const lines = await until('a diagnostic squiggle', async () => { const l = await squiggleLines(); return l.length > 0 && l; }, 30_000);
    const line = lines[0];

    // 1. Open the comparison panel on the file.
    await cursorInDiagnostic(line);
    await chooseQuickFix('Prompt Lens: open the comparison panel');
    await until('the comparison panel on the file', panelOnFile, 120_000);
    await host.screenshot('13-quick-fix-panel');

    // 2. Mark as instruction: the detected spans become marks, drawn dashed; the file is not touched.
    await cursorInDiagnostic(line);
    await chooseQuickFix('Prompt Lens: mark as instruction');
    const dashed = await until('the dashed marks', async () => { const d = await decorations(host, 'dashed'); return d.length > 0 && d; }, 20_000);
    assert.ok(dashed.some((d) => TEXT.split('\n')[line - 1].includes(d.text.trim()) && d.text.trim().length > 0), `a mark on line ${line}: ${JSON.stringify(dashed.map((d) => d.text))}`);
    assert.equal(sha256(file), written.hash, 'the file\'s bytes are unchanged');
    assert.equal(fs.statSync(file).mtimeMs, written.mtimeMs, 'the file was not written');
    assert.equal(await host.page.locator('.tab.dirty', { hasText: path.basename(FILE) }).count(), 0, 'the editor has no unsaved change');

    // 3. Not an instruction: that span is dropped, and its diagnostic with it.
    await until(`the diagnostic on line ${line} after the rescore`, async () => (await squiggleLines()).includes(line), 20_000);
    await cursorInDiagnostic(line);
    await chooseQuickFix('Prompt Lens: not an instruction');
    await until(`the diagnostic on line ${line} to go`, async () => !(await squiggleLines()).includes(line), 30_000);
    assert.equal(sha256(file), written.hash, 'the file\'s bytes are still unchanged');
    await host.screenshot('13b-quick-fix-not-an-instruction');
    step(`quick fixes by keyboard: panel opened, marked, then line ${line} not an instruction (squiggles ${JSON.stringify(lines)} → ${JSON.stringify(await squiggleLines())})`);
  } finally {
    host.setWorkspaceSettings({ 'promptLens.diagnosticsWarningBelow': null, 'promptLens.diagnosticsInformationBelow': null });
  }
}
