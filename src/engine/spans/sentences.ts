/**
 * Sentences of a prompt's lines, classified, and what one sentence states: a limit, a placeholder
 * for material, the end of its own instruction before a quotation.
 */
import { aboutWriter, classifySentence, concludesLimit, isInstructionKind, opensWithBound, statesBudget, statesConstraint, statesNeed, statesTaste } from './classify.ts';
import { tagSentences, type TaggedToken } from './nlp.ts';
import { CHAT_MARKER } from './pasted.ts';
import { LIST_MARKER, type Line } from './segment.ts';
import type { DetectOptions } from './options.ts';

export type Range = [number, number];

export interface Piece {
  start: number;
  end: number;
}

export type Sentence = Piece & { kind: ReturnType<typeof classifySentence>; tokens: TaggedToken[] };

/**
 * A statement of a limit, a requirement or a preference the answer must fit, wherever it stands:
 * the writer's ("I can't run more than 5 km.", "We don't own a car." only with `cues`), drawn as a
 * consequence, a budget, a taste, what someone cannot do or eat, a bound as the subject (see classify.ts).
 */
export function statesLimit(prompt: string, s: Sentence, cues = true): boolean {
  const text = prompt.slice(s.start, s.end);
  return s.kind === 'statement' && ((aboutWriter(s.tokens) && statesConstraint(text, cues)) || concludesLimit(text) || statesBudget(text) || statesTaste(text) || statesNeed(text) || opensWithBound(text));
}

/** Sentences of a line's content (after its label, or after its list marker). */
export function sentencesOf(prompt: string, line: Line): Sentence[] {
  let from = line.contentStart;
  if (!line.label) from += LIST_MARKER.exec(prompt.slice(from, line.end))?.[0].length ?? 0;
  const content = prompt.slice(from, line.end);
  return tagSentences(content).map((s) => {
    const text = content.slice(s.start, s.end);
    return { start: from + s.start, end: from + s.end, kind: classifySentence(text, s.tokens), tokens: s.tokens };
  });
}

export function words(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/**
 * Where a sentence's instruction ends: before a quotation that follows its colon ("Write a
 * response to this review: \"Loved the vegan options …\"" — the quotation is material).
 */
export function quotedAfterColon(prompt: string, s: Piece, o: Required<DetectOptions>): number {
  if (!o.pasted) return s.end;
  const m = /:\s*["“][^"”]*["”]?\s*$/.exec(prompt.slice(s.start, s.end));
  return m ? s.start + m.index + 1 : s.end;
}

// A template placeholder: "{text}", "{{ document }}", "<email>", "[article]".
export const PLACEHOLDER = /^(?:\{\{?\s*[\w .-]+\s*\}\}?|<[\w .-]+>|\[[\w .-]+\])$/;

/**
 * A line of material whose content is only a placeholder ("{context}" under "Context:",
 * "Question: {question}"): it stands for a text pasted in later, not a value of the task.
 */
export function standsForMaterial(prompt: string, line: Line): boolean {
  const content = prompt.slice(line.contentStart, line.end).replace(CHAT_MARKER, '').trim();
  // … or only placeholders and punctuation ("- {{ doc.title }}: {{ doc.snippet }}").
  return PLACEHOLDER.test(content) || (/\{\{[^}]*\}\}/.test(content) && !/\p{L}/u.test(prompt.slice(line.start, line.end).replace(/\{\{[^}]*\}\}/g, '')));
}

/** Whether the line right before `line`, in the same paragraph, is prose that only instructs ("Create a workout plan.\nGoal: {goal}"). */
export function continuesInstruction(prompt: string, line: Line): boolean {
  const before = prompt.slice(0, line.start).replace(/\n$/, '');
  const previous = before.slice(before.lastIndexOf('\n') + 1);
  // Prose: not indented, and ending like a sentence (code and log lines do neither).
  if (!/^\S.*[.!?:]$/.test(previous.trimEnd())) return false;
  const sentences = tagSentences(previous);
  return sentences.length > 0 && sentences.every((s) => isInstructionKind(classifySentence(previous.slice(s.start, s.end), s.tokens)));
}
