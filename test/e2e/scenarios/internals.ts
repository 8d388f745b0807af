/**
 * The "Model internals" view in the real host: on the suite's model pair, the page shows per layer
 * the base and tuned feed-forward components with their words, the subspace shift per layer as a
 * chart, and the heads' word pairs; then the hover over a prompt word says where it lives in the
 * weights. Runs last (after the readable scenario has pinned the suite's own models and closed
 * every editor), so it analyzes its prompt itself.
 */
import assert from 'node:assert/strict';
import { host, step, models, runsOf, PROMPT_FILE } from '../suite.ts';
import { until, highlights } from '../ui.ts';

export async function internalsScenario(): Promise<void> {
  host.setWorkspaceSettings({ 'promptLens.baseModel': models.base, 'promptLens.tunedModel': models.tuned });
  await host.page.waitForTimeout(1000);
  await host.openFile(PROMPT_FILE);
  const runs = runsOf(PROMPT_FILE);
  await host.command('Prompt Lens: Analyze Prompt');
  await until('the analysis', () => runsOf(PROMPT_FILE) > runs, 120_000);
  await until('highlights', async () => (await highlights(host)).length > 0, 30_000);

  await host.command('Prompt Lens: Show Model Internals (Concepts and Head Word Pairs)');
  const wv = host.webview();
  await wv.locator('h1', { hasText: 'Attention heads' }).waitFor({ timeout: 300_000 });
  assert.match((await wv.locator('h1').first().textContent()) ?? '', new RegExp(`Feed-forward concepts: .*${models.baseLabel} vs .*${models.tunedLabel}`));

  // The subspace shift per layer: one bar per layer, drawn with a width.
  const chart = wv.locator('h2', { hasText: 'Subspace shift per layer' }).locator('xpath=following-sibling::table[1]');
  const bars = await chart.locator('.bar').evaluateAll((els) => els.map((e) => (e as HTMLElement).getBoundingClientRect().width));
  assert.ok(bars.length > 0 && bars.every((w) => w >= 0) && bars.some((w) => w > 0), `subspace-shift bars: ${JSON.stringify(bars)}`);
  assert.match((await chart.textContent()) ?? '', /\d+\.\d°/);

  // Per layer, the base and the tuned components side by side, each with words.
  const layer0 = wv.locator('h2', { hasText: /^Layer 0$/ }).first();
  await layer0.waitFor({ timeout: 10_000 });
  const sides = layer0.locator('xpath=following-sibling::table[position() <= 2]');
  assert.equal(await sides.count(), 2);
  assert.match((await sides.nth(0).locator('th').first().textContent()) ?? '', new RegExp(models.baseLabel));
  assert.match((await sides.nth(1).locator('th').first().textContent()) ?? '', new RegExp(models.tunedLabel));
  for (const i of [0, 1]) {
    const words = ((await sides.nth(i).locator('tr').nth(1).locator('td').nth(2).textContent()) ?? '').trim().split(/\s+/);
    assert.ok(words.length >= 5 && words.every((w) => /^[a-z]+$/.test(w)), `layer 0 ${i ? 'tuned' : 'base'} component #1 words: ${JSON.stringify(words)}`);
  }

  // The heads' word pairs.
  const pairs = await wv.locator('td', { hasText: '→' }).allTextContents();
  assert.ok(pairs.length > 0 && /[a-z]+→[a-z]+ \(\d+\)/.test(pairs[0]), `head pairs: ${pairs.slice(0, 2).join(' | ')}`);
  await host.screenshot('internals-view');
  step('internals view done');

  // The hover over a prompt word names where it lives (components or heads of either model).
  let found = '';
  for (const d of await highlights(host)) {
    await host.page.mouse.move(5, 500);
    await host.page.waitForTimeout(300);
    await host.page.mouse.move(d.x, d.y);
    const hover = host.page.locator('.monaco-hover:visible', { hasText: 'reliance' }).first();
    await hover.waitFor({ timeout: 15_000 });
    const text = (await hover.textContent()) ?? '';
    if (/Where this word lives/.test(text)) {
      found = text;
      console.log(`# "${d.text}" lives in: ${text.slice(text.indexOf('Where this word lives'))}`);
      break;
    }
  }
  assert.match(found, /Where this word lives.*(base|tuned): layer \d+ (component #\d+ \(word \d+\)|head \d+ \(\d+ pairs?\))/s);
  // Scroll the hover down to its "where this word lives" lines for the screenshot (the pointer inside keeps it open).
  const box = await host.page.locator('.monaco-hover:visible').first().boundingBox();
  if (box) {
    await host.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 5 });
    await host.page.mouse.wheel(0, 400);
    await host.page.waitForTimeout(300);
  }
  await host.screenshot('internals-hover');
  await host.page.mouse.move(5, 500);
  await host.page.keyboard.press('Escape');
  step('internals hover done');
}
