/**
 * `npm run bench -- MODEL_DIR float32 --projection`: attribution time for a model too large for
 * this machine, on paper. Each method is timed on MODEL_DIR (a short prompt) and its time scaled
 * by the multiply-adds the same passes would take on the target configuration and prompt
 * (Llama-3.2-1B, 256 prompt + 128 response tokens): the passes are those the engine makes
 * (perturbations sorted by position, in batches, each re-run from its batch's smallest position
 * after the cached prefix, logits only at the response positions), and a position's
 * multiply-adds are its projections (attention, MLP) plus attention over its context, per layer,
 * plus the output head at a logits position. Projection assumes the measured multiply-adds per
 * second carry over (the same float type, kernels and threads; a wider model runs its matrix
 * products at least as efficiently).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The shapes that set a Llama-style decoder's multiply-adds. */
export interface DecoderShape {
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  /** The output head is the token embedding (no parameters of its own). */
  tiedEmbeddings: boolean;
}

/** Llama-3.2-1B's config.json (meta-llama/Llama-3.2-1B): 1.24B parameters. */
export const LLAMA_3_2_1B: DecoderShape = { hidden: 2048, intermediate: 8192, layers: 16, heads: 32, kvHeads: 8, headDim: 64, vocab: 128256, tiedEmbeddings: true };

export function shapeOf(modelDir: string): DecoderShape {
  const c = JSON.parse(readFileSync(path.join(modelDir, 'config.json'), 'utf8')) as Record<string, number> & { tie_word_embeddings?: boolean };
  const heads = c.num_attention_heads;
  return {
    hidden: c.hidden_size,
    intermediate: c.intermediate_size,
    layers: c.num_hidden_layers,
    heads,
    kvHeads: c.num_key_value_heads ?? heads,
    headDim: c.head_dim ?? c.hidden_size / heads,
    vocab: c.vocab_size,
    tiedEmbeddings: c.tie_word_embeddings ?? false,
  };
}

export function parameters(shape: DecoderShape): number {
  const { hidden, intermediate, layers, heads, kvHeads, headDim, vocab } = shape;
  const perLayer = hidden * headDim * (2 * heads + 2 * kvHeads) + 3 * hidden * intermediate + 2 * hidden;
  return vocab * hidden * (shape.tiedEmbeddings ? 1 : 2) + layers * perLayer + hidden;
}

/** Multiply-adds of a position that attends over `context` positions, with or without its logits. */
function positionMacs(shape: DecoderShape, context: number, logits: boolean): number {
  const { hidden, intermediate, layers, heads, kvHeads, headDim, vocab } = shape;
  const projections = hidden * headDim * (2 * heads + 2 * kvHeads) + 3 * hidden * intermediate;
  const attention = 2 * heads * headDim * context;
  return layers * (projections + attention) + (logits ? hidden * vocab : 0);
}

/** One pass over positions [from, length) of `rows` sequences, logits from `logitsFrom`. */
function passMacs(shape: DecoderShape, rows: number, from: number, length: number, logitsFrom: number): number {
  let macs = 0;
  for (let position = from; position < length; position++) macs += positionMacs(shape, position + 1, position >= logitsFrom);
  return rows * macs;
}

/**
 * How a method's batch runs (attribution/perturb.ts): occlusion runs a row per perturbation; the
 * forward gradient runs one primal row plus a tangent direction per position, and a direction's
 * multiply-adds are counted as one row's (its matrix products are the primal's, applied to the
 * tangent).
 */
export type BatchRows = 'a row each' | 'one primal row';

/**
 * Multiply-adds and (primal) positions of a perturbation method (one perturbation per prompt
 * position, as occlusion and the forward gradient make) on `promptTokens` + `responseTokens`: the
 * baseline pass, then the batches as attribution/perturb.ts runs them.
 */
export function attributionWork(shape: DecoderShape, promptTokens: number, responseTokens: number, batchSize: number, batchRows: BatchRows = 'a row each'): { macs: number; positions: number } {
  const length = promptTokens + responseTokens - 1;
  const logitsFrom = promptTokens - 1;
  let macs = passMacs(shape, 1, 0, length, logitsFrom);
  let positions = length;
  for (let first = 0; first < promptTokens; first += batchSize) {
    const rows = Math.min(batchSize, promptTokens - first);
    const primalRows = batchRows === 'one primal row' ? 1 : rows;
    macs += passMacs(shape, batchRows === 'one primal row' ? 1 + rows : rows, first, length, logitsFrom);
    positions += primalRows * (length - first);
  }
  return { macs, positions };
}
