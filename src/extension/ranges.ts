/**
 * Character ranges that follow edits (pure; no `vscode` import).
 * Highlights and instruction marks are stored as document offsets; each content change
 * shifts the ranges after it, and a range the edit touches is dropped (its text changed).
 */

export interface OffsetRange {
  start: number;
  end: number;
}

/** One replacement, as VS Code reports it: `[rangeOffset, rangeOffset+rangeLength)` → `text`. */
export interface TextChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

export interface ShiftOptions {
  /** Keep a range that an edit falls strictly inside (growing/shrinking it) instead of dropping it. */
  keepContaining?: boolean;
}

/**
 * Apply changes (in the order VS Code lists them: each relative to the document before the
 * whole event; VS Code sorts them from the end of the document backwards, but this function
 * does not rely on that) to a list of ranges.
 * Returns the new ranges with the same indices; dropped ranges become null.
 */
export function shiftRanges<T extends OffsetRange>(ranges: readonly T[], changes: readonly TextChange[], opts: ShiftOptions = {}): (T | null)[] {
  // Process from the highest offset down so earlier offsets stay valid.
  const sorted = [...changes].sort((a, b) => b.rangeOffset - a.rangeOffset);
  let out: (T | null)[] = ranges.map((r) => ({ ...r }));
  for (const ch of sorted) {
    const cStart = ch.rangeOffset;
    const cEnd = ch.rangeOffset + ch.rangeLength;
    const delta = ch.text.length - ch.rangeLength;
    out = out.map((r) => {
      if (!r) return null;
      if (cEnd <= r.start) {
        // Entirely before the range (an insertion exactly at the start pushes the range).
        return { ...r, start: r.start + delta, end: r.end + delta };
      }
      if (cStart >= r.end) return r; // entirely after (an insertion at the end does not extend it)
      if (opts.keepContaining && cStart >= r.start && cEnd <= r.end) {
        return { ...r, end: r.end + delta };
      }
      return null;
    });
  }
  return out;
}

/** True when any change touches `[start, end)` (insertions at its boundary count as touching). */
export function changesTouch(range: OffsetRange, changes: readonly TextChange[]): boolean {
  return changes.some((c) => c.rangeOffset <= range.end && c.rangeOffset + c.rangeLength >= range.start);
}

/** Merge overlapping or adjacent ranges, sorted. */
export function mergeRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const s = ranges.filter((r) => r.end > r.start).map((r) => ({ start: r.start, end: r.end })).sort((a, b) => a.start - b.start);
  const out: OffsetRange[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push(r);
  }
  return out;
}

/** Toggle a range in a set of marks: removing it when it equals or lies inside an existing mark, else adding it. */
export function toggleRange(marks: readonly OffsetRange[], r: OffsetRange): OffsetRange[] {
  const inside = marks.findIndex((m) => m.start <= r.start && r.end <= m.end);
  if (inside >= 0) return marks.filter((_, i) => i !== inside);
  if (r.end <= r.start) return [...marks];
  return mergeRanges([...marks, r]);
}
