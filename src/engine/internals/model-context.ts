/** What both global analyses start from: a model's weights, its tokenized vocabulary, the layers asked for. */
import { EngineError } from '../errors.ts';
import type { ProgressCallback } from '../progress.ts';
import type { Dtype } from '../models/dtypes.ts';
import { loadHfTokenizer } from '../tokens/load.ts';
import { defaultWordList, readWordList, tokenizeVocabulary, type Vocabulary, type WordList } from './vocabulary.ts';
import { ModelWeights, type ModelIdentity } from './weights.ts';

export interface InternalsOptions {
  /** A word-list file replacing the default vocabulary. */
  vocabularyFile?: string;
  /** Layer indices (0-based); all layers when absent. */
  layers?: number[];
  dtype?: Dtype | 'auto';
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface ModelContext {
  weights: ModelWeights;
  vocabulary: Vocabulary;
  layers: number[];
}

export async function openModelContext(ref: string, opts: InternalsOptions, wordList?: WordList): Promise<ModelContext> {
  opts.onProgress?.({ stage: 'load', message: `reading the weights of ${ref}` });
  const weights = await ModelWeights.open(ref, { dtype: opts.dtype, signal: opts.signal });
  const list = wordList ?? (opts.vocabularyFile !== undefined ? await readWordList(opts.vocabularyFile) : await defaultWordList());
  let tokenizer;
  try {
    tokenizer = (await loadHfTokenizer(weights.identity.folder)).tok;
  } catch (cause) {
    throw new EngineError('model-files-corrupt', `Cannot load the tokenizer of ${weights.identity.folder} (${(cause as Error).message}).`, 'Download the model again.', { cause });
  }
  const output = await weights.outputEmbedding();
  const vocabulary = tokenizeVocabulary(list, tokenizer, output.rows);
  const layers = opts.layers ?? Array.from({ length: weights.layers }, (_, i) => i);
  const outside = layers.find((l) => !Number.isInteger(l) || l < 0 || l >= weights.layers);
  if (outside !== undefined) {
    throw new EngineError('bad-argument', `The model has layers 0-${weights.layers - 1}; layer ${outside} does not exist.`, `Give --layers all or a range within 0-${weights.layers - 1}.`);
  }
  return { weights, vocabulary, layers };
}

/** The model facts a result names. */
export function modelSummary(identity: ModelIdentity): { ref: string; path: string; graphFile: string; dtype: string; sha256: string } {
  return { ref: identity.ref, path: identity.folder, graphFile: identity.graphFile, dtype: identity.dtype, sha256: identity.sha256.graph };
}
