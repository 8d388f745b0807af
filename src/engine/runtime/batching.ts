/**
 * Whether a graph runs perturbed sequences the two ways attribution wants (attribution/perturb.ts):
 * several rows per pass, and several new positions after a cached prefix. Some exports assume
 * otherwise: the ONNX Runtime GenAI builder's attention-mask subgraph for MultiHeadAttention
 * expands an [S, S] causal block to [S, past + S], which onnxruntime refuses ("invalid expand
 * shape") unless the past is empty or S is 1; position or mask subgraphs may also fix the batch
 * at 1. Found by running a probe sequence each way and comparing with one plain pass, so
 * whatever the graph's form, a way that fails or gives other logits is not used.
 */
import type { Batching } from '../graph/prepare.ts';
import { prefixOf } from './kv-cache.ts';
import type { FloatArray } from './float-arrays.ts';
import type { DecoderSession } from './session.ts';

/** Largest logit difference from the plain pass, relative to max(1, largest |logit|), that counts as equal. */
const TOLERANCE = 1e-3;

export async function probeBatching(session: DecoderSession, probe: number[]): Promise<Batching> {
  const full = await session.forward({ ids: [probe], wantCache: true });
  const { vocab } = full;
  let largest = 1;
  for (const v of full.logits) largest = Math.max(largest, Math.abs(v));
  const limit = TOLERANCE * largest;
  const split = Math.floor(probe.length / 2);
  const rest = probe.slice(split);

  /** A failure's description, or undefined when every row's logits match the plain pass from `from` on. */
  const attempt = async (rows: number, from: number): Promise<string | undefined> => {
    const ids = Array.from({ length: rows }, () => probe.slice(from));
    try {
      const out = await session.forward({ ids, past: from > 0 ? prefixOf(full.present!, from, rows) : undefined, quiet: true });
      const diff = maxDiff(out.logits, full.logits, rows, (probe.length - from) * vocab, from * vocab);
      return diff <= limit ? undefined : `its logits differ from one plain pass by ${diff.toExponential(1)}`;
    } catch (error) {
      return `onnxruntime fails: ${(error as Error).message.split('\n')[0]}`;
    }
  };

  const both = await attempt(2, split);
  if (!both) return { batches: true, reusesPrefix: true };
  const reason = `a batch of 2 sequences of ${rest.length} tokens after a cached prefix: ${both}`;
  if (!(await attempt(2, 0))) return { batches: true, reusesPrefix: false, reason };
  if (!(await attempt(1, split))) return { batches: false, reusesPrefix: true, reason };
  return { batches: false, reusesPrefix: false, reason };
}

/** Max |a − b| over `rows` rows of `rowSize` values of `a`, against b from `offset` on. */
function maxDiff(a: FloatArray, b: FloatArray, rows: number, rowSize: number, offset: number): number {
  let max = 0;
  for (let r = 0; r < rows; r++) for (let i = 0; i < rowSize; i++) max = Math.max(max, Math.abs(a[r * rowSize + i] - b[offset + i]));
  return Number.isNaN(max) ? Infinity : max;
}
