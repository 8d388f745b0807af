/**
 * The highlight colours (`promptLens.colors`), shared by the editor and the comparison panel
 * (pure; no `vscode` or DOM import): importance, and the tuned − base increase and decrease.
 */
import type { Rgb } from './contrast.ts';

export interface HighlightColors {
  importance: string;
  increase: string;
  decrease: string;
}

export const DEFAULT_COLORS: HighlightColors = { importance: '#f5a623', increase: '#2f81f7', decrease: '#e5534b' };

export function parseHex(hex: string): [number, number, number] | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) return null;
  let h = m[1];
  if (h.length === 3) h = h.split('').map((c) => c + c).join('');
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

/** One of the colours as RGB; the default one when the user's is not a hex colour. */
export function highlightRgb(colors: HighlightColors, which: keyof HighlightColors): Rgb {
  return parseHex(colors[which]) ?? parseHex(DEFAULT_COLORS[which])!;
}
