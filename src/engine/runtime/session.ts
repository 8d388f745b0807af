/**
 * One onnxruntime-node session over a prepared graph (see graph/prepare.ts): runs a batch of
 * equal-length sequences after a shared KV-cache prefix, with a per-position embedding scale.
 */
import * as ort from 'onnxruntime-node';
import { env } from '../env.ts';
import { EngineError } from '../errors.ts';
import type { ComputePrecision } from '../analysis.ts';
import { EMBEDDING_SCALE_INPUT, LOGITS_START_INPUT, type PreparedMeta } from '../graph/prepare.ts';
import { emptyCache, type CacheType, type KvCache } from './kv-cache.ts';
import { toFloatArray, type FloatArray } from './float-arrays.ts';

export interface ForwardRequest {
  /** Token ids per batch row; all rows the same length. */
  ids: number[][];
  /** Embedding scale per batch row and position (1 = unchanged). Defaults to all ones. */
  scale?: Float64Array;
  /**
   * Directions of the embedding scale to differentiate along, K × batch × sequence values (K
   * directions, each a value per batch row and position): also returns the logits' derivative
   * along each (graph/jvp), all from the one primal pass.
   */
  tangent?: Float64Array;
  /** Cache of the preceding positions, batch 1 or the same batch as `ids`. */
  past?: KvCache;
  /** Also return the new cache (costs a copy of it). */
  wantCache?: boolean;
  /** First position (within `ids`) whose logits are needed; earlier ones are not computed when the graph allows. */
  logitsFrom?: number;
  /** Keep onnxruntime's own error log quiet (a probe that may fail: runtime/batching.ts). */
  quiet?: boolean;
}

export interface ForwardResult {
  /** [batch, logitsLength, vocab]: the logits of positions logitsFrom..seq-1, in the graph's precision. */
  logits: FloatArray;
  vocab: number;
  /** Position (within `ids`) of the first row of `logits`. */
  logitsFrom: number;
  logitsLength: number;
  /** d logits along each direction of `tangent`: [K, batch, logitsLength, vocab] (when a tangent was given). */
  logitsTangent?: FloatArray;
  present?: KvCache;
}

export class DecoderSession {
  /** Sequence positions processed by every forward pass so far (batch × length): the primal's. */
  positionsProcessed = 0;
  /** Tangent positions computed so far (directions × batch × length): the derivatives' (graph/jvp). */
  tangentPositionsProcessed = 0;
  forwardPasses = 0;

  private constructor(
    private readonly session: ort.InferenceSession,
    readonly meta: PreparedMeta,
  ) {}

  static async create(file: string, meta: PreparedMeta): Promise<DecoderSession> {
    return new DecoderSession(await createSession(file, meta.precision), meta);
  }

  /** float16 exports are widened to float32 before they run (graph/float32.ts). */
  get cacheType(): CacheType {
    return this.meta.precision === 'float64' ? 'float64' : 'float32';
  }

  /** An embedding scale as the graph receives it (float64, or rounded to float32). */
  representable(scale: number): number {
    return this.meta.precision === 'float64' ? scale : Math.fround(scale);
  }

