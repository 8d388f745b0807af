/**
 * Feed-forward layers as concepts (METHODS.md §2): per layer, the principal components of the
 * down projection's rows (one per neuron, centred), each described by the vocabulary words w
 * with the largest |v · ê_w|, ê_w the unit-normalised mean output embedding of w's tokens.
 */
import { throwIfAborted } from '../errors.ts';
import { cacheKey, readCached, writeCached } from './cache.ts';
import { rowPca, topIndices, wordRows } from './linalg.ts';
import { modelSummary, openModelContext, type InternalsOptions, type ModelContext } from './model-context.ts';
import { matmul } from './matmul.ts';
import { transpose, type Matrix64 } from './weights.ts';

export const CONCEPTS_SCHEMA_VERSION = 1;
export const DEFAULT_COMPONENTS = 300;
export const DEFAULT_TOP_WORDS = 50;

export interface ConceptsOptions extends InternalsOptions {
  /** Components analysed per layer (at most the hidden size). */
  components?: number;
  /** Words stored per component. */
  topWords?: number;
}

export interface ScoredWord {
  word: string;
  score: number;
}

export interface ConceptComponent {
  rank: number;
  varianceRatio: number;
  words: ScoredWord[];
}

export interface ConceptLayer {
  layer: number;
  components: ConceptComponent[];
}

export interface ConceptsResult {
  schemaVersion: number;
  model: ReturnType<typeof modelSummary>;
  vocabulary: { source: string; size: number };
  options: { components: number; topWords: number };
  layers: ConceptLayer[];
}

/** A layer's analysis with its component basis (components × d), which the comparison needs. */
export interface LayerConcepts extends ConceptLayer {
  basis: Matrix64;
}

export async function analyzeConcepts(ref: string, opts: ConceptsOptions = {}): Promise<ConceptsResult> {
  const context = await openModelContext(ref, opts);
  const { result } = await conceptsOf(context, opts);
  return result;
}

/** The analysis of an opened model, with each layer's basis; cached per model identity. */
export async function conceptsOf(context: ModelContext, opts: ConceptsOptions): Promise<{ result: ConceptsResult; layers: LayerConcepts[] }> {
  const { weights, vocabulary } = context;
  const components = opts.components ?? DEFAULT_COMPONENTS;
  const topWords = opts.topWords ?? DEFAULT_TOP_WORDS;
  const output = await weights.outputEmbedding();
  const words = wordRows(output, vocabulary.tokenIds, true);
  const layers: LayerConcepts[] = [];
  const started = performance.now();
  for (const [i, layer] of context.layers.entries()) {
    throwIfAborted(opts.signal);
    opts.onProgress?.({ stage: 'weights', done: i, total: context.layers.length, message: `feed-forward layer ${layer}` });
    const key = cacheKey({ kind: 'concepts', version: CONCEPTS_SCHEMA_VERSION, model: weights.identity.sha256, vocabulary: vocabulary.hash, layer, components, topWords });
    const cached = await readCached<Omit<LayerConcepts, 'basis'> & { basis: { rows: number; cols: number; data: number[] } }>('concepts', key);
    if (cached) {
      layers.push({ ...cached, basis: { ...cached.basis, data: Float64Array.from(cached.basis.data) } });
      continue;
    }
    const analysed = await layerConcepts(await weights.downProjection(layer), words, vocabulary.words, layer, components, topWords);
    await writeCached('concepts', key, { ...analysed, basis: { ...analysed.basis, data: Array.from(analysed.basis.data) } });
    layers.push(analysed);
  }
  opts.onProgress?.({ stage: 'weights', done: context.layers.length, total: context.layers.length, message: `${((performance.now() - started) / 1000).toFixed(1)} s` });
  const result: ConceptsResult = {
    schemaVersion: CONCEPTS_SCHEMA_VERSION,
    model: modelSummary(weights.identity),
    vocabulary: { source: vocabulary.source, size: vocabulary.words.length },
    options: { components, topWords },
    layers: layers.map(({ layer, components: c }) => ({ layer, components: c })),
  };
  return { result, layers };
}

/** One layer: PCA of the down projection's rows and each component's top words. */
export async function layerConcepts(down: Matrix64, words: Matrix64, vocabulary: string[], layer: number, components: number, topWords: number): Promise<LayerConcepts> {
  const pca = await rowPca(down, components);
  // scores[w][r] = v_r · ê_w (words × components).
  const scores = await matmul(words, transpose(pca.components));
  const k = pca.components.rows;
  const out: ConceptComponent[] = [];
  for (let r = 0; r < k; r++) {
    const score = (w: number) => Math.abs(scores.data[w * k + r]);
    const top = topIndices(words.rows, Math.min(topWords, words.rows), score);
    out.push({ rank: r + 1, varianceRatio: pca.varianceRatios[r], words: top.map((w) => ({ word: vocabulary[w], score: score(w) })) });
  }
  return { layer, components: out, basis: pca.components };
}
