/**
 * The prompt's layout: where labelled material starts and where the instruction resumes, and which
 * paragraphs of the instruction part are pasted material (code, logs, letters, articles).
 */
import { aboutWriter, isInstructionKind } from './classify.ts';
import { directiveHeading, namesDirectives } from './directives.ts';
import { opensExamples, repeats } from './material.ts';
import { isCode, isCodeLine, isMessage, isPasted, isSignOff, opensLetter } from './pasted.ts';
import { LIST_MARKER, type Line, type Paragraph } from './segment.ts';
import { continuesInstruction, sentencesOf, standsForMaterial } from './sentences.ts';
import type { DetectOptions } from './options.ts';

/**
 * A paragraph headed by a bare label whose lines all instruct ("Rules:\n- Use PostgreSQL
 * syntax.\n- Explain each step."): a section of the instruction, not material.
 */
export function listsInstructions(prompt: string, p: Paragraph, directiveHeads: boolean, placeholders: boolean): boolean {
  const [head, ...rest] = p.lines;
  if (prompt.slice(head.contentStart, head.end).trim() !== '' || rest.length === 0) return false;
  if (directiveHeads && namesDirectives(prompt, head.label?.name ?? '')) return true;
  if (rest.some((l) => l.label)) return false;
  return rest.every((l) => {
    if (placeholders && standsForMaterial(prompt, l)) return false;
    const pieces = sentencesOf(prompt, l);
    return pieces.length > 0 && pieces.every((x) => isInstructionKind(x.kind));
  });
}

/** Whether a labelled line inside a paragraph starts the material: it has content after its label, or ends the prompt ("Output:"). */
export function opensMaterial(prompt: string, line: Line): boolean {
  // A labelled list item ("- Avoid these words: …") is an item of its list, not a frame.
  if (/^[ \t]*[-*•+][ \t]/.test(prompt.slice(line.start, line.end))) return false;
  // Nor is a label naming a directive of the answer ("your job: …", "output format: …", "only comment on: …").
  if (line.label && DIRECTIVE_LABEL.test(line.label.name)) return false;
  return !!line.label && (prompt.slice(line.contentStart, line.end).trim() !== '' || prompt.slice(line.end).trim() === '');
}

// "Two questions", "A few things", "Quick question", "My questions": a count of the writer's own points.
export const OWN_POINTS = /^(?:(?:one|two|three|four|five|a few|a couple of|several|some|my|quick|a quick|one quick|two quick)\s+)+(?:questions?|things|points|issues|asks|requests)$/i;

// Labels naming a directive of the answer: the reader's job, the answer's form or scope.
export const DIRECTIVE_LABEL = /^(?:your (?:job|task|role|goal|answer|reply|output)|output format|response format|answer format|(?:the |our )?policy|only [a-z]+(?: [a-z]+)?)$/i;

/**
 * Where the material starts: at a paragraph that opens with a label ("\n\nInput: …"), or at a
 * labelled line with content inside a paragraph ("…\nInput: …"), after the prompt has begun.
 * Returns the paragraphs before it and the paragraphs from it on (the first one possibly cut).
 */
export function splitAtMaterial(prompt: string, paragraphs: Paragraph[], o: Required<DetectOptions>): [Paragraph[], Paragraph[]] {
  for (let i = 0; i < paragraphs.length; i++) {
    const lines = paragraphs[i].lines;
    // A list of instructions under a label is no material, nor are its labelled items ("- Length: 300 words").
    if (lines[0].label && listsInstructions(prompt, paragraphs[i], o.directiveItems, o.placeholders)) continue;
    // Nor are the items under a heading of directives ("## What to check\n- Readability: names, …").
    if (o.headingDirectives && directiveHeading(prompt, paragraphs[i - 1]?.end ?? 0, paragraphs[i])) continue;
    // A label that counts the writer's own questions or points ("Two questions: why is it slow, and …?") opens no material.
    if (i > 0 && lines[0].label && !OWN_POINTS.test(lines[0].label.name)) return [paragraphs.slice(0, i), paragraphs.slice(i)];
    // Examples from the first line on ("Q: …\nA: …\n\nQ: …\nA:"): material whole, its last question the task.
    if (i === 0 && o.examples && lines[0].label && opensExamples(paragraphs)) return [[], paragraphs];
    const k = lines.findIndex((l, j) => j > 0 && opensMaterial(prompt, l));
    if (k > 0) {
      const head: Paragraph = { start: lines[0].start, end: lines[k - 1].end, lines: lines.slice(0, k) };
      const tail: Paragraph = { start: lines[k].start, end: lines[lines.length - 1].end, lines: lines.slice(k) };
      return [[...paragraphs.slice(0, i), head], [tail, ...paragraphs.slice(i + 1)]];
    }
  }
  return [paragraphs, []];
}

