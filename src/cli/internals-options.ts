/** The options `prompt-lens concepts` and `prompt-lens heads` share: which model(s), layers, vocabulary, outputs. */
import type { ParseArgsConfig } from 'node:util';
import { isDtype, type Dtype } from '../engine/models/dtypes.ts';
import { checkOutputFile } from './output.ts';
import type { Values } from './parse-options.ts';
import { UsageError } from './run-guard.ts';

export const INTERNALS_OPTIONS = {
  model: { type: 'string' },
  base: { type: 'string' },
  tuned: { type: 'string' },
  layers: { type: 'string', default: 'all' },
  vocabulary: { type: 'string' },
  dtype: { type: 'string', default: 'auto' },
  json: { type: 'string' },
  html: { type: 'string' },
} satisfies ParseArgsConfig['options'];

export interface InternalsRequest {
  /** One model, or a base and a tuned model. */
  models: { model: string } | { base: string; tuned: string };
  /** Undefined: all layers. */
  layers?: number[];
  vocabularyFile?: string;
  dtype: Dtype | 'auto';
  json?: string;
  html?: string;
}

export function internalsRequest(command: string, values: Values): InternalsRequest {
  const model = values.model as string | undefined;
  const base = values.base as string | undefined;
  const tuned = values.tuned as string | undefined;
  let models: InternalsRequest['models'];
  if (model !== undefined && base === undefined && tuned === undefined) models = { model };
  else if (model === undefined && base !== undefined && tuned !== undefined) models = { base, tuned };
  else throw new UsageError(`${command} needs either --model M or both --base M1 and --tuned M2`, `e.g. prompt-lens ${command} --model models/demo-base, or --base models/demo-base --tuned models/demo-instruct`);
  const dtype = values.dtype as string;
  if (dtype !== 'auto' && !isDtype(dtype)) throw new UsageError(`--dtype ${dtype} is not a dtype`, 'use auto, fp32, fp16, q8, int8, uint8, q4, q4f16 or bnb4');
  if (values.json !== undefined) checkOutputFile(values.json as string, '--json', `${command}.json`);
  if (values.html !== undefined) checkOutputFile(values.html as string, '--html', `${command}.html`);
  return { models, layers: parseLayers(values.layers as string), vocabularyFile: values.vocabulary as string | undefined, dtype, json: values.json as string | undefined, html: values.html as string | undefined };
}

/** `all`, `N` or `A-B` (0-based, inclusive). */
export function parseLayers(text: string): number[] | undefined {
  if (text === 'all') return undefined;
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match || (match[2] !== undefined && Number(match[2]) < Number(match[1]))) {
    throw new UsageError(`--layers ${text} is not a layer range`, 'write --layers all, --layers 3 or --layers 0-5 (0-based, inclusive)');
  }
  const from = Number(match[1]);
  const to = match[2] !== undefined ? Number(match[2]) : from;
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export function positiveInteger(value: string | undefined, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${option} ${value} is not a positive whole number`, `write e.g. ${option} ${fallback}`);
  return n;
}
