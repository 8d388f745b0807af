/**
 * Instruction-span detection: lay the prompt out in paragraphs and lines, find where material
 * sections start ("Input:"-style labels opening a paragraph), classify the sentences elsewhere,
 * and keep those that instruct plus the task markers.
 */
import type { Span } from '../analysis.ts';
import { DOUBT, LEADING_POS, aboutWriter, classifySentence, isFiller, isInstructionKind, statesConstraint } from './classify.ts';
import { namesDirectives, ROLE_OPENING } from './directives.ts';
import { materialSections } from './material.ts';
import type { TaggedToken } from './nlp.ts';
import { tagSentences } from './nlp.ts';
import { DEFAULT_OPTIONS, type DetectOptions } from './options.ts';
import { CHAT_MARKER } from './pasted.ts';
import { endsInAnswerSlot, headedByDirectives, referenceHeading, resumeInstruction, splitAtMaterial, withOrderApart, withoutPasted } from './sections.ts';
import { splitParagraphs, type Line, type Paragraph } from './segment.ts';
import { quotedAfterColon, sentencesOf, standsForMaterial, statesLimit, words, type Range, type Sentence } from './sentences.ts';
import { normalizeSpans } from './spans.ts';

export { DEFAULT_OPTIONS, type DetectOptions } from './options.ts';

/**
 * A statement about a thing, led by a pronoun or a determiner ("It's supposed to …", "Nothing
 * changed …", "The list has …"), not an existential sentence, a fragment or an order the tagger
 * misread ("Non-technical language, max 100 words.", "Use explicit JOINs …").
 */
