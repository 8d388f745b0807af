/**
 * The comparison panel in the prompt's own editor group (it was once seen blank when re-shown
 * there): moved into the prompt's group, it must be drawn again each time its tab comes back,
 * after a Compare started from the prompt while it was hidden, and after a Compare started from
 * the palette while it has the focus. Then it goes back beside the prompt.
 */
import assert from 'node:assert/strict';
import { host, step, runsOf, PROMPT_FILE } from '../suite.ts';
import { until } from '../ui.ts';

const panelTab = () => host.page.locator('.tab[aria-label^="Prompt Lens:"]').first();
const promptTab = () => host.fileTab('recipe.prompt.md');

/** The panel is drawn and on screen: both sides, painted heatmaps, and its frame inside the editor area. */
async function assertPanelDrawn(when: string): Promise<void> {
  const wv = host.webview();
  await wv.locator('.side.tuned').waitFor({ state: 'visible', timeout: 30_000 });
  await wv.locator('.side.base').waitFor({ state: 'visible', timeout: 5_000 });
  const box = await host.page.locator('iframe.webview.ready').last().boundingBox();
  const area = await host.page.locator('.editor-group-container.active').boundingBox();
  assert.ok(box && area && box.width > 200 && box.height > 200, `${when}: the panel's frame has a size (${JSON.stringify(box)})`);
  assert.ok(box.x >= area.x - 2 && box.y >= area.y - 2 && box.x + box.width <= area.x + area.width + 2, `${when}: the panel's frame lies over its editor group (${JSON.stringify(box)} in ${JSON.stringify(area)})`);
  const painted = await wv.locator('canvas.heatmap[data-side="tuned"]').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  });
  assert.ok(painted > 20, `${when}: the heatmap is painted (${painted} pixels)`);
  const text = (await wv.locator('.side.tuned .prompt').textContent()) ?? '';
  assert.match(text, /synonym/, `${when}: the prompt is shown`);
}

export async function panelGroupScenario(): Promise<void> {
  await panelTab().click();
  await host.command('View: Move Editor into Left Group');
  await until('one editor group', async () => (await host.page.locator('.editor-group-container').count()) === 1);
  await assertPanelDrawn('moved into the prompt\'s group');
  for (let round = 1; round <= 2; round++) {
    await promptTab().click();
    await host.page.locator('.editor-group-container.active .tab.active[data-resource-name="recipe.prompt.md"]').waitFor();
    await panelTab().click();
    await assertPanelDrawn(`shown again (${round})`);
  }
  await host.screenshot('8-panel-same-group');

  // Compare from the prompt's CodeLens while the panel is hidden behind it.
  await promptTab().click();
  let runs = runsOf(PROMPT_FILE);
  await host.page.locator('.contentWidgets .codelens-decoration a', { hasText: 'Compare' }).first().click();
  await until('the compare run', () => runsOf(PROMPT_FILE) > runs, 120_000);
  await assertPanelDrawn('compare from the hidden panel\'s prompt');

  // Compare from the palette with the panel focused and the prompt hidden.
  await panelTab().click();
  runs = runsOf(PROMPT_FILE);
  await host.command('Prompt Lens: Compare Base and Tuned');
  await until('the compare run from the panel', () => runsOf(PROMPT_FILE) > runs, 120_000);
  assert.equal(await host.page.locator('.notification-toast', { hasText: 'open a prompt file' }).count(), 0, 'the panel\'s prompt is used');
  await assertPanelDrawn('compare from the palette, panel focused');

  // Back beside the prompt.
  await panelTab().click();
  await host.command('View: Move Editor into Right Group');
  await until('two editor groups', async () => (await host.page.locator('.editor-group-container').count()) === 2);
  await assertPanelDrawn('moved back beside the prompt');
  step('panel in the prompt\'s group done');
}
