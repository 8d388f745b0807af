/**
 * Trivial detectors to compare against: the whole prompt, its first sentence, its first and
 * last sentence, and its last paragraph.
 */
import type { Span } from '../analysis.ts';
import { tagSentences } from './nlp.ts';
import { splitParagraphs } from './segment.ts';
import { normalizeSpans } from './spans.ts';

export function wholePromptSpans(prompt: string): Span[] {
  return normalizeSpans(prompt, [[0, prompt.length]]);
}

export function firstSentenceSpans(prompt: string): Span[] {
  const [first] = tagSentences(prompt);
  return first ? normalizeSpans(prompt, [[first.start, first.end]]) : [];
}

export function firstAndLastSentenceSpans(prompt: string): Span[] {
  const sentences = tagSentences(prompt);
  const first = sentences[0];
  const last = sentences[sentences.length - 1];
  return first ? normalizeSpans(prompt, [[first.start, first.end], [last.start, last.end]]) : [];
}

/** The last paragraph (blank lines and Markdown headings separate paragraphs). */
export function lastParagraphSpans(prompt: string): Span[] {
  const paragraphs = splitParagraphs(prompt);
  const last = paragraphs[paragraphs.length - 1];
  return last ? normalizeSpans(prompt, [[last.start, last.end]]) : [];
}
