/**
 * Which float type a model's graph computes in (see graph/float64.ts): float64 unless the user
 * asked for float32, or, under 'auto', the model is too large or its graph cannot be converted.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Precision } from '../analysis.ts';
import { env } from '../env.ts';
import { EngineError } from '../errors.ts';
import { loadOrPrepareGraph, type PreparedGraph } from '../graph/prepare.ts';
import type { Dtype } from './dtypes.ts';

export type PrecisionOption = Precision | 'auto';

const BYTES_PER_PARAMETER: Record<Dtype, number> = { fp32: 4, fp16: 2, q8: 1, int8: 1, uint8: 1, q4: 0.5, q4f16: 0.5, bnb4: 0.5 };

export function isPrecisionOption(value: string): value is PrecisionOption {
  return value === 'auto' || value === 'float32' || value === 'float64';
}

/** Prepares (or finds) the graph in the chosen precision; `note` says why float64 was not used under 'auto'. */
export async function prepareInPrecision(
  sourceFile: string,
  sourceSha256: string,
  dtype: Dtype,
  wanted: PrecisionOption,
): Promise<{ prepared: PreparedGraph; note?: string }> {
  if (wanted === 'float32') return { prepared: (await loadOrPrepareGraph(sourceFile, sourceSha256, env.cacheDir)).prepared };
  if (wanted === 'auto') {
    const float64Bytes = ((await weightFileBytes(sourceFile)) / BYTES_PER_PARAMETER[dtype]) * 8;
    if (float64Bytes > env.float64MaxWeightBytes) {
      const note = `float32, because the weights would take ${(float64Bytes / 1024 ** 3).toFixed(1)} GB as float64 (the limit for precision "auto" is ${(env.float64MaxWeightBytes / 1024 ** 3).toFixed(1)} GB)`;
      return { prepared: (await loadOrPrepareGraph(sourceFile, sourceSha256, env.cacheDir)).prepared, note };
    }
  }
  try {
    return { prepared: (await loadOrPrepareGraph(sourceFile, sourceSha256, env.cacheDir, 'float64')).prepared };
  } catch (error) {
    if (wanted === 'float64' || !(error instanceof EngineError && error.code === 'unsupported-precision')) throw error;
    return { prepared: (await loadOrPrepareGraph(sourceFile, sourceSha256, env.cacheDir)).prepared, note: `float32, because ${lowerFirst(error.message)}` };
  }
}

/** The graph file and its external-data files (`<graph>.onnx_data`, `<graph>.onnx_data_1`, ...). */
async function weightFileBytes(graphFile: string): Promise<number> {
  const dir = path.dirname(graphFile);
  const stem = path.basename(graphFile);
  const names = (await readdir(dir)).filter((n) => n === stem || n.startsWith(`${stem}_data`));
  let total = 0;
  for (const name of names) total += (await stat(path.join(dir, name))).size;
  return total;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
