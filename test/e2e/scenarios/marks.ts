/**
 * Instruction marks: select a word, run Mark Selection as Instruction. The mark is drawn (dashed),
 * the panel's instruction tokens become exactly the tokens under it and its instruction score is
 * Σâ over them / log2(2 + their number) (METHODS §1.5), and the file's bytes never change. After
 * a window reload the mark is still there (kept in the workspace state, not in the file), and
 * after code-server itself is stopped and started again.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { host, step, models, resultsDir, runsOf, PROMPT_FILE, PROMPT_TEXT } from '../suite.ts';
import { until, readResults, sha256, decorations, cursorAt, selectWordLeft } from '../ui.ts';

const promptBody = PROMPT_TEXT.slice(PROMPT_TEXT.indexOf('---\n', 4) + 4).trimEnd();
const MARKED = 'happy';
const file = () => path.join(host.workspace, PROMPT_FILE);
let before: { hash: string; mtimeMs: number } | undefined;

/** The tuned model's tokens the mark covers (sharing a non-space character with it). */
function expectedTokens(): string[] {
  const a = readResults(resultsDir()).find((x) => x.prompt === promptBody && path.basename(x.model.path) === path.basename(models.tunedDir));
  assert.ok(a, 'the tuned analysis of the prompt');
  const s = promptBody.indexOf(MARKED), e = s + MARKED.length;
  return a.promptTokens.filter((t) => {
    if (t.special) return false;
    for (let i = Math.max(t.start, s); i < Math.min(t.end, e); i++) if (!/\s/.test(promptBody[i])) return true;
    return false;
  }).map((t) => promptBody.slice(t.start, t.end));
}

/** The panel's instruction tokens (tuned side), each with its â, and the shown instruction score. */
async function panelInstruction(): Promise<{ tokens: string[]; densities: number[]; score: number }> {
  const wv = host.webview();
  const toks = await wv.locator('.side.tuned .prompt .tok.inst').evaluateAll((els) => els.map((e) => ({ text: e.textContent ?? '', title: e.getAttribute('title') ?? '' })));
  const score = Number(await wv.locator('.side.tuned [data-metric="score"]').textContent());
  return { tokens: toks.map((t) => t.text), densities: toks.map((t) => Number(/â=([\d.]+)/.exec(t.title)?.[1])), score };
}

async function assertMarkDrawn(when: string): Promise<void> {
  const dashed = await until(`the dashed mark (${when})`, async () => { const d = await decorations(host, 'dashed'); return d.length > 0 && d; }, 20_000);
  assert.deepEqual(dashed.map((d) => d.text.trim()), [MARKED], `${when}: the mark underlines "${MARKED}"`);
}

async function assertPanelUsesMark(when: string): Promise<void> {
  const expected = expectedTokens();
  const got = await until(`the panel's instruction tokens (${when})`, async () => {
    const p = await panelInstruction();
    return JSON.stringify(p.tokens) === JSON.stringify(expected) && p;
  }, 20_000).catch(async () => panelInstruction());
  assert.deepEqual(got.tokens, expected, `${when}: instruction tokens are the marked ones`);
  const score = got.densities.reduce((x, y) => x + y, 0) / Math.log2(2 + got.densities.length);
  assert.ok(Math.abs(score - got.score) < 0.005, `${when}: instruction score ${got.score} = Σâ/log2(2+n) = ${score.toFixed(3)}`);
}

export async function marksScenario(): Promise<void> {
  const st = fs.statSync(file());
  before = { hash: sha256(file()), mtimeMs: st.mtimeMs };
  await host.fileTab('recipe.prompt.md').click();
  await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
  await cursorAt(host, 5, 1); // before the final "."
  await selectWordLeft(host);
  await host.command('Prompt Lens: Mark Selection as Instruction');
  await host.page.keyboard.press('Escape');
  await assertMarkDrawn('marked');
  await assertPanelUsesMark('marked');
  await host.screenshot('10-instruction-mark');
  assert.equal(sha256(file()), before.hash, 'the file\'s bytes are unchanged');
  assert.equal(fs.statSync(file()).mtimeMs, before.mtimeMs, 'the file was not written');
  assert.equal(await host.page.locator('.tab.dirty', { hasText: 'recipe.prompt.md' }).count(), 0, 'the editor has no unsaved change');
  step('mark done');
}

export async function marksAfterReload(): Promise<void> {
  assert.ok(before, 'the mark scenario ran');
  await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
  await host.openFile(PROMPT_FILE);
  await assertMarkDrawn('after reload');
  await assertPanelUsesMark('after reload (restored panel)');
  // A new run uses the kept mark.
  const runs = runsOf(PROMPT_FILE);
  await host.command('Prompt Lens: Compare Base and Tuned');
  await until('a compare after the reload', () => runsOf(PROMPT_FILE) > runs, 120_000);
  await assertPanelUsesMark('after reload (new run)');
  assert.equal(sha256(file()), before.hash, 'the file\'s bytes are unchanged after the reload');
  step('mark after reload done');
}

export async function marksAfterRestart(): Promise<void> {
  assert.ok(before, 'the mark scenario ran');
  await host.restart();
  await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click().catch(() => undefined);
  await host.openFile(PROMPT_FILE);
  await assertMarkDrawn('after a code-server restart');
  // Compare again: the results cached in the extension's storage (or a new run) use the kept mark.
  await host.command('Prompt Lens: Compare Base and Tuned');
  await host.webview().locator('.side.tuned').waitFor({ timeout: 120_000 });
  await assertPanelUsesMark('after a code-server restart');
  await host.screenshot('11-mark-after-restart');
  assert.equal(sha256(file()), before.hash, 'the file\'s bytes are unchanged after the restart');
  step('mark after restart done');
}