function aboutSomething(tokens: TaggedToken[]): boolean {
  const first = tokens.find((t) => !LEADING_POS.has(t.pos));
  // "There are two bugs in this method." says what the task is to find: no fact of the situation.
  if (!first || /^there(?:'s|’s)?$/.test(first.lower)) return false;
  if ((first.pos === 'PRON' || first.pos === 'DET') && tokens.some((t) => t.pos === 'AUX' || (t.pos === 'VERB' && t.lower !== t.lemma))) return true;
  // What a tool or a person says ("Postgres says column … does not exist."): reported words, a fact of the situation.
  return reports(tokens);
}

/** A sentence that reports what someone or something says ("Postgres says …", "My contract says …"): its subject, then says/said/claims. */
function reports(tokens: TaggedToken[]): boolean {
  const k = tokens.findIndex((t) => /^(?:says|said|claims|claimed|states|stated)$/.test(t.lower));
  return k > 0 && k <= 3 && tokens.slice(0, k).every((t) => t.pos === 'NOUN' || t.pos === 'PROPN' || t.pos === 'DET' || t.pos === 'PRON' || t.pos === 'ADJ');
}

/** A bare label naming a thing, alone on its line before more lines ("Rules:\n- …", "Job description:\n{…}"): a heading, not a field ("Follow these steps:" is an order). */
function isBareHeading(prompt: string, p: Paragraph, k: number): boolean {
  const line = p.lines[k];
  if (!line.label || k === p.lines.length - 1 || prompt.slice(line.contentStart, line.end).trim() !== '') return false;
  const head = prompt.slice(line.label.start, line.label.end);
  const [sentence] = tagSentences(head);
  return !!sentence && classifySentence(head, sentence.tokens) === 'heading';
}

/** Whether a label read as a sentence orders or asks ("Make this sound friendlier:", "Reply to this email:"). */
function ordersOrAsks(text: string): boolean {
  const [sentence] = tagSentences(text);
  const kind = sentence && classifySentence(text, sentence.tokens);
  return kind === 'imperative' || kind === 'request' || kind === 'question' || kind === 'task' || DOUBT.test(text);
}

function instructionParagraph(prompt: string, p: Paragraph, o: Required<DetectOptions>, out: Range[], pointsAhead: boolean, promptInstructs: boolean, templateInstance: boolean, underDirectives = false, nearPasted = false): Sentence[] {
  // A placeholder alone on its line ("{{query}}" under "### Query") stands for material, wherever it is.
  const pieces = p.lines.filter((line) => !(o.placeholders && !line.label && standsForMaterial(prompt, line))).flatMap((line) => sentencesOf(prompt, line));
  // A lead-in closing a paragraph before more of the prompt ("I got this from a recruiter:", "Here's my
  // Dockerfile:") only points at what follows: not an order, a question or the writer's doubt about
  // it ("… and I'm not sure what it means:").
  // Nor one that heads rules ("When you answer, follow these rules:").
  const pointer = pieces[pieces.length - 1];
  const pointerText = pointer ? prompt.slice(pointer.start, pointer.end) : '';
  // "Here is the text we'll use:" points as well, though "Here is …" describes the given material elsewhere.
  const herePointer = o.herePointers && pointer?.kind === 'task' && /^(?:here|below)(?:'s| is| are)\b.*:$/i.test(pointerText.trim());
  if (pointsAhead && (pointer?.kind === 'lead-in' || herePointer) && !DOUBT.test(pointerText) && !namesDirectives(prompt, pointerText)) pieces.pop();
  // … while the paragraph it closes still describes the task given ("The movie tagline is … Here is an example:").
  const pointedTask = herePointer && pieces[pieces.length - 1] !== pointer;
  const limits = (s: Sentence) => statesConstraint(prompt.slice(s.start, s.end));
  // The writer's own facts are not context; their limits are.
  // A paragraph that opens with the writer's own fact is their story, up to its first instruction: the statements
  // there are their situation too ("My daughter is 7 … Her teacher says she's fine. How do I …?").
  const firstOrder = pieces.find((s) => isInstructionKind(s.kind))?.start ?? Infinity;
  const story = !!pieces[0] && !isInstructionKind(pieces[0].kind) && aboutWriter(pieces[0].tokens);
  // In a system prompt that gives the reader a role ("You are a support agent for Northwind Bikes."), "our"/"we" are the reader's employer: their statements
  // with an amount are its policy ("Our return window is 60 days …"), not the writer's facts ("Our customers are busy parents." stays a fact).
  const policy = (s: Sentence) => ROLE_OPENING.test(prompt) && /^(?:our|we)\b/i.test(prompt.slice(s.start, s.end)) && s.tokens.some((t) => t.pos === 'NUM');
  const ownFact = (s: Sentence) => o.ownFacts && !templateInstance && !policy(s) && (aboutWriter(s.tokens) || (story && s.start < firstOrder) || (o.pastedFacts && nearPasted && s.kind === 'statement' && aboutSomething(s.tokens))) && !limits(s);
  const statements = pieces.filter((s) => !isInstructionKind(s.kind) && !isFiller(s));
  const statementWords = statements.reduce((n, s) => n + words(prompt.slice(s.start, s.end)), 0);
  const instructs = (pointedTask || pieces.some((s) => isInstructionKind(s.kind))) && statements.length <= o.contextStatements && statementWords <= o.contextWords;
  // A bare label closing the paragraph before more of the prompt ("Here's my Dockerfile:", "Company policy for travel:") points at what follows, unless it names directives.
  const pointsAt = (line: Line, k: number) => pointsAhead && k === p.lines.length - 1 && prompt.slice(line.contentStart, line.end).trim() === '' && !namesDirectives(prompt, line.label!.name) && !ordersOrAsks(prompt.slice(line.label!.start, line.label!.end));
  // Lines after a line that ends in a colon are the items it introduces.
  const leadIn = p.lines.findIndex((l) => prompt.slice(l.start, l.end).trimEnd().endsWith(':'));
  const itemsFrom = underDirectives ? p.start : o.leadInItems && leadIn >= 0 && leadIn < p.lines.length - 1 ? p.lines[leadIn].end : Infinity;
  // Items under a head that names them as directives ("Rules:", "Requirements for the function:") are orders, whatever their grammar.
  const directives = underDirectives || (o.directiveItems && itemsFrom < Infinity && namesDirectives(prompt, prompt.slice(p.lines[leadIn].start, p.lines[leadIn].end)));
  // A label heading background statements ("Background: our team handles …") names them; it does not instruct, unless it orders itself ("Translate to French: the cat sleeps.").
  const headsStatement = (line: Line) => { if ((directives && line.start >= itemsFrom) || tagSentences(prompt.slice(line.label!.start, line.label!.end))[0]?.tokens[0]?.pos === 'VERB') return false; const first = sentencesOf(prompt, line)[0]; return !!first && first.kind === 'statement' && !limits(first); };
  for (const [k, line] of p.lines.entries()) if (line.label && !(o.directiveItems && isBareHeading(prompt, p, k)) && !pointsAt(line, k) && !headsStatement(line)) out.push([line.label.start, line.label.end]);
  // A short phrase without a verb opening a paragraph only announces its topic ("Quick question about houseplants."): no context; a limit in one is ("Max 50 minutes a day.").
  const announces = (s: Sentence) => s === pieces[0] && pieces.length > 1 && words(prompt.slice(s.start, s.end)) <= 6 && !s.tokens.some((t) => t.pos === 'VERB' || t.pos === 'AUX') && !limits(s);
  const context = (s: Sentence) => o.context && !isFiller(s) && s.kind !== 'heading' && s.start < itemsFrom && ((instructs && !ownFact(s) && !announces(s)) || (o.constraints && promptInstructs && statesLimit(prompt, s)));
  for (const s of pieces) if (isInstructionKind(s.kind) || (directives && s.start >= itemsFrom && !isFiller(s)) || context(s)) out.push([s.start, quotedAfterColon(prompt, s, o)]);
  return pieces.filter((s) => isInstructionKind(s.kind));
}

/** The ranges with chat-template markers cut out: they frame the prompt, they do not instruct. */
function withoutChatMarkers(prompt: string, ranges: Range[]): Range[] {
  const markers = [...prompt.matchAll(CHAT_MARKER)].map((m): Range => [m.index, m.index + m[0].length]);
  let out = ranges;
  for (const [ms, me] of markers) out = out.flatMap(([s, e]): Range[] => (me <= s || ms >= e ? [[s, e]] : [[s, ms], [me, e]].filter(([a, b]) => a < b) as Range[]));
  return out;
}

export function detectWith(prompt: string, options: DetectOptions = {}): Span[] {
  return detectTraced(prompt, options).spans;
}

/** The rules' spans and where they put the prompt's parts: signals the learned-decision experiment (tools/spans/learn.ts) reads. */
export interface DetectTrace {
  spans: Span[];
  /** Where the material part starts (a paragraph-opening label, "Input: …"); the prompt's length when there is none. */
  materialStart: number;
  /** Paragraphs of the instruction part read as pasted material (code, an e-mail, a quotation, what a lead-in introduces). */
  pasted: Array<[number, number]>;
  /** Whether the prompt ends in an empty answer slot ("Output:"). */
  answerSlot: boolean;
}

export function detectTraced(prompt: string, options: DetectOptions = {}): DetectTrace {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const out: Range[] = [];
  const paragraphs = splitParagraphs(prompt).flatMap((p) => withOrderApart(prompt, p, o));
  const [leading, after] = splitAtMaterial(prompt, paragraphs, o);
  const [instruction, material] = resumeInstruction(prompt, leading, after, o);
  // A labelled block the instruction resumes after is reference material, shown rather than specified (as what a lead-in points at);
  // so is a block under a heading that names reference data ("# Reference\nFraud line: …", "## Context").
  const reference = material.length < after.length || (!!material[0] && referenceHeading(prompt, leading.at(-1)?.end ?? 0, material[0]));
  const { kept } = withoutPasted(prompt, instruction, o);
  const nearPasted = kept.length < instruction.length || material.length > 0;
  // (The closing paragraph counts too when it sits after the material: "My idea: …\n\n… I'd like you to suggest three scenes.")
  const promptInstructs = [...kept, ...paragraphs.slice(-1)].some((p) => p.lines.some((l) => sentencesOf(prompt, l).some((s) => isInstructionKind(s.kind))));
  const instructions = kept.flatMap((p) => instructionParagraph(prompt, p, o, out, o.pasted && prompt.slice(p.end).trim() !== '', promptInstructs, endsInAnswerSlot(paragraphs), headedByDirectives(prompt, instruction, p, o), nearPasted));
  // The material is split into sections at paragraph-opening labels ("Input:", "Output:").
  const sections: Paragraph[][] = [];
  for (const p of material) {
    if (p.lines[0].label || sections.length === 0) sections.push([p]);
    else sections[sections.length - 1].push(p);
  }
  // The instruction part closes with a lead-in that only points at the material (not an order, a question, a doubt or directives).
  const before = kept.at(-1);
  const lead = before && before.end <= (material[0]?.start ?? 0) ? before.lines.flatMap((l) => sentencesOf(prompt, l)).at(-1) : undefined;
  const leadText = lead ? prompt.slice(lead.start, lead.end) : '';
  const pointedAt = !!lead && (lead.kind === 'lead-in' || /^(?:here|below)(?:'s| is| are)\b.*:$/i.test(leadText.trim())) && !DOUBT.test(leadText) && !namesDirectives(prompt, leadText) && material[0] !== undefined;
  if (sections.length) materialSections(prompt, sections, o, out, instructions, pointedAt || reference);
  const pasted = instruction.filter((p) => !kept.includes(p)).map((p): Range => [p.start, p.end]);
  return { spans: normalizeSpans(prompt, withoutChatMarkers(prompt, out)), materialStart: material[0]?.start ?? prompt.length, pasted, answerSlot: endsInAnswerSlot(paragraphs) };
}
