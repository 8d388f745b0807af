/**
 * "Why this reply rather than that one" in the real host: with both models' results in the
 * comparison panel, "Tuned's reply vs base's reply" explains log p(tuned reply) − log p(base reply);
 * the panel shows the coloured prompt, a legend naming that quantity, one line in words and each
 * token's value (its hover naming it too), and those
 * values equal a CLI `analyze --contrast-response` run on the same inputs within 1e-9. A typed
 * alternative of another length shows the engine's message in the panel.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Frame } from 'playwright-core';
import { REPO } from '../host.ts';
import { host, models, ENGINE_CACHE, PROMPT_FILE, PROMPT_TEXT, resultsDir, step } from '../suite.ts';
import { readResults, until } from '../ui.ts';
import type { Analysis } from '../../../src/engine/analysis.ts';
import { contrastValues } from '../../../src/extension/contrastRun.ts';

/** The comparison panel's page (other webviews, e.g. the history panel, may be open). */
async function comparePanel(): Promise<Frame | undefined> {
  for (const f of host.page.frames()) {
    if (await f.$('.contrastbox #contrastBase').catch(() => null)) return f;
  }
  return undefined;
}

type Shown = { reply: string; alternative: string; values: [number, number][]; meaning: string; legend: string; hover: string } | { error: string } | { busy: true } | undefined;

/** What the panel shows now (read at once: a run re-renders the section): the replies and per-token values, the error line, or busy. */
function shownContrast(f: Frame): Promise<Shown> {
  return f.evaluate((): Shown => {
    if (document.querySelector('.contrastbox .busy-line')) return { busy: true };
    const error = document.querySelector('.contrast-error');
    if (error) return { error: error.textContent ?? '' };
    const replies = document.querySelector('.contrast-replies');
    if (!replies) return undefined;
    return {
      reply: replies.getAttribute('data-reply') ?? '',
      alternative: replies.getAttribute('data-alternative') ?? '',
      values: [...document.querySelectorAll('.cvalues tr[data-n]')].map((e) => [Number(e.getAttribute('data-n')), Number(e.querySelector('.cv')?.getAttribute('data-v'))] as [number, number]),
      meaning: document.querySelector('.contrast-meaning')?.textContent ?? '',
      legend: document.querySelector('.contrast-legend')?.textContent ?? '',
      hover: document.querySelector('.cprompt .ctok')?.getAttribute('title') ?? '',
    };
  });
}

/** The workspace's maxNewTokens now (earlier scenarios change it). */
function maxNewTokens(): unknown {
  const file = path.join(host.workspace, '.vscode', 'settings.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)['promptLens.maxNewTokens'] ?? null;
}

export async function contrastReplyScenario(): Promise<void> {
  // 12 new tokens: both demo models then reply with 12 tokens (contrast compares them token by token).
  const before = maxNewTokens();
  host.setWorkspaceSettings({ 'promptLens.maxNewTokens': 12 });
  try {
    await explainTunedAgainstBase();
  } finally {
    host.setWorkspaceSettings({ 'promptLens.maxNewTokens': before });
  }
}

async function explainTunedAgainstBase(): Promise<void> {
  await host.page.waitForTimeout(1000);
  const firstEditor = host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first();
  if (await firstEditor.count()) await firstEditor.click();
  await host.openFile(PROMPT_FILE);
  await host.command('Prompt Lens: Compare Base and Tuned');
  const frame = await until('the comparison panel with both sides', async () => {
    const f = await comparePanel();
    return f && (await f.$('.side.base')) && (await f.$('.side.tuned')) && !(await f.$('.busy')) && f;
  }, 180_000);

  await frame.click('#contrastBase');
  const found = await until('the contrast in the panel', async () => { const x = await shownContrast(frame); return x && !('busy' in x) && x; }, 120_000);
  if ('error' in found) assert.fail(`the contrast failed: ${found.error}`);
  if (!('reply' in found)) assert.fail('no contrast shown');
  const shown = { ...found, values: new Map(found.values) };
  assert.match(shown.meaning, /Each token’s value is how much it raises log p\(the tuned reply’s token\) − log p\(the alternative’s token\), summed over the \d+ steps/);
  assert.match(shown.legend, /log p\(tuned reply\) − log p\(base reply\), summed over the steps/);
  assert.match(shown.hover, /to log p\(tuned reply\) − log p\(alternative\), summed over the steps/);
  assert.ok(await frame.$('.contrast-legend canvas.cbar'), 'a legend');
  // The prompt is coloured on the two-colour scale: some token has a background.
  const painted = await frame.$$eval('.cprompt .ctok', (els) => els.filter((e) => (e as HTMLElement).style.background && (e as HTMLElement).style.background !== 'transparent').length);
  assert.ok(painted > 0, 'the contrast prompt is coloured');
  await host.screenshot('14-contrast-why-this-reply');

  // The same inputs through the CLI: the tuned analysis the panel explained (its prompt, reply and settings) against the base reply.
  const prompt = PROMPT_TEXT.slice(PROMPT_TEXT.indexOf('---\n', 4) + 4).trimEnd();
  const tunedName = path.basename(models.tunedDir);
  const tuned = readResults(resultsDir()).find((a: Analysis) => a.prompt === prompt && a.response === shown.reply && path.basename(a.model.path) === tunedName);
  assert.ok(tuned, 'the tuned analysis the panel shows is in the result cache');
  const out = path.join(host.root, 'contrast-cli.json');
  const s = tuned.settings;
  execFileSync(process.execPath, [path.join(REPO, 'dist', 'cli.js'), 'analyze', '--model', models.tunedDir, '--prompt', prompt,
    '--response', shown.reply, '--contrast-response', shown.alternative, '--method', s.method, '--template', s.template, '--granularity', s.granularity,
    '--dtype', tuned.model.dtype, '--precision', tuned.model.precision ?? 'auto', '--json', out, '--no-color'], { env: { ...process.env, PROMPT_LENS_CACHE: ENGINE_CACHE }, stdio: 'pipe' });
  const cli = JSON.parse(fs.readFileSync(out, 'utf8')) as Analysis;
  assert.equal(cli.contrast?.kind, 'log-probability', 'the CLI\'s default is the panel\'s: log p(A) − log p(B)');
  const expected = contrastValues(cli);
  const users = cli.promptTokens.flatMap((t, n) => (t.special ? [] : [n]));
  assert.equal(shown.values.size, users.length, 'one value per prompt token');
  let maxDiff = 0;
  for (const n of users) {
    const v = shown.values.get(n);
    assert.ok(v !== undefined && Number.isFinite(v), `token ${n} has a value`);
    maxDiff = Math.max(maxDiff, Math.abs(v - expected[n]));
  }
  assert.ok(maxDiff <= 1e-9, `panel and CLI agree within 1e-9 (max difference ${maxDiff})`);
  assert.ok(users.some((n) => Math.abs(expected[n]) > 0), 'the values are not all zero');
  step(`contrast: ${users.length} token values equal the CLI's (max difference ${maxDiff.toExponential(2)})`);

  // A typed alternative of another length: the engine's message, in the panel.
  await frame.locator('#contrastText textarea').fill('No.');
  await frame.click('#contrastTyped');
  const refused = await until('the typed contrast\'s answer', async () => {
    const x = await shownContrast(frame);
    return x && 'error' in x && x;
  }, 60_000);
  assert.match(refused.error, /The contrast response is \d+ tokens and the response \d+; contrastive attribution compares them token by token\. Give a contrast with the same number of tokens/);
  step('contrast: a typed reply of another length shows the engine\'s message');
}
