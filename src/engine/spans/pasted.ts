/**
 * Pasted material without a label: a paragraph of code or log lines, a quotation, an e-mail
 * (salutation, header or sign-off), or the paragraph a lead-in ending in a colon introduces
 * ("I got this from a recruiter:"). Instructions sit before or after such material, not inside.
 */
import type { Line, Paragraph } from './segment.ts';

// A code or log line: indented, ending like a statement or block, a keyword or a timestamp first.
const CODE_LINE = [
  /^(?: {2,}|\t)\S/,
  /[{};]\s*$|^\s*[})\]]/,
  /^\s*(?:def|class|function|const|let|var|import|export|fn|public|private|async|SELECT|FROM|WHERE|JOIN|LEFT|GROUP|ORDER|INSERT|UPDATE|RUN|CMD|COPY|WORKDIR|#!|@\w|<\/?[a-z])/,
  // Control words and "return"/"from" that begin code, not an English clause ("if the PR touches …, always add …"): code punctuation follows.
  /^\s*(?:if|for|while|return|from)\b(?=.*(?:[:{(=]\s*$|\(|;\s*$))/,
  /^\s*(?:\d{1,4}[-/:.]\d{1,2}|\[[^\]]*\])/,
  /^\s*(?:[+-] {1,3}\S.*[;{}()=]|\S+ ERR!|error\[|Traceback|File ")/,
  /^[^\p{L}]*$|^\s*\S+$/u,
  // Operators between terms: "hand : glove :: foot : sock", "x -> y", "a == b".
  /\s(?:::|->|=>|:=|==|!=|:)\s/,
];
// Chat-template markers: "[INST]", "[/INST]", "<<SYS>>", "<s>", "</s>", "<|im_start|>", "<|user|>", and role tags "<system>", "</user>".
export const CHAT_MARKER = /\[\/?INST\]|<<\/?SYS>>|<\/?s>|<\|[\w-]+\|>|<\/?(?:system|user|assistant|human)>/gi;

// A greeting alone on its line ("Hi team,", "Dear Ms. Park,"), or with a name before more text
// ("hey Mark, so the report …": material unless it gives orders, as "Hey Claude, write …" does).
const SALUTATION = /^["“]?(?:dear|hi|hello|hey|good (?:morning|afternoon|evening))\b[^.!?\n,]{0,40},\s*$|^(?:mr|mrs|ms|miss|mx|dr|prof)\.? [A-Z][\w'-]+(?: [A-Z][\w'-]+)?,\s*$/i;
const TO_THE_MODEL = /^(?:(?:hi|hello|hey|good (?:morning|afternoon|evening))(?: there)?|dear (?:assistant|ai|model|bot|chatbot))[,!]?\s*$/i;
const GREETING = /^["“]?(?:dear|hi|hello|hey)\s+[A-Z][\w.]*(?: [A-Z][\w.]*)?,/i;
const HEADER = /^["“]?(?:subject|from|to|cc|date|re):\s/i;
// A closing formula: "Thanks,", "Best regards,", "Warm regards,", "All the best,", "With gratitude,", "Respectfully,", "Yours truly,".
const SIGN_OFF = /^(?:(?:(?:very |most )?(?:warm|warmest|kind|kindest|best|many|with|all the|with best|with warm|with kind)\s+)?(?:thanks|thank you|best|regards|wishes|gratitude|appreciation)|cheers|sincerely|respectfully|cordially|take care|talk soon|yours(?: truly| sincerely| faithfully)?)[^\n]{0,12},?\s*$/i;
const OPENING_QUOTE = /^\s*(?:["“«]|```|> )/;

/** A header line of an e-mail ("Subject: …", "From: …"): the message's own, no field of the task. */
export function isHeaderLine(line: string): boolean {
  return HEADER.test(line.trim());
}

function lines(prompt: string, p: Paragraph): string[] {
  return p.lines.map((l) => prompt.slice(l.start, l.end));
}

/** A paragraph that opens with a greeting alone on its line ("Dear Ms. Weber,"): a letter starts there. */
export function opensLetter(prompt: string, p: Paragraph): boolean {
  const first = lines(prompt, p)[0].trim();
  return SALUTATION.test(first) || (GREETING.test(first) && first.endsWith(','));
}

/** A paragraph that is only a sign-off: "Thanks," or "Best regards,\nTom". */
export function isSignOff(prompt: string, p: Paragraph): boolean {
  const own = lines(prompt, p);
  return own.length <= 2 && SIGN_OFF.test(own[0].trim());
}

// A line of a signature under a sign-off: a name, a title, a company ("Marta Kowalski", "Property Manager").
const SIGNATURE_LINE = /^[^.!?:;]{1,60}$/;

/** Lines ending in a sign-off and a signature of one to three short lines ("Best regards,\nMarta Kowalski\nProperty Manager"). */
function signedOff(own: string[]): boolean {
  for (let k = own.length - 2; k >= Math.max(0, own.length - 4); k--) {
    if (!SIGNATURE_LINE.test(own[k + 1].trim()) || own[k + 1].trim().split(/\s+/).length > 5) return false;
    if (SIGN_OFF.test(own[k].trim())) return true;
  }
  return false;
}

/** A line of code or of a log (see CODE_LINE). */
export function isCodeLine(line: string): boolean {
  return CODE_LINE.some((r) => r.test(line));
}

export function isCode(prompt: string, p: Paragraph): boolean {
  // Chat-template markers ("[INST] <<SYS>>", "<</SYS>>") frame the prompt: no lines of code.
  // Labelled lines count when indented: keys of a config block ("  with:", "    node-version: 18").
  const plain = p.lines.filter((l) => !l.label || /^(?: {2,}|\t)/.test(prompt.slice(l.start, l.end))).map((l) => prompt.slice(l.start, l.end).replace(CHAT_MARKER, '')).filter((l) => l.trim() !== '');
  if (plain.length === 0) return false;
  const code = plain.filter((l) => CODE_LINE.some((r) => r.test(l))).length;
  return plain.length >= 2 && code / plain.length >= 0.5;
}

/**
 * Whether a paragraph is pasted material (see the module comment); `previous` is the paragraph
 * before it. What a lead-in or pointer introduces is material only when it does not itself
 * instruct (`instructs`: most of its sentences are orders, as in "Follow the rules below.\n\n-
 * Never share passwords.").
 */
/** A headline: one line of 4 to 16 words without a sentence's end or a colon, and no question. */
function isHeadline(own: string[]): boolean {
  const line = own[0].trim();
  const words = line.split(/\s+/).length;
  return own.length === 1 && words >= 4 && words <= 16 && !/[.!?:;,]$/.test(line) && !/\b(?:i|i'm|we|we're|my|our|you|can|could|please|help)\b/i.test(line);
}

export function isPasted(prompt: string, p: Paragraph, previous: Paragraph | undefined, instructs: (p: Paragraph) => boolean, pointers = true, next?: Paragraph): boolean {
  const own = lines(prompt, p);
  // A greeting without a name opening the prompt ("Hi,", "Hello there,", "Dear assistant,") greets the model: the writer's own message.
  const greetsModel = !previous && TO_THE_MODEL.test(own[0].trim());
  if (OPENING_QUOTE.test(own[0]) || (SALUTATION.test(own[0].trim()) && !greetsModel) || HEADER.test(own[0].trim())) return true;
  if (GREETING.test(own[0].trim()) && !greetsModel && !instructs(p)) return true;
  // A greeting without a name after the writer's first paragraph ("hey, sorry about the noise. …"): a note pasted in, unless it gives orders.
  if (previous && OPENING_GREETING.test(own[0].trim()) && !instructs(p)) return true;
  if (own.length >= 2 && SIGN_OFF.test(own[own.length - 2].trim())) return true;
  if (signedOff(own)) return true;
  if (own.length === 1 && SIGN_OFF.test(own[0].trim())) return true;
  if (isCode(prompt, p)) return true;
  // A headline before a long paragraph of prose ("Remote work is here to stay, but the rules are still being written"): an article pasted without a lead-in.
  if (next && isHeadline(own) && prompt.slice(next.start, next.end).length > 200) return true;
  if (!previous) return false;
  // What a lead-in introduces ("… sent me this:") or the paragraph before points at ("the passage below").
  const before = prompt.slice(previous.start, previous.end);
  return (before.trimEnd().endsWith(':') || /\b(?:below|following)\b/i.test(before) || (pointers && (POINTS_AT_TEXT.test(before) || OPERATES_ON_THIS.test(before)))) && !instructs(p);
}

// A demonstrative naming a text ("Translate this press release …", "Check these notes"): the paragraph after is that text.
// A general class of English nouns for texts, messages and code.
const POINTS_AT_TEXT = /\b(?:this|these)\s+(?:[\w'-]+\s+){0,2}?(?:e-?mails?|messages?|letters?|articles?|posts?|press releases?|paragraphs?|texts?|passages?|excerpts?|reviews?|stor(?:y|ies)|essays?|reports?|pieces?|documents?|notes?|threads?|chats?|conversations?|transcripts?|code|functions?|snippets?|scripts?|quer(?:y|ies)|logs?|poems?|bios?|descriptions?|abstracts?|announcements?|newsletters?|memos?|speech(?:es)?|drafts?|paragraphs?|sections?|lyrics|statements?|claims?|comments?|tweets?|captions?|headlines?)\b/i;

// An order to operate on "this" ("Summarize this for our newsletter.", "Can you proofread this?"): the paragraph after is the text.
const OPERATES_ON_THIS = /\b(?:summari[sz]e|translate|proofread|rewrite|edit|shorten|simplify|paraphrase|condense|fact-check|review|analy[sz]e)\s+(?:this|these)(?=\s*(?:[.,;:!?]|$)|\s+(?:for|in|into|to|so|and|please|pls)\b)/i;

// A greeting opening a message, with or without a name ("Hi, I've been charged twice …", "Dear Ms. Park,").
const OPENING_GREETING = /^["“]?(?:dear|hi|hello|hey)\b[^.!?\n,]{0,40},/i;

/**
 * Whether material lines are an e-mail or letter (a greeting opening its content, a header line,
 * or a sign-off line): its questions and requests are addressed to its recipient, not to the
 * model. Each line comes whole and as its content after a label ("Email: Hi, …").
 */
export function isMessage(prompt: string, lines: readonly Line[]): boolean {
  const own = lines.map((l) => ({ whole: prompt.slice(l.start, l.end), content: prompt.slice(l.contentStart, l.end) })).filter((l) => l.content.trim() !== '');
  if (own.length === 0) return false;
  return OPENING_GREETING.test(own[0].content.trim()) || own.some((l) => HEADER.test(l.whole.trim()) || SIGN_OFF.test(l.content.trim()));
}
