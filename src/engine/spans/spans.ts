/** Span helpers: clip whitespace, sort, merge overlaps, attach text. */
import type { Span } from '../analysis.ts';

/** Shrink [start, end) to exclude surrounding whitespace; undefined when nothing is left. */
export function trimRange(text: string, start: number, end: number): [number, number] | undefined {
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return start < end ? [start, end] : undefined;
}

/** Sorted, non-overlapping spans with their text; overlapping or touching ranges are merged. */
export function normalizeSpans(text: string, ranges: Array<[number, number]>): Span[] {
  const sorted = ranges
    .map(([s, e]) => trimRange(text, s, e))
    .filter((r): r is [number, number] => r !== undefined)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Array<[number, number]> = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out.map(([start, end]) => ({ start, end, text: text.slice(start, end) }));
}
