/**
 * Instruction-span detection: lay the prompt out in paragraphs and lines, find where material
 * sections start ("Input:"-style labels opening a paragraph), classify the sentences elsewhere,
 * and keep those that instruct plus the task markers.
 */
import type { Span } from '../analysis.ts';
import { classifySentence, isInstructionKind } from './classify.ts';
import { tagSentences } from './nlp.ts';
import { splitParagraphs, type Line, type Paragraph } from './segment.ts';
import { normalizeSpans } from './spans.ts';

export interface DetectOptions {
  /**
   * Count a label that opens a material section ("Input:", "Output:") as instruction. The paper's
   * annotations treat these template labels as frame, not instruction; field labels inside
   * the material ("Genre:", "Item:") count either way.
   */
  frameMarkers?: boolean;
  /** Material of at most this many words is a task parameter (a topic, a title, a search term): instruction. */
  parameterWords?: number;
  /** Keep statements that share a paragraph with an instruction (background the task relies on). */
  context?: boolean;
}

export const DEFAULT_OPTIONS: Required<DetectOptions> = { frameMarkers: false, parameterWords: 12, context: true };

type Range = [number, number];

interface Piece {
  start: number;
  end: number;
}

/** Sentences of a line's content (after its label). */
function sentencesOf(prompt: string, line: Line): Array<Piece & { kind: ReturnType<typeof classifySentence> }> {
  const content = prompt.slice(line.contentStart, line.end);
  return tagSentences(content).map((s) => {
    const text = content.slice(s.start, s.end);
    return { start: line.contentStart + s.start, end: line.contentStart + s.end, kind: classifySentence(text, s.tokens) };
  });
}

function words(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

function instructionParagraph(prompt: string, p: Paragraph, o: Required<DetectOptions>, out: Range[]): void {
  const pieces = p.lines.flatMap((line) => sentencesOf(prompt, line));
  const instructs = pieces.some((s) => isInstructionKind(s.kind));
  for (const line of p.lines) if (line.label) out.push([line.label.start, line.label.end]);
  for (const s of pieces) if (isInstructionKind(s.kind) || (o.context && instructs)) out.push([s.start, s.end]);
}

function materialSection(prompt: string, paragraphs: Paragraph[], o: Required<DetectOptions>, out: Range[]): void {
  const lines = paragraphs.flatMap((p) => p.lines);
  const content = lines.map((l) => prompt.slice(l.contentStart, l.end)).join('\n');
  const opener = lines[0];
  if (o.frameMarkers && opener.label) out.push([opener.label.start, opener.label.end]);
  for (const line of lines.slice(1)) if (line.label) out.push([line.label.start, line.label.end]);
  // Field labels inside the first line ("Input: Genre: Crime") count as markers too.
  const nested = splitParagraphs(prompt.slice(opener.contentStart, opener.end))[0]?.lines[0]?.label;
  if (nested) out.push([opener.contentStart + nested.start, opener.contentStart + nested.end]);
  if (words(content) <= o.parameterWords) {
    for (const l of lines) out.push([l.contentStart, l.end]);
    return;
  }
  for (const l of lines) for (const s of sentencesOf(prompt, l)) if (s.kind === 'question') out.push([s.start, s.end]);
}

export function detectWith(prompt: string, options: DetectOptions = {}): Span[] {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const paragraphs = splitParagraphs(prompt);
  const out: Range[] = [];
  let i = 0;
  while (i < paragraphs.length) {
    const p = paragraphs[i];
    // A paragraph that opens with a label, after the prompt has begun, starts a material
    // section; unlabelled paragraphs after it belong to the same material.
    if (i > 0 && p.lines[0].label) {
      let j = i + 1;
      while (j < paragraphs.length && !paragraphs[j].lines[0].label) j++;
      materialSection(prompt, paragraphs.slice(i, j), o, out);
      i = j;
    } else {
      instructionParagraph(prompt, p, o, out);
      i++;
    }
  }
  return normalizeSpans(prompt, out);
}
