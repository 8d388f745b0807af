/**
 * End-to-end suite in a real VS Code host (code-server 4.100.3 + Chromium via playwright-core):
 * open a prompt file, analyze it with a real model pair, check the highlights sit on the words the
 * analysis ranks highest, hover for a score, open the comparison panel (both models + heatmap),
 * cancel a long run, and reload the window to see the panel restored. Then: highlights and panel
 * readable in light and high-contrast themes, the panel in the prompt's own editor group, export
 * (save dialog and scripted), instruction marks (kept outside the file, across a reload), analyze
 * on save with stale marking, the Hub download consent (with a local stand-in for the Hub), and
 * the "Model internals" view with the hover's "where this word lives".
 * Screenshots go to test-results/e2e/. Run: `npm run test:e2e` (installs the host on first use).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO, CODE_SERVER } from './host.ts';
import type { Analysis } from '../../src/engine/analysis.ts';
import { DEFAULTS } from '../../src/engine/options.ts';
import { host, demo, models, PROMPT_FILE, PROMPT_TEXT, LONG_FILE, resultsDir, step, startSuite, stopSuite } from './suite.ts';
import { until, readResults, highlights } from './ui.ts';
import { themesScenario } from './scenarios/themes.ts';
import { panelGroupScenario } from './scenarios/panelGroup.ts';
import { exportScenario } from './scenarios/export.ts';
import { marksScenario, marksAfterReload, marksAfterRestart } from './scenarios/marks.ts';
import { onSaveScenario } from './scenarios/onSave.ts';
import { hubScenario } from './scenarios/hub.ts';
import { granularityScenario } from './scenarios/granularity.ts';
import { diagnosticsScenario } from './scenarios/diagnostics.ts';
import { historyScenario, walkthroughScenario } from './scenarios/history.ts';
import { readableScenario } from './scenarios/readable.ts';
import { contrastReplyScenario } from './scenarios/contrastReply.ts';
import { quickFixesScenario } from './scenarios/quickFixes.ts';
import { internalsScenario } from './scenarios/internals.ts';

function setup(): void {
  if (fs.existsSync(CODE_SERVER) && fs.existsSync('/usr/bin/chromium')) return;
  // Installs code-server 4.100.3 (and, as root, Chromium): idempotent.
  execFileSync('bash', [path.join(REPO, 'test/e2e/setup.sh')], { stdio: 'inherit' });
}

before(async () => {
  setup();
  await startSuite();
  step(`host up; models: ${demo ? 'bundled demo pair' : 'random-weight test models (the demo pair is not in models/ yet)'}`);
}, { timeout: 300_000 });

after(async () => {
  await stopSuite();
});

let tuned: Analysis | undefined;
let strongest: { text: string; alpha: number; x: number; y: number } | undefined;

test('analyze highlights the words the tuned model relies on', { timeout: 240_000 }, async () => {
    await host.openFile(PROMPT_FILE);
    await host.page.waitForTimeout(500);
    // The CodeLens sits at the top of the prompt (below the front matter).
    await host.page.locator('.contentWidgets .codelens-decoration', { hasText: 'Analyze' }).first().waitFor({ timeout: 60_000 });
    await host.command('Prompt Lens: Analyze Prompt');
    const results = await until('the analysis result', () => { const r = readResults(resultsDir()); return r.length >= 1 && r; }, 120_000);
    tuned = results.find((a) => path.basename(a.model.path) === (demo ? 'demo-instruct' : path.basename(models.tuned)));
    assert.ok(tuned, 'the tuned model ran');
    const body = PROMPT_TEXT.slice(PROMPT_TEXT.indexOf('---\n', 4) + 4);
    assert.equal(tuned.prompt, body.trimEnd(), 'front matter is not part of the prompt');
    const decorated = await until('highlights', async () => { const d = await highlights(host); return d.length > 0 && d; }, 30_000);
    // The expected words: every user token with â at the top level (ceil(10·â) = 10).
    const top = tuned.promptTokens.map((tok, n) => ({ tok, d: tuned!.densityNormalized[n] })).filter((x) => !x.tok.special && Math.ceil(10 * x.d - 1e-9) >= 10);
    assert.ok(top.length > 0);
    const strong = decorated.reduce((a, b) => (b.alpha > a.alpha ? b : a));
    strongest = strong;
    const expected = top.map((x) => tuned!.prompt.slice(x.tok.start, x.tok.end));
    assert.ok(expected.some((w) => w.trim() !== '' && strong.text.includes(w.trim())) || expected.includes(strong.text),
      `the most opaque highlight "${strong.text}" is one of the top-ranked tokens ${JSON.stringify(expected)}`);
    // The editor hides â at or below the default floor (promptLens.highlightFloor).
    const floor = DEFAULTS.extension.highlightFloor;
    const highlighted = tuned.promptTokens.filter((tok, n) => !tok.special && tuned!.densityNormalized[n] > floor).length;
    assert.ok(decorated.length >= Math.min(3, highlighted), `${decorated.length} highlights for ${highlighted} tokens with â > ${floor}`);
    console.log(`# top tokens ${JSON.stringify(expected)}; strongest highlight "${strong.text}"; ${decorated.length} highlights`);
    const status = await host.page.locator('.statusbar-item', { hasText: models.tunedLabel }).first().textContent();
    assert.ok(status?.includes(models.tunedLabel));
    await host.screenshot('1-analyze-highlights');
    step('analyze done');
});

test('hover shows the density and rank', { timeout: 60_000 }, async () => {
      assert.ok(strongest, 'analyze ran');
      await host.page.mouse.move(strongest.x, strongest.y);
      const hover = host.page.locator('.monaco-hover:visible', { hasText: 'reliance' }).first();
      await hover.waitFor({ timeout: 15_000 });
      const text = (await hover.textContent()) ?? '';
      assert.match(text, /reliance \d\.\d{2} of 1, rank \d+ of \d+ tokens \(â = \d\.\d{3}/);
      assert.match(text, /rank \d+ of \d+/);
      assert.match(text, /Open comparison panel/);
      await host.screenshot('2-hover');
      await host.page.mouse.move(5, 500);
      await host.page.keyboard.press('Escape');
      step('hover done');
});

test('compare opens the panel with both models and the heatmap', { timeout: 240_000 }, async () => {
    await host.command('Prompt Lens: Compare Base and Tuned');
    const wv = host.webview();
    await wv.locator('.side.base').waitFor({ timeout: 120_000 });
    await wv.locator('.side.tuned').waitFor({ timeout: 120_000 });
    assert.match((await wv.locator('.side.base h2').textContent()) ?? '', new RegExp(models.baseLabel));
    assert.match((await wv.locator('.side.tuned h2').textContent()) ?? '', new RegExp(models.tunedLabel));
    // The heatmaps are drawn: coloured pixels on each canvas.
    for (const side of ['base', 'tuned']) {
      const painted = await wv.locator(`canvas.heatmap[data-side="${side}"]`).evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] > 200 && d[i + 1] > 120 && d[i + 2] < 90) n++;
        return { n, w: c.width, h: c.height };
      });
      assert.ok(painted.w > 50 && painted.h > 50 && painted.n > 20, `${side} heatmap painted: ${JSON.stringify(painted)}`);
    }
    assert.ok(await wv.locator('svg.profile, .profilebox .hint').count());
    // Nothing is marked yet: the spans were detected (the panel says "marked by you" only for marks).
    assert.match((await wv.locator('.side.tuned .spans').textContent()) ?? '', /detected automatically/);
    // Hovering a response token recolours the prompt by that token's column.
    await wv.locator('.side.tuned .rtok').first().hover();
    await until('column view', async () => (await wv.locator('.side.tuned .prompt.column').count()) > 0, 5000);
    await host.screenshot('3-compare-panel');
    await wv.locator('.side.tuned h2').hover();
    // Zoom in on the heatmap.
    const before = await wv.locator('canvas.heatmap[data-side="tuned"]').evaluate((c: HTMLCanvasElement) => c.width);
    await wv.locator('.zbtn[data-side="tuned"][data-z="1"]').click();
    const after = await wv.locator('canvas.heatmap[data-side="tuned"]').evaluate((c: HTMLCanvasElement) => c.width);
    assert.ok(after > before, `zoom grows the heatmap (${before} → ${after})`);
    step('compare done');
});

test('highlights and the panel stay readable in light and high-contrast themes', { timeout: 120_000 }, themesScenario);
test('the panel redraws when re-shown in the prompt\'s own editor group', { timeout: 180_000 }, panelGroupScenario);
test('export writes self-contained HTML and JSON (save dialog, panel buttons, scripted)', { timeout: 120_000 }, exportScenario);
test('an instruction mark is kept outside the file and sets the instruction score', { timeout: 120_000 }, marksScenario);

test('cancel stops a long run and leaves the worker usable', { timeout: 420_000 }, async () => {
    host.setWorkspaceSettings({ 'promptLens.maxNewTokens': 300 });
    await host.page.waitForTimeout(1000);
    // Focus the editor group of the prompt (not the panel's) so the long prompt opens beside it.
    await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
    await host.openFile(LONG_FILE);
    const before = readResults(resultsDir()).length;
    await host.command('Prompt Lens: Analyze Prompt');
    const cancel = host.page.locator('.notifications-toasts .notification-toast', { hasText: 'Prompt Lens' }).locator('a.monaco-button', { hasText: 'Cancel' }).first();
    await cancel.waitFor({ timeout: 30_000 });
    await host.screenshot('4-running');
    const t0 = Date.now();
    await cancel.click();
    await until('the cancelled run to stop', () => /run cancelled/.test(host.extensionLog()), 20_000);
    const stopMs = Date.now() - t0;
    assert.equal(readResults(resultsDir()).length, before, 'a cancelled run stores no result');
    assert.equal(await host.page.locator('.notifications-toasts .notification-toast', { hasText: /Prompt Lens: (?!comparing)/ }).locator('.codicon-error').count(), 0, 'no error notification');
    console.log(`# cancel took ${stopMs} ms`);
    await host.screenshot('5-cancelled');
    // The worker is still usable: a short run completes.
    host.setWorkspaceSettings({ 'promptLens.maxNewTokens': 6 });
    await host.page.waitForTimeout(1000);
    await host.command('Prompt Lens: Analyze Prompt');
    // Occlusion of the ~300-token prompt in float64: 159-176 s measured under a load of 9 on 2 cores.
    await until('a run after cancel', () => readResults(resultsDir()).length > before, 300_000);
    step('cancel done');
});

test('analyze on save refreshes stale highlights; highlights follow edits', { timeout: 180_000 }, onSaveScenario);
test('an instruction the model may ignore is a Problems-panel warning with quick fixes', { timeout: 180_000 }, diagnosticsScenario);

test('reload restores the comparison panel', { timeout: 180_000 }, async () => {
    await host.page.reload();
    await host.page.locator('.monaco-workbench').waitFor({ timeout: 90_000 });
    const wv = host.webview();
    await wv.locator('.side.tuned').waitFor({ timeout: 90_000 });
    await wv.locator('.side.base').waitFor({ timeout: 10_000 });
    assert.ok(await wv.locator('canvas.heatmap[data-side="base"]').count());
    await host.page.waitForTimeout(1000);
    await host.screenshot('6-after-reload');
    step('reload done');
});

test('instruction marks survive the reload, the file untouched', { timeout: 60_000 }, marksAfterReload);
test('instruction marks survive a full code-server restart, the file untouched', { timeout: 240_000 }, marksAfterRestart);
test('sentence granularity highlights whole sentences', { timeout: 180_000 }, granularityScenario);
test('compare with previous version: the git history of a prompt, word by word', { timeout: 300_000 }, historyScenario);
test('the walkthrough opens from the Welcome page and opens the sample prompt', { timeout: 120_000 }, walkthroughScenario);
// After the reload and marks tests: its "open the comparison panel" leaves the panel on its own
// file; the contrast scenario after it compares the main prompt again.
test('the diagnostics\' quick fixes by keyboard: open the panel, mark as instruction, not an instruction', { timeout: 240_000 }, quickFixesScenario);
test('why this reply rather than that one: the panel\'s contrast equals the CLI\'s', { timeout: 300_000 }, contrastReplyScenario);
test('Hub models: consent, refusal offers the demo pair, unreachable Hub, download', { timeout: 300_000 }, hubScenario);
test('a 200-token multi-rule prompt is readable at a glance: contrast, legend, long-prompt panel, stale cards, no clipping', { timeout: 600_000 }, readableScenario);
test('model internals: components side by side, subspace shift chart, head pairs, and where a hovered word lives', { timeout: 600_000 }, internalsScenario);
