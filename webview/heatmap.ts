/**
 * The N×M heatmap of S on a canvas: rows are prompt tokens, columns response tokens; − / + or
 * Ctrl+wheel zoom, hover a cell for S and I. Listeners are attached once, to the page.
 */
import type { PanelModel, Side } from '../src/protocol/index.ts';
import type { Rgb } from '../src/shared/contrast.ts';
import { heat } from './render.ts';
import { cssVar } from './theme.ts';
import { legendHtml } from './legend.ts';

const zoom: Record<Side, number> = { base: 1, tuned: 1 };

export function heatmapHtml(side: Side): string {
  return `<h3>Heatmap S <span class="hint">(rows: prompt tokens, columns: response tokens; hover a cell)</span>
      <span class="zoom"><vscode-button secondary class="zbtn" data-side="${side}" data-z="-1" title="Zoom out">−</vscode-button><vscode-button secondary class="zbtn" data-side="${side}" data-z="1" title="Zoom in">+</vscode-button></span></h3>
    ${legendHtml('heatmap')}
    <div class="heatwrap" data-side="${side}"><canvas class="heatmap" data-side="${side}" role="img" aria-label="Heatmap of normalized importance for the ${side} model"></canvas><div class="tip" hidden></div></div>`;
}

/** At zoom 1 the heatmap fits its box's width and this height (long prompts: thin rows; zoom in to read). */
const FIT_HEIGHT = 520;
const MAX_ROW = 14;
const MAX_COLUMN = 28;
/** Labels are drawn when a row (column) is at least this tall (wide). */
const LABEL_CELL = 8;

/** Paint one model's heatmap, in the importance colour `rgb`. */
export function drawHeatmap(m: PanelModel, rgb: Rgb): void {
  const canvas = document.querySelector<HTMLCanvasElement>(`canvas.heatmap[data-side="${m.side}"]`);
  if (!canvas) return;
  const a = m.analysis;
  const N = Math.max(1, a.promptTokens.length), M = Math.max(1, a.responseTokens.length);
  const avail = Math.max(120, (canvas.parentElement?.clientWidth ?? 400) - 4);
  const g = canvas.getContext('2d')!;
  const family = cssVar('--vscode-editor-font-family', 'monospace');
  const rowText = (n: number) => JSON.stringify(a.promptTokens[n].text).slice(1, -1).slice(0, 12);
  const colText = (k: number) => JSON.stringify(a.responseTokens[k]?.text ?? '').slice(1, -1).slice(0, 10);
  const z = zoom[m.side];
  const ch = Math.max(2, Math.round(Math.max(2, Math.min(MAX_ROW, Math.floor(FIT_HEIGHT / N))) * z));
  const rowFont = Math.max(8, Math.min(12, ch - 2));
  // Label sizes from the text itself, so no label is cut at the edges.
  const widest = (texts: string[], font: number) => { g.font = `${font}px ${family}`; return texts.reduce((w, t) => Math.max(w, g.measureText(t).width), 0); };
  const labelW = ch >= LABEL_CELL ? Math.ceil(Math.min(110, widest(a.promptTokens.map((t, n) => rowText(n)), rowFont) + 8)) : 0;
  const cw = Math.max(2, Math.round(Math.max(2, Math.min(MAX_COLUMN, Math.floor((avail - labelW - 10) / M))) * z));
  const colFont = Math.max(8, Math.min(12, cw - 2));
  const labelH = cw >= LABEL_CELL ? Math.ceil(Math.min(90, widest(a.responseTokens.map((t, k) => colText(k)), colFont) + 8)) : 0;
  const pad = labelH ? Math.ceil(colFont / 2) + 2 : 2;
  const w = Math.min(32000, labelW + M * cw + pad), h = Math.min(32000, labelH + N * ch + 2);
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  const fg = cssVar('--vscode-foreground', '#ccc');
  const grid = cssVar('--vscode-editorWidget-border', 'rgba(128,128,128,0.3)');
  g.clearRect(0, 0, w, h);
  g.textBaseline = 'middle';
  const L = a.settings.levels || 10;
  g.font = `${rowFont}px ${family}`;
  for (let n = 0; n < a.promptTokens.length; n++) {
    const y = labelH + n * ch;
    if (labelW) {
      const t = a.promptTokens[n];
      g.fillStyle = fg;
      g.globalAlpha = t.special ? 0.5 : 1;
      g.textAlign = 'right';
      g.fillText(rowText(n), labelW - 4, y + ch / 2);
      g.globalAlpha = 1;
    }
    const row = a.normalized[n] ?? [];
    for (let k = 0; k < a.responseTokens.length; k++) {
      const v = (row[k] ?? 0) / L;
      if (v > 0) {
        g.fillStyle = heat(v, rgb, 1);
        g.fillRect(labelW + k * cw, y, cw, ch);
      }
    }
  }
  if (labelH) {
    g.save();
    g.fillStyle = fg;
    g.font = `${colFont}px ${family}`;
    g.textAlign = 'left';
    for (let k = 0; k < a.responseTokens.length; k++) {
      g.save();
      g.translate(labelW + k * cw + cw / 2, labelH - 4);
      g.rotate(-Math.PI / 2);
      g.fillText(colText(k), 0, 0);
      g.restore();
    }
    g.restore();
  }
  g.strokeStyle = grid;
  g.lineWidth = 1;
  g.strokeRect(labelW + 0.5, labelH + 0.5, M * cw, N * ch);
  canvas.dataset.cw = String(cw);
  canvas.dataset.ch = String(ch);
  canvas.dataset.lw = String(labelW);
  canvas.dataset.lh = String(labelH);
}

