/**
 * Hub models with the default settings (SmolLM-135M / -Instruct), against a local stand-in for
 * the Hub that serves this run's model pair under those ids (PROMPT_LENS_HUB_URL): Analyze asks
 * before downloading; "Use Bundled Demo Pair" runs the demo pair and downloads nothing; with the
 * Hub unreachable, "Download" ends in a clear message that offers the demo pair; with the Hub
 * back, Analyze downloads only the model it needs into PROMPT_LENS_CACHE and runs it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { REPO } from '../host.ts';
import { host, hub, step, demo, models, resultsDir, runsOf, ENGINE_CACHE, HUB_BASE, HUB_TUNED, MODEL_SETTINGS, PROMPT_FILE } from '../suite.ts';
import { until, readResults, highlights } from '../ui.ts';

const dialog = () => host.page.locator('.monaco-dialog-box');
const toast = (text: string | RegExp) => host.page.locator('.notifications-toasts .notification-toast', { hasText: text });
const hfCacheInRepo = path.join(REPO, 'node_modules', '@huggingface', 'transformers', '.cache', 'HuggingFaceTB');

async function analyze(): Promise<void> {
  await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
  await host.command('Prompt Lens: Analyze Prompt');
}

async function consentDialog(): Promise<string> {
  await dialog().waitFor({ timeout: 20_000 });
  const text = (await dialog().textContent()) ?? '';
  assert.match(text, new RegExp(HUB_TUNED.replace('/', '\\/')), 'the dialog names the model');
  assert.match(text, /download/i);
  assert.match(text, /bundled demo pair/i, 'it offers the demo pair');
  return text;
}

export async function hubScenario(): Promise<void> {
  const hfCacheBefore = fs.existsSync(hfCacheInRepo);
  await host.page.locator('.editor-group-container').first().locator('.monaco-editor .view-lines').first().click();
  await host.openFile(PROMPT_FILE);

  // 1. Defaults (the Hub pair): asked first; refusing runs the bundled demo pair.
  host.setWorkspaceSettings({ 'promptLens.baseModel': null, 'promptLens.tunedModel': null });
  await until('the status bar shows the Hub model', async () => (await host.page.locator('.statusbar-item', { hasText: 'SmolLM-135M-Instruct' }).count()) > 0, 15_000);
  let runs = runsOf(PROMPT_FILE);
  await analyze();
  await consentDialog();
  await host.screenshot('13-download-consent');
  await host.dialogButton('Use Bundled Demo Pair');
  if (demo) {
    await until('the run with the demo pair', () => runsOf(PROMPT_FILE) > runs, 120_000);
    assert.match(host.extensionLog(), new RegExp(`analysis of .*recipe\\.prompt\\.md with demo-instruct done`));
    // The choice is kept in the settings: the status bar names the demo pair, and Analyze no longer asks.
    await until('the status bar shows the demo pair', async () => (await host.page.locator('.statusbar-item', { hasText: 'demo-instruct' }).count()) > 0, 15_000);
    runs = runsOf(PROMPT_FILE);
    await analyze();
    await until('a second run with the demo pair', async () => {
      if (await dialog().isVisible()) throw new Error('asked again after choosing the demo pair');
      return runsOf(PROMPT_FILE) > runs;
    }, 60_000);
    console.log(`# user settings after the choice: ${JSON.stringify(host.userSettings())}`);
  }
  assert.deepEqual(hub.requests, [], 'refusing downloads nothing');

  // 2. The Hub pair again, the Hub unreachable: "Download" ends in a clear message offering the demo pair.
  hub.up = false;
  host.setWorkspaceSettings({ 'promptLens.baseModel': HUB_BASE, 'promptLens.tunedModel': HUB_TUNED });
  await until('the status bar shows the Hub model', async () => (await host.page.locator('.statusbar-item', { hasText: 'SmolLM-135M-Instruct' }).count()) > 0, 15_000);
  const resultsBefore = readResults(resultsDir()).length;
  await analyze();
  await consentDialog();
  await host.dialogButton('Download');
  const err = toast('Cannot reach the Hugging Face Hub');
  await err.waitFor({ timeout: 60_000 });
  await host.page.waitForTimeout(600); // the toast's fade-in, for the screenshot
  const message = (await err.textContent()) ?? '';
  assert.match(message, new RegExp(HUB_TUNED.replace('/', '\\/')));
  assert.equal(await err.locator('a.monaco-button', { hasText: 'Use Bundled Demo Pair' }).count(), 1, 'the message offers the demo pair');
  await host.screenshot('14-hub-unreachable');
  assert.equal(readResults(resultsDir()).length, resultsBefore, 'no result');
  assert.ok(!fs.existsSync(path.join(ENGINE_CACHE, 'hub', ...HUB_TUNED.split('/'), 'onnx', 'model.onnx')), 'nothing downloaded');
  await host.command('Notifications: Clear All Notifications');

  // 3. The Hub back: no second question (consent kept); only the tuned model is downloaded, then run.
  hub.up = true;
  runs = runsOf(PROMPT_FILE);
  await analyze();
  await until('the run with the downloaded model', async () => {
    if (await dialog().isVisible()) throw new Error('asked again after consent');
    return runsOf(PROMPT_FILE) > runs;
  }, 180_000);
  const folder = path.join(ENGINE_CACHE, 'hub', ...HUB_TUNED.split('/'));
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx']) {
    assert.ok(hub.filesOf(HUB_TUNED).includes(f), `${f} requested from the Hub`);
    assert.equal(fs.statSync(path.join(folder, f)).size, fs.statSync(path.join(models.tunedDir, f)).size, `${f} downloaded whole`);
  }
  assert.ok(!hub.filesOf(HUB_BASE).some((f) => f.startsWith('onnx/')), 'the base model (not needed to highlight the tuned model) is not downloaded');
  assert.ok(hub.requests.every((r) => /^\/HuggingFaceTB\/SmolLM-135M(-Instruct)?\/resolve\/main\//.test(r)), `only Hub file URLs: ${hub.requests.join(', ')}`);
  const a = readResults(resultsDir()).find((x) => x.model.path === folder);
  assert.ok(a, 'the analysis ran on the downloaded model');
  assert.equal(a.model.ref, HUB_TUNED);
  await until('highlights', async () => (await highlights(host)).length > 0, 20_000);
  // The panel (on this prompt) shows the model that ran, and no earlier base result under the new base's name.
  const wv = host.webview();
  await until('the panel shows the downloaded model', async () => /SmolLM-135M-Instruct/.test((await wv.locator('.side.tuned h2').textContent()) ?? ''), 20_000);
  assert.equal(await wv.locator('.side.base').count(), 0, 'no base result: the base model did not run');
  await host.page.waitForTimeout(300);
  await host.screenshot('15-hub-downloaded');
  assert.equal(fs.existsSync(hfCacheInRepo), hfCacheBefore, 'transformers.js caches nothing inside the extension');

  host.setWorkspaceSettings(MODEL_SETTINGS);
  step('hub done');
}
