/**
 * Colour legends of the panel: a bar with the scale's range and what it means (the prompt's
 * reliance â, the heatmap's S), and the per-line bars, painted on canvases in the user's colour
 * with the same opacity curve as the tokens and the heatmap.
 */
import type { Rgb } from '../src/shared/contrast.ts';
import { SCALE_TEXT } from '../src/shared/scale.ts';
import { escapeHtml, heat, PANEL_FLOOR } from './render.ts';
import { cssVar } from './theme.ts';

/** A colour bar with its range and meaning (painted by paintLegends). */
export function legendHtml(kind: 'density' | 'heatmap'): string {
  const t = SCALE_TEXT[kind];
  return `<div class="legend" data-scale="${kind}" title="${escapeHtml(t.meaning)}"><span class="lo">${escapeHtml(t.low)}</span><canvas class="bar" width="120" height="10" aria-hidden="true"></canvas><span class="hi">${escapeHtml(t.high)}</span></div>`;
}

/** Paint every colour bar and per-line bar in `rgb` (the same opacity curve as the tokens and the heatmap). */
export function paintLegends(rgb: Rgb): void {
  for (const c of document.querySelectorAll<HTMLCanvasElement>('.legend canvas.bar')) {
    const g = c.getContext('2d')!;
    // The same mapping as what it explains: the prompt's tokens (faint up to PANEL_FLOOR), the heatmap's cells (full range).
    const density = c.closest<HTMLElement>('.legend')?.dataset.scale === 'density';
    g.clearRect(0, 0, c.width, c.height);
    for (let x = 0; x < c.width; x++) {
      g.fillStyle = density ? heat((x + 1) / c.width, rgb, 0.85, PANEL_FLOOR) : heat((x + 1) / c.width, rgb, 1);
      g.fillRect(x, 0, 1, c.height);
    }
    g.strokeStyle = cssVar('--vscode-panel-border', 'rgba(128,128,128,0.5)');
    g.strokeRect(0.5, 0.5, c.width - 1, c.height - 1);
  }
  for (const c of document.querySelectorAll<HTMLCanvasElement>('canvas.lb')) {
    const g = c.getContext('2d')!;
    const v = Math.max(0, Math.min(1, Number(c.dataset.v)));
    g.clearRect(0, 0, c.width, c.height);
    g.fillStyle = heat(v, rgb, 0.85, PANEL_FLOOR);
    g.fillRect(0, 0, Math.round(v * c.width), c.height);
    g.strokeStyle = cssVar('--vscode-panel-border', 'rgba(128,128,128,0.5)');
    g.strokeRect(0.5, 0.5, c.width - 1, c.height - 1);
  }
}