/** A cell's tip: the token pair, S in words, and I (raw) in words. */
export function cellTip(a: PanelModel['analysis'], n: number, k: number): string {
  const L = a.settings.levels;
  return `${JSON.stringify(a.promptTokens[n].text)} → ${JSON.stringify(a.responseTokens[k].text)}\n` +
    `influence level S = ${a.normalized[n]?.[k] ?? 0} of ${L} (of this response token's strongest)\n` +
    `raw probability change I = ${(a.importance[n]?.[k] ?? 0).toExponential(2)}`;
}

/**
 * Cell tips, zoom buttons and Ctrl+wheel for every render's heatmaps (once: the listeners sit on
 * `root`). `model` gives the side's current model and `rgb` the importance colour.
 */
export function wireHeatmaps(root: HTMLElement, model: (side: Side) => PanelModel | undefined, rgb: () => Rgb): void {
  const setZoom = (side: Side, dir: number) => {
    const m = model(side);
    if (!m) return;
    zoom[side] = Math.max(0.25, Math.min(4, zoom[side] * (dir > 0 ? 1.25 : 0.8)));
    drawHeatmap(m, rgb());
  };
  root.addEventListener('mousemove', (e) => {
    const canvas = (e.target as Element).closest<HTMLCanvasElement>('canvas.heatmap');
    const wrap = canvas?.parentElement;
    const tip = wrap?.querySelector<HTMLElement>('.tip');
    const a = model(canvas?.dataset.side as Side)?.analysis;
    if (!canvas || !wrap || !tip || !a) return;
    const cw = Number(canvas.dataset.cw), ch = Number(canvas.dataset.ch), lw = Number(canvas.dataset.lw), lh = Number(canvas.dataset.lh);
    const r = canvas.getBoundingClientRect();
    const k = Math.floor((e.clientX - r.left - lw) / cw), n = Math.floor((e.clientY - r.top - lh) / ch);
    if (k < 0 || n < 0 || k >= a.responseTokens.length || n >= a.promptTokens.length) { tip.hidden = true; return; }
    tip.hidden = false;
    tip.textContent = cellTip(a, n, k);
    tip.style.left = `${e.clientX - wrap.getBoundingClientRect().left + wrap.scrollLeft + 12}px`;
    tip.style.top = `${e.clientY - wrap.getBoundingClientRect().top + wrap.scrollTop + 12}px`;
  });
  // Leaving a canvas hides its tip.
  root.addEventListener('mouseout', (e) => {
    const canvas = (e.target as Element).closest('canvas.heatmap');
    const tip = canvas?.parentElement?.querySelector<HTMLElement>('.tip');
    if (tip && e.relatedTarget !== canvas) tip.hidden = true;
  });
  root.addEventListener('wheel', (e) => {
    const wrap = (e.target as Element).closest<HTMLElement>('.heatwrap');
    if (!wrap || !e.ctrlKey) return;
    e.preventDefault();
    setZoom(wrap.dataset.side as Side, e.deltaY < 0 ? 1 : -1);
  }, { passive: false });
  root.addEventListener('click', (e) => {
    const b = (e.target as Element).closest<HTMLElement>('.zbtn');
    if (b) setZoom(b.dataset.side as Side, Number(b.dataset.z));
  });
}
