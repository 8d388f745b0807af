/**
 * Export in the real host: HTML through the palette command and its save dialog (code-server's
 * simple file dialog), JSON through the panel's button and the same dialog, and HTML through a
 * keybinding that passes the target path (the scripting form of the command). The HTML report is
 * then opened in a browser tab that allows no request but the file itself.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { host, step, PROMPT_FILE, PROMPT_TEXT, SCRIPTED_EXPORT, SCRIPTED_PRESS, REPORT_SHOT } from '../suite.ts';
import { until } from '../ui.ts';
import type { Analysis } from '../../../src/engine/analysis.ts';

const promptBody = PROMPT_TEXT.slice(PROMPT_TEXT.indexOf('---\n', 4) + 4).trimEnd();

/** Accept code-server's simple save dialog with its proposed file name; returns the path it showed. */
async function acceptSaveDialog(ext: string): Promise<string> {
  const input = host.page.locator('.quick-input-widget input');
  await until('the save dialog', async () => (await input.isVisible()) && (await input.inputValue()).endsWith(ext), 20_000);
  const proposed = await input.inputValue();
  await host.page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 10_000 });
  return proposed;
}

/** The report opens with no network and no file other than itself, without script errors, and shows the prompt. */
async function assertSelfContained(file: string): Promise<void> {
  const page = await host.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  const url = `file://${file}`;
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u !== url && !u.startsWith('data:')) requests.push(u);
    return u === url || u.startsWith('data:') ? route.continue() : route.abort();
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await page.waitForLoadState('load');
  await page.waitForTimeout(500);
  const text = (await page.locator('body').textContent()) ?? '';
  await page.screenshot({ path: REPORT_SHOT });
  await page.close();
  assert.deepEqual(requests, [], `the report loads nothing else: ${requests.join(', ')}`);
  assert.deepEqual(errors, [], 'no script errors in the report');
  assert.ok(text.includes('synonym'), 'the report shows the prompt');
}

export async function exportScenario(): Promise<void> {
  const promptDir = path.dirname(path.join(host.workspace, PROMPT_FILE));
  await host.fileTab('recipe.prompt.md').click();

  // 1. Palette → format → save dialog (HTML).
  await host.command('Prompt Lens: Export Report');
  await host.page.locator('.quick-input-list .monaco-list-row', { hasText: 'HTML report' }).first().click();
  const htmlPath = await acceptSaveDialog('.html');
  assert.equal(path.resolve(htmlPath), path.join(promptDir, 'recipe.prompt-lens.html'), 'proposed next to the prompt');
  await until('the HTML report', () => fs.existsSync(htmlPath), 30_000);
  const html = fs.readFileSync(htmlPath, 'utf8');
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.doesNotMatch(html, /<(script|img|link|iframe)[^>]+(src|href)=["']?(https?:|\/\/|\.\/|[\w-]+\.(js|css))/i, 'no external scripts, styles or images');
  await assertSelfContained(htmlPath);

  // 2. The panel's Export JSON button → save dialog.
  await host.webview().locator('#exportJson').click();
  const jsonPath = await acceptSaveDialog('.json');
  await until('the JSON export', () => fs.existsSync(jsonPath), 30_000);
  const records = JSON.parse(fs.readFileSync(jsonPath, 'utf8')) as Analysis | Analysis[];
  const list = Array.isArray(records) ? records : [records];
  assert.equal(list.length, 2, 'both models\' analyses');
  for (const a of list) {
    assert.equal(a.schemaVersion, 1);
    assert.equal(a.prompt, promptBody);
    assert.ok(a.promptTokens.length > 0 && a.normalized.length === a.promptTokens.length);
  }

  // 3. Scripted: a keybinding passes {format, path}; no dialog.
  await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
  await host.page.keyboard.press(SCRIPTED_PRESS);
  await until('the scripted export', () => fs.existsSync(SCRIPTED_EXPORT), 30_000);
  assert.equal(await host.page.locator('.quick-input-widget input').isVisible(), false, 'no dialog for a scripted export');
  assert.match(fs.readFileSync(SCRIPTED_EXPORT, 'utf8'), /synonym/);
  step('export done');
}
