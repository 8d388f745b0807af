/**
 * The colour scale of normalized density â, shared by the editor and the panel (pure; no `vscode`
 * or DOM import). Opacity grows with the square of the value above a floor, so the few strongest
 * tokens stand out instead of one even wash (â of a prompt is often bunched between 0.4 and 0.8),
 * and the words that say what a colour means.
 */

/** Exponent of the opacity curve: 1 is linear; 2 keeps the middle pale and the top strong. */
export const SCALE_EXPONENT = 2;

/**
 * Where a value sits on the visible part of the scale, in [0,1]: 0 at `floor` (or below), 1 at 1,
 * squared. `floor` 0 uses the whole range.
 */
export function emphasis(value: number, floor = 0): number {
  if (!Number.isFinite(value)) return 0;
  const f = Math.max(0, Math.min(0.99, floor));
  const t = Math.max(0, Math.min(1, (value - f) / (1 - f)));
  return t ** SCALE_EXPONENT;
}

/** What the colours mean, in words (legends and tooltips). */
export const SCALE_TEXT = {
  density: {
    name: 'reliance â',
    low: '0 relied on least',
    high: '1 relied on most',
    meaning: 'normalized density â: how much the response relied on this token, 1 = the prompt\'s most relied-on token',
  },
  heatmap: {
    name: 'S',
    low: 'S 0: no influence',
    high: 'L: strongest for that response token',
    meaning: 'S: how much a prompt token (row) raised the probability of a response token (column), in levels 0…L of that response token\'s strongest',
  },
  difference: {
    name: 'tuned − base',
    low: 'base relied on it more',
    high: 'tuned relied on it more',
    meaning: 'difference of â between the tuned and the base model',
  },
} as const;

/**
 * The editor's colour legend in one line (hover and status bar): what pale and strong mean in the
 * highlight mode, and which values the floor hides.
 */
export function editorLegend(mode: 'tuned' | 'base' | 'difference', floor: number): string {
  if (mode === 'difference') return 'Scale: blue = the tuned model relies on the token more, red = the base model does; stronger = larger difference of reliance (0 → 1).';
  return `Scale: pale → strong = reliance 0 → 1 (1 = the prompt's most relied-on token)${floor > 0 ? `; the editor hides reliance ≤ ${floor} (setting promptLens.highlightFloor)` : ''}.`;
}
