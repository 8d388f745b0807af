/**
 * Text contrast measured in the page (WCAG 2 relative luminance and contrast ratio): for editor
 * highlights, the decoration's background blended over the editor background against the colour
 * of each character under it; for the comparison panel, each prompt token's background (blended
 * over its ancestors' backgrounds) against its text colour.
 * The in-page code is plain JavaScript source, evaluated as an expression (no closures, and no
 * `eval` inside the page, which the webview's CSP forbids).
 */
import type { Frame, Page } from 'playwright-core';

export interface Measured {
  text: string;
  /** Background alpha of the highlight. */
  alpha: number;
  /** Lowest contrast ratio of a character under it against its effective background. */
  contrast: number;
  fg: string;
  bg: string;
  /** Editor highlights with a solid border: its contrast against the editor background. */
  border?: number;
  /** Editor highlights: the decoration's class (a new one each time the extension rebuilds its types). */
  cls?: string;
}

/** WCAG AA for normal text. */
export const MIN_CONTRAST = 4.5;

const HELPERS = String.raw`
const parse = (c) => { const m = /rgba?\(([^)]+)\)/.exec(c || ''); if (!m) return [0, 0, 0, 0]; const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
const over = (top, bottom) => [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
const effectiveBg = (el) => { const stack = []; for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor); if (c[3] > 0) { stack.push(c); if (c[3] >= 1) break; } } let bg = [255, 255, 255, 1]; for (let i = stack.length - 1; i >= 0; i--) bg = over(stack[i], bg); return bg; };
const css = (c) => 'rgb(' + c.slice(0, 3).map((v) => Math.round(v)).join(', ') + ')';
`;

const EDITOR = String.raw`(prefix) => {
  const editor = document.querySelector('.editor-group-container.active .monaco-editor') || document.querySelector('.monaco-editor');
  if (!editor) return [];
  const editorBg = parse(getComputedStyle(editor.querySelector('.monaco-editor-background') || editor).backgroundColor);
  const lines = [...editor.querySelectorAll('.view-lines .view-line')];
  const out = [];
  for (const cdr of editor.querySelectorAll('.view-overlays .cdr')) {
    const bgStr = getComputedStyle(cdr).backgroundColor;
    if (!bgStr.startsWith('rgba(' + prefix) && !bgStr.startsWith('rgb(' + prefix)) continue;
    const own = parse(bgStr);
    const bg = over(own, editorBg);
    const box = cdr.getBoundingClientRect();
    const line = lines.find((l) => Math.abs(l.getBoundingClientRect().top - box.top) < 3);
    if (!line) continue;
    let text = '', worst = Infinity, fg = '';
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const s = node.textContent || '';
      const color = parse(getComputedStyle(node.parentElement).color);
      for (let i = 0; i < s.length; i++) {
        range.setStart(node, i); range.setEnd(node, i + 1);
        const r = range.getBoundingClientRect();
        const cx = (r.left + r.right) / 2;
        if (!(cx > box.left && cx < box.right)) continue;
        text += s[i];
        if (/\s/.test(s[i])) continue;
        const c = ratio(color, bg);
        if (c < worst) { worst = c; fg = css(color); }
      }
    }
    const cs = getComputedStyle(cdr);
    const border = cs.borderTopStyle === 'solid' && parseFloat(cs.borderTopWidth) > 0 ? ratio(parse(cs.borderTopColor), editorBg) : undefined;
    out.push({ text: text.replace(/\u00a0/g, ' '), alpha: own[3], contrast: worst, fg, bg: css(bg), border, cls: cdr.className });
  }
  return out;
}`;

const PANEL = String.raw`() => {
  const out = [];
  for (const el of document.querySelectorAll('.prompt .tok')) {
    const own = parse(getComputedStyle(el).backgroundColor);
    if (own[3] === 0 || !(el.textContent || '').trim()) continue;
    const bg = effectiveBg(el);
    const fg = parse(getComputedStyle(el).color);
    out.push({ text: el.textContent, alpha: own[3], contrast: ratio(fg, bg), fg: css(fg), bg: css(bg) });
  }
  return out;
}`;

function expr(fn: string, arg: unknown): string {
  return `(() => { ${HELPERS}; return (${fn})(${JSON.stringify(arg)}); })()`;
}

/** Editor highlights whose background is `rgba(<rgbPrefix>, …)`, with the contrast of the text under each. */
export async function editorContrast(page: Page, rgbPrefix: string): Promise<Measured[]> {
  return page.evaluate(expr(EDITOR, rgbPrefix)) as Promise<Measured[]>;
}

/** The comparison panel's coloured prompt tokens, with their text contrast. */
export async function panelContrast(frame: Frame): Promise<Measured[]> {
  return frame.evaluate(expr(PANEL, null)) as Promise<Measured[]>;
}

export function worst(ms: readonly Measured[]): Measured | undefined {
  return ms.reduce<Measured | undefined>((a, b) => (!a || b.contrast < a.contrast ? b : a), undefined);
}
