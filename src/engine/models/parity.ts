/**
 * Parity of a prepared graph with its source: logits of the original graph vs the prepared
 * graph at embedding scale 1 on a probe sequence. The original graph runs in a child process
 * (parity-probe.ts), so its session's memory never adds to this process's peak.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { childScript, forkChild } from '../child-script.ts';
import { EngineError, type EngineErrorCode } from '../errors.ts';
import { createSession, type DecoderSession } from '../runtime/session.ts';
import { toFloatArray, type FloatArray } from '../runtime/float-arrays.ts';
import type { PreparedMeta } from '../graph/prepare.ts';

export interface OriginalLogits {
  logits: Float32Array;
  /** Whether the source computes in float16 (its logits carry float16 rounding). */
  half: boolean;
}

export interface ParityRequest {
  sourceFile: string;
  meta: Pick<PreparedMeta, 'cache' | 'logitsOutput'>;
  probe: number[];
}

export type ParityReply = (OriginalLogits & { peakRssBytes: number }) | { error: { name: string; message: string; code?: string; hint?: string } };

/** Peak resident set of the last parity check's process, in bytes (for the benchmark). */
export const parityProcess = { peakRssBytes: 0 };

/** The original graph's logits on `probe`, computed in a child process. */
export function originalLogitsInChild(sourceFile: string, meta: PreparedMeta, probe: number[]): Promise<OriginalLogits> {
  const script = childScript(path.join(__dirname, 'parity-probe.js'), path.join(__dirname, 'parity-probe.ts'), 'The parity check');
  const child = forkChild(script, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-4000)));
  return new Promise<OriginalLogits>((resolve, reject) => {
    child.once('message', (reply: ParityReply) => {
      if ('error' in reply) reject(reply.error.name === 'EngineError' ? new EngineError(reply.error.code as EngineErrorCode, reply.error.message, reply.error.hint ?? '') : new Error(reply.error.message));
      else {
        parityProcess.peakRssBytes = reply.peakRssBytes;
        resolve({ logits: reply.logits, half: reply.half });
      }
    });
    child.once('error', reject);
    // After a reply this changes nothing (a promise settles once).
    child.once('exit', (code, signal) => reject(new Error(`the parity check's process ended (${signal ?? `exit code ${code}`}) without a result${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`)));
    const request: ParityRequest = { sourceFile, meta: { cache: meta.cache, logitsOutput: meta.logitsOutput }, probe };
    child.send(request, (error) => error && reject(error));
  });
}

/** The original graph's logits on `probe`, in this process. */
export async function originalLogits(sourceFile: string, meta: ParityRequest['meta'], probe: number[]): Promise<OriginalLogits> {
  const session = await createSession(sourceFile, 'float32', 'probe');
  try {
    const seq = probe.length;
    // The source's own id type: onnxruntime.transformers' GPT-2 exports take int32 (graph/optimized-graph.ts).
    const ids = (name: string, values: number[]) =>
      isInt32(session, name) ? new ort.Tensor('int32', Int32Array.from(values), [1, seq]) : new ort.Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, seq]);
    const feeds: Record<string, ort.Tensor> = { input_ids: ids('input_ids', probe) };
    const names = session.inputNames;
    if (names.includes('attention_mask')) feeds.attention_mask = ids('attention_mask', probe.map(() => 1));
    if (names.includes('position_ids')) feeds.position_ids = ids('position_ids', probe.map((_, i) => i));
    if (names.includes('use_cache_branch')) feeds.use_cache_branch = new ort.Tensor('bool', [false], [1]);
    const { kvHeads, headDim } = meta.cache;
    for (const name of names.filter((n) => meta.cache.pastInputs.includes(n) || /^past_\d+$/.test(n))) {
      // The source's own cache type: a prepared graph may compute in a wider one. past_N stacks keys and values.
      const type = sourceCacheType(session, name);
      const dims = meta.cache.pastInputs.includes(name) ? [1, kvHeads, 0, headDim] : [2, 1, kvHeads, 0, headDim];
      feeds[name] = new ort.Tensor(type, type === 'float32' ? new Float32Array(0) : new Uint16Array(0), dims);
    }
    const out = await session.run(feeds, [meta.logitsOutput]);
    const t = out[meta.logitsOutput];
    return { logits: Float32Array.from(toFloatArray(t.data as FloatArray | Uint16Array, t.type)), half: t.type === 'float16' };
  } finally {
    await session.release();
  }
}

export async function maxAbsDiffWithPrepared(session: DecoderSession, probe: number[], reference: Float32Array): Promise<number> {
  const { logits } = await session.forward({ ids: [probe] });
  let max = 0;
  for (let i = 0; i < reference.length; i++) max = Math.max(max, Math.abs(reference[i] - logits[i]));
  return max;
}

function isInt32(session: ort.InferenceSession, input: string): boolean {
  const info = session.inputMetadata.find((i) => i.name === input);
  return !!info?.isTensor && info.type === 'int32';
}

function sourceCacheType(session: ort.InferenceSession, input: string): 'float16' | 'float32' {
  const info = session.inputMetadata.find((i) => i.name === input);
  return info?.isTensor && info.type === 'float16' ? 'float16' : 'float32';
}