/**
 * Where the instruction resumes after a labelled block in the middle of the prompt (a system
 * prompt's "Clinic information:\nOpening hours: …" or "Background: …", then "Guidelines:\n1. Be
 * respectful …" or "Reply in the owner's language. Keep replies short."): at a paragraph that
 * lists directives, or one before the last that only gives orders, unless the material is a message
 * (whose orders are its writer's) or repeats its labels (examples, turns). The paragraphs from
 * there on belong to the instruction part again.
 */
export function resumeInstruction(prompt: string, instruction: Paragraph[], material: Paragraph[], o: Required<DetectOptions>): [Paragraph[], Paragraph[]] {
  if (!o.directiveItems || material.length < 2) return [instruction, material];
  const lines = material.flatMap((p) => p.lines);
  if (repeats(lines) || isMessage(prompt, lines)) return [instruction, material];
  for (let k = 1; k < material.length; k++) {
    const p = material[k];
    const pieces = p.lines.flatMap((l) => sentencesOf(prompt, l));
    // Under no label, or under one that names directives ("What you must not do: …"), not a field of the block ("Offer B: a data analyst role …").
    const label = p.lines[0].label?.name;
    // (A last paragraph of orders is the closing request, which the material's own reading keeps.)
    const orders = k < material.length - 1 && (!label || namesDirectives(prompt, label) || /^(?:what|how|when|where|things)\b.*\b(?:you|to)\b/i.test(label)) && pieces.length > 0 && pieces.every((x) => x.kind === 'imperative' || x.kind === 'request');
    // A directive label before an order, even closing the prompt ("Guidelines: Include the salary range …").
    const labelledOrder = !!label && namesDirectives(prompt, label) && (pieces[0]?.kind === 'imperative' || pieces[0]?.kind === 'request');
    if (orders || labelledOrder || (p.lines[0].label && listsInstructions(prompt, p, true, o.placeholders)) || directiveHeading(prompt, material[k - 1].end, p)) return [[...instruction, ...material.slice(k)], material.slice(0, k)];
  }
  return [instruction, material];
}

/**
 * Whether the paragraph before `p` ends in a lead-in that names directives ("When you answer
 * questions about our return policy, follow these rules:"): then `p` lists them, whatever their
 * grammar ("* Refunds are possible within 30 days."), and is no pasted material.
 */
export function headedByDirectives(prompt: string, paragraphs: Paragraph[], p: Paragraph, o: Required<DetectOptions>): boolean {
  const previous = paragraphs[paragraphs.indexOf(p) - 1];
  if (o.headingDirectives && directiveHeading(prompt, previous?.end ?? 0, p)) return true;
  if (!o.directiveItems || !previous) return false;
  const last = previous.lines[previous.lines.length - 1];
  const text = prompt.slice(last.start, last.end).trimEnd();
  return text.endsWith(':') && namesDirectives(prompt, text);
}

// A Markdown heading naming reference data rather than the task: "# Reference", "## Context", "# Facts", "## Background".
export const REFERENCE_HEADING = /^ {0,3}#{1,6}[ \t]+(?:reference|references|context|facts|background|data|information|info|knowledge|details|documents?|sources?)[ \t]*$/i;

/** Whether the Markdown heading right above `p` (after `from`) names reference data. */
export function referenceHeading(prompt: string, from: number, p: Paragraph): boolean {
  const between = prompt.slice(from, p.start).split('\n').filter((l) => l.trim() !== '');
  return between.length > 0 && REFERENCE_HEADING.test(between[between.length - 1]);
}

/** Whether the prompt ends in an empty label, the answer slot of a template instance ("Input: …\n\nOutput:"). */
export function endsInAnswerSlot(paragraphs: Paragraph[]): boolean {
  const last = paragraphs[paragraphs.length - 1]?.lines.at(-1);
  return !!last?.label && last.contentStart >= last.end;
}

