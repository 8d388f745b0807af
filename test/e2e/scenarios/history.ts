/**
 * History compare and the walkthrough in the real host. A git repository in the workspace holds
 * two commits of a prompt; the editor title's "Compare with Previous Version" (then a commit's
 * context menu in the Timeline view) analyzes both
 * versions with the tuned model and the history panel shows the words that changed and the two
 * instruction scores (checked against the analyses the extension stored). The Timeline view is
 * opened as soon as the file is, so the Git extension has scanned the new repository by the time
 * its commit's item is used. Then the walkthrough
 * opens from the Welcome page and its first step opens the sample prompt.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { host, models, resultsDir, step } from '../suite.ts';
import type { Analysis } from '../../../src/engine/analysis.ts';
import { until } from '../ui.ts';

const REPO_DIR = 'history-repo';
const FILE = 'synonym.prompt';
const FIRST = 'Give a synonym of the word happy.\n';
const SECOND = 'Give a synonym of the word glad, in one word.\n';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Prompt Lens', '-c', 'user.email=e2e@prompt-lens.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

/** The analyses in the extension's result cache (each file holds { analysis, modelFiles }). */
function storedAnalyses(): Analysis[] {
  const dir = resultsDir();
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { analysis?: Analysis }).flatMap((e) => (e.analysis ? [e.analysis] : []));
}

/** The webview frame whose page has `selector` (several webviews may be open). */
async function frameWith(selector: string): Promise<Frame | undefined> {
  for (const f of host.page.frames()) {
    if (await f.$(selector).catch(() => null)) return f;
  }
  return undefined;
}

export async function historyScenario(): Promise<void> {
  const repo = path.join(host.workspace, REPO_DIR);
  fs.mkdirSync(repo, { recursive: true });
  git(repo, 'init', '-q');
  fs.writeFileSync(path.join(repo, FILE), FIRST);
  git(repo, 'add', FILE);
  git(repo, 'commit', '-q', '-m', 'first version');
  fs.writeFileSync(path.join(repo, FILE), SECOND);
  git(repo, 'commit', '-q', '-a', '-m', 'second version');
  const [head, previous] = git(repo, 'log', '--format=%H', '--', FILE).trim().split('\n');

  await host.openFile(`${REPO_DIR}/${FILE}`);
  // Open the Timeline now: the Git extension discovers the new repository and lists its commits
  // while the comparison below runs.
  await host.command('Explorer: Focus on Timeline View');
  // The editor title's action (prompt files only).
  const action = host.page.locator('.editor-group-container.active .editor-actions .action-label[aria-label*="Compare with Previous Version"]').first();
  await action.waitFor({ timeout: 20_000 });
  await action.click();
  const frame = await until('the history panel', () => frameWith('#scores'), 180_000);
  const heading = (await frame.textContent('h1')) ?? '';
  assert.equal(heading, `${REPO_DIR}/${FILE}: previous commit (${previous.slice(0, 7)}) → last commit (${head.slice(0, 7)})`);
  const words = async (kind: string) => frame.$$eval(`#marked [data-kind="${kind}"]`, (els) => els.map((e) => e.textContent));
  assert.deepEqual(await words('removed'), ['happy']);
  assert.deepEqual(await words('added'), ['glad', ',', 'in', 'one', 'word']);
  // The scores shown are those of the two analyses the extension made (word granularity, tuned model).
  const analyses = storedAnalyses().filter((a) => a.settings.granularity === 'word' && path.basename(a.model.path) === path.basename(models.tunedDir));
  const byPrompt = (p: string) => analyses.find((a) => a.prompt === p.trimEnd() || a.prompt === p);
  const [a1, a2] = [byPrompt(FIRST), byPrompt(SECOND)];
  assert.ok(a1 && a2, `both versions were analyzed: ${analyses.map((a) => JSON.stringify(a.prompt)).join(', ')}`);
  const shown = (id: string) => frame.textContent(`#${id}`);
  assert.equal(await shown('score-before'), a1.instructionScore?.toFixed(3) ?? 'n/a');
  assert.equal(await shown('score-after'), a2.instructionScore?.toFixed(3) ?? 'n/a');
  // The shared words are paired: "Give" has an importance before and after.
  const give = await frame.getAttribute('#marked .w:first-child', 'title');
  assert.match(give ?? '', /^Give: \d\.\d\d → \d\.\d\d /);
  assert.match(host.extensionLog(), new RegExp(`history: .*${FILE}, previous commit → last commit \\(read with (vscode\\.git|git)\\)`));
  await host.screenshot('10-history-compare');

  // The Timeline view's git item: that commit against the one before it.
  const fromTimeline = `${REPO_DIR}/${FILE}: ${previous.slice(0, 7)} → ${head.slice(0, 7)}`;
  await compareFromTimeline('second version');
  const again = await until('the Timeline item\'s comparison', async () => {
    const f = await frameWith('#scores');
    // The panel's page is replaced by the new comparison: a frame found just before may detach.
    return f && (await f.textContent('h1', { timeout: 1_000 }).catch(() => null)) === fromTimeline && f;
  }, 120_000);
  assert.deepEqual(await again.$$eval('#marked [data-kind="removed"]', (els) => els.map((e) => e.textContent)), ['happy']);
  await host.screenshot('10b-history-from-timeline');

  step(`history compare done (${/read with ([\w.]+)\)/.exec(host.extensionLog())?.[1]})`);
}

