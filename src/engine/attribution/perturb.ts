/**
 * The shared machinery of the perturbation methods: one teacher-forced pass over
 * [x_1..x_N, y_1..y_{M-1}] gives p_m and the KV cache; then each perturbation (prompt positions
 * n..n+length−1, embedding scale s) re-runs only positions ≥ n on top of the cached prefix, several
 * perturbations per forward pass (when the graph allows both: runtime/batching.ts). Derivatives
 * (forward mode) run one primal row per pass whatever the batch, with one tangent direction per
 * position (graph/jvp).
 */
import { throwIfAborted } from '../errors.ts';
import { releaseGarbage } from '../memory.ts';
import { prefixOf, type KvCache } from '../runtime/kv-cache.ts';
import { logProbAt, logProbTangentsAt } from '../runtime/probabilities.ts';
import type { DecoderSession } from '../runtime/session.ts';
import type { FloatArray } from '../runtime/float-arrays.ts';
import type { WorkInfo } from '../analysis.ts';
import type { AttributionInput } from './types.ts';

export interface Perturbation {
  /** The first prompt position scaled. */
  position: number;
  /** How many consecutive positions are scaled (1 when absent). */
  length?: number;
  scale: number;
}

export interface Baseline {
  /** Input sequence: prompt then all response tokens but the last. */
  sequence: number[];
  logProbs: Float64Array;
  cache: KvCache;
}

export async function teacherForcedBaseline(session: DecoderSession, promptIds: number[], responseIds: number[]): Promise<Baseline> {
  const sequence = [...promptIds, ...responseIds.slice(0, -1)];
  const out = await session.forward({ ids: [sequence], wantCache: true, logitsFrom: promptIds.length - 1 });
  const logProbs = responseLogProbs(out.logits, { row: 0, rowLength: out.logitsLength, from: out.logitsFrom, promptLength: promptIds.length, responseIds, vocab: out.vocab });
  const present = out.present;
  return { sequence, logProbs, cache: present! };
}

/**
 * log p_m for every perturbation (same order as given), batching perturbations whose
 * positions are close: a batch re-runs from its smallest position.
 */
export async function perturbedLogProbs(input: AttributionInput, baseline: Baseline, perturbations: Perturbation[]): Promise<Float64Array[]> {
  return inBatches(input, baseline, perturbations, 'a row each', async (batch, from, length, past) => {
    const scale = new Float64Array(batch.length * length).fill(1);
    batch.forEach((p, row) => scale.fill(p.scale, row * length + (p.position - from), row * length + (p.position - from) + (p.length ?? 1)));
    const out = await input.session.forward({ ids: batch.map(() => baseline.sequence.slice(from)), scale, past, logitsFrom: input.promptIds.length - 1 - from });
    return batch.map((_, row) => responseLogProbs(out.logits, responseRows(input, row, out, from)));
  });
}

/**
 * d log p_m / d s_n at s = 1 for every prompt position n given (same order), from the graph's
 * forward-mode derivative (graph/jvp) in vector mode: a batch of positions is ONE primal row (the
 * unperturbed sequence after the cached prefix) with one tangent direction per position, each
 * one-hot at its position; every direction's log-p tangents are read against that row's logits.
 */
export async function logProbTangents(input: AttributionInput, baseline: Baseline, positions: number[]): Promise<Float64Array[]> {
  const unperturbed = positions.map((position) => ({ position, scale: 1 }));
  return inBatches(input, baseline, unperturbed, 'one primal row', async (batch, from, length, past) => {
    const tangent = new Float64Array(batch.length * length);
    batch.forEach((p, k) => (tangent[k * length + (p.position - from)] = 1));
    const out = await input.session.forward({ ids: [baseline.sequence.slice(from)], tangent, past, logitsFrom: input.promptIds.length - 1 - from });
    return responseLogProbTangents(out.logits, out.logitsTangent!, batch.length, responseRows(input, 0, out, from));
  });
}

/** The rows of batch row `row` of a pass that started at sequence position `from`. */
function responseRows(input: AttributionInput, row: number, out: { logitsLength: number; logitsFrom: number; vocab: number }, from: number): ResponseRows {
  return { row, rowLength: out.logitsLength, from: from + out.logitsFrom, promptLength: input.promptIds.length, responseIds: input.responseIds, vocab: out.vocab };
}

type BatchRunner = (batch: Perturbation[], from: number, length: number, past: KvCache | undefined) => Promise<Float64Array[]>;

