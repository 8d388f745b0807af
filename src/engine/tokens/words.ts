/**
 * Word granularity: merge consecutive sub-word tokens of the user's text into words.
 * A token continues the previous token's word when the boundary between them falls
 * inside a word of the prompt: the character before the boundary and the token's first
 * character are both word characters (letters, marks, numbers, connector punctuation, or
 * parts of an emoji sequence), or when the two tokens share a character (split UTF-8).
 * Special tokens always stay alone.
 */
import type { PromptToken } from '../analysis.ts';

const WORD_CLASS = /[\p{L}\p{M}\p{N}\p{Pc}\p{Extended_Pictographic}\p{Emoji_Modifier}]/u;
/** Joiners and selectors inside emoji sequences: ZWJ, VS16, combining keycap. */
const EMOJI_GLUE = new Set(['\u200d', '\ufe0f', '\u20e3']);
const WORD_CHAR = { test: (c: string): boolean => EMOJI_GLUE.has(c) || WORD_CLASS.test(c) };

function charBefore(s: string, i: number): string {
  if (i <= 0) return '';
  const c = s.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) return s.slice(i - 2, i);
  return s[i - 1];
}

function charAt(s: string, i: number): string {
  const cp = s.codePointAt(i);
  return cp === undefined ? '' : String.fromCodePoint(cp);
}

export function mergeIntoWords(
  tokens: PromptToken[],
  prompt: string,
): { words: PromptToken[]; groups: number[][] } {
  const words: PromptToken[] = [];
  const groups: number[][] = [];
  let cur: PromptToken | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.special) {
      cur = undefined;
      words.push({ ...t });
      groups.push([i]);
      continue;
    }
    if (cur) {
      const shares = t.start < cur.end;
      const joins =
        t.start === cur.end &&
        WORD_CHAR.test(charBefore(prompt, t.start)) &&
        WORD_CHAR.test(charAt(prompt, t.start));
      if (shares || joins) {
        cur.end = Math.max(cur.end, t.end);
        cur.text = prompt.slice(cur.start, cur.end);
        groups[groups.length - 1].push(i);
        continue;
      }
    }
    cur = { text: prompt.slice(t.start, t.end), start: t.start, end: t.end, special: false };
    words.push(cur);
    groups.push([i]);
  }
  return { words, groups };
}
