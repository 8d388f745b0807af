/**
 * Per-document results (no `vscode` import): the analyses shown in a document, where the prompt
 * sat when they were made, and the edits since (so highlights follow the text and are marked stale).
 */
import type { Analysis } from '../engine/analysis.ts';
import { shiftRanges, type OffsetRange, type TextChange } from './ranges.ts';

export interface DocResult {
  uri: string;
  /** Document offset of the prompt's first character when analysed. */
  offset: number;
  prompt: string;
  system?: string;
  base?: Analysis;
  tuned?: Analysis;
  labels: { base?: string; tuned?: string };
  /** Content-change events since the analysis, oldest first. */
  edits: TextChange[][];
  createdAt: number;
}

export const MAX_TRACKED_EDITS = 2000;

export function isStale(r: DocResult): boolean {
  return r.edits.length > 0;
}

/** Map prompt-relative ranges to current document offsets (null: the text under it was edited). */
export function mapToDocument<T extends OffsetRange>(r: DocResult, ranges: readonly T[]): (T | null)[] {
  let cur: (T | null)[] = ranges.map((x) => ({ ...x, start: x.start + r.offset, end: x.end + r.offset }));
  for (const ev of r.edits) {
    const idx: number[] = [];
    const live: T[] = [];
    cur.forEach((x, i) => { if (x) { idx.push(i); live.push(x); } });
    const shifted = shiftRanges(live, ev);
    const next: (T | null)[] = cur.map(() => null);
    shifted.forEach((x, k) => { next[idx[k]] = x; });
    cur = next;
  }
  return cur;
}

/** Record an edit; returns false when too many edits were tracked (the caller drops the result). */
export function recordEdit(r: DocResult, changes: readonly TextChange[]): boolean {
  if (changes.length === 0) return true;
  r.edits.push(changes.map((c) => ({ rangeOffset: c.rangeOffset, rangeLength: c.rangeLength, text: c.text })));
  return r.edits.length <= MAX_TRACKED_EDITS;
}
