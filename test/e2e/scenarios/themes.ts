/**
 * Highlights readable in every kind of theme: for each of VS Code's light and high-contrast
 * default themes, the editor's highlights and the panel's coloured prompt are measured in the
 * page (text colour against the blended background, WCAG contrast ≥ 4.5) and photographed.
 */
import assert from 'node:assert/strict';
import { host, step } from '../suite.ts';
import { until } from '../ui.ts';
import { editorContrast, panelContrast, worst, MIN_CONTRAST, type Measured } from '../contrast.ts';
import { alphaFor, MIN_BORDER_CONTRAST, type ThemeKind } from '../../../src/extension/colors.ts';
import { DEFAULTS } from '../../../src/engine/options.ts';

const THEMES: { setting: string; workbenchClass: string; kind: ThemeKind; webviewClass: string; shot: string }[] = [
  { setting: 'Default Dark Modern', workbenchClass: 'vs-dark', kind: 'dark', webviewClass: 'vscode-dark', shot: '7-theme-dark' },
  { setting: 'Default Light Modern', workbenchClass: 'vs', kind: 'light', webviewClass: 'vscode-light', shot: '7-theme-light' },
  { setting: 'Default High Contrast', workbenchClass: 'hc-black', kind: 'highContrast', webviewClass: 'vscode-high-contrast', shot: '7-theme-hc-dark' },
  { setting: 'Default High Contrast Light', workbenchClass: 'hc-light', kind: 'highContrastLight', webviewClass: 'vscode-high-contrast-light', shot: '7-theme-hc-light' },
];

const fmt = (m: Measured | undefined) => (m ? `"${m.text}" ${m.contrast.toFixed(2)} (${m.fg} on ${m.bg}, alpha ${m.alpha})` : 'none');

export async function themesScenario(): Promise<void> {
  // The prompt is in the first group (its highlights from the analysis), the panel beside it.
  await host.fileTab('recipe.prompt.md').click();
  const frame = await host.webviewFrame();
  let previous = new Set<string>();
  for (const t of THEMES) {
    host.setWorkspaceSettings({ 'workbench.colorTheme': t.setting });
    await until(`the ${t.setting} theme`, async () => (await host.page.locator('.monaco-workbench').getAttribute('class'))?.split(' ').includes(t.workbenchClass));
    // The extension rebuilds its decoration types for the theme: wait until no highlight uses an old one.
    const editor = await until(`highlights redrawn for ${t.setting}`, async () => {
      const m = await editorContrast(host.page, '245, 166, 35');
      return m.length > 0 && m.every((x) => !previous.has(x.cls!)) && m;
    }, 15_000);
    previous = new Set(editor.map((x) => x.cls!));
    const alphas = Array.from({ length: 10 }, (_, i) => alphaFor(i + 1, 10, t.kind, DEFAULTS.extension.highlightFloor));
    assert.ok(editor.every((x) => alphas.some((a) => Math.abs(a - x.alpha) < 0.003)), `${t.setting}: opacities of this theme kind`); // the browser keeps alpha in 8 bits
    // The panel redraws on the theme change (its body class tells which theme it has).
    const panel = await until(`the panel in ${t.setting}`, async () => {
      const cls = await frame.evaluate(() => document.body.className);
      if (!cls.split(/\s+/).includes(t.webviewClass)) return false;
      const m = await panelContrast(frame);
      return m.length > 0 && m.every((x) => x.contrast >= MIN_CONTRAST) && m;
    }, 15_000).catch(async () => panelContrast(frame));
    await host.page.waitForTimeout(300);
    await host.screenshot(t.shot);
    const we = worst(editor), wp = worst(panel);
    console.log(`# ${t.setting}: ${editor.length} editor highlights, lowest contrast ${fmt(we)}; panel ${panel.length} tokens, lowest ${fmt(wp)}`);
    assert.ok(we && we.contrast >= MIN_CONTRAST, `${t.setting}: editor highlight text contrast ${fmt(we)} ≥ ${MIN_CONTRAST}`);
    if (t.kind === 'highContrast' || t.kind === 'highContrastLight') {
      const bordered = editor.filter((m) => m.border !== undefined);
      assert.ok(bordered.length > 0, `${t.setting}: strong highlights have a border`);
      for (const m of bordered) assert.ok(m.border! >= MIN_BORDER_CONTRAST, `${t.setting}: border of "${m.text}" contrast ${m.border!.toFixed(2)} ≥ ${MIN_BORDER_CONTRAST}`);
    }
    assert.ok(panel.length > 0, `${t.setting}: the panel's prompt is coloured`);
    assert.ok(wp && wp.contrast >= MIN_CONTRAST, `${t.setting}: panel prompt text contrast ${fmt(wp)} ≥ ${MIN_CONTRAST}`);
  }
  host.setWorkspaceSettings({ 'workbench.colorTheme': null });
  await until('the dark theme again', async () => (await host.page.locator('.monaco-workbench').getAttribute('class'))?.split(' ').includes('vs-dark'));
  step('themes done');
}
