/** The instruction score of a prompt and the token mask it needs (METHODS.md §1.5). */

export function instructionScore(densityNormalized: number[], mask: number[]): number {
  let sum = 0;
  let count = 0;
  densityNormalized.forEach((a, n) => {
    if (mask[n]) {
      sum += a;
      count++;
    }
  });
  return sum / Math.log2(2 + count);
}

/**
 * 1 for every user token that shares at least one non-whitespace character with a span, else 0.
 * A token such as "▁the" whose leading space is the only character inside a span is therefore
 * not in it, and a span that only touches a token (end = token start) does not overlap it.
 * Without `text`, whitespace cannot be seen and any shared character counts; spans from Prompt
 * Lens are trimmed of surrounding whitespace, so the two forms agree on them.
 * Special (BOS/template) tokens are never in an instruction.
 */
export function spansToMask(tokens: { start: number; end: number; special: boolean }[], spans: { start: number; end: number }[], text?: string): number[] {
  return tokens.map((t) => {
    if (t.special) return 0;
    return spans.some((s) => overlapsNonSpace(t.start, t.end, s.start, s.end, text)) ? 1 : 0;
  });
}

function overlapsNonSpace(a0: number, a1: number, b0: number, b1: number, text?: string): boolean {
  const from = Math.max(a0, b0);
  const to = Math.min(a1, b1);
  if (from >= to) return false;
  if (text === undefined) return true;
  return /\S/.test(text.slice(from, to));
}
