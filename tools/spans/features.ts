/**
 * Features of the pieces a detector chooses among (each line's label, list marker and sentences;
 * see src/engine/spans/pieces.ts), for the learned span decision of the sixth round's experiment
 * (learned.ts, learn.ts; docs/spans.md, "Sixth round"; not used by detection): the rules' own verdict on the piece
 * and the signals they compute (the sentence's kind, a limit, the writer as subject, an operation
 * on the material, where the material and pasted paragraphs are), its position in the prompt and
 * its paragraph, its length and its neighbours' verdicts. Cheap: one run of the rules and one
 * tagging of each line.
 */
import { DOUBT, aboutWriter, classifySentence, isFiller, isInstructionKind, operatesOn, ordersReply, statesConstraint, type SentenceKind } from '../../src/engine/spans/classify.ts';
import type { DetectTrace } from '../../src/engine/spans/detect.ts';
import { tagSentences } from '../../src/engine/spans/nlp.ts';
import { LIST_MARKER, splitParagraphs } from '../../src/engine/spans/segment.ts';

export interface PieceFeatures {
  start: number;
  end: number;
  /** Share of the piece's non-space characters the rules mark. */
  rule: number;
  features: number[];
}

/** Universal POS tags whose share of a sentence's tokens is a feature. */
const POS = ['NOUN', 'PROPN', 'VERB', 'AUX', 'ADJ', 'ADV', 'PRON', 'DET', 'ADP', 'NUM', 'CCONJ', 'SCONJ', 'PART', 'PUNCT', 'INTJ'] as const;

