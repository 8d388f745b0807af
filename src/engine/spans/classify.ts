/**
 * What one sentence does: gives an order (imperative), asks (request, question), describes the
 * task or the material given (task), introduces what follows (lead-in), or only states
 * something (statement). Part-of-speech tags come from wink-nlp; the phrase patterns below are
 * general English request forms, not words taken from any one data set.
 */
import { tagSentences, type TaggedToken } from './nlp.ts';

export type SentenceKind = 'imperative' | 'request' | 'question' | 'task' | 'lead-in' | 'statement';

const REQUEST = [
  /\bplease\b/,
  /\b(can|could|would|will) you\b/,
  /\b(i|we) (want|would like|'d like|need|wish|expect) (you )?to\b/,
  /\b(i|we)('d| would) (appreciate|love|like)\b/,
  /\b(i|we) need\b/,
  /\bhelp (me|us)\b/,
  /^let'?s\b/,
  /\b(it )?would be (great|appreciated|helpful|nice|wonderful)\b/,
  /\b(make|be) sure\b/,
  /\bdon'?t forget\b/,
];

const TASK = [
  // The reader is told what they get or must do.
  /\byou (are|were|will be|'re|have been|'ve been|get) (given|provided|asked|presented|shown|tasked|supplied)\b/,
  /\byou('ll| will| should| must| need to| have to| are to| are going to| may| can| could| might want to)\b/,
  /\byour (task|job|goal|aim|mission|answer|response|reply|output|help|role)\b/,
  /\bit is up to you\b/,
  // A requirement on the result.
  /\b(should|must|has to|have to|needs to|need to|is required to|are required to)\b/,
  // Pointing at the material: "the given email", "the following table", "the text below".
  /\b(the|this|these) (given|following|provided|above|below|attached)\b/,
  /\b(given|provided|shown) (below|above)\b/,
  /\bthe \w+ (below|above)\b/,
];

/** Words that may precede the verb of an imperative ("Please write", "Then list", "Also, mention"). */
const LEADING_POS = new Set(['PUNCT', 'SYM', 'INTJ', 'CCONJ', 'ADV', 'PART', 'X']);

function isBaseVerb(t: TaggedToken | undefined): boolean {
  return !!t && t.pos === 'VERB' && t.lower === t.lemma && !/(ing|ed)$/.test(t.lower);
}

/** The POS of `word` when read as the start of "please <word> …" (imperative context). */
function verbInRequestContext(text: string): boolean {
  const lowered = text.charAt(0).toLowerCase() + text.slice(1);
  const [first] = tagSentences(`please ${lowered}`);
  return isBaseVerb(first?.tokens[1]);
}

function isTitleCase(tokens: TaggedToken[]): boolean {
  const words = tokens.filter((t) => /^[A-Za-z]/.test(t.text) && t.text.length > 3);
  if (words.length < 2) return false;
  const caps = words.filter((t) => /^[A-Z]/.test(t.text)).length;
  return caps / words.length >= 0.75;
}

/** Index of the token where the main clause starts: after leading adverbs, "please", an introductory phrase and its comma. */
function clauseStarts(tokens: TaggedToken[]): number[] {
  const starts: number[] = [];
  let i = 0;
  // Bullets and numbering: "1.", "-", "a)".
  while (i < tokens.length && (LEADING_POS.has(tokens[i].pos) || tokens[i].pos === 'NUM' && /^[\d.)]+$/.test(tokens[i].text))) i++;
  starts.push(i);
  // An introductory phrase ("If you can, …", "Based on the query, …", "Whenever possible, …"):
  // the main clause starts after its first comma.
  const opener = tokens[i];
  if (opener && ['SCONJ', 'ADP', 'ADV', 'VERB', 'ADJ', 'DET'].includes(opener.pos)) {
    const comma = tokens.findIndex((t, k) => k > i && t.text === ',');
    if (comma > 0 && comma < tokens.length - 1) {
      let j = comma + 1;
      while (j < tokens.length && LEADING_POS.has(tokens[j].pos)) j++;
      starts.push(j);
    }
  }
  return starts;
}

export function isImperative(text: string, tokens: TaggedToken[]): boolean {
  if (tokens.length === 0) return false;
  const last = tokens[tokens.length - 1];
  if (last.text !== '.' && last.text !== '!' && isTitleCase(tokens)) return false;
  for (const k of clauseStarts(tokens)) {
    const t = tokens[k];
    if (!t || !/^[A-Za-z]/.test(t.text)) continue;
    if (t.pos === 'PRON' || t.pos === 'DET' || t.pos === 'AUX' && t.lower !== 'do' && t.lower !== 'be') continue;
    // A finite verb right after ("Documents allow …") means the first word was a subject.
    const next = tokens[k + 1];
    if (next && (next.pos === 'AUX' || next.pos === 'VERB' && next.lower !== next.lemma)) continue;
    if (isBaseVerb(t)) return true;
    if (verbInRequestContext(text.slice(t.start - tokens[0].start))) return true;
  }
  return false;
}

export function classifySentence(text: string, tokens: TaggedToken[]): SentenceKind {
  const trimmed = text.trim().replace(/["'”’)\]]+$/, '');
  const lower = trimmed.toLowerCase().replace(/’/g, "'");
  if (trimmed.endsWith('?')) return 'question';
  if (REQUEST.some((r) => r.test(lower))) return 'request';
  if (isImperative(text, tokens)) return 'imperative';
  if (TASK.some((r) => r.test(lower))) return 'task';
  if (trimmed.endsWith(':')) return 'lead-in';
  return 'statement';
}

export function isInstructionKind(kind: SentenceKind): boolean {
  return kind !== 'statement';
}
