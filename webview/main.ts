/**
 * The comparison panel: base and tuned side by side (side.ts: response, prompt coloured by
 * normalized density â; heatmap.ts: the N×M heatmap of S), the controls (controls.ts) above and
 * the relative-position profile (profile.ts) below, in the user's highlight colours. The page is
 * rendered from the extension's PanelState; listeners are attached once, to the page.
 * Nothing is rescored here: every number comes from the engine's Analysis records.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { PanelState, PanelModel, FromWebview, ToWebview, Side } from '../src/protocol/index.ts';
import { METHOD_TEXT } from '../src/engine/options.ts';
import { DEFAULT_COLORS, highlightRgb, type HighlightColors } from '../src/shared/highlightColors.ts';
import { escapeHtml } from './render.ts';
import { controlsHtml, wireControls } from './controls.ts';
import { drawHeatmap, wireHeatmaps } from './heatmap.ts';
import { paintDensity, sideHtml, wireSides, isDemoModel } from './side.ts';
import { paintLegends } from './legend.ts';
import { profileSvg } from './profile.ts';
import { contrastHtml, drawContrast, wireContrast } from './contrast.ts';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let state: PanelState | undefined;

function post(m: FromWebview): void {
  vscode.postMessage(m);
}

function modelOf(side: Side): PanelModel | undefined {
  return state?.models.find((m) => m.side === side);
}

/** The user's highlight colours (states saved before they were sent have none). */
function colors(): HighlightColors {
  return state?.colors ?? DEFAULT_COLORS;
}

/** Prompts in the task families the bundled demo pair was tuned on (models/demo-instruct/README.md). */
const DEMO_SAMPLES = [
  'Give a synonym of the word happy.',
  'Write this sentence in upper case: the cat sat on the mat.',
  'How many words are in this sentence: time flies like an arrow.',
  'Reverse the words of this sentence: we met at noon.',
  'What is the first word of this sentence: birds sing at dawn.',
];

function demoNoteHtml(): string {
  return `<div class="demo-note"><b>Demo models.</b> The bundled pair (demo-base, demo-instruct) are 3-million-parameter models trained only on short prompts in a few task families: define a word, give a synonym or an antonym, reverse the words of a sentence, write it in upper case, count its words, pick its first or last word, and questions about a dictionary entry. Outside these their replies are often nonsense, and the attributions explain that nonsense. Try:
    <ul>${DEMO_SAMPLES.map((p) => `<li><code>${escapeHtml(p)}</code></li>`).join('')}</ul>
    For real prompts choose real models with <b>Prompt Lens: Select Models…</b>.</div>`;
}

function render(): void {
  if (!state) {
    app.innerHTML = '<p class="empty">Run <b>Prompt Lens: Compare</b> on a prompt to fill this panel.</p>';
    return;
  }
  const s = state;
  const models = [...s.models].sort((x, y) => (x.side === 'base' ? -1 : 1) - (y.side === 'base' ? -1 : 1));
  const busy = s.busy ? `<div class="busy"><vscode-progress-ring></vscode-progress-ring><span>${escapeHtml(s.busy)}</span></div>` : '';
  const stale = s.stale ? '<vscode-badge variant="counter" class="stale" title="The prompt changed since this analysis">prompt changed — re-run to update</vscode-badge>' : '';
  // While a run is under way the cards on screen are the previous result: dimmed and labelled.
  const previous = s.busy && models.length ? `Previous result (${models[0].analysis.settings.method}) — ${s.busy}` : '';
  const notes = models.length === 2 && models[0].analysis.settings.responseSource !== models[1].analysis.settings.responseSource
    ? '<p class="hint">One model explains the other’s response (same response).</p>' : '';
  app.innerHTML = `
    <header class="top"><h1>${escapeHtml(s.title)}</h1>${stale}${busy}</header>
    ${controlsHtml(s.controls)}
    ${s.error ? `<p class="error">${escapeHtml(s.error)}</p>` : ''}
    ${notes}
    ${models.some(isDemoModel) ? demoNoteHtml() : ''}
    ${models.length ? `<div class="sides${models.length === 1 ? ' one' : ''}">${models.map((m) => sideHtml(m, previous)).join('')}</div>` : '<p class="empty">No results yet.</p>'}
    ${contrastHtml(s)}
    ${models.length ? `<section class="profilebox"><h3>Relative-position profile <span class="hint">(mean â in 10 bins of n/(N−1); the paper: base models lean on the start and end, tuning flattens it)</span></h3>${profileSvg(models)}</section>` : ''}
    <p class="foot hint">${models[0] ? METHOD_TEXT[models[0].analysis.settings.method].note : ''}</p>`;
  const importance = highlightRgb(colors(), 'importance');
  for (const m of models) {
    paintDensity(m, importance);
    drawHeatmap(m, importance);
  }
  paintLegends(importance);
  drawContrast(s, { toward: highlightRgb(colors(), 'increase'), away: highlightRgb(colors(), 'decrease') });
  showFocus();
}

let focusedAt = 0;
/** The line a rule lens asked for (state.focus): outlined in each side's per-line summary, scrolled to once per click. */
function showFocus(): void {
  const f = state?.focus;
  if (!f) return;
  const rows = [...app.querySelectorAll<HTMLElement>(`.lines .line[data-line="${f.line}"]`)];
  for (const r of rows) r.classList.add('focused');
  if (f.at === focusedAt || !rows.length) return;
  focusedAt = f.at;
  rows[rows.length - 1].scrollIntoView({ block: 'center' });
}

wireControls(app, post, () => state?.controls);
wireContrast(app, post);
wireHeatmaps(app, modelOf, () => highlightRgb(colors(), 'importance'));
wireSides(app, post, modelOf, () => ({ importance: highlightRgb(colors(), 'importance'), column: highlightRgb(colors(), 'increase') }));

window.addEventListener('message', (e: MessageEvent<ToWebview>) => {
  const msg = e.data;
  if (msg.type === 'state') {
    state = msg.state;
    vscode.setState(state);
    render();
  } else if (msg.type === 'busy' && state) {
    state = { ...state, busy: msg.message ?? undefined };
    vscode.setState(state);
    render();
  }
});

// A theme change swaps the CSS variables (on <html>) and the body's theme class: redraw, so text
// colours on highlights and the heatmap's labels follow the new theme.
let themeFrame = 0;
const onTheme = new MutationObserver(() => {
  cancelAnimationFrame(themeFrame);
  themeFrame = requestAnimationFrame(() => { if (state) render(); });
});
onTheme.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
onTheme.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind'] });

const saved = vscode.getState() as PanelState | undefined;
if (saved && saved.version === 1) state = saved;
render();
post({ type: 'ready' });
