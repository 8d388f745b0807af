/**
 * The comparison panel: base and tuned side by side. Each side shows its response (hover a
 * response token to colour the prompt by that token's column of S), the prompt coloured by
 * normalized density â, the N×M heatmap of S (canvas; zoom and scroll), the instruction score
 * and mean â inside vs outside the instruction spans. Below: the relative-position profile.
 * Nothing is rescored here: every number comes from the engine's Analysis records.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import type { PanelState, PanelModel, FromWebview, ToWebview, PanelControls } from '../src/protocol/index.ts';
import { escapeHtml, visibleToken, heat, fmt, tokenColors } from './render.ts';
import { blend, parseColor, type Rgb } from '../src/extension/contrast.ts';
import { ATTRIBUTION_METHODS, METHOD_TEXT, type AttributionMethod } from '../src/engine/options.ts';

interface VsCodeApi {
  postMessage(msg: FromWebview): void;
  getState(): unknown;
  setState(s: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
let state: PanelState | undefined;
const zoom: Record<string, number> = { base: 1, tuned: 1 };

function post(m: FromWebview): void {
  vscode.postMessage(m);
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** The opaque colour behind an element: its own and its ancestors' backgrounds, blended. */
function backgroundBehind(el: Element): Rgb {
  const layers: { rgb: Rgb; alpha: number }[] = [];
  for (let e: Element | null = el; e; e = e.parentElement) {
    const bg = getComputedStyle(e).backgroundColor;
    const rgb = parseColor(bg);
    const alpha = /^rgba/.test(bg) ? Number(/,\s*([\d.]+)\s*\)$/.exec(bg)?.[1] ?? 1) : 1;
    if (!rgb || alpha <= 0) continue;
    layers.push({ rgb, alpha });
    if (alpha >= 1) break;
  }
  let out: Rgb = parseColor(cssVar('--vscode-editor-background', '#1e1e1e')) ?? [30, 30, 30];
  for (let i = layers.length - 1; i >= 0; i--) out = blend(layers[i].rgb, layers[i].alpha, out);
  return out;
}

/** Colour a prompt token by value v (readable text on strong colours, whatever the theme). */
function paintToken(el: HTMLElement, v: number, under: Rgb, fg: Rgb, rgb?: Rgb): void {
  const c = tokenColors(v, under, fg, rgb);
  el.style.background = c.background;
  el.style.color = c.color;
}

/** What prompt tokens are painted over, and the theme's text colour there. */
function promptColors(prompt: HTMLElement): { under: Rgb; fg: Rgb } {
  return { under: backgroundBehind(prompt), fg: parseColor(getComputedStyle(prompt).color) ?? [204, 204, 204] };
}

// ───────────── controls ─────────────

function select(id: string, label: string, value: string, options: [string, string][]): string {
  return `<div class="ctl"><vscode-label for="${id}">${label}</vscode-label>
    <vscode-single-select id="${id}">${options.map(([v, t]) => `<vscode-option value="${v}"${v === value ? ' selected' : ''}>${t}</vscode-option>`).join('')}</vscode-single-select></div>`;
}

function num(id: string, label: string, value: number, min: number, max: number, step = '1'): string {
  return `<div class="ctl num"><vscode-label for="${id}">${label}</vscode-label><vscode-textfield id="${id}" type="number" min="${min}" max="${max}" step="${step}" value="${value}"></vscode-textfield></div>`;
}

function controlsHtml(c: PanelControls): string {
  return `<section class="controls" aria-label="Settings">
    ${select('method', 'Method', c.method, ATTRIBUTION_METHODS.map((m) => [m, METHOD_TEXT[m].label]))}
    ${select('template', 'Template', c.template, [['none', 'off (raw prompt)'], ['auto', 'on (chat template)']])}
    ${select('sameResponse', 'Same response', c.sameResponse, [['none', 'off (own responses)'], ['tuned', 'tuned’s response'], ['base', 'base’s response']])}
    ${select('granularity', 'Granularity', c.granularity, [['token', 'tokens'], ['word', 'words']])}
    <vscode-button id="rerun" title="Run both models again with these settings">Re-run</vscode-button>
    <span class="sep"></span>
    ${num('levels', 'L', c.levels, 1, 100)}
    ${num('threshold', 'b', c.threshold, 0, 99)}
    ${num('p', 'p', c.p, 1, 100, 'any')}
    <span class="sep"></span>
    <vscode-button id="exportHtml" secondary title="Save a self-contained HTML report">Export HTML</vscode-button>
    <vscode-button id="exportJson" secondary title="Save the Analysis records as JSON">Export JSON</vscode-button>
  </section>`;
}

