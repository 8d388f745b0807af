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

/** The derivative of log softmax(logits[row])[token] along `tangent` (same layout): t[token] − Σ softmax·t. */
export function logProbTangentAt(logits: FloatArray, tangent: FloatArray, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) if (logits[offset + v] > max) max = logits[offset + v];
  let sum = 0;
  let weighted = 0;
  for (let v = 0; v < vocab; v++) {
    const e = Math.exp(logits[offset + v] - max);
    sum += e;
    weighted += e * tangent[offset + v];
  }
  return tangent[offset + token] - weighted / sum;
}
