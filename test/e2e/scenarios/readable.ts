/**
 * Readable at a glance (issue 15): a realistic support system prompt of 200+ tokens with five
 * numbered rules, analyzed and compared as a prompt engineer would. In the page: the strongest
 * highlights stand out (the top 5 at least twice the median opacity), a colour legend exists in
 * the hover and the panel, the panel shows every prompt line without a nested scroll box, nothing
 * is clipped (each element's box inside its container's), and during a re-run the old cards are
 * marked as the previous result. In the editor, a CodeLens above each rule gives its mean
 * reliance as the analyses on disk have it ("rule 3: 0.57", then "rule 3: 0.57 tuned / 0.49
 * base" after Compare), and a click on one opens the panel at that line.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { host, step, models, resultsDir, runsOf } from '../suite.ts';
import { until, readResults, highlights } from '../ui.ts';
import { ruleLenses } from '../../../src/shared/ruleSummary.ts';
import type { Analysis } from '../../../src/engine/analysis.ts';

export const SUPPORT_FILE = 'prompts/support.prompt';
export const SUPPORT_TEXT = `You are the support assistant of Acme Cloud, a hosting company. You answer questions from customers about their servers, invoices and accounts. Our offices are open from nine to five on weekdays, and urgent tickets are handled at night by the team on call.
Follow these rules in every reply:
1. Always answer in JSON with the keys "answer" and "confidence".
2. Never mention competitors or their products, even when the customer asks.
3. Keep every answer under three sentences and use plain words.
4. If the customer is angry, apologise once and then give the fix.
5. Ask for the account number before you discuss any invoice.
The customer writes: my server has been down since this morning and I need it back now.
Give a synonym of the word angry.
`;

/** The per-rule CodeLens texts on screen (one `.codelens-decoration` per line, its lenses joined by " | "). */
async function lensTexts(): Promise<string[]> {
  return host.page.locator('.contentWidgets .codelens-decoration').allTextContents();
}

/** Waits until every rule lens the analyses give ("rule 3: 0.82 tuned / 0.41 base") is on screen. */
async function expectRuleLenses(analyses: { base?: Analysis; tuned?: Analysis }): Promise<string[]> {
  const titles = ruleLenses(analyses).map((l) => l.title);
  assert.ok(titles.filter((t) => t.startsWith('rule ')).length === 5, `five numbered rules (${titles.join('; ')})`);
  let shown: string[] = [];
  try {
    await until('the rule lenses', async () => { shown = await lensTexts(); return titles.every((t) => shown.some((s) => s.includes(t))); }, 30_000);
  } catch {
    assert.fail(`rule lenses: expected ${JSON.stringify(titles)}, on screen ${JSON.stringify(shown)}`);
  }
  return titles;
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor(s.length / 2)] : 0; };

/** Elements whose box sticks out of their container's (by more than a pixel). */
async function clipped(): Promise<string[]> {
  return host.webview().locator('body').evaluate(() => {
    const out: string[] = [];
    // Not `const inside = () => …`: tsx names such functions with a helper (__name) the page does not have.
    const [inside] = [(el: Element, box: Element): boolean => {
      const r = el.getBoundingClientRect(), b = box.getBoundingClientRect();
      return r.left >= b.left - 1 && r.right <= b.right + 1 && r.top >= b.top - 1 && r.bottom <= b.bottom + 1;
    }];
    for (const side of document.querySelectorAll('.side')) {
      for (const el of side.querySelectorAll('header, .metrics, .legend, .response, .prompt, .lines, .heatwrap, .spans')) {
        if (!inside(el, side)) out.push(`${el.className} outside its side`);
      }
    }
    for (const wrap of document.querySelectorAll<HTMLElement>('.heatwrap')) {
      const c = wrap.querySelector('canvas')!;
      if (c.getBoundingClientRect().width > wrap.clientWidth + 1) out.push('heatmap wider than its box');
    }
    for (const svg of document.querySelectorAll<SVGSVGElement>('svg.profile')) {
      for (const t of svg.querySelectorAll('text')) if (!inside(t, svg)) out.push(`profile label "${t.textContent}" clipped`);
    }
    return out;
  });
}

