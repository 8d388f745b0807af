/**
 * Instruction-span detection: lay the prompt out in paragraphs and lines, find where material
 * sections start ("Input:"-style labels opening a paragraph), classify the sentences elsewhere,
 * and keep those that instruct plus the task markers.
 */
import type { Span } from '../analysis.ts';
import { DOUBT, LEADING_POS, aboutWriter, classifySentence, concludesLimit, isFiller, isInstructionKind, operatesOn, opensWithBound, ordersReply, statesBudget, statesConstraint, statesNeed, statesTaste } from './classify.ts';
import type { TaggedToken } from './nlp.ts';
import { tagSentences } from './nlp.ts';
import { LIST_MARKER, splitLines, splitParagraphs, type Line, type Paragraph } from './segment.ts';
import { CHAT_MARKER, isCode, isCodeLine, isHeaderLine, isMessage, isPasted, isSignOff, opensLetter } from './pasted.ts';
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
  /** Count the questions inside long material (a question the material itself asks). */
  materialQuestions?: boolean;
  /** Read a last paragraph after the material that only instructs as instruction. */
  closingInstructions?: boolean;
  /**
   * Tell the material a task operates on ("Rewrite the text", "Classify the email": the text is
   * not instruction, however short) from the specification of something to produce ("Write a
   * review of the product", "Plan the trip": short material is a task parameter).
   */
  operands?: boolean;
  /**
   * Pasted material without a label (code, logs, a quotation, an e-mail, the paragraphs a lead-in
   * introduces) is not instruction: from the first such paragraph to the last.
   */
  pasted?: boolean;
  /** A paragraph's statements count as context only when it has at most this many (a short setup, not a story). */
  contextStatements?: number;
  /** … and when those statements have at most this many words together. */
  contextWords?: number;
  /** Short material made of repeated labels (few-shot examples, turns) is not a task parameter. */
  examples?: boolean;
  /** Statements listed after a lead-in inside a paragraph ("… like these:\n- …") are items, not context. */
  leadInItems?: boolean;
  /** A placeholder alone on its line ("{context}", "{{document}}") stands for pasted material: not instruction. */
  placeholders?: boolean;
  /** A labelled line inside a paragraph, right after an order, is a field of the task, not a frame marker. */
  inlineFields?: boolean;
  /** Items under a head naming directives ("Rules:", "Requirements …:") count; a bare label heading a list does not. */
  directiveItems?: boolean;
  /** … and the orders of a last paragraph after the material that also tells something ("I'm 27. Lay out the pros and cons."). */
  closingOrders?: boolean;
  /**
   * In a template instance (instruction, material, empty answer slot such as "Output:"), prose
   * material of at most this many words that the task produces from (not operates on) is the
   * task's specification and counts whole, like a task parameter; a record of labelled fields
   * does not. 0 turns it off.
   */
  specificationWords?: number;
  /**
   * Facts of the writer's own situation ("I have a 3-year-old laptop.", "My daughter is 7.") are
   * the subject of the question, not context, unless they state a limit (see `constraints`).
   */
  ownFacts?: boolean;
  /**
   * A statement of a limit, a requirement or a preference ("We don't own a microwave.", "Our
   * budget is tight.") counts wherever it stands in the instruction part of a prompt that
   * instructs, even in a paragraph of background.
   */
  constraints?: boolean;
  /**
   * A transcript's turns (a paragraph whose speaker labels repeat: "Alex: …\nBeth: …\nAlex: …")
   * ask their questions of each other, not of the model, unless the task is to answer them.
   */
  turns?: boolean;
  /** The paragraph after one that names a text with a demonstrative ("Translate this press release …") is that text, unless it instructs. */
  textPointers?: boolean;
  /**
   * In a prompt with pasted or labelled material (code, a log, an e-mail, a quotation), the statements next to
   * the request are facts about that material or the writer's situation ("It's supposed to return
   * the median.", "Nothing changed in the script."), not context, unless they state a limit.
   */
  pastedFacts?: boolean;
  /** Items under a Markdown heading naming directives or what the reader does ("## What to check") count whatever their grammar. */
  headingDirectives?: boolean;
  /** A last paragraph after labelled material that is a message (a greeting first, a sign-off) is material, not the closing request. */
  closingMessages?: boolean;
  /** A lead-in "Here is/are …:" closing a paragraph before more of the prompt only points at it, as other lead-ins do. */
  herePointers?: boolean;
  /** Pasted material runs on over the paragraphs after it up to one that instructs, one in the writer's voice, or the last one. */
  pastedRuns?: boolean;
}

