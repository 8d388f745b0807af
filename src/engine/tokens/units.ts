/**
 * Granularity: the units a view shows, each a run of consecutive prompt tokens.
 * - token: every token alone;
 * - word: sub-word tokens merged into words (words.ts);
 * - section: a paragraph (ended by a blank line); a Markdown heading line or a .prompty role
 *   line (`system:`, `user:`, `assistant:`) opens a new section and belongs to it;
 * - sentence: wink-nlp's sentences within each line of a section (a sentence never crosses a
 *   line break: prompts put fields, list items and examples on lines of their own).
 * A token belongs to the unit holding its first non-space character; a token of spaces only
 * joins the unit before it (or the first one). Special tokens always stay alone.
 */
import type { Granularity, PromptToken } from '../analysis.ts';
import { tagSentences } from '../spans/nlp.ts';
import { ROLE_LINE } from '../spans/roles.ts';
import { mergeIntoWords } from './words.ts';

export interface Units {
  /** One per unit: its text and `[start, end)` in the prompt (tokens merged). */
  units: PromptToken[];
  /** For each unit, the indices of its tokens (consecutive). */
  groups: number[][];
}

interface Range {
  start: number;
  end: number;
}

const HEADING = /^ {0,3}#{1,6}[ \t]+\S/;

/** Sections of `prompt`: paragraphs, a heading or role line opening a new one. */
export function sectionRanges(prompt: string): Range[] {
  const out: Range[] = [];
  let current: Range | undefined;
  let start = 0;
  for (const raw of prompt.split('\n')) {
    const end = start + raw.length;
    if (raw.trim() === '') current = undefined;
    else {
      if (!current || HEADING.test(raw) || ROLE_LINE.test(raw)) out.push((current = { start, end }));
      current.end = end;
    }
    start = end + 1;
  }
  return out.map((r) => trimmed(prompt, r));
}

/** Sentences of `prompt`, within lines. */
export function sentenceRanges(prompt: string): Range[] {
  const out: Range[] = [];
  let start = 0;
  for (const raw of prompt.split('\n')) {
    for (const s of tagSentences(raw)) out.push({ start: start + s.start, end: start + s.end });
    start += raw.length + 1;
  }
  return out;
}

function trimmed(text: string, r: Range): Range {
  let { start, end } = r;
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return { start, end };
}

/** The unit (index into sorted `ranges`) holding the token's first non-space character. */
function unitOf(token: PromptToken, prompt: string, ranges: Range[], previous: number): number {
  const offset = token.start + prompt.slice(token.start, token.end).search(/\S/);
  if (offset < token.start) return Math.max(previous, 0);
  let u = Math.max(previous, 0);
  while (u + 1 < ranges.length && ranges[u + 1].start <= offset) u++;
  return u;
}

function groupByRanges(tokens: PromptToken[], prompt: string, ranges: Range[]): Units {
  const units: PromptToken[] = [];
  const groups: number[][] = [];
  let current: PromptToken | undefined;
  let currentUnit = -1;
  let previous = -1;
  tokens.forEach((t, i) => {
    if (t.special) {
      current = undefined;
      units.push({ ...t });
      groups.push([i]);
      return;
    }
    const u = unitOf(t, prompt, ranges, previous);
    previous = u;
    if (current && u === currentUnit) {
      current.start = Math.min(current.start, t.start);
      current.end = Math.max(current.end, t.end);
      current.text = prompt.slice(current.start, current.end);
      groups[groups.length - 1].push(i);
      return;
    }
    current = { text: prompt.slice(t.start, t.end), start: t.start, end: t.end, special: false };
    currentUnit = u;
    units.push(current);
    groups.push([i]);
  });
  return { units, groups };
}

/** The prompt's tokens merged into units of the given granularity. */
export function mergeIntoUnits(tokens: PromptToken[], prompt: string, granularity: Granularity): Units {
  switch (granularity) {
    case 'token':
      return { units: tokens.map((t) => ({ ...t })), groups: tokens.map((_, i) => [i]) };
    case 'word': {
      const { words, groups } = mergeIntoWords(tokens, prompt);
      return { units: words, groups };
    }
    case 'sentence':
      return groupByRanges(tokens, prompt, sentenceRanges(prompt));
    case 'section':
      return groupByRanges(tokens, prompt, sectionRanges(prompt));
  }
}

/** Raw importance summed over each unit's rows (the rows of `groups`' token indices). */
export function sumRowsPerUnit(importance: number[][], groups: number[][]): number[][] {
  return groups.map((group) => importance[group[0]].map((_, m) => group.reduce((sum, n) => sum + importance[n][m], 0)));
}