function readControls(): PanelControls {
  const v = (id: string) => (document.getElementById(id) as unknown as { value: string } | null)?.value ?? '';
  const c = state!.controls;
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

function wireControls(): void {
  document.getElementById('rerun')?.addEventListener('click', () => post({ type: 'rerun', controls: readControls() }));
  document.getElementById('exportHtml')?.addEventListener('click', () => post({ type: 'export', format: 'html' }));
  document.getElementById('exportJson')?.addEventListener('click', () => post({ type: 'export', format: 'json' }));
  let timer: number | undefined;
  for (const id of ['levels', 'threshold', 'p']) {
    document.getElementById(id)?.addEventListener('change', () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const c = readControls();
        if (c.threshold >= c.levels) c.threshold = c.levels - 1;
        post({ type: 'rescore', controls: c });
      }, 150);
    });
  }
}

// ───────────── one model ─────────────

function promptHtml(m: PanelModel): string {
  const a = m.analysis;
  const parts: string[] = [];
  let pos = 0;
  a.promptTokens.forEach((t, n) => {
    if (t.special) return;
    if (t.start > pos) parts.push(escapeHtml(a.prompt.slice(pos, t.start)));
    const text = a.prompt.slice(t.start, t.end);
    const d = a.densityNormalized[n] ?? 0;
    const inst = a.instructionMask?.[n] ? ' inst' : '';
    parts.push(`<span class="tok${inst}" data-n="${n}" title="${escapeHtml(`${JSON.stringify(t.text)} â=${d.toFixed(3)} a=${(a.density[n] ?? 0).toFixed(3)}`)}">${escapeHtml(text)}</span>`);
    pos = Math.max(pos, t.end);
  });
  if (pos < a.prompt.length) parts.push(escapeHtml(a.prompt.slice(pos)));
  return parts.join('');
}

function responseHtml(m: PanelModel): string {
  const a = m.analysis;
  return a.responseTokens.map((t, k) => `<span class="rtok" data-m="${k}" title="p=${(a.responseProbabilities[k] ?? 0).toFixed(3)}">${escapeHtml(visibleToken(t.text))}</span>`).join('');
}

function sideHtml(m: PanelModel): string {
  const a = m.analysis;
  const users = a.promptTokens.filter((t) => !t.special).length;
  const score = a.instructionScore;
  return `<section class="side ${m.side}" data-side="${m.side}">
    <header><h2>${m.side === 'base' ? 'Base' : 'Tuned'} · ${escapeHtml(m.label)}</h2>
      <div class="meta">${escapeHtml(a.model.architecture)} · ${escapeHtml(a.model.dtype)} · <span title="${escapeHtml(a.model.precisionNote ?? 'Attribution computed in ' + (a.model.precision ?? 'float32'))}">${escapeHtml(a.model.precision ?? 'float32')}</span> · ${a.settings.method} · ${users} prompt ${a.settings.granularity}s × ${a.responseTokens.length} response tokens · ${(a.timings.totalMs / 1000).toFixed(1)} s</div></header>
    <div class="metrics">
      <div class="metric"><span class="k">Instruction score</span><span class="v" data-metric="score">${fmt(score)}</span></div>
      <div class="metric"><span class="k">mean â inside instruction</span><span class="v">${fmt(m.meanInside)}</span></div>
      <div class="metric"><span class="k">mean â outside</span><span class="v">${fmt(m.meanOutside)}</span></div>
    </div>
    <h3>Response <span class="hint">(hover a token to see which prompt tokens drove it)</span></h3>
    <div class="response" data-side="${m.side}">${responseHtml(m) || '<em>empty</em>'}</div>
    <h3>Prompt, coloured by density â <span class="hint">(dashed: instruction)</span></h3>
    <div class="prompt" data-side="${m.side}">${promptHtml(m)}</div>
    <h3>Heatmap S (rows: prompt tokens, columns: response tokens)
      <span class="zoom"><vscode-button secondary class="zbtn" data-side="${m.side}" data-z="-1" title="Zoom out">−</vscode-button><vscode-button secondary class="zbtn" data-side="${m.side}" data-z="1" title="Zoom in">+</vscode-button></span></h3>
    <div class="heatwrap" data-side="${m.side}"><canvas class="heatmap" data-side="${m.side}" role="img" aria-label="Heatmap of normalized importance for the ${m.side} model"></canvas><div class="tip" hidden></div></div>
  </section>`;
}