export const DEFAULT_OPTIONS: Required<DetectOptions> = { frameMarkers: false, parameterWords: 20, context: true, materialQuestions: true, closingInstructions: true, operands: true, pasted: true, contextStatements: 3, contextWords: 50, examples: true, leadInItems: true, placeholders: true, inlineFields: true, closingOrders: true, directiveItems: true, specificationWords: 90, ownFacts: true, constraints: true, turns: true, textPointers: true, pastedFacts: true, headingDirectives: true, closingMessages: true, herePointers: true, pastedRuns: true };

type Range = [number, number];

interface Piece {
  start: number;
  end: number;
}

type Sentence = Piece & { kind: ReturnType<typeof classifySentence>; tokens: TaggedToken[] };


/**
 * A statement of a limit, a requirement or a preference the answer must fit, wherever it stands:
 * the writer's ("I can't run more than 5 km.", "We don't own a car." only with `cues`), drawn as a
 * consequence, a budget, a taste, what someone cannot do or eat, a bound as the subject (see classify.ts).
 */
function statesLimit(prompt: string, s: Sentence, cues = true): boolean {
  const text = prompt.slice(s.start, s.end);
  return s.kind === 'statement' && ((aboutWriter(s.tokens) && statesConstraint(text, cues)) || concludesLimit(text) || statesBudget(text) || statesTaste(text) || statesNeed(text) || opensWithBound(text));
}

/** Sentences of a line's content (after its label, or after its list marker). */
function sentencesOf(prompt: string, line: Line): Sentence[] {
  let from = line.contentStart;
  if (!line.label) from += LIST_MARKER.exec(prompt.slice(from, line.end))?.[0].length ?? 0;
  const content = prompt.slice(from, line.end);
  return tagSentences(content).map((s) => {
    const text = content.slice(s.start, s.end);
    return { start: from + s.start, end: from + s.end, kind: classifySentence(text, s.tokens), tokens: s.tokens };
  });
}

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

