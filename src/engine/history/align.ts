/**
 * The words of two versions of a prompt, aligned through a text diff (jsdiff's diffArrays on the
 * words' texts): a word both versions share is paired with itself, the others are added or
 * removed. Special tokens (BOS, template markers) are left out: they are not the author's text.
 */
import { diffArrays } from 'diff';
import type { Analysis } from '../analysis.ts';

/** One word (or token) of a version: its text, where it is, and its importance there. */
export interface VersionWord {
  /** Index in the analysis's promptTokens. */
  index: number;
  text: string;
  start: number;
  end: number;
  /** â: normalized density (0–1, what the highlights show). */
  density: number;
  /** a: the density before normalization (METHODS.md §1.4). */
  rawDensity: number;
}

export interface AlignedWord {
  before?: VersionWord;
  after?: VersionWord;
}

/** The author's words of an analysis, in order. */
export function versionWords(a: Analysis): VersionWord[] {
  const words: VersionWord[] = [];
  a.promptTokens.forEach((t, n) => {
    if (t.special || a.prompt.slice(t.start, t.end).trim() === '') return;
    words.push({ index: n, text: a.prompt.slice(t.start, t.end), start: t.start, end: t.end, density: a.densityNormalized[n], rawDensity: a.density[n] });
  });
  return words;
}

/** The words of both versions in reading order: shared ones paired, removed ones before the added ones that replace them. */
export function alignWords(before: VersionWord[], after: VersionWord[]): AlignedWord[] {
  const key = (w: VersionWord) => w.text.trim();
  const changes = diffArrays(before.map(key), after.map(key));
  const aligned: AlignedWord[] = [];
  let i = 0;
  let j = 0;
  for (const change of changes) {
    for (let k = 0; k < change.count; k++) {
      if (change.removed) aligned.push({ before: before[i++] });
      else if (change.added) aligned.push({ after: after[j++] });
      else aligned.push({ before: before[i++], after: after[j++] });
    }
  }
  return aligned;
}