/** Whether a paragraph's first sentence is about the writer ("I tried …", "Our team …"). */
export function writerSpeaks(prompt: string, p: Paragraph): boolean {
  const first = p.lines.flatMap((l) => sentencesOf(prompt, l))[0];
  return !!first && aboutWriter(first.tokens);
}

/** The instruction part without its pasted material: the paragraphs from the first pasted one to the last. */
export function withoutPasted(prompt: string, paragraphs: Paragraph[], o: Required<DetectOptions>): { kept: Paragraph[] } {
  if (!o.pasted) return { kept: paragraphs };
  const instructs = (p: Paragraph) => {
    if (headedByDirectives(prompt, paragraphs, p, o)) return true;
    const pieces = p.lines.flatMap((l) => sentencesOf(prompt, l));
    return pieces.filter((s) => s.kind === 'imperative' || s.kind === 'request' || s.kind === 'question').length * 2 > pieces.length;
  };
  const pasted = paragraphs.map((p, i) => isPasted(prompt, p, paragraphs[i - 1], instructs, o.textPointers, paragraphs[i + 1]));
  // A sign-off closing the prompt right after orders ("Keep it short.\n\nThanks,\nAnna") is the
  // writer's own, not the end of a pasted e-mail.
  const n = paragraphs.length;
  // Unless a letter opened earlier ("Dear Ms. Weber,\n\n… Please let us know …\n\nKind regards,"): the sign-off closes it.
  const letter = paragraphs.slice(0, n - 2).some((p, i) => pasted[i] && opensLetter(prompt, p));
  if (n >= 2 && pasted[n - 1] && isSignOff(prompt, paragraphs[n - 1]) && instructs(paragraphs[n - 2]) && !letter) pasted[n - 1] = false;
  // Pasted material runs on over the paragraphs after it ("Hand hygiene compliance fell …\n\nThe most commonly missed moment …")
  // up to one that instructs, one in the writer's own voice, or the last paragraph.
  // Inside a letter, until its sign-off, "we" and "I" are its writer's ("Dear Customer,\n\nWe regret to inform you …").
  let inLetter = false;
  for (let i = 1; i < n - 1; i++) {
    if (pasted[i - 1] && opensLetter(prompt, paragraphs[i - 1])) inLetter = true;
    if (pasted[i - 1] && isSignOff(prompt, paragraphs[i - 1])) inLetter = false;
    if (o.pastedRuns && pasted[i - 1] && !pasted[i] && !instructs(paragraphs[i]) && (inLetter || !writerSpeaks(prompt, paragraphs[i]))) pasted[i] = true;
  }
  const first = pasted.indexOf(true);
  if (first < 0) return { kept: paragraphs };
  const last = pasted.lastIndexOf(true);
  return { kept: [...paragraphs.slice(0, first), ...paragraphs.slice(last + 1)] };
}

/**
 * A paragraph whose first line is prose that only instructs and whose other lines are code or
 * examples ("Give the opposite of each word.\nhot -> cold\nearly -> late"): the order is a
 * paragraph of its own, so the lines after it can be read as material.
 */
export function withOrderApart(prompt: string, p: Paragraph, o: Required<DetectOptions>): Paragraph[] {
  if (!o.pasted || p.lines.length < 3 || p.lines[0].label) return [p];
  const rest: Paragraph = { start: p.lines[1].start, end: p.end, lines: p.lines.slice(1) };
  // Not a lead-in's list ("For every claim:\n(a) state whether …;\n(b) give …;"): those are its items.
  if (/:\s*$/.test(prompt.slice(p.start, p.lines[0].end)) || rest.lines.some((l) => LIST_MARKER.test(prompt.slice(l.start, l.end)))) return [p];
  // (The first line must be prose, not the first line of the log: "[09:14] Ravi: did anyone see the quote?")
  if (isCodeLine(prompt.slice(p.lines[0].start, p.lines[0].end)) || !continuesInstruction(prompt, p.lines[1]) || !isCode(prompt, rest)) return [p];
  return [{ start: p.start, end: p.lines[0].end, lines: [p.lines[0]] }, rest];
}