// ───────────── heatmap ─────────────

function drawHeatmap(m: PanelModel): void {
  const canvas = document.querySelector<HTMLCanvasElement>(`canvas.heatmap[data-side="${m.side}"]`);
  if (!canvas) return;
  const a = m.analysis;
  const rows = a.promptTokens.map((t, n) => n);
  const N = rows.length, M = a.responseTokens.length;
  const cell = Math.max(3, Math.round(14 * zoom[m.side]));
  const font = Math.max(8, Math.min(12, cell - 2));
  const labelW = cell >= 8 ? 90 : 0;
  const labelH = cell >= 8 ? 70 : 0;
  const w = Math.min(32000, labelW + M * cell + 1), h = Math.min(32000, labelH + N * cell + 1);
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  const g = canvas.getContext('2d')!;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  g.clearRect(0, 0, w, h);
  g.font = `${font}px ${cssVar('--vscode-editor-font-family', 'monospace')}`;
  g.fillStyle = fg;
  g.textBaseline = 'middle';
  const L = a.settings.levels || 10;
  for (let n = 0; n < N; n++) {
    const y = labelH + n * cell;
    if (labelW) {
      const t = a.promptTokens[n];
      g.globalAlpha = t.special ? 0.5 : 1;
      g.textAlign = 'right';
      g.fillText(JSON.stringify(t.text).slice(1, -1).slice(0, 12), labelW - 4, y + cell / 2);
      g.globalAlpha = 1;
    }
    const row = a.normalized[n] ?? [];
    for (let k = 0; k < M; k++) {
      const v = (row[k] ?? 0) / L;
      if (v > 0) {
        g.fillStyle = heat(v, [245, 166, 35], 1);
        g.fillRect(labelW + k * cell, y, cell, cell);
      }
    }
    g.fillStyle = fg;
  }
  if (labelH) {
    g.save();
    g.textAlign = 'left';
    for (let k = 0; k < M; k++) {
      g.save();
      g.translate(labelW + k * cell + cell / 2, labelH - 4);
      g.rotate(-Math.PI / 2);
      g.fillText(JSON.stringify(a.responseTokens[k].text).slice(1, -1).slice(0, 10), 0, 0);
      g.restore();
    }
    g.restore();
  }
  g.strokeStyle = grid;
  g.lineWidth = 1;
  g.strokeRect(labelW + 0.5, labelH + 0.5, M * cell, N * cell);
  canvas.dataset.cell = String(cell);
  canvas.dataset.lw = String(labelW);
  canvas.dataset.lh = String(labelH);
}

