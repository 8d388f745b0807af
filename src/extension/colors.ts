/**
 * Colour levels for editor highlights (pure; no `vscode` import).
 * A normalized density â ∈ [0,1] is shown in L levels (default 10); the difference view
 * (tuned − base, in [−1,1]) uses L levels on each side of zero with diverging colours.
 */

import { blend, contrastRatio, readableTextOn, type Rgb } from '../shared/contrast.ts';
import { highlightRgb, parseHex, type HighlightColors } from '../shared/highlightColors.ts';
import { emphasis } from '../shared/scale.ts';

export type ThemeKind = 'light' | 'dark' | 'highContrast' | 'highContrastLight';

/**
 * Editor background and text colour of each kind of theme (VS Code's default themes: Dark Modern,
 * Light Modern, Dark and Light High Contrast). The extension API gives only the kind, so
 * readability is judged against these.
 */
export const THEME_COLORS: Record<ThemeKind, { bg: Rgb; fg: Rgb }> = {
  dark: { bg: [31, 31, 31], fg: [204, 204, 204] },
  light: { bg: [255, 255, 255], fg: [59, 59, 59] },
  highContrast: { bg: [0, 0, 0], fg: [255, 255, 255] },
  highContrastLight: { bg: [255, 255, 255], fg: [41, 41, 41] },
};

/** The lowest level the editor shows when it hides â at or below `floor` (1 with no floor). */
export function lowestShownLevel(levels: number, floor: number): number {
  const L = Math.max(1, Math.floor(levels));
  return Math.min(L, Math.floor(L * Math.max(0, Math.min(1, floor)) + 1e-9) + 1);
}

/** Level 0..L of a value in [0,1]: ceil(L·v), so any positive value is at least level 1. */
export function levelOf(value: number, levels: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  const L = Math.max(1, Math.floor(levels));
  return Math.min(L, Math.ceil(L * Math.min(1, value) - 1e-9));
}

/** Signed level −L..L of a difference in [−1,1]. */
export function diffLevelOf(diff: number, levels: number): number {
  if (!Number.isFinite(diff) || diff === 0) return 0;
  return Math.sign(diff) * levelOf(Math.abs(diff), levels);
}

/**
 * Background opacity for a level, on the shared perceptual scale (src/shared/scale.ts): it grows
 * with the square of the value above `floor` (the lowest â the editor shows), so the strongest
 * tokens stand out. Capped so the text stays readable on every theme: light themes get a little
 * more colour (pale backgrounds wash out), high-contrast themes less (they add a border instead).
 */
export function alphaFor(level: number, levels: number, kind: ThemeKind, floor = 0): number {
  const L = Math.max(1, levels);
  const t = emphasis(Math.min(1, Math.abs(level) / L), floor);
  const [lo, hi] = kind === 'light' ? [0.1, 0.6] : kind === 'dark' ? [0.1, 0.55] : [0.08, 0.4];
  return +(lo + (hi - lo) * t).toFixed(3);
}

export function rgba(hex: string, alpha: number, fallback = '#f5a623'): string {
  const c = parseHex(hex) ?? parseHex(fallback) ?? [245, 166, 35];
  return `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alpha})`;
}

/** Which colour a (possibly signed) level takes. */
function colorOf(level: number, colors: HighlightColors, diverging: boolean): Rgb {
  return highlightRgb(colors, !diverging ? 'importance' : level > 0 ? 'increase' : 'decrease');
}

/** The background colour of a (possibly signed) level. */
export function levelColor(level: number, levels: number, kind: ThemeKind, colors: HighlightColors, diverging: boolean, floor = 0): string {
  const c = colorOf(level, colors, diverging);
  return `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${alphaFor(level, levels, kind, floor)})`;
}

/**
 * The text colour of a level, when the theme's own would be hard to read on its background
 * (contrast below 4.5): black or white. Undefined keeps the theme's (and syntax) colours.
 */
export function textColorFor(level: number, levels: number, kind: ThemeKind, colors: HighlightColors, diverging: boolean, floor = 0): string | undefined {
  const rgb = colorOf(level, colors, diverging);
  const theme = THEME_COLORS[kind];
  const text = readableTextOn(blend(rgb, alphaFor(level, levels, kind, floor), theme.bg), theme.fg);
  return text ? `#${text.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}` : undefined;
}

/** Non-text contrast (WCAG 1.4.11) a border needs against the background. */
export const MIN_BORDER_CONTRAST = 3;

/**
 * High-contrast themes: strong levels (the upper half of the shown ones) also get a solid border so they are visible without colour;
 * the border colour is the level's colour, darkened or lightened until it stands out (3:1) against
 * the theme's background (amber on white is only 2:1).
 */
export function borderFor(level: number, levels: number, kind: ThemeKind, colors: HighlightColors, diverging: boolean, floor = 0): string | undefined {
  if (kind !== 'highContrast' && kind !== 'highContrastLight') return undefined;
  if (Math.abs(level) < Math.ceil((lowestShownLevel(levels, floor) - 1 + levels) / 2)) return undefined;
  const bg = THEME_COLORS[kind].bg;
  const toward: Rgb = kind === 'highContrastLight' ? [0, 0, 0] : [255, 255, 255];
  let c: Rgb = colorOf(level, colors, diverging);
  for (let i = 0; i < 20 && contrastRatio(c, bg) < MIN_BORDER_CONTRAST; i++) c = blend(toward, 0.1, c);
  return `1px solid rgb(${c.map((v) => Math.round(v)).join(', ')})`;
}