  async forward(req: ForwardRequest): Promise<ForwardResult> {
    const batch = req.ids.length;
    const seq = req.ids[0].length;
    const { cache } = this.meta;
    const past = req.past ?? emptyCache(cache.pastInputs.length, batch, cache.kvHeads, cache.headDim, this.cacheType);
    if (past.batch !== batch) throw new Error(`cache batch ${past.batch} ≠ input batch ${batch}`);
    const pastLength = past.length;

    const ids = new BigInt64Array(batch * seq);
    req.ids.forEach((row, b) => row.forEach((id, s) => (ids[b * seq + s] = BigInt(id))));
    const mask = new BigInt64Array(batch * (pastLength + seq)).fill(1n);
    const positions = new BigInt64Array(batch * seq);
    for (let b = 0; b < batch; b++) for (let s = 0; s < seq; s++) positions[b * seq + s] = BigInt(pastLength + s);
    const scale = req.scale ?? new Float64Array(batch * seq).fill(1);
    const scaleTensor = this.floatTensor(scale, [batch, seq, 1]);

    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [batch, seq]),
      [EMBEDDING_SCALE_INPUT]: scaleTensor,
    };
    if (this.meta.inputs.includes('attention_mask')) feeds.attention_mask = new ort.Tensor('int64', mask, [batch, pastLength + seq]);
    if (this.meta.inputs.includes('position_ids')) feeds.position_ids = new ort.Tensor('int64', positions, [batch, seq]);
    const logitsFrom = this.meta.logitsStart ? (req.logitsFrom ?? 0) : 0;
    if (this.meta.logitsStart) feeds[LOGITS_START_INPUT] = new ort.Tensor('int64', BigInt64Array.from([BigInt(logitsFrom)]), [1]);
    if (this.meta.inputs.includes('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', [pastLength > 0], [1]);
    cache.pastInputs.forEach((name, i) => (feeds[name] = past.tensors[i]));
    const tangentGraph = 'input' in this.meta.tangent ? this.meta.tangent : undefined;
    if (req.tangent && !tangentGraph) throw new Error('this graph computes no tangent');
    const directions = req.tangent ? req.tangent.length / (batch * seq) : 1;
    if (!Number.isInteger(directions) || directions < 1) throw new Error(`tangent of ${req.tangent?.length} values is not directions × ${batch} × ${seq}`);
    if (tangentGraph) feeds[tangentGraph.input] = this.floatTensor(req.tangent ?? new Float64Array(batch * seq), [directions, batch, seq, 1]);
    if (tangentGraph) feeds[tangentGraph.wanted] = new ort.Tensor('bool', [req.tangent !== undefined], [1]);

    const fetches = req.wantCache ? [this.meta.logitsOutput, ...cache.presentOutputs] : [this.meta.logitsOutput];
    if (req.tangent) fetches.push(tangentGraph!.output);
    const out = await this.session.run(feeds, fetches, req.quiet ? { logSeverityLevel: 4 } : {});
    this.positionsProcessed += batch * seq;
    if (req.tangent) this.tangentPositionsProcessed += directions * batch * seq;
    this.forwardPasses += 1;

    const logitsTensor = out[this.meta.logitsOutput];
    const [, logitsLength, vocab] = logitsTensor.dims as number[];
    const logits = toFloatArray(logitsTensor.data as FloatArray | Uint16Array, logitsTensor.type);
    const present = req.wantCache ? { tensors: cache.presentOutputs.map((n) => out[n]), length: pastLength + seq, batch } : undefined;
    const tangentTensor = req.tangent ? out[tangentGraph!.output] : undefined;
    const logitsTangent = tangentTensor && toFloatArray(tangentTensor.data as FloatArray | Uint16Array, tangentTensor.type);
    return { logits, vocab, logitsFrom, logitsLength, logitsTangent, present };
  }

  /** Values as the graph's float inputs take them. */
  private floatTensor(values: Float64Array, dims: number[]): ort.Tensor {
    return this.meta.precision === 'float64' ? new ort.Tensor('float64', values, dims) : new ort.Tensor('float32', Float32Array.from(values), dims);
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * How a session is used: 'attribution' runs many passes (the prepared graph); 'probe' runs one
 * short pass (the parity check on the original graph), so it skips what only pays off over many
 * passes: graph optimizations and the memory arena.
 */
export type SessionUse = 'attribution' | 'probe';

export async function createSession(file: string, precision: ComputePrecision = 'float32', use: SessionUse = 'attribution'): Promise<ort.InferenceSession> {
  try {
    // onnxruntime's extended fusions produce contrib operators that have float32 kernels only.
    const graphOptimizationLevel = use === 'probe' ? 'disabled' : precision === 'float64' ? 'basic' : 'all';
    const options: ort.InferenceSession.SessionOptions = { executionProviders: ['cpu'], graphOptimizationLevel, logSeverityLevel: 3 };
    // Pre-packing copies every MatMul weight into the kernels' layout beside the original (which
    // stays mapped from the weights file): on the SmolLM2-135M bench it took the session's load
    // peak from 0.1x to 1.8x the weight bytes for no measurable speed. Memory patterns reserve one
    // block per input shape seen; without them the bench's occlusion peak fell by ~0.2x.
    Object.assign(options, { enableMemPattern: false, extra: { session: { disable_prepacking: '1' } } });
    // The arena keeps activation buffers reserved at their largest size: worth it over many
    // passes (without it the forward-mode gradient's passes took 2-3x as long), not for one.
    if (use === 'probe') options.enableCpuMemArena = false;
    if (env.intraOpThreads > 0) options.intraOpNumThreads = env.intraOpThreads;
    return await ort.InferenceSession.create(file, options);
  } catch (cause) {
    throw new EngineError(
      'unsupported-graph',
      `onnxruntime could not load ${file}: ${(cause as Error).message.split('\n')[0]}`,
      'Check that the export is complete (external data files beside it) and uses operators supported by onnxruntime 1.30 on CPU.',
      { cause },
    );
  }
}
