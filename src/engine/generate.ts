/**
 * Generation with the KV cache: greedy by default, or temperature / top-p sampling with a
 * seeded generator so runs are reproducible.
 */
import { throwIfAborted } from './errors.ts';
import { mulberry32 } from './random.ts';
import { argmaxAt } from './runtime/probabilities.ts';
import type { DecoderSession } from './runtime/session.ts';
import type { FloatArray } from './runtime/float-arrays.ts';

export interface GenerateOptions {
  maxNewTokens: number;
  eosTokenIds: number[];
  temperature?: number;
  topP?: number;
  seed?: number;
  signal?: AbortSignal;
  onToken?: (count: number) => void;
}

export async function generate(session: DecoderSession, promptIds: number[], opts: GenerateOptions): Promise<number[]> {
  const out: number[] = [];
  const random = mulberry32(opts.seed ?? 0);
  let step = await session.forward({ ids: [promptIds], wantCache: true, logitsFrom: promptIds.length - 1 });
  let lastRow = (step.logitsLength - 1) * step.vocab;
  while (out.length < opts.maxNewTokens) {
    throwIfAborted(opts.signal);
    const next = chooseToken(step.logits, lastRow, step.vocab, opts, random);
    out.push(next);
    opts.onToken?.(out.length);
    if (opts.eosTokenIds.includes(next) || out.length >= opts.maxNewTokens) break;
    step = await session.forward({ ids: [[next]], past: step.present, wantCache: true });
    lastRow = 0;
  }
  return out;
}

function chooseToken(logits: FloatArray, offset: number, vocab: number, opts: GenerateOptions, random: () => number): number {
  const temperature = opts.temperature ?? 0;
  if (temperature <= 0) return argmaxAt(logits, offset, vocab);
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
  const probs = new Float64Array(vocab);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += probs[v] = Math.exp((logits[offset + v] - max) / temperature);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a]);
  const topP = opts.topP ?? 1;
  let kept = 0;
  let mass = 0;
  for (const v of order) {
    kept++;
    mass += probs[v] / sum;
    if (mass >= topP) break;
  }
  let r = random() * mass * sum;
  for (const v of order.slice(0, kept)) {
    r -= probs[v];
    if (r <= 0) return v;
  }
  return order[kept - 1];
}