// Nouns that name a list of directives: a general class of English words, not words of one data set;
// or what the reader does ("What you can help with:", "Things to check:").
const DIRECTIVES = /^\s*(?:[-*•+]\s+)?(?:what|things|topics)\b[^:\n]*\b(?:you|to)\b|\b(?:rules?|requirements?|constraints?|guidelines?|instructions?|restrictions?|criteria|specifications?|style guide|dos|don'?ts)\b/i;

/**
 * Whether a label or lead-in names directives (see DIRECTIVES); in a prompt that gives the reader
 * a role, a bare "Policies:" does too (the assistant's own policies; "Company policy for employee
 * travel:" heads a policy the task applies, material).
 */
function namesDirectives(prompt: string, text: string): boolean {
  return DIRECTIVES.test(text) || (ROLE_OPENING.test(prompt) && /^\s*(?:[-*•+]\s+)?(?:our |your |the )?policies:?\s*$/i.test(text));
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

function words(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

/**
 * Where a sentence's instruction ends: before a quotation that follows its colon ("Write a
 * response to this review: \"Loved the vegan options …\"" — the quotation is material).
 */
function quotedAfterColon(prompt: string, s: Piece, o: Required<DetectOptions>): number {
  if (!o.pasted) return s.end;
  const m = /:\s*["“][^"”]*["”]?\s*$/.exec(prompt.slice(s.start, s.end));
  return m ? s.start + m.index + 1 : s.end;
}

// A prompt that opens by giving the reader a role, after any tag or heading: "You are …", "You're …", "<system>\nYou are …", "# Role\nYou are …".
const ROLE_OPENING = /^\s*(?:<[^>\n]+>\s*|#+[^\n]*\n\s*|system:\s*)?you(?: are|'re|’re)\b/i;

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

const OUTPUT_FIELD = /^(?: {2,}|\t)[^\s:]+(?: [^\s:]+)*:|:(?: {3,}|\t)\S/;

/**
 * Labels that open the lines of a material section. When a label repeats, the material is a
 * transcript and its labels are speaker turns ("Ann:", "Bob:"), not task markers.
 */
function fieldLabels(lines: Line[]): Range[] {
  if (repeats(lines)) return [];
  return lines.filter((l) => l.label).map((l) => [l.label!.start, l.label!.end]);
}

/** Whether the first paragraph's opening label opens a later paragraph too: repeated examples. */
function opensExamples(paragraphs: Paragraph[]): boolean {
  const name = (p: Paragraph) => p.lines[0].label?.name.toLowerCase();
  return paragraphs.length > 1 && paragraphs.slice(1).some((p) => name(p) === name(paragraphs[0]));
}

/** Whether some label name occurs twice; numbered labels ("Review 1:", "Review 2:") repeat too. */
function repeats(lines: Line[]): boolean {
  const names = lines.filter((l) => l.label).map((l) => l.label!.name.toLowerCase().replace(/[\s#]*\d+$/, ''));
  return new Set(names).size < names.length;
}

/**
 * The material sections of a prompt (from a paragraph-opening label to the end, e.g. "Input:
 * …" and "Output:"): the opening labels are frame markers. A text the instructions operate on
 * counts only where it asks a question; otherwise field labels inside are markers, and the
 * material counts whole when it is short (a task parameter such as a topic or a search term).
 */
function materialSections(prompt: string, sections: Paragraph[][], o: Required<DetectOptions>, out: Range[], instructions: Sentence[], pointedAt = false): void {
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
  const closingMessage = !!closing && o.closingMessages && isMessage(closing.lines.map((l) => ({ whole: prompt.slice(l.start, l.end), content: prompt.slice(l.contentStart, l.end) })));
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
  const message = o.pasted && isMessage(lines.map((l) => ({ whole: prompt.slice(l.start, l.end), content: prompt.slice(l.contentStart, l.end) }))) && !instructions.some((s) => ordersReply(s.tokens));
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
const FRAME_NAME = /^(?:inputs?|outputs?|text|context|data|examples?|documents?|passage|article|e-?mail|message|answer|response|question|query|source|content|transcript|log|code|snippet|excerpt|sentence|paragraph|story|conversation|dialogue|review)$/i;

// Labels naming a message or its author: a general class of English nouns.
const MESSAGE = /^(?:customer|user|client|student|patient|caller|guest|visitor|human|comment|message|review|tweet|post|reply|e-?mail|text message|customer message|user message)$/i;

// A template placeholder: "{text}", "{{ document }}", "<email>", "[article]".
const PLACEHOLDER = /^(?:\{\{?\s*[\w .-]+\s*\}\}?|<[\w .-]+>|\[[\w .-]+\])$/;

/**
 * A line of material whose content is only a placeholder ("{context}" under "Context:",
 * "Question: {question}"): it stands for a text pasted in later, not a value of the task.
 */
function standsForMaterial(prompt: string, line: Line): boolean {
  const content = prompt.slice(line.contentStart, line.end).replace(CHAT_MARKER, '').trim();
  // … or only placeholders and punctuation ("- {{ doc.title }}: {{ doc.snippet }}").
  return PLACEHOLDER.test(content) || (/\{\{[^}]*\}\}/.test(content) && !/\p{L}/u.test(prompt.slice(line.start, line.end).replace(/\{\{[^}]*\}\}/g, '')));
}

/** Whether the line right before `line`, in the same paragraph, is prose that only instructs ("Create a workout plan.\nGoal: {goal}"). */
function continuesInstruction(prompt: string, line: Line): boolean {
  const before = prompt.slice(0, line.start).replace(/\n$/, '');
  const previous = before.slice(before.lastIndexOf('\n') + 1);
  // Prose: not indented, and ending like a sentence (code and log lines do neither).
  if (!/^\S.*[.!?:]$/.test(previous.trimEnd())) return false;
  const sentences = tagSentences(previous);
  return sentences.length > 0 && sentences.every((s) => isInstructionKind(classifySentence(previous.slice(s.start, s.end), s.tokens)));
}

/**
 * A paragraph headed by a bare label whose lines all instruct ("Rules:\n- Use PostgreSQL
 * syntax.\n- Explain each step."): a section of the instruction, not material.
 */
function listsInstructions(prompt: string, p: Paragraph, directiveHeads: boolean, placeholders: boolean): boolean {
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
function opensMaterial(prompt: string, line: Line): boolean {
  // A labelled list item ("- Avoid these words: …") is an item of its list, not a frame.
  if (/^[ \t]*[-*•+][ \t]/.test(prompt.slice(line.start, line.end))) return false;
  // Nor is a label naming a directive of the answer ("your job: …", "output format: …", "only comment on: …").
  if (line.label && DIRECTIVE_LABEL.test(line.label.name)) return false;
  return !!line.label && (prompt.slice(line.contentStart, line.end).trim() !== '' || prompt.slice(line.end).trim() === '');
}

// "Two questions", "A few things", "Quick question", "My questions": a count of the writer's own points.
const OWN_POINTS = /^(?:(?:one|two|three|four|five|a few|a couple of|several|some|my|quick|a quick|one quick|two quick)\s+)+(?:questions?|things|points|issues|asks|requests)$/i;

// Labels naming a directive of the answer: the reader's job, the answer's form or scope.
const DIRECTIVE_LABEL = /^(?:your (?:job|task|role|goal|answer|reply|output)|output format|response format|answer format|(?:the |our )?policy|only [a-z]+(?: [a-z]+)?)$/i;

/**
 * Where the material starts: at a paragraph that opens with a label ("\n\nInput: …"), or at a
 * labelled line with content inside a paragraph ("…\nInput: …"), after the prompt has begun.
 * Returns the paragraphs before it and the paragraphs from it on (the first one possibly cut).
 */
function splitAtMaterial(prompt: string, paragraphs: Paragraph[], o: Required<DetectOptions>): [Paragraph[], Paragraph[]] {
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
function resumeInstruction(prompt: string, instruction: Paragraph[], material: Paragraph[], o: Required<DetectOptions>): [Paragraph[], Paragraph[]] {
  if (!o.directiveItems || material.length < 2) return [instruction, material];
  const lines = material.flatMap((p) => p.lines);
  if (repeats(lines) || isMessage(lines.map((l) => ({ whole: prompt.slice(l.start, l.end), content: prompt.slice(l.contentStart, l.end) })))) return [instruction, material];
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
function headedByDirectives(prompt: string, paragraphs: Paragraph[], p: Paragraph, o: Required<DetectOptions>): boolean {
  const previous = paragraphs[paragraphs.indexOf(p) - 1];
  if (o.headingDirectives && directiveHeading(prompt, previous?.end ?? 0, p)) return true;
  if (!o.directiveItems || !previous) return false;
  const last = previous.lines[previous.lines.length - 1];
  const text = prompt.slice(last.start, last.end).trimEnd();
  return text.endsWith(':') && namesDirectives(prompt, text);
}

// A Markdown heading that names directives ("# Constraints") or what the reader does ("## What to check", "# What you can help with").
// Or the answer's manner ("## Tone", "## Style", "## Output format"): what follows describes it.
const DIRECTIVE_HEADING = /^ {0,3}#{1,6}[ \t]+(?:(?:what|how|when|where|things)\b.*\b(?:you|to)\b|.*\b(?:rules?|requirements?|constraints?|guidelines?|instructions?|restrictions?|criteria|dos|don'?ts)\b|(?:tone|style|voice|format|formatting|length|output format|response format|answer format)(?: and [a-z]+)?[ \t]*$)/i;

/** Whether the Markdown heading right above `p` (after `from`) heads directives: then `p`'s lines are directives whatever their grammar. */
function directiveHeading(prompt: string, from: number, p: Paragraph): boolean {
  const between = prompt.slice(from, p.start).split('\n').filter((l) => l.trim() !== '');
  return between.length > 0 && DIRECTIVE_HEADING.test(between[between.length - 1]);
}

// A Markdown heading naming reference data rather than the task: "# Reference", "## Context", "# Facts", "## Background".
const REFERENCE_HEADING = /^ {0,3}#{1,6}[ \t]+(?:reference|references|context|facts|background|data|information|info|knowledge|details|documents?|sources?)[ \t]*$/i;

/** Whether the Markdown heading right above `p` (after `from`) names reference data. */
function referenceHeading(prompt: string, from: number, p: Paragraph): boolean {
  const between = prompt.slice(from, p.start).split('\n').filter((l) => l.trim() !== '');
  return between.length > 0 && REFERENCE_HEADING.test(between[between.length - 1]);
}

/** Whether the prompt ends in an empty label, the answer slot of a template instance ("Input: …\n\nOutput:"). */
function endsInAnswerSlot(paragraphs: Paragraph[]): boolean {
  const last = paragraphs[paragraphs.length - 1]?.lines.at(-1);
  return !!last?.label && last.contentStart >= last.end;
}

/** Whether a paragraph's first sentence is about the writer ("I tried …", "Our team …"). */
function writerSpeaks(prompt: string, p: Paragraph): boolean {
  const first = p.lines.flatMap((l) => sentencesOf(prompt, l))[0];
  return !!first && aboutWriter(first.tokens);
}

/** The instruction part without its pasted material: the paragraphs from the first pasted one to the last. */
function withoutPasted(prompt: string, paragraphs: Paragraph[], o: Required<DetectOptions>): { kept: Paragraph[] } {
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
function withOrderApart(prompt: string, p: Paragraph, o: Required<DetectOptions>): Paragraph[] {
  if (!o.pasted || p.lines.length < 3 || p.lines[0].label) return [p];
  const rest: Paragraph = { start: p.lines[1].start, end: p.end, lines: p.lines.slice(1) };
  // Not a lead-in's list ("For every claim:\n(a) state whether …;\n(b) give …;"): those are its items.
  if (/:\s*$/.test(prompt.slice(p.start, p.lines[0].end)) || rest.lines.some((l) => LIST_MARKER.test(prompt.slice(l.start, l.end)))) return [p];
  // (The first line must be prose, not the first line of the log: "[09:14] Ravi: did anyone see the quote?")
  if (isCodeLine(prompt.slice(p.lines[0].start, p.lines[0].end)) || !continuesInstruction(prompt, p.lines[1]) || !isCode(prompt, rest)) return [p];
  return [{ start: p.start, end: p.lines[0].end, lines: [p.lines[0]] }, rest];
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
