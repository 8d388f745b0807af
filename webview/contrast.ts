/**
 * "Why this reply rather than that one": the panel's contrastive section. The tuned model explains
 * log p(its reply's token) − log p(the alternative's token) at each step (or p − p: the analysis'
 * `contrast.kind` says which, and every text here names it); each prompt unit's value is its
 * importance for that difference summed over the steps (src/extension/contrastRun.ts). Shown as
 * the prompt coloured on a two-colour scale (the user's increase colour toward the tuned reply,
 * the decrease colour toward the alternative), a legend, one line in words and the values per unit.
 * Listeners are attached once, to the page.
 */
import { contrastQuantity, DEFAULT_CONTRAST_KIND, type ContrastKind } from '../src/engine/options.ts';
import type { FromWebview, PanelContrast, PanelState } from '../src/protocol/index.ts';
import type { Rgb } from '../src/shared/contrast.ts';
import { escapeHtml, heat, tokenColors, visibleToken } from './render.ts';
import { cssVar, promptColors } from './theme.ts';

export interface ContrastColors {
  /** Toward the tuned reply. */
  toward: Rgb;
  /** Toward the alternative. */
  away: Rgb;
}

/** A signed value as text: its sign always shown. */
function signed(v: number, digits = 4): string {
  return `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(digits)}`;
}

function quoted(s: string): string {
  return `“${escapeHtml(visibleToken(s.length > 80 ? `${s.slice(0, 79)}…` : s))}”`;
}

/** What the contrast explains per step, with the two replies named as the panel does. */
function quantity(kind: ContrastKind, reply = 'the tuned reply’s token', alternative = 'the alternative’s token'): string {
  return contrastQuantity(kind, reply, alternative);
}

/** The kind of the contrast shown, as the engine recorded it. */
function kindOf(c: PanelContrast): ContrastKind {
  return c.analysis?.contrast?.kind ?? DEFAULT_CONTRAST_KIND;
}

/** The user's units (no special tokens) with their values. */
function units(c: PanelContrast): { n: number; text: string; v: number }[] {
  const a = c.analysis!;
  return a.promptTokens.flatMap((t, n) => (t.special ? [] : [{ n, text: a.prompt.slice(t.start, t.end), v: c.values?.[n] ?? 0 }]));
}

/** One line in words: what the number means, and the unit that pushes most each way. */
export function contrastMeaning(c: PanelContrast): string {
  const a = c.analysis!;
  const unit = a.settings.granularity;
  const us = units(c);
  const most = us.reduce<typeof us[number] | undefined>((x, u) => (!x || u.v > x.v ? u : x), undefined);
  const least = us.reduce<typeof us[number] | undefined>((x, u) => (!x || u.v < x.v ? u : x), undefined);
  const strongest = [
    most && most.v > 0 ? `most toward the tuned reply: ${quoted(most.text)} (${signed(most.v)})` : '',
    least && least.v < 0 ? `most toward the alternative: ${quoted(least.text)} (${signed(least.v)})` : '',
  ].filter(Boolean).join('; ');
  return `Each ${unit}’s value is how much it raises ${quantity(kindOf(c))}, summed over the ${a.responseTokens.length} steps: positive pushes ${escapeHtml(c.label)} toward its own reply, negative toward the alternative${strongest ? ` (${strongest})` : ''}.`;
}

function promptHtml(c: PanelContrast): string {
  const a = c.analysis!;
  const parts: string[] = [];
  let pos = 0;
  a.promptTokens.forEach((t, n) => {
    if (t.special) return;
    if (t.start > pos) parts.push(escapeHtml(a.prompt.slice(pos, t.start)));
    const v = c.values?.[n] ?? 0;
    parts.push(`<span class="ctok" data-n="${n}" data-v="${v}" title="${escapeHtml(`${JSON.stringify(t.text)}: ${signed(v, 6)} to ${quantity(kindOf(c), 'tuned reply', 'alternative')}, summed over the steps (${v >= 0 ? 'toward the tuned reply' : 'toward the alternative'})`)}">${escapeHtml(a.prompt.slice(t.start, t.end))}</span>`);
    pos = Math.max(pos, t.end);
  });
  if (pos < a.prompt.length) parts.push(escapeHtml(a.prompt.slice(pos)));
  return parts.join('');
}