function wireHeatmap(m: PanelModel): void {
  const wrap = document.querySelector<HTMLElement>(`.heatwrap[data-side="${m.side}"]`);
  const canvas = wrap?.querySelector<HTMLCanvasElement>('canvas');
  const tip = wrap?.querySelector<HTMLElement>('.tip');
  if (!wrap || !canvas || !tip) return;
  const a = m.analysis;
  canvas.addEventListener('mousemove', (e) => {
    const cell = Number(canvas.dataset.cell), lw = Number(canvas.dataset.lw), lh = Number(canvas.dataset.lh);
    const r = canvas.getBoundingClientRect();
    const k = Math.floor((e.clientX - r.left - lw) / cell), n = Math.floor((e.clientY - r.top - lh) / cell);
    if (k < 0 || n < 0 || k >= a.responseTokens.length || n >= a.promptTokens.length) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.textContent = `${JSON.stringify(a.promptTokens[n].text)} → ${JSON.stringify(a.responseTokens[k].text)}   S=${a.normalized[n]?.[k] ?? 0}   I=${(a.importance[n]?.[k] ?? 0).toExponential(3)}`;
    tip.style.left = `${e.clientX - wrap.getBoundingClientRect().left + wrap.scrollLeft + 12}px`;
    tip.style.top = `${e.clientY - wrap.getBoundingClientRect().top + wrap.scrollTop + 12}px`;
  });
  canvas.addEventListener('mouseleave', () => { tip.hidden = true; });
  wrap.addEventListener('wheel', (e) => {
    if (!e.ctrlKey) return;
    e.preventDefault();
    setZoom(m, e.deltaY < 0 ? 1 : -1);
  }, { passive: false });
}

function setZoom(m: PanelModel, dir: number): void {
  zoom[m.side] = Math.max(0.25, Math.min(4, zoom[m.side] * (dir > 0 ? 1.25 : 0.8)));
  drawHeatmap(m);
}

// ───────────── response hover → prompt column ─────────────

function wireResponseHover(m: PanelModel): void {
  const resp = document.querySelector<HTMLElement>(`.response[data-side="${m.side}"]`);
  const prompt = document.querySelector<HTMLElement>(`.prompt[data-side="${m.side}"]`);
  if (!resp || !prompt) return;
  const a = m.analysis;
  const L = a.settings.levels || 10;
  const toks = [...prompt.querySelectorAll<HTMLElement>('.tok')];
  const restore = () => {
    prompt.classList.remove('column');
    const { under, fg } = promptColors(prompt);
    for (const el of toks) paintToken(el, a.densityNormalized[Number(el.dataset.n)] ?? 0, under, fg);
    resp.querySelectorAll('.rtok.active').forEach((x) => x.classList.remove('active'));
  };
  resp.addEventListener('mouseover', (e) => {
    const t = (e.target as HTMLElement).closest<HTMLElement>('.rtok');
    if (!t) return;
    const k = Number(t.dataset.m);
    resp.querySelectorAll('.rtok.active').forEach((x) => x.classList.remove('active'));
    t.classList.add('active');
    prompt.classList.add('column');
    const { under, fg } = promptColors(prompt);
    for (const el of toks) {
      const n = Number(el.dataset.n);
      paintToken(el, (a.normalized[n]?.[k] ?? 0) / L, under, fg, [47, 129, 247]);
    }
  });
  resp.addEventListener('mouseleave', restore);
  prompt.addEventListener('click', (e) => {
    const t = (e.target as HTMLElement).closest<HTMLElement>('.tok');
    if (t) post({ type: 'reveal', side: m.side, token: Number(t.dataset.n) });
  });
}

// ───────────── position profile ─────────────

