/** Trivial detectors to compare against: the whole prompt, and its first sentence. */
import type { Span } from '../analysis.ts';
import { tagSentences } from './nlp.ts';
import { normalizeSpans } from './spans.ts';

export function wholePromptSpans(prompt: string): Span[] {
  return normalizeSpans(prompt, [[0, prompt.length]]);
}

export function firstSentenceSpans(prompt: string): Span[] {
  const [first] = tagSentences(prompt);
  return first ? normalizeSpans(prompt, [[first.start, first.end]]) : [];
}
