/**
 * One model's side of the panel: header and metrics, its response (hover a response token to
 * colour the prompt by that token's column of S), and the prompt coloured by normalized density â
 * (click a token to select it in the editor). Listeners are attached once, to the page.
 */
import type { FromWebview, PanelModel, Side } from '../src/protocol/index.ts';
import type { Rgb } from '../src/shared/contrast.ts';
import { escapeHtml, visibleToken, fmt, tokenColors, PANEL_FLOOR } from './render.ts';
import { legendHtml } from './legend.ts';
import { lineSummaries } from '../src/shared/lineSummary.ts';
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
    parts.push(`<span class="tok${inst}" data-n="${n}" title="${escapeHtml(`${JSON.stringify(t.text)} reliance ${d.toFixed(2)} of 1 (â=${d.toFixed(3)}, raw density a=${(a.density[n] ?? 0).toFixed(3)})${inst ? ' · instruction' : ''}`)}">${escapeHtml(text)}</span>`);
    pos = Math.max(pos, t.end);
  });
  if (pos < a.prompt.length) parts.push(escapeHtml(a.prompt.slice(pos)));
  return parts.join('');
}

/** A response token's tooltip: its probability and the prompt tokens that raised it most (by S). */
function responseTitle(a: PanelModel['analysis'], k: number): string {
  const top = a.promptTokens.map((t, n) => ({ t, n, s: a.normalized[n]?.[k] ?? 0, i: a.importance[n]?.[k] ?? 0 }))
    .filter((x) => !x.t.special && x.i > 0)
    .sort((x, y) => y.s - x.s || y.i - x.i)
    .slice(0, 3);
  const p = a.responseProbabilities[k] ?? 0;
  const drivers = top.length ? top.map((x) => `${JSON.stringify(x.t.text)} (level ${x.s} of ${a.settings.levels})`).join(', ') : 'none';
  return `${JSON.stringify(a.responseTokens[k].text)}: probability ${p.toFixed(3)} when generated (p)\nraised most by: ${drivers}`;
}

function responseHtml(m: PanelModel): string {
  const a = m.analysis;
  return a.responseTokens.map((t, k) => `<span class="rtok" data-m="${k}" title="${escapeHtml(responseTitle(a, k))}">${escapeHtml(visibleToken(t.text))}</span>`).join('');
}

/** Share of the user's tokens inside the instruction mask (null without a mask). */
function maskShare(a: PanelModel['analysis']): { inside: number; users: number } | null {
  if (!a.instructionMask) return null;
  let inside = 0, users = 0;
  a.promptTokens.forEach((t, n) => { if (t.special) return; users++; if (a.instructionMask![n]) inside++; });
  return { inside, users };
}

/** Where the instruction spans come from (given by marks or detected), what they are, and a warning when they cover (nearly) everything. */
export function spansHtml(m: PanelModel): string {
  const a = m.analysis;
  const spans = a.instructionSpans ?? [];
  const share = maskShare(a);
  if (!spans.length || !share) return '<p class="spans hint">No instruction spans: mark the instruction with <b>Prompt Lens: Mark Selection as Instruction</b> to get an instruction score.</p>';
  const how = a.instructionSpansSource === 'given' ? 'marked by you' : 'detected automatically';
  const list = spans.slice(0, 6).map((s) => `“${escapeHtml(truncate(s.text ?? a.prompt.slice(s.start, s.end), 40))}”`).join(', ') + (spans.length > 6 ? `, … (${spans.length} in all)` : '');
  const pct = share.users ? Math.round((100 * share.inside) / share.users) : 0;
  const warn = pct >= 90 && a.instructionSpansSource !== 'given'
    ? `<div class="warn">⚠ The detector marked ${pct}% of the prompt as instruction, so “inside” vs “outside” compares (nearly) nothing. Select the instruction words and run <b>Prompt Lens: Mark Selection as Instruction</b> for a meaningful score.</div>` : '';
  return `<div class="spans"><span class="hint">Instruction spans ${how}: ${share.inside} of ${share.users} tokens (${pct}%) — ${list}</span>${warn}</div>`;
}