function profileSvg(models: PanelModel[]): string {
  const W = 420, H = 170, pl = 36, pr = 10, pt = 10, pb = 30;
  const colors: Record<string, string> = { base: 'var(--pl-base)', tuned: 'var(--pl-tuned)' };
  const withProfile = models.filter((m) => m.profile);
  if (!withProfile.length) return '<p class="hint">The position profile needs a prompt of at least 10 tokens.</p>';
  const x = (b: number) => pl + ((b + 0.5) / 10) * (W - pl - pr);
  const y = (v: number) => pt + (1 - Math.max(0, Math.min(1, v))) * (H - pt - pb);
  const axis = [0, 0.25, 0.5, 0.75, 1].map((v) => `<line x1="${pl}" x2="${W - pr}" y1="${y(v)}" y2="${y(v)}" class="gridline"/><text x="${pl - 4}" y="${y(v) + 3}" text-anchor="end">${v}</text>`).join('');
  const xt = [0, 2, 4, 6, 8, 9].map((b) => `<text x="${x(b)}" y="${H - pb + 14}" text-anchor="middle">${(b / 10).toFixed(1)}</text>`).join('');
  const lines = withProfile.map((m) => {
    const pts = m.profile!.map((v, b) => `${x(b).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    return `<polyline points="${pts}" fill="none" stroke="${colors[m.side]}" stroke-width="2"/>` +
      m.profile!.map((v, b) => `<circle cx="${x(b)}" cy="${y(v)}" r="3" fill="${colors[m.side]}"><title>${m.side}: bin ${b + 1}, mean â ${v.toFixed(3)}</title></circle>`).join('');
  }).join('');
  const legend = withProfile.map((m, i) => `<g transform="translate(${pl + 10 + i * 120},${pt + 4})"><rect width="12" height="4" y="2" fill="${colors[m.side]}"/><text x="16" y="8">${m.side}</text></g>`).join('');
  return `<svg class="profile" viewBox="0 0 ${W} ${H}" role="img" aria-label="Mean normalized density by relative position in the prompt">${axis}${xt}${lines}${legend}
    <text x="${(W + pl) / 2}" y="${H - 2}" text-anchor="middle">relative position n/(N−1)</text></svg>`;
}

// ───────────── page ─────────────

function render(): void {
  if (!state) {
    app.innerHTML = '<p class="empty">Run <b>Prompt Lens: Compare</b> on a prompt to fill this panel.</p>';
    return;
  }
  const s = state;
  const models = [...s.models].sort((x, y) => (x.side === 'base' ? -1 : 1) - (y.side === 'base' ? -1 : 1));
  const busy = s.busy ? `<div class="busy"><vscode-progress-ring></vscode-progress-ring><span>${escapeHtml(s.busy)}</span></div>` : '';
  const stale = s.stale ? '<vscode-badge variant="counter" class="stale" title="The prompt changed since this analysis">prompt changed — re-run to update</vscode-badge>' : '';
  const notes = models.length === 2 && models[0].analysis.settings.responseSource !== models[1].analysis.settings.responseSource
    ? '<p class="hint">One model explains the other’s response (same response).</p>' : '';
  app.innerHTML = `
    <header class="top"><h1>${escapeHtml(s.title)}</h1>${stale}${busy}</header>
    ${controlsHtml(s.controls)}
    ${s.error ? `<p class="error">${escapeHtml(s.error)}</p>` : ''}
    ${notes}
    ${models.length ? `<div class="sides${models.length === 1 ? ' one' : ''}">${models.map(sideHtml).join('')}</div>` : '<p class="empty">No results yet.</p>'}
    ${models.length ? `<section class="profilebox"><h3>Relative-position profile <span class="hint">(mean â in 10 bins of n/(N−1); the paper: base models lean on the start and end, tuning flattens it)</span></h3>${profileSvg(models)}</section>` : ''}
    <p class="foot hint">${models[0] ? methodNote(models[0].analysis.settings.method) : ''}</p>`;
  wireControls();
  for (const m of models) {
    // Inline style attributes are blocked by the CSP; colours are set through the CSSOM.
    const prompt = document.querySelector<HTMLElement>(`.prompt[data-side="${m.side}"]`);
    const { under, fg } = prompt ? promptColors(prompt) : { under: [30, 30, 30] as Rgb, fg: [204, 204, 204] as Rgb };
    document.querySelectorAll<HTMLElement>(`.prompt[data-side="${m.side}"] .tok`).forEach((el) => {
      paintToken(el, m.analysis.densityNormalized[Number(el.dataset.n)] ?? 0, under, fg);
    });
    drawHeatmap(m); wireHeatmap(m); wireResponseHover(m);
  }
  document.querySelectorAll<HTMLElement>('.zbtn').forEach((b) => b.addEventListener('click', () => {
    const m = models.find((x) => x.side === b.dataset.side);
    if (m) setZoom(m, Number(b.dataset.z));
  }));
}

function methodNote(method: AttributionMethod): string {
  return METHOD_TEXT[method].note;
}

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
