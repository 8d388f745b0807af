/**
 * Pure helpers of the comparison panel (no DOM globals at import time): colours and HTML escaping.
 */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Token text made visible: spaces as middle dots are too noisy in running text, so only newlines and tabs are marked. */
export function visibleToken(s: string): string {
  return s.replace(/\n/g, '⏎\n').replace(/\t/g, '⇥');
}

/** Background for a value in [0,1] (importance colour). */
export function heat(v: number, rgb: [number, number, number] = [245, 166, 35], maxAlpha = 0.85): string {
  const a = Math.max(0, Math.min(1, v));
  return a <= 0 ? 'transparent' : `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${(0.08 + (maxAlpha - 0.08) * a).toFixed(3)})`;
}

export function fmt(v: number | null | undefined, digits = 3): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits);
}