function grammar(tokens: Raw['tokens']): number[] {
  const n = tokens.length || 1;
  const shares = POS.map((t) => tokens.filter((x) => x.pos === t).length / n);
  const has = (re: RegExp) => (tokens.some((x) => re.test(x.lower)) ? 1 : 0);
  const past = tokens.some((x) => (x.pos === 'VERB' || x.pos === 'AUX') && (/^(was|were|had|did)$/.test(x.lower) || (x.lower !== x.lemma && /ed$/.test(x.lower)))) ? 1 : 0;
  return [...shares, has(/^(not|n't|n’t|no|never|nothing|none)$/), has(/^(can|could|would|should|must|might|may|shall|'d|’d)$/), past, has(/^(will|'ll|’ll|gonna)$/)];
}

/** Features of placeholders and of the task's verbs (a group the training may leave out). */
export const TASK_FEATURES = ['placeholder', 'prompt orders reply', 'prompt operates on material', 'prompt orders reply x in material'];

/** The grammar features (a group the training may leave out). */
export const GRAMMAR_FEATURES = [...POS.map((t) => `share ${t}`), 'negation', 'modal', 'past tense', 'future'];

const KINDS: SentenceKind[] = ['imperative', 'request', 'question', 'task', 'lead-in', 'heading', 'statement'];

/** Names of the features, in order (the model file lists them, so a change of features shows). */
export const FEATURE_NAMES = [
  'rule', 'label', 'marker',
  ...KINDS.map((k) => `kind:${k}`),
  'limit', 'writer subject', 'operates on', 'orders reply', 'doubt', 'filler', 'ends in colon', 'log words',
  'in material', 'in pasted', 'first paragraph', 'last paragraph', 'position in prompt', 'paragraph rule share',
  'paragraph log sentences', 'paragraph instruction share', 'labelled line', 'list item', 'indented line',
  'previous piece rule', 'next piece rule', 'answer slot', 'has material', 'log prompt words', 'second person',
  'first person', 'digits', 'paragraph opens with label', 'previous paragraph ends in colon', 'first sentence',
  'last sentence', 'log paragraphs', 'code characters',
  'rule x statement', 'rule x writer subject', 'rule x in material', 'limit x writer subject', 'rule x question',
  ...TASK_FEATURES,
  ...GRAMMAR_FEATURES,
];

// A template placeholder standing for material: "{text}", "{{ document }}", "<email>", "[article]".
const PLACEHOLDER = /^(?:\{\{?\s*[\w .-]+\s*\}\}?|<[\w .-]+>|\[[\w .-]+\])$/;

function share(prompt: string, start: number, end: number, mask: Uint8Array): number {
  let inside = 0;
  let all = 0;
  for (let i = start; i < end; i++) if (!/\s/.test(prompt[i])) { all++; inside += mask[i]; }
  return all ? inside / all : 0;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

interface Raw {
  start: number;
  end: number;
  paragraph: number;
  kind: 'label' | 'marker' | 'sentence';
  sentenceKind?: SentenceKind;
  tokens: ReturnType<typeof tagSentences>[number]['tokens'];
  labelled: boolean;
  listItem: boolean;
  indented: boolean;
}

/** The pieces of `prompt` with their features, given the rules' trace (detectTraced). */
export function pieceFeatures(prompt: string, trace: DetectTrace): PieceFeatures[] {
  const mask = new Uint8Array(prompt.length);
  for (const s of trace.spans) mask.fill(1, s.start, s.end);
  const paragraphs = splitParagraphs(prompt);
  const raw: Raw[] = [];
  for (const [pi, paragraph] of paragraphs.entries()) {
    for (const line of paragraph.lines) {
      let from = line.contentStart;
      const indented = /^[ \t]+\S/.test(prompt.slice(line.start, line.end));
      const marker = line.label ? 0 : LIST_MARKER.exec(prompt.slice(from, line.end))?.[0].length ?? 0;
      const base = { paragraph: pi, labelled: !!line.label, listItem: marker > 0 || /^[ \t]*[-*•+][ \t]/.test(prompt.slice(line.start, line.end)), indented };
      if (line.label) raw.push({ ...base, start: line.label.start, end: line.label.end, kind: 'label', tokens: [] });
      else if (marker) raw.push({ ...base, start: from, end: from + marker, kind: 'marker', tokens: [] });
      from += marker;
      const content = prompt.slice(from, line.end);
      for (const s of tagSentences(content)) {
        raw.push({ ...base, start: from + s.start, end: from + s.end, kind: 'sentence', sentenceKind: classifySentence(content.slice(s.start, s.end), s.tokens), tokens: s.tokens });
      }
    }
  }
  const rules = raw.map((r) => share(prompt, r.start, r.end, mask));
  const inPasted = (at: number) => trace.pasted.some(([s, e]) => at >= s && at < e);
  const sentences = raw.filter((r) => r.kind === 'sentence');
  const firstSentence = sentences[0];
  const lastSentence = sentences[sentences.length - 1];
  const promptWords = wordCount(prompt);
  const hasMaterial = trace.materialStart < prompt.length;
  const paragraphStats = paragraphs.map((p, pi) => {
    const own = sentences.filter((r) => r.paragraph === pi);
    const instructs = own.filter((r) => isInstructionKind(r.sentenceKind!)).length;
    const previous = paragraphs[pi - 1];
    return {
      rule: share(prompt, p.start, p.end, mask),
      sentences: own.length,
      instructionShare: own.length ? instructs / own.length : 0,
      opensWithLabel: !!p.lines[0].label,
      afterColon: !!previous && prompt.slice(previous.start, previous.end).trimEnd().endsWith(':'),
    };
  });
  // The task's verbs, read from the sentences before the material: an order to answer it, an operation on it.
  const orders = sentences.filter((r) => r.start < trace.materialStart && isInstructionKind(r.sentenceKind!));
  const promptReplies = orders.some((r) => ordersReply(r.tokens)) ? 1 : 0;
  const promptOperates = orders.some((r) => operatesOn(r.tokens)) ? 1 : 0;
  const pieces = raw.map((r, k): PieceFeatures => {
    const text = prompt.slice(r.start, r.end);
    const sentence = r.kind === 'sentence';
    const kindOf = (kind: SentenceKind) => (sentence && r.sentenceKind === kind ? 1 : 0);
    const limit = sentence && statesConstraint(text) ? 1 : 0;
    const writer = sentence && aboutWriter(r.tokens) ? 1 : 0;
    const stats = paragraphStats[r.paragraph];
    const inMaterial = r.start >= trace.materialStart ? 1 : 0;
    const lower = ` ${text.toLowerCase()} `;
    const features = [
      rules[k], r.kind === 'label' ? 1 : 0, r.kind === 'marker' ? 1 : 0,
      ...KINDS.map(kindOf),
      limit, writer, sentence && operatesOn(r.tokens) ? 1 : 0, sentence && ordersReply(r.tokens) ? 1 : 0, DOUBT.test(text) ? 1 : 0,
      sentence && isFiller(r) ? 1 : 0, text.trimEnd().endsWith(':') ? 1 : 0, Math.log1p(wordCount(text)),
      inMaterial, inPasted(r.start) ? 1 : 0, r.paragraph === 0 ? 1 : 0, r.paragraph === paragraphs.length - 1 ? 1 : 0,
      prompt.length ? r.start / prompt.length : 0, stats.rule,
      Math.log1p(stats.sentences), stats.instructionShare, r.labelled ? 1 : 0, r.listItem ? 1 : 0, r.indented ? 1 : 0,
      k > 0 ? rules[k - 1] : 0, k + 1 < raw.length ? rules[k + 1] : 0, trace.answerSlot ? 1 : 0, hasMaterial ? 1 : 0, Math.log1p(promptWords),
      /\b(you|your|you're|you'll)\b/.test(lower) ? 1 : 0, /\b(i|i'm|i've|i'd|me|my|we|we're|our|us)\b/.test(lower) ? 1 : 0, /\d/.test(text) ? 1 : 0,
      stats.opensWithLabel ? 1 : 0, stats.afterColon ? 1 : 0, r === firstSentence ? 1 : 0, r === lastSentence ? 1 : 0,
      Math.log1p(paragraphs.length), /[{};=<>]|\(\)/.test(text) ? 1 : 0,
      rules[k] * kindOf('statement'), rules[k] * writer, rules[k] * inMaterial, limit * writer, rules[k] * kindOf('question'),
      PLACEHOLDER.test(text.trim()) ? 1 : 0, promptReplies, promptOperates, promptReplies * inMaterial,
      ...grammar(r.tokens),
    ];
    return { start: r.start, end: r.end, rule: rules[k], features };
  });
  return pieces;
}
