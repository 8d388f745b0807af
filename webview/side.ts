/**
 * One model's side of the panel: header and metrics, its response (hover a response token to
 * colour the prompt by that token's column of S), and the prompt coloured by normalized density â
 * (click a token to select it in the editor). Listeners are attached once, to the page.
 */
import type { FromWebview, PanelModel, Side } from '../src/protocol/index.ts';
import type { Rgb } from '../src/shared/contrast.ts';
import { escapeHtml, visibleToken, fmt, tokenColors } from './render.ts';
import { heatmapHtml } from './heatmap.ts';
import { promptColors } from './theme.ts';

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

export function sideHtml(m: PanelModel): string {
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
    ${heatmapHtml(m.side)}
  </section>`;
}

/** Colour each prompt token by `value(n)` in `rgb` (readable text on strong colours, whatever the theme). */
function paintPrompt(prompt: HTMLElement, value: (n: number) => number, rgb: Rgb): void {
  // Inline style attributes are blocked by the CSP; colours are set through the CSSOM.
  const { under, fg } = promptColors(prompt);
  for (const el of prompt.querySelectorAll<HTMLElement>('.tok')) {
    const c = tokenColors(value(Number(el.dataset.n)), under, fg, rgb);
    el.style.background = c.background;
    el.style.color = c.color;
  }
}

/** The prompt coloured by density â. */
export function paintDensity(m: PanelModel, rgb: Rgb): void {
  const prompt = document.querySelector<HTMLElement>(`.prompt[data-side="${m.side}"]`);
  if (!prompt) return;
  prompt.classList.remove('column');
  paintPrompt(prompt, (n) => m.analysis.densityNormalized[n] ?? 0, rgb);
}

export interface SideColors {
  /** Density â. */
  importance: Rgb;
  /** One response token's column of S. */
  column: Rgb;
}

/**
 * Response hover and prompt clicks for every render's sides (once: the listeners sit on `root`).
 * `model` gives the side's current model and `colors` the colours to paint with.
 */
export function wireSides(root: HTMLElement, post: (m: FromWebview) => void, model: (side: Side) => PanelModel | undefined, colors: () => SideColors): void {
  const sideOf = (el: Element, selector: string) => {
    const box = el.closest<HTMLElement>(selector);
    const m = box ? model(box.dataset.side as Side) : undefined;
    return box && m ? { box, m } : undefined;
  };
  root.addEventListener('mouseover', (e) => {
    const t = (e.target as Element).closest<HTMLElement>('.rtok');
    const found = t && sideOf(t, '.response');
    const prompt = found && document.querySelector<HTMLElement>(`.prompt[data-side="${found.m.side}"]`);
    if (!t || !found || !prompt) return;
    const a = found.m.analysis;
    const k = Number(t.dataset.m);
    const L = a.settings.levels || 10;
    found.box.querySelectorAll('.rtok.active').forEach((x) => x.classList.remove('active'));
    t.classList.add('active');
    prompt.classList.add('column');
    paintPrompt(prompt, (n) => (a.normalized[n]?.[k] ?? 0) / L, colors().column);
  });
  // Leaving a response restores its prompt's density colours.
  root.addEventListener('mouseout', (e) => {
    const found = sideOf(e.target as Element, '.response');
    if (!found || (e.relatedTarget instanceof Node && found.box.contains(e.relatedTarget))) return;
    paintDensity(found.m, colors().importance);
    found.box.querySelectorAll('.rtok.active').forEach((x) => x.classList.remove('active'));
  });
  root.addEventListener('click', (e) => {
    const t = (e.target as Element).closest<HTMLElement>('.tok');
    const found = t && sideOf(t, '.prompt');
    if (t && found) post({ type: 'reveal', side: found.m.side, token: Number(t.dataset.n) });
  });
}
