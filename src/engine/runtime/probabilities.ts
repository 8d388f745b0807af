/** Log-probabilities from logits (float32 or float64), computed in float64. */
import type { FloatArray } from './float-arrays.ts';

/** log softmax(logits[row])[token], where row starts at `offset` and has `vocab` entries. */
export function logProbAt(logits: FloatArray, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if (logits[offset + v] > max) max = logits[offset + v];
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v] - max);
  return logits[offset + token] - max - Math.log(sum);
}

/** Index of the largest logit of a row (greedy choice). */
export function argmaxAt(logits: FloatArray, offset: number, vocab: number): number {
  let best = 0;
  for (let v = 1; v < vocab; v++) if (logits[offset + v] > logits[offset + best]) best = v;
  return best;
}

/**
 * The derivative of log softmax(logits[row])[token] along each of several tangent rows,
 * t[token] − Σ softmax·t: the row starts at `offset` of `logits`, the tangents' at each of
 * `tangentOffsets` of `tangent`. The softmax is computed once for all of them.
 */
export function logProbTangentsAt(logits: FloatArray, offset: number, tangent: FloatArray, tangentOffsets: number[], vocab: number, token: number): Float64Array {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if (logits[offset + v] > max) max = logits[offset + v];
  const weights = new Float64Array(vocab);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += weights[v] = Math.exp(logits[offset + v] - max);
  return Float64Array.from(tangentOffsets, (at) => {
    let weighted = 0;
    for (let v = 0; v < vocab; v++) weighted += weights[v] * tangent[at + v];
    return tangent[at + token] - weighted / sum;
  });
}