export async function readableScenario(): Promise<void> {
  // The demo pair answers a long prompt through its chat template (raw, it ends at once).
  // The suite's own pair (the Hub scenario may have left Hub ids in the settings).
  host.setWorkspaceSettings({ 'promptLens.baseModel': models.base, 'promptLens.tunedModel': models.tuned, 'promptLens.template': 'auto', 'promptLens.maxNewTokens': 16 });
  await host.page.waitForTimeout(1000);
  fs.writeFileSync(path.join(host.workspace, SUPPORT_FILE), SUPPORT_TEXT);
  await host.openFile(SUPPORT_FILE);
  const body = SUPPORT_TEXT.trimEnd();
  const before = readResults(resultsDir()).filter((a) => a.prompt?.trimEnd() === body).length;
  await host.command('Prompt Lens: Analyze Prompt');
  await until('the support prompt analysis', () => readResults(resultsDir()).filter((a) => a.prompt?.trimEnd() === body).length > before, 180_000);
  const tuned = readResults(resultsDir()).find((a) => a.prompt?.trimEnd() === body && path.basename(a.model.path) === path.basename(models.tunedDir))!;
  const users = tuned.promptTokens.filter((t) => !t.special).length;
  assert.ok(users >= 200, `a prompt of at least 200 tokens (${users})`);

  // A CodeLens above each rule and line with its mean reliance, as the analysis has it (first:
  // the lenses push the lines down, and the hover below goes to a highlight's position).
  const oneTitles = await expectRuleLenses({ tuned });
  console.log(`# rule lenses after Analyze: ${oneTitles.join('; ')}`);

  // The strongest highlights stand out from the rest.
  const lit = await until('highlights', async () => { const d = await highlights(host); return d.length > 0 && d; }, 30_000);
  const alphas = lit.map((d) => d.alpha).sort((a, b) => b - a);
  const top5 = alphas.slice(0, 5), med = median(alphas);
  console.log(`# support prompt: ${users} tokens, ${lit.length} highlights on screen, top 5 opacities ${top5.join(', ')}, median ${med}`);
  const strongOnes = alphas.filter((a) => a >= alphas[0] / 2).length;
  assert.ok(strongOnes <= lit.length / 4, `not one wash: ${strongOnes} of ${lit.length} highlights at least half as strong as the strongest`);
  for (const a of top5) assert.ok(a >= 2 * med, `a top-5 opacity ${a} is at least twice the median ${med}`);
  await host.screenshot('16-readable-editor');

  // The hover says what the numbers are and shows the scale.
  const strong = lit.reduce((a, b) => (b.alpha > a.alpha ? b : a));
  await host.page.mouse.move(strong.x, strong.y);
  const hover = host.page.locator('.monaco-hover:visible', { hasText: 'Prompt Lens' }).first();
  await hover.waitFor({ timeout: 15_000 });
  const hoverText = (await hover.textContent()) ?? '';
  assert.match(hoverText, /Scale/, 'the hover has a legend');
  assert.match(hoverText, /reliance/, 'the hover says in words what â is');
  await host.screenshot('17-readable-hover');
  await host.page.mouse.move(5, 500);
  await host.page.keyboard.press('Escape');

  // The panel: legend, every prompt line without nested scrolling, nothing clipped.
  let runs = runsOf(SUPPORT_FILE);
  await host.command('Prompt Lens: Compare Base and Tuned');
  await until('the compare run', () => runsOf(SUPPORT_FILE) > runs, 180_000);
  const wv = host.webview();
  await wv.locator('.side.base').waitFor({ timeout: 60_000 });
  await until('the support prompt in the panel', async () => /Acme Cloud/.test((await wv.locator('.side.tuned .prompt').textContent()) ?? ''), 30_000);
  assert.ok(await wv.locator('.legend').count() >= 2, 'the panel has colour legends (prompt and heatmap)');
  const nested = await wv.locator('.prompt, .response').evaluateAll((els) => els.map((e) => ({ cls: e.className, scroll: e.scrollHeight, client: e.clientHeight, overflow: getComputedStyle(e).overflowY })));
  for (const n of nested) assert.ok(n.scroll <= n.client + 1 && n.overflow !== 'auto' && n.overflow !== 'scroll', `${n.cls} shows all its lines without its own scroll bar (${JSON.stringify(n)})`);
  const lines = body.split('\n').filter((l) => l.trim());
  const shownLines = await wv.locator('.side.tuned .lines .line').count();
  assert.equal(shownLines, lines.length, 'the per-line summary lists every prompt line');
  const spansNote = (await wv.locator('.side.tuned .spans').textContent()) ?? '';
  assert.match(spansNote, /detected|marked/, 'the panel says where the instruction spans came from');
  assert.match((await wv.locator('.demo-note').textContent().catch(() => '')) ?? '', models.tunedLabel === 'demo-instruct' ? /demo/ : /.*/);
  const cut = await clipped();
  assert.deepEqual(cut, [], 'nothing is clipped');
  await host.screenshot('18-readable-panel');

  // After Compare the lenses give both models ("rule 3: 0.82 tuned / 0.41 base"); a click opens the panel at that line.
  const latest = (dir: string) => readResults(resultsDir()).filter((a) => a.prompt?.trimEnd() === body && path.basename(a.model.path) === dir && a.settings.method === tuned.settings.method).at(-1);
  const pair = { base: latest(path.basename(models.baseDir)), tuned: latest(path.basename(models.tunedDir)) };
  assert.ok(pair.base && pair.tuned, 'both analyses of the support prompt');
  const bothTitles = await expectRuleLenses(pair);
  assert.ok(bothTitles.every((t) => / tuned \/ [\d.—]+ base$/.test(t)), `each lens gives both models (${bothTitles[0]})`);
  console.log(`# rule lenses after Compare: ${bothTitles.join('; ')}`);
  await host.screenshot('18b-readable-rule-lenses');
  const rule3 = bothTitles.find((t) => t.startsWith('rule 3:'))!;
  await host.page.locator('.contentWidgets .codelens-decoration a', { hasText: rule3 }).first().click();
  await until('the panel at rule 3', async () => (await wv.locator('.side.tuned .lines .line.focused').evaluateAll((els) => els.map((e) => e.getAttribute('data-line'))))[0] === '4', 15_000);

  // Re-run with occlusion: the old cards are marked as the previous result until the new ones arrive.
  runs = runsOf(SUPPORT_FILE);
  await wv.locator('#method').evaluate((el: HTMLElement & { value: string }) => { el.value = 'occlusion'; });
  await wv.locator('#rerun').click();
  await wv.locator('.side.previous').first().waitFor({ timeout: 10_000 });
  assert.match((await wv.locator('.side.previous .prev-label').first().textContent()) ?? '', /previous/i);
  await host.screenshot('19-readable-rerun');
  await until('the re-run', () => runsOf(SUPPORT_FILE) > runs, 180_000);
  await until('the new cards', async () => (await wv.locator('.side.previous').count()) === 0 && /occlusion/.test((await wv.locator('.side.tuned .meta').textContent()) ?? ''), 30_000);
  assert.deepEqual(await clipped(), [], 'nothing is clipped after the re-run');
  // The rule lenses follow the re-run (before this wait, a screenshot under load could still show the gradient's).
  const byOcclusion = (dir: string) => readResults(resultsDir()).filter((a) => a.prompt?.trimEnd() === body && path.basename(a.model.path) === dir && a.settings.method === 'occlusion').at(-1);
  await expectRuleLenses({ base: byOcclusion(path.basename(models.baseDir)), tuned: byOcclusion(path.basename(models.tunedDir)) });
  await host.screenshot('20-readable-occlusion');
  host.setWorkspaceSettings({ 'promptLens.template': 'none', 'promptLens.maxNewTokens': 12 });
  // The next scenario's commands would otherwise target this panel's long prompt.
  await host.command('View: Close All Editors');
  step('readable done');
}