/** The values per unit, strongest toward the tuned reply first. */
function valuesHtml(c: PanelContrast): string {
  const rows = units(c).sort((x, y) => y.v - x.v)
    .map((u) => `<tr data-n="${u.n}"><td class="ct">${escapeHtml(visibleToken(u.text))}</td><td class="cv" data-v="${u.v}">${signed(u.v)}</td></tr>`).join('');
  return `<table class="cvalues" aria-label="Contrast value per prompt unit"><thead><tr><th>${escapeHtml(c.analysis!.settings.granularity)}</th><th>value</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function resultHtml(c: PanelContrast): string {
  if (c.busy) return `<p class="busy-line hint">Explaining ${escapeHtml(c.label)}’s reply against ${quoted(c.alternative)}…</p>`;
  if (c.error) return `<p class="error contrast-error">${escapeHtml(c.error)}</p>`;
  if (!c.analysis) return '';
  const a = c.analysis;
  // The exact replies as data: the visible text marks newlines and is cut when long.
  return `<p class="contrast-replies" data-reply="${escapeHtml(a.response)}" data-alternative="${escapeHtml(a.contrast?.response ?? c.alternative)}">${quoted(a.response)} <span class="hint">rather than</span> ${quoted(a.contrast?.response ?? c.alternative)} <span class="hint">(${c.against === 'base' ? 'the base model’s reply' : 'your reply'})</span></p>
    <p class="contrast-meaning">${contrastMeaning(c)}</p>
    <div class="legend contrast-legend" title="${escapeHtml(`Sum over the reply’s steps of the importance for ${quantity(kindOf(c), 'tuned reply token', 'alternative token')}`)}"><span class="lo">toward the alternative</span><canvas class="cbar" width="160" height="10" aria-hidden="true"></canvas><span class="hi">toward the tuned reply</span> <span class="hint contrast-quantity">${quantity(kindOf(c), 'tuned reply', c.against === 'base' ? 'base reply' : 'your reply')}, summed over the steps</span></div>
    <div class="prompt cprompt">${promptHtml(c)}</div>
    ${valuesHtml(c)}`;
}

/** The section (when the tuned model has a result): the two ways to ask, and the last answer. */
export function contrastHtml(s: PanelState): string {
  const tuned = s.models.find((m) => m.side === 'tuned');
  if (!tuned) return '';
  const base = s.models.find((m) => m.side === 'base');
  const c = s.contrast;
  return `<section class="contrastbox" aria-label="Why this reply rather than that one">
    <h3>Why this reply rather than that one <span class="hint">(contrastive attribution: the tuned model’s reply against another with the same number of tokens)</span></h3>
    <div class="contrast-controls">
      <vscode-button id="contrastBase"${base ? '' : ' disabled'} title="Explain ${quantity(DEFAULT_CONTRAST_KIND, 'tuned reply', 'base reply')}, token by token">Tuned’s reply vs base’s reply</vscode-button>
      <vscode-textarea id="contrastText" rows="2" placeholder="or type an alternative reply" aria-label="Alternative reply"></vscode-textarea>
      <vscode-button id="contrastTyped" secondary title="Explain ${quantity(DEFAULT_CONTRAST_KIND, 'tuned reply', 'this reply')}, token by token">Tuned’s reply vs this one</vscode-button>
    </div>
    ${c ? resultHtml(c) : ''}
  </section>`;
}

/** The alternative shown in the text box: the last typed one, else the base model's reply (a property: a textarea keeps its newlines). */
function fillAlternative(s: PanelState): void {
  const box = document.getElementById('contrastText') as unknown as { value: string } | null;
  if (!box) return;
  const c = s.contrast;
  box.value = c?.against === 'typed' ? c.alternative : s.models.find((m) => m.side === 'base')?.analysis.response ?? '';
}

/** After a render: fill the text box, colour the contrast prompt (|value| relative to the largest, by sign) and its legend. */
export function drawContrast(s: PanelState, colors: ContrastColors): void {
  fillAlternative(s);
  const prompt = document.querySelector<HTMLElement>('.cprompt');
  if (prompt) {
    const toks = [...prompt.querySelectorAll<HTMLElement>('.ctok')];
    const max = Math.max(1e-300, ...toks.map((el) => Math.abs(Number(el.dataset.v))));
    const { under, fg } = promptColors(prompt);
    for (const el of toks) {
      const v = Number(el.dataset.v);
      const c = tokenColors(Math.abs(v) / max, under, fg, v >= 0 ? colors.toward : colors.away);
      el.style.background = c.background;
      el.style.color = c.color;
    }
  }
  for (const bar of document.querySelectorAll<HTMLCanvasElement>('canvas.cbar')) {
    const g = bar.getContext('2d')!;
    const half = bar.width / 2;
    g.clearRect(0, 0, bar.width, bar.height);
    for (let x = 0; x < bar.width; x++) {
      const v = (x + 0.5 - half) / half;
      g.fillStyle = heat(Math.abs(v), v >= 0 ? colors.toward : colors.away);
      g.fillRect(x, 0, 1, bar.height);
    }
    g.strokeStyle = cssVar('--vscode-panel-border', 'rgba(128,128,128,0.5)');
    g.strokeRect(0.5, 0.5, bar.width - 1, bar.height - 1);
  }
}

/** The two buttons (once: the listener sits on `root`). */
export function wireContrast(root: HTMLElement, post: (m: FromWebview) => void): void {
  root.addEventListener('click', (e) => {
    const id = (e.target as Element).closest('vscode-button')?.id;
    if (id === 'contrastBase') post({ type: 'contrast', against: 'base' });
    else if (id === 'contrastTyped') {
      const text = (document.getElementById('contrastText') as unknown as { value: string } | null)?.value ?? '';
      post({ type: 'contrast', against: 'typed', text });
    }
  });
}