function truncate(s: string, n: number): string {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n - 1)}…` : t;
}

/** One metric: the name in words, the value, what it means in one line; the formula in a tooltip. */
function metric(name: string, value: string, meaning: string, formula: string, attr = ''): string {
  return `<div class="metric" title="${escapeHtml(formula)}"><span class="k">${name}</span><span class="v"${attr}>${value}</span><span class="d">${meaning}</span></div>`;
}

/** The per-line (per-rule) summary: each non-blank line's mean reliance as a bar, its rank. */
function linesHtml(m: PanelModel): string {
  const lines = lineSummaries(m.analysis);
  const counted = lines.filter((l) => l.tokens > 0).length;
  const rows = lines.map((l) => `<div class="line" data-line="${l.line}" title="${escapeHtml(`line ${l.line + 1}: mean reliance ${l.mean.toFixed(3)}, strongest token ${l.max.toFixed(3)}, ${l.tokens} tokens`)}">
      <span class="ln">${l.line + 1}</span><span class="lt">${escapeHtml(truncate(l.text, 60))}</span>
      <span class="lbar"><canvas class="lb" data-v="${l.mean}" width="60" height="8"></canvas></span><span class="lv">${l.tokens ? l.mean.toFixed(2) : '—'}</span><span class="lr">${l.rank ? `#${l.rank}` : ''}</span></div>`).join('');
  return `<section class="lines" data-side="${m.side}" aria-label="Mean reliance per line">${rows}</section><p class="hint lines-note">Mean reliance per line (#1 = the line relied on most of ${counted}).</p>`;
}

/** True for the bundled 3M-parameter demo pair (the extension resolves `bundled:demo-*` to its folder, models/demo-base or models/demo-instruct). */
export function isDemoModel(m: PanelModel): boolean {
  return /^bundled:/.test(m.analysis.model.ref) || /(^|[\\/])models[\\/]demo-(base|instruct)$/.test(m.analysis.model.path);
}

export function sideHtml(m: PanelModel, previous = ''): string {
  const a = m.analysis;
  const users = a.promptTokens.filter((t) => !t.special).length;
  const score = a.instructionScore;
  const inside = maskShare(a)?.inside ?? 0;
  const prev = previous ? ` previous` : '';
  return `<section class="side ${m.side}${prev}" data-side="${m.side}">
    <header><h2>${m.side === 'base' ? 'Base' : 'Tuned'} · ${escapeHtml(m.label)}</h2>
      ${previous ? `<div class="prev-label">${escapeHtml(previous)}</div>` : ''}
      <div class="meta">${escapeHtml(a.model.architecture)} · ${escapeHtml(a.model.dtype)} · <span title="${escapeHtml(a.model.precisionNote ?? 'Attribution computed in ' + (a.model.precision ?? 'float32'))}">${escapeHtml(a.model.precision ?? 'float32')}</span> · ${a.settings.method} · ${users} prompt ${a.settings.granularity}s × ${a.responseTokens.length} response tokens · ${(a.timings.totalMs / 1000).toFixed(1)} s</div></header>
    <div class="metrics">
      ${metric('Instruction score', fmt(score), `reliance summed over the ${inside} instruction tokens ÷ log₂(2 + ${inside}); not on the 0–1 scale: it grows with the instruction's length. Higher = relies more on the instruction; compare it between models on one prompt.`, 'score = Σ â_n·mask_n / log2(2 + Σ mask_n) (METHODS §1.5)', ' data-metric="score"')}
      ${metric('Mean reliance inside the instruction', fmt(m.meanInside), m.meanInside === null ? 'no instruction tokens' : '0–1; 1 = as much as the most relied-on token', 'mean â over the tokens inside the instruction spans')}
      ${metric('Mean reliance outside', fmt(m.meanOutside), m.meanOutside === null ? 'no tokens outside the instruction' : '0–1; compare with inside', 'mean â over the tokens outside the instruction spans')}
    </div>
    ${spansHtml(m)}
    <h3>Response <span class="hint">(hover a token: its probability and the prompt tokens that raised it)</span></h3>
    <div class="response" data-side="${m.side}">${responseHtml(m) || '<em>empty</em>'}</div>
    <h3>Prompt, coloured by reliance â <span class="hint">(dashed: instruction)</span></h3>
    ${legendHtml('density')}
    <div class="prompt" data-side="${m.side}">${promptHtml(m)}</div>
    <h3>Per line</h3>
    ${linesHtml(m)}
    ${heatmapHtml(m.side)}
  </section>`;
}

/** Colour each prompt token by `value(n)` in `rgb` (readable text on strong colours, whatever the theme). */
function paintPrompt(prompt: HTMLElement, value: (n: number) => number, rgb: Rgb, floor = 0): void {
  // Inline style attributes are blocked by the CSP; colours are set through the CSSOM.
  const { under, fg } = promptColors(prompt);
  for (const el of prompt.querySelectorAll<HTMLElement>('.tok')) {
    const c = tokenColors(value(Number(el.dataset.n)), under, fg, rgb, floor);
    el.style.background = c.background;
    el.style.color = c.color;
  }
}

/** The prompt coloured by density â. */
export function paintDensity(m: PanelModel, rgb: Rgb): void {
  const prompt = document.querySelector<HTMLElement>(`.prompt[data-side="${m.side}"]`);
  if (!prompt) return;
  prompt.classList.remove('column');
  paintPrompt(prompt, (n) => m.analysis.densityNormalized[n] ?? 0, rgb, PANEL_FLOOR);
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
