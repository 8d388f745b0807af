import { tagSentences } from './nlp.ts';

/**
 * Layout of a prompt: paragraphs (separated by blank lines), lines, and "Label:" prefixes at
 * the start of a line (task markers such as "Input:", "Output:", "Genre:").
 */

export interface Line {
  start: number;
  end: number;
  /** A "Label:" prefix: offsets of the label and its colon (without bullet or spaces). */
  label?: { start: number; end: number; name: string };
  /** Where the line's content starts (after bullet and label). */
  contentStart: number;
}

export interface Paragraph {
  start: number;
  end: number;
  lines: Line[];
}

const MAX_LABEL_WORDS = 4;

/** Whether a would-be label of three or more words is a clause with a finite verb ("CloudNest offers three plans:"), not a name. */
function isClause(name: string): boolean {
  if (name.split(/\s+/).length < 3) return false;
  const [sentence] = tagSentences(`${name}.`);
  return !!sentence && sentence.tokens.some((t, k) => k > 0 && t.pos === 'VERB' && t.lower !== t.lemma && /[^s]s$/.test(t.lower) && sentence.tokens[k - 1].pos !== 'DET');
}

/** A list marker opening a line's content: "-", "*", "•", "1.", "2)", "a)", "(a)", "(2)". */
export const LIST_MARKER = /^(?:[-*•+]|\d{1,2}[.)]|[a-z][)]|\((?:[a-z]|\d{1,2})\))[ \t]+/;
// Optional bullet, then a short name, a colon, then a space or the end of the line. "https://…"
// and "9:30" do not qualify (no space after the colon), nor "hand : glove" (a space before it).
const LABEL = /^([ \t]*(?:[-*•+][ \t]+)?)([A-Za-z](?:[^:\n(){}[\]=<>]{0,38}?\S)?):(?=[ \t]|$)/;

function labelOf(text: string): { offset: number; length: number; name: string } | undefined {
  const m = LABEL.exec(text);
  if (!m) return undefined;
  const name = m[2].trim();
  const words = name.split(/\s+/);
  if (words.length > MAX_LABEL_WORDS) return undefined;
  // A sentence ending in a colon ("Here are some examples:") is a lead-in, not a field label.
  if (words.length > 2 && name[0] === name[0].toUpperCase() && /\b(is|are|was|were|be|the|a|an|some|following|below)\b/i.test(name)) return undefined;
  if (isClause(name)) return undefined;
  return { offset: m[1].length, length: m[0].length - m[1].length, name };
}

// A label after a sentence's end on the same line opens a line of its own when the sentence
// before names it ("Summarize the text below. Text: …", "Answer the question. Question: …"),
// not when it only continues the sentence ("… as: Name - frequency. For example: …").
const INLINE_LABEL = /[.!?][ \t]+(?=[A-Z][^:\n.!?]{0,38}:[ \t])/g;

function namedBefore(label: string, before: string): boolean {
  const head = label.toLowerCase().split(/\s+/).pop()!.replace(/s$/, '');
  const sentence = before.slice(Math.max(before.search(/[^.!?]*$/), 0)).toLowerCase();
  return head.length > 1 && new RegExp(`\\b${head.replace(/[^a-z0-9]/g, '')}s?\\b`).test(sentence);
}

/** The text's lines, a line split where a label follows a finished sentence. */
function physicalPieces(text: string): Array<{ start: number; raw: string }> {
  const pieces: Array<{ start: number; raw: string }> = [];
  let start = 0;
  for (const line of text.split('\n')) {
    let from = 0;
    for (const m of line.matchAll(INLINE_LABEL)) {
      const at = m.index + m[0].length;
      const label = labelOf(line.slice(at));
      if (!label || !namedBefore(label.name, line.slice(from, m.index))) continue;
      pieces.push({ start: start + from, raw: line.slice(from, m.index + 1) });
      from = at;
    }
    pieces.push({ start: start + from, raw: line.slice(from) });
    start += line.length + 1;
  }
  return pieces;
}

export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  for (const { start, raw } of physicalPieces(text)) {
    const end = start + raw.length;
    const label = labelOf(raw);
    let contentStart = start + (raw.length - raw.trimStart().length);
    const line: Line = { start, end, contentStart };
    if (label) {
      line.label = { start: start + label.offset, end: start + label.offset + label.length, name: label.name };
      const rest = raw.slice(label.offset + label.length);
      contentStart = line.label.end + (rest.length - rest.trimStart().length);
      line.contentStart = contentStart;
    }
    lines.push(line);
  }
  return lines;
}

/** A Markdown heading ("# Role", "### Output format"): it separates sections and is no part of them. */
const HEADING = /^ {0,3}#{1,6}[ \t]+\S/;
// A chat role alone on its line ("SYSTEM", "User", "### Assistant" is a heading): it frames the turn that follows.
const ROLE_LINE = /^[ \t]*(?:system|user|assistant|human)[ \t]*$/i;
// A template's block tag alone on its line ("{% if user.tier == 'pro' %}", "{% endfor %}", "{{#each docs}}"): a separator, no text.
const TEMPLATE_TAG_LINE = /^[ \t]*(?:\{%-?[^%]*-?%\}|\{\{[#/^][^}]*\}\})[ \t]*$/;
// A Markdown thematic break ("---", "***", "___"): it separates paragraphs as a blank line does.
const RULE_LINE = /^ {0,3}(?:-[ \t]*){3,}$|^ {0,3}(?:\*[ \t]*){3,}$|^ {0,3}(?:_[ \t]*){3,}$/;
/** A line that is only an XML-style tag ("<instructions>", "</context>"): it delimits sections as a heading does. */
const TAG_LINE = /^[ \t]*<\/?[A-Za-z][\w.-]*(?:\s+[\w.-]+=(?:"[^"]*"|'[^']*'))*\s*>[ \t]*$/;

export function splitParagraphs(text: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  let current: Line[] = [];
  const flush = () => {
    if (current.length) paragraphs.push({ start: current[0].start, end: current[current.length - 1].end, lines: current });
    current = [];
  };
  for (const line of splitLines(text)) {
    const raw = text.slice(line.start, line.end);
    if (raw.trim() === '' || HEADING.test(raw) || TAG_LINE.test(raw) || RULE_LINE.test(raw) || ROLE_LINE.test(raw) || TEMPLATE_TAG_LINE.test(raw)) flush();
    else current.push(line);
  }
  flush();
  return paragraphs;
}
