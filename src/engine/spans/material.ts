/**
 * The material sections of a prompt ("Input: …", a labelled record, few-shot items, a transcript):
 * what of them counts as instruction (frame and field labels, short task parameters, the closing
 * request, the questions the task answers).
 */
import { isInstructionKind, operatesOn, ordersReply } from './classify.ts';
import { isHeaderLine, isMessage } from './pasted.ts';
import { splitLines, type Line, type Paragraph } from './segment.ts';
import { quotedAfterColon, sentencesOf, standsForMaterial, continuesInstruction, statesLimit, words, type Range, type Sentence } from './sentences.ts';
import type { DetectOptions } from './options.ts';

export const OUTPUT_FIELD = /^(?: {2,}|\t)[^\s:]+(?: [^\s:]+)*:|:(?: {3,}|\t)\S/;

/**
 * Labels that open the lines of a material section. When a label repeats, the material is a
 * transcript and its labels are speaker turns ("Ann:", "Bob:"), not task markers.
 */
export function fieldLabels(lines: Line[]): Range[] {
  if (repeats(lines)) return [];
  return lines.filter((l) => l.label).map((l) => [l.label!.start, l.label!.end]);
}

/** Whether the first paragraph's opening label opens a later paragraph too: repeated examples. */
export function opensExamples(paragraphs: Paragraph[]): boolean {
  const name = (p: Paragraph) => p.lines[0].label?.name.toLowerCase();
  return paragraphs.length > 1 && paragraphs.slice(1).some((p) => name(p) === name(paragraphs[0]));
}

