/**
 * Instructions the model may ignore (no `vscode` import): after an analysis, each instruction
 * span (marked or detected) whose importance — the highest max-normalized density â of its
 * tokens, i.e. its share of the prompt's top density — is under the thresholds, placed where
 * the span is in the document now (a span whose text was edited since is dropped).
 */
import type { Analysis } from '../engine/analysis.ts';
import { measurePhrase } from '../engine/check/measures.ts';
import { mapToDocument, type DocResult } from './docState.ts';
import { mergeRanges, type OffsetRange } from './ranges.ts';

export interface Thresholds {
  warningBelow: number;
  informationBelow: number;
}

export interface InstructionFinding {
  /** Document offsets, [start, end). */
  start: number;
  end: number;
  severity: 'warning' | 'information';
  /** The span's importance, 0–1. */
  importance: number;
  /** Which model's analysis it was read from. */
  side: 'tuned' | 'base';
  source: 'given' | 'detected';
  message: string;
}

/** The tuned model's analysis when there is one (instruction tuning is what should make instructions matter), else the base model's. */
function analysisOf(r: DocResult): { analysis: Analysis; side: 'tuned' | 'base' } | undefined {
  if (r.tuned) return { analysis: r.tuned, side: 'tuned' };
  if (r.base) return { analysis: r.base, side: 'base' };
  return undefined;
}

/**
 * `marks`: the user's instruction marks in the document (offsets now). The extension sends the
 * engine the marks, else the detected spans, so a span is the user's when a mark covers it.
 */
export function instructionFindings(r: DocResult | undefined, t: Thresholds, marks: readonly OffsetRange[] = []): InstructionFinding[] {
  const found = r && analysisOf(r);
  if (!r || !found) return [];
  const { analysis, side } = found;
  const spans = analysis.instructionSpans ?? [];
  const placed = mapToDocument(r, spans);
  const findings: InstructionFinding[] = [];
  spans.forEach((span, i) => {
    const at = placed[i];
    const measured = measurePhrase(analysis, span);
    if (!at || !measured) return;
    const importance = measured.density;
    const severity = importance < t.warningBelow ? 'warning' : importance < t.informationBelow ? 'information' : undefined;
    if (!severity) return;
    const source = analysis.instructionSpansSource !== 'detected' && marks.some((m) => m.start <= at.start && at.end <= m.end) ? 'given' : 'detected';
    const what = source === 'detected' ? 'this detected instruction' : 'this instruction';
    const message = `The ${side} model gives ${what} ${importance.toFixed(2)} of the prompt's top density: it may be ignored.`;
    findings.push({ start: at.start, end: at.end, severity, importance, side, source, message });
  });
  return findings;
}

/**
 * The instruction marks after "mark as instruction" (`instruction` true) or "not an instruction"
 * on `range`. Marks replace detection, so when there are no marks yet the spans in use
 * (`current`, detected, document offsets) become the marks, with `range` added or taken out.
 */
export function marksAfterFix(marks: readonly OffsetRange[], current: readonly OffsetRange[], range: OffsetRange, instruction: boolean): OffsetRange[] {
  const overlaps = (m: OffsetRange) => m.start < range.end && range.start < m.end;
  // Without marks the spans in use are detected ones: they become the marks, so the fix changes only `range`.
  const base = marks.length > 0 ? marks : current;
  if (instruction) return mergeRanges([...base, range]);
  return base.filter((m) => !overlaps(m)).map((m) => ({ start: m.start, end: m.end }));
}

/** Every instruction span of the result's analysis, where it is in the document now. */
export function instructionRanges(r: DocResult | undefined): OffsetRange[] {
  const found = r && analysisOf(r);
  if (!r || !found) return [];
  return mapToDocument(r, found.analysis.instructionSpans ?? []).filter((x): x is NonNullable<typeof x> => x !== null).map((x) => ({ start: x.start, end: x.end }));
}