/**
 * Each pass leaves its logits (and their tangents: K × response × vocabulary values) as garbage
 * that V8 collects late, as onnxruntime's own allocations never prompt it to; above this much,
 * it is collected before the next pass adds its activations to the peak.
 */
const GARBAGE_LIMIT_BYTES = 64 * 1024 ** 2;

/** How a batch runs: a primal row per perturbation, or one primal row for all (forward-mode tangents). */
type Rows = 'a row each' | 'one primal row';

/** Runs perturbations in batches of close positions (each from its smallest one, after the cached prefix), in the graph's ways. */
async function inBatches(input: AttributionInput, baseline: Baseline, perturbations: Perturbation[], rows: Rows, run: BatchRunner): Promise<Float64Array[]> {
  const { session, signal } = input;
  // A graph that cannot run them batched or after a cached prefix runs them one by one or in full
  // (one primal row batches its directions whatever the graph's batching).
  const { batches, reusesPrefix } = session.meta.batching ?? { batches: true, reusesPrefix: true };
  const batchSize = batches || rows === 'one primal row' ? input.batchSize : 1;
  const order = perturbations.map((_, i) => i).sort((a, b) => perturbations[a].position - perturbations[b].position);
  const results: Float64Array[] = new Array(perturbations.length);
  const total = perturbations.length;
  let done = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    throwIfAborted(signal);
    const indices = order.slice(start, start + batchSize);
    const batch = indices.map((i) => perturbations[i]);
    const from = reusesPrefix ? batch[0].position : 0;
    const length = baseline.sequence.length - from;
    const past = from > 0 ? prefixOf(baseline.cache, from, rows === 'one primal row' ? 1 : batch.length) : undefined;
    if (process.memoryUsage().arrayBuffers > GARBAGE_LIMIT_BYTES) await releaseGarbage();
    const values = await run(batch, from, length, past);
    indices.forEach((i, k) => (results[i] = values[k]));
    done += batch.length;
    input.onProgress?.(done, total);
  }
  return results;
}

/** Where response token m's logits start (an offset into the batch's logits) and its token, for batch row `row` whose first logits row is sequence position `from`. */
interface ResponseRows {
  row: number;
  rowLength: number;
  from: number;
  promptLength: number;
  responseIds: number[];
  vocab: number;
}

/** For every response token m: where the logits predicting y_m start (an offset into the batch's logits), and y_m. */
function responseTokenRows(rows: ResponseRows): { offset: number; token: number }[] {
  const { row, rowLength, from, promptLength, responseIds, vocab } = rows;
  return responseIds.map((token, m) => ({ offset: (row * rowLength + promptLength - 1 + m - from) * vocab, token }));
}

/** log p_m from the logits of batch row `row`, whose first logits row is sequence position `from`. */
function responseLogProbs(logits: FloatArray, rows: ResponseRows): Float64Array {
  return Float64Array.from(responseTokenRows(rows), ({ offset, token }) => logProbAt(logits, offset, rows.vocab, token));
}

/**
 * d log p_m = t[y_m] − Σ_v softmax_v · t_v, per direction and response token, from batch row
 * `row` of the logits (a batch of one) and of each of the `directions` rows of their tangent
 * ([K] ++ the logits' shape).
 */
function responseLogProbTangents(logits: FloatArray, tangent: FloatArray, directions: number, rows: ResponseRows): Float64Array[] {
  const out = Array.from({ length: directions }, () => new Float64Array(rows.responseIds.length));
  responseTokenRows(rows).forEach(({ offset, token }, m) => {
    const offsets = out.map((_, k) => k * logits.length + offset);
    logProbTangentsAt(logits, offset, tangent, offsets, rows.vocab, token).forEach((d, k) => (out[k][m] = d));
  });
  return out;
}

/**
 * Runs a perturbation method and counts its work: positions and passes it made, against the
 * positions full re-runs (one baseline + one full sequence per perturbation) would process.
 */
export async function countingWork<T extends { perturbations: number; sequenceLength: number }>(
  input: AttributionInput,
  body: () => Promise<T>,
): Promise<T & { work: WorkInfo }> {
  const positions = input.session.positionsProcessed;
  const passes = input.session.forwardPasses;
  const result = await body();
  return {
    ...result,
    work: {
      positionsProcessed: input.session.positionsProcessed - positions,
      forwardPasses: input.session.forwardPasses - passes,
      positionsWithoutCacheReuse: (result.perturbations + 1) * result.sequenceLength,
      batchSize: input.batchSize,
    },
  };
}