/** Whether some label name occurs twice; numbered labels ("Review 1:", "Review 2:") repeat too. */
export function repeats(lines: Line[]): boolean {
  const names = lines.filter((l) => l.label).map((l) => l.label!.name.toLowerCase().replace(/[\s#]*\d+$/, ''));
  return new Set(names).size < names.length;
}

/**
 * The material sections of a prompt (from a paragraph-opening label to the end, e.g. "Input:
 * …" and "Output:"): the opening labels are frame markers. A text the instructions operate on
 * counts only where it asks a question; otherwise field labels inside are markers, and the
 * material counts whole when it is short (a task parameter such as a topic or a search term).
 */
export function materialSections(prompt: string, sections: Paragraph[][], o: Required<DetectOptions>, out: Range[], instructions: Sentence[], pointedAt = false): void {
  const lines: Line[] = [];
  // Lines of sections that continue an order ("Goal: {goal}"): fields of the task, placeholders included.
  const taskFields = new Set<Line>();
  const frame = (label: Line['label']) => {
    if (o.frameMarkers && label) out.push([label.start, label.end]);
  };
  for (const section of sections) {
    const opener = section[0].lines[0];
    // A label on a line that continues a paragraph ("Create a workout plan.\nGoal: {goal}") is a
    // field of the task, not a frame that opens the material.
    if (o.inlineFields && continuesInstruction(prompt, opener)) {
      lines.push(opener);
      for (const p of section) lines.push(...p.lines.filter((l) => l !== opener));
      for (const p of section) for (const l of p.lines) taskFields.add(l);
      continue;
    }
    frame(opener.label);
    // The rest of the opening line can start with a field label of its own ("Input: Genre: Crime").
    const nested = splitLines(prompt.slice(opener.contentStart, opener.end))[0];
    lines.push({ ...opener, label: nested.label && { ...nested.label, start: opener.contentStart + nested.label.start, end: opener.contentStart + nested.label.end }, contentStart: opener.contentStart + (nested.contentStart - nested.start) });
    for (const p of section) lines.push(...p.lines.filter((l) => l !== opener));
  }
  // An empty label closing the prompt is the answer slot ("Output:", "Sentiment:"): frame too.
  const last = lines[lines.length - 1];
  const slotLine = lines.length > 1 && !!last.label && prompt.slice(last.contentStart).trim() === '';
  if (slotLine) frame(lines.pop()!.label);
  // A closing paragraph made only of instructions ("Summarize the text above.") is not material.
  const slotOnly = (sec: Paragraph[]) => sec.length === 1 && sec[0].lines.length === 1 && prompt.slice(sec[0].lines[0].contentStart, sec[0].end).trim() === '';
  const slotSection = sections.length > 1 && slotOnly(sections[sections.length - 1]);
  const answerSlot = slotLine || slotSection;
  const tail = slotSection ? sections[sections.length - 2] : sections[sections.length - 1];
  const closing = tail.length > 1 ? tail[tail.length - 1] : undefined;
  // … unless it is a pasted message itself ("Dear Applicant,\n… please reply with …\nRegards,\nHR"): its orders are its writer's.
  const closingMessage = !!closing && o.closingMessages && isMessage(prompt, closing.lines);
  if (closing && o.closingInstructions && !closingMessage) {
    const pieces = closing.lines.flatMap((l) => sentencesOf(prompt, l));
    // (A question to the reader orders too: "Can you write a short, firm letter citing the right clause?"; not one to a named
    // person of the material: "Lucia, can you draft clearer copy?")
    const orders = (x: Sentence) => x.kind === 'imperative' || x.kind === 'request' || (x.kind === 'question' && /\b(?:you|your)\b/i.test(prompt.slice(x.start, x.end)) && !/^[A-Z][a-z]+,\s/.test(prompt.slice(x.start, x.end)));
    if (pieces.length && (pieces.every((x) => isInstructionKind(x.kind)) || (o.closingOrders && pieces.some(orders)))) {
      // … with the budgets and bounds it states ("I can afford maybe $100 more.", "Budget is max 60 euro per person per day."), not
      // the writer's statements with a limit word alone ("I'm 27 and don't have kids." tells about them).
      const own = pieces.filter((x) => isInstructionKind(x.kind) || (o.constraints && statesLimit(prompt, x, false)));
      for (const x of own) out.push([x.start, quotedAfterColon(prompt, x, o)]);
      instructions = [...instructions, ...own];
      const drop = new Set(closing.lines);
      lines.splice(0, lines.length, ...lines.filter((l) => !drop.has(l)));
    }
  }
  // Labels that repeat, counting the sections' own ("Product:" … "Product:"), are several items of
  // one kind (few-shot examples, turns): no field markers, and not one parameter of the task.
  const items = o.examples && repeats(sections.flatMap((s) => s.flatMap((p) => p.lines)));
  // In examples, only the last item's questions are still to be answered.
  const lastItem = items && sections.length > 1 ? sections[sections.length - 1][0].start : 0;
  // A pasted e-mail's questions are addressed to its recipient ("Could you refund the charge?"),
  // unless the model is that recipient, told to answer it ("Answer politely …").
  const message = o.pasted && isMessage(prompt, lines) && !instructions.some((s) => ordersReply(s.tokens));
  // The turns of a transcript ("Alex: did anyone change …?\nBeth: …\nAlex: …") are the speakers' questions to each other.
  const turns = new Set<number>();
  if (o.turns && !instructions.some((s) => ordersReply(s.tokens))) for (const p of sections.flat()) if (repeats(p.lines)) for (const l of p.lines) if (l.label) turns.add(l.start);
  // Few-shot items the task labels or judges ("Tag each ticket …"): the last item's question is to be labelled, not answered.
  const labelled = o.examples && items && instructions.some((s) => operatesOn(s.tokens)) && !instructions.some((s) => ordersReply(s.tokens));
  const questions = () => {
    if (o.materialQuestions && !message && !labelled) for (const l of lines) if (!turns.has(l.start)) for (const s of sentencesOf(prompt, l)) if (s.kind === 'question' && s.start >= lastItem) out.push([s.start, s.end]);
  };
  // Material the task operates on ("Rewrite the text", "Classify the email") is not instruction,
  // however short: only the questions it asks count. That needs a text, with clauses; a name, a
  // title or a formula stays a parameter ("Summarize the movie." — "Input: Heat").
  const isText = lines.some((l) => sentencesOf(prompt, l).some((x) => x.tokens.some((t) => t.pos === 'VERB' || t.pos === 'AUX')));
  if (o.operands && isText && instructions.some((s) => operatesOn(s.tokens))) return questions();
  // A message from someone else ("Customer: …", "Comment: …"): its statements are theirs, only its questions can be the task.
  const opener = sections[0][0].lines[0].label?.name ?? '';
  if (o.operands && isText && MESSAGE.test(opener)) return questions();
  // Labels indented or with values aligned in a column ("  Reason:       OOMKilled") are a tool's output: material, not the task's fields or parameters.
  if (lines.some((l) => l.label && OUTPUT_FIELD.test(prompt.slice(l.start, l.end)))) return questions();
  // Material a lead-in only points at ("Here are some examples of our release notes:\n\n- Fixed: …") is shown, not specified: no fields, no parameter.
  if (pointedAt && !answerSlot) return questions();
  // An e-mail's header lines ("From: …", "Subject: …") are the message's, no fields of the task ("From: <place>\nTo: <place>" without a subject are).
  const mail = o.pasted && lines.some((l) => /^subject:/i.test(prompt.slice(l.start, l.end).trim()));
  const fields = items ? [] : fieldLabels(lines.filter((l) => !(mail && isHeaderLine(prompt.slice(l.start, l.end)))));
  out.push(...fields);
  // In a template's record of fields ("Product name: {name}\nKey features: {features}"), the first label is a field too, unless it names the material's frame ("Input: {text}").
  const first = sections[0][0].lines[0];
  if (fields.length > 0 && first.label && !o.frameMarkers && standsForMaterial(prompt, first) && !FRAME_NAME.test(first.label.name)) out.push([first.label.start, first.label.end]);
  const content = lines.map((l) => prompt.slice(l.contentStart, l.end)).join('\n');
  // In a template instance (material, then an empty answer slot), prose the task produces from
  // rather than operates on describes what to produce ("Input: This blog post is going to be
  // about …"): it counts whole up to a longer limit. A record of labelled fields does not.
  const specification = answerSlot && lines.filter((l) => l.label).length < 2 && words(content) <= o.specificationWords;
  if (!items && (words(content) <= o.parameterWords || specification)) {
    for (const l of lines) if (!(o.placeholders && !taskFields.has(l) && standsForMaterial(prompt, l))) out.push([l.contentStart, l.end]);
    return;
  }
  questions();
}

// Labels that frame the material as a whole rather than name one field of it: a general class of English nouns.
export const FRAME_NAME = /^(?:inputs?|outputs?|text|context|data|examples?|documents?|passage|article|e-?mail|message|answer|response|question|query|source|content|transcript|log|code|snippet|excerpt|sentence|paragraph|story|conversation|dialogue|review)$/i;

// Labels naming a message or its author: a general class of English nouns.
export const MESSAGE = /^(?:customer|user|client|student|patient|caller|guest|visitor|human|comment|message|review|tweet|post|reply|e-?mail|text message|customer message|user message)$/i;
