/**
 * The panel's controls: method, template, same response and granularity re-run the models;
 * L, b and p only rescore; export buttons. Their listeners are attached once, to the page.
 */
import type { FromWebview, PanelControls } from '../src/protocol/index.ts';
import {
  ATTRIBUTION_METHODS, GRANULARITIES, METHOD_TEXT, SAME_RESPONSE_MODES, SETTING_LIMITS, TEMPLATE_MODES,
  type Granularity, type SameResponseMode, type TemplateMode,
} from '../src/engine/options.ts';

const TEMPLATE_LABELS: Record<TemplateMode, string> = { none: 'off (raw prompt)', auto: 'on (chat template)' };
const SAME_RESPONSE_LABELS: Record<SameResponseMode, string> = { none: 'off (own responses)', tuned: 'tuned’s response', base: 'base’s response' };
const GRANULARITY_LABELS: Record<Granularity, string> = { token: 'tokens', word: 'words', sentence: 'sentences', section: 'sections' };

function select<T extends string>(id: string, label: string, value: T, values: readonly T[], text: (v: T) => string): string {
  return `<div class="ctl"><vscode-label for="${id}">${label}</vscode-label>
    <vscode-single-select id="${id}">${values.map((v) => `<vscode-option value="${v}"${v === value ? ' selected' : ''}>${text(v)}</vscode-option>`).join('')}</vscode-single-select></div>`;
}

function num(id: string, label: string, value: number, min: number, max: number, step = '1'): string {
  return `<div class="ctl num"><vscode-label for="${id}">${label}</vscode-label><vscode-textfield id="${id}" type="number" min="${min}" max="${max}" step="${step}" value="${value}"></vscode-textfield></div>`;
}

export function controlsHtml(c: PanelControls): string {
  return `<section class="controls" aria-label="Settings">
    ${select('method', 'Method', c.method, ATTRIBUTION_METHODS, (m) => METHOD_TEXT[m].label)}
    ${select('template', 'Template', c.template, TEMPLATE_MODES, (t) => TEMPLATE_LABELS[t])}
    ${select('sameResponse', 'Same response', c.sameResponse, SAME_RESPONSE_MODES, (r) => SAME_RESPONSE_LABELS[r])}
    ${select('granularity', 'Granularity', c.granularity, GRANULARITIES, (g) => GRANULARITY_LABELS[g])}
    <vscode-button id="rerun" title="Run both models again with these settings">Re-run</vscode-button>
    <span class="sep"></span>
    ${num('levels', 'L', c.levels, SETTING_LIMITS.levels.min, SETTING_LIMITS.levels.max)}
    ${num('threshold', 'b', c.threshold, SETTING_LIMITS.threshold.min, SETTING_LIMITS.threshold.max)}
    ${num('p', 'p', c.p, 1, 100, 'any')}
    <span class="sep"></span>
    <vscode-button id="exportHtml" secondary title="Save a self-contained HTML report">Export HTML</vscode-button>
    <vscode-button id="exportJson" secondary title="Save the Analysis records as JSON">Export JSON</vscode-button>
  </section>`;
}

/** The controls as the user set them (the state's where a field is empty). */
function readControls(c: PanelControls): PanelControls {
  const v = (id: string) => (document.getElementById(id) as unknown as { value: string } | null)?.value ?? '';
  const n = (id: string, d: number) => { const x = Number(v(id)); return Number.isFinite(x) && v(id) !== '' ? x : d; };
  return {
    method: (v('method') || c.method) as PanelControls['method'],
    template: (v('template') || c.template) as PanelControls['template'],
    sameResponse: (v('sameResponse') || c.sameResponse) as PanelControls['sameResponse'],
    granularity: (v('granularity') || c.granularity) as PanelControls['granularity'],
    levels: Math.max(1, Math.round(n('levels', c.levels))),
    threshold: Math.max(0, Math.round(n('threshold', c.threshold))),
    p: Math.max(1.01, n('p', c.p)),
  };
}

/** Listen to the controls of every render (once: the listeners sit on `root`). */
export function wireControls(root: HTMLElement, post: (m: FromWebview) => void, current: () => PanelControls | undefined): void {
  root.addEventListener('click', (e) => {
    const c = current();
    const id = (e.target as Element).closest('vscode-button')?.id;
    if (!c || !id) return;
    if (id === 'rerun') post({ type: 'rerun', controls: readControls(c) });
    else if (id === 'exportHtml') post({ type: 'export', format: 'html' });
    else if (id === 'exportJson') post({ type: 'export', format: 'json' });
  });
  let timer: number | undefined;
  // The text fields' change event does not bubble: listen in the capture phase.
  root.addEventListener('change', (e) => {
    const id = (e.target as Element).id;
    if (id !== 'levels' && id !== 'threshold' && id !== 'p') return;
    window.clearTimeout(timer);
    timer = window.setTimeout(() => {
      const state = current();
      if (!state) return;
      const c = readControls(state);
      if (c.threshold >= c.levels) c.threshold = c.levels - 1;
      post({ type: 'rescore', controls: c });
    }, 150);
  }, true);
}