/**
 * Run "Compare with Previous Version" from the context menu of the Timeline item `message`. The
 * Timeline follows the active editor, so the prompt's tab is made active first (the history panel
 * took that place); the item appears once the Git extension has read the file's log.
 */
async function compareFromTimeline(message: string): Promise<void> {
  const p = host.page;
  await host.fileTab(FILE).click();
  const pane = p.locator('.pane-header', { hasText: 'Timeline' }).first();
  await pane.waitFor({ timeout: 20_000 });
  if ((await pane.getAttribute('aria-expanded')) !== 'true') await pane.click();
  const item = p.locator('.timeline-tree-view .monaco-list-row', { hasText: message }).first();
  await until(`the Timeline item "${message}"`, async () => {
    if (await item.isVisible()) return true;
    // Still "Loading…" or the source was not ready when it first asked: its Refresh button asks again.
    await pane.hover();
    await pane.locator('.action-label.codicon-timeline-refresh').click({ timeout: 5_000 }).catch(() => undefined);
    return item.waitFor({ timeout: 10_000 }).then(() => true, () => false);
  }, 120_000, 0);
  await item.click({ button: 'right' });
  // The menu by keyboard (as a user can): arrow keys to the entry, Enter.
  const menu = p.locator('.monaco-menu');
  await menu.locator('.action-label', { hasText: 'Compare with Previous Version' }).first().waitFor({ timeout: 10_000 });
  const focused = menu.locator('.action-item.focused');
  for (let i = 0; i < 20 && !((await focused.textContent().catch(() => '')) ?? '').includes('Compare with Previous Version'); i++) await p.keyboard.press('ArrowDown');
  await p.keyboard.press('Enter');
}

export async function walkthroughScenario(): Promise<void> {
  await host.command('Welcome: Open Walkthrough...');
  const row = host.page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Prompt Lens' }).first();
  await row.waitFor({ timeout: 20_000 });
  await row.click();
  const page = host.page.locator('.gettingStartedContainer');
  await page.locator('.getting-started-category .category-title', { hasText: 'Get started with Prompt Lens' }).first().waitFor({ timeout: 20_000 }).catch(async () => {
    await page.locator('text=Get started with Prompt Lens').first().waitFor({ timeout: 10_000 });
  });
  for (const title of ['Open a sample prompt', 'Compare base and tuned', 'Read the panel']) {
    await page.locator('.step-title', { hasText: title }).first().waitFor({ timeout: 10_000 });
  }
  await host.screenshot('11-walkthrough');
  await page.locator('.getting-started-step', { hasText: 'Open a sample prompt' }).first().click();
  await page.locator('a.button-link, .monaco-button', { hasText: 'Open Sample Prompt' }).first().click();
  await host.page.locator('.tab[data-resource-name="sample.prompt"]').first().waitFor({ timeout: 20_000 });
  step('walkthrough opens the sample prompt');
}
