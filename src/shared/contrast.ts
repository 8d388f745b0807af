/**
 * Text contrast (pure; no `vscode` or DOM import; used by the editor highlights and the panel):
 * WCAG 2 relative luminance and contrast ratio, alpha blending, and the text colour that keeps a
 * highlighted word readable.
 */

export type Rgb = readonly [number, number, number];

/** WCAG AA for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;

const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];

function linear(v: number): number {
  const c = v / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function luminance(c: Rgb): number {
  return 0.2126 * linear(c[0]) + 0.7152 * linear(c[1]) + 0.0722 * linear(c[2]);
}

export function contrastRatio(a: Rgb, b: Rgb): number {
  const x = luminance(a), y = luminance(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}

/** `top` at opacity `alpha` painted over the opaque `bottom`. */
export function blend(top: Rgb, alpha: number, bottom: Rgb): Rgb {
  const a = Math.max(0, Math.min(1, alpha));
  return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)) as unknown as Rgb;
}

/**
 * The text colour to use on `bg`: undefined when the normal text colour `fg` is readable
 * (contrast ≥ 4.5), else black or white, whichever contrasts more (one of them always reaches 4.58).
 */
export function readableTextOn(bg: Rgb, fg: Rgb): Rgb | undefined {
  if (contrastRatio(fg, bg) >= MIN_TEXT_CONTRAST) return undefined;
  return contrastRatio(BLACK, bg) >= contrastRatio(WHITE, bg) ? BLACK : WHITE;
}

/** Parse `#rgb`, `#rrggbb`, `rgb(…)` or `rgba(…)` (alpha ignored here); null when unreadable. */
export function parseColor(s: string): Rgb | null {
  const t = s.trim();
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})([0-9a-f]{2})?$/i.exec(t);
  if (hex) {
    let h = hex[1];
    if (h.length === 3) h = h.split('').map((c) => c + c).join('');
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  const fn = /^rgba?\(([^)]+)\)$/i.exec(t);
  if (fn) {
    const p = fn[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    if (p.length >= 3 && p.slice(0, 3).every((v) => Number.isFinite(v))) return [p[0], p[1], p[2]];
  }
  return null;
}

export function cssRgb(c: Rgb): string {
  return `rgb(${c.map((v) => Math.round(v)).join(', ')})`;
}
