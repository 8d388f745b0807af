/**
 * Pure helpers of the comparison panel (no DOM globals at import time): colours and HTML escaping.
 */
import { blend, cssRgb, readableTextOn, type Rgb } from '../src/shared/contrast.ts';
import { DEFAULT_COLORS, highlightRgb } from '../src/shared/highlightColors.ts';
import { emphasis } from '../src/shared/scale.ts';

const IMPORTANCE: Rgb = highlightRgb(DEFAULT_COLORS, 'importance');

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Token text made visible: spaces as middle dots are too noisy in running text, so only newlines and tabs are marked. */
export function visibleToken(s: string): string {
  return s.replace(/\n/g, '⏎\n').replace(/\t/g, '⇥');
}

/**
 * The panel's prompt stays faint up to this â and grows to full colour above it (the editor hides
 * that part; the panel keeps every token visible, so the strongest stand out without losing the rest).
 */
export const PANEL_FLOOR = 0.4;

/** Opacity of the importance colour for a value in [0,1] (0: no colour), on the shared perceptual scale above `floor`. */
export function heatAlpha(v: number, maxAlpha = 0.85, floor = 0): number {
  const a = Math.max(0, Math.min(1, v));
  return a <= 0 ? 0 : +(0.06 + (maxAlpha - 0.06) * emphasis(a, floor)).toFixed(3);
}

/** Background for a value in [0,1] (in the importance colour unless another is given). */
export function heat(v: number, rgb: Rgb = IMPORTANCE, maxAlpha = 0.85, floor = 0): string {
  const a = heatAlpha(v, maxAlpha, floor);
  return a <= 0 ? 'transparent' : `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${a})`;
}

/**
 * A token's colours for value v: its background, and a text colour when the theme's text colour
 * `fg` would be hard to read on that background painted over `under` ('' keeps the theme's).
 */
export function tokenColors(v: number, under: Rgb, fg: Rgb, rgb: Rgb = IMPORTANCE, floor = 0): { background: string; color: string } {
  const a = heatAlpha(v, 0.85, floor);
  if (a <= 0) return { background: 'transparent', color: '' };
  const text = readableTextOn(blend(rgb, a, under), fg);
  return { background: heat(v, rgb, 0.85, floor), color: text ? cssRgb(text) : '' };
}

export function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}
