/**
 * Opening a model's graph in the float type attribution computes in (see graph/float64.ts):
 * float64 unless the user asked for float32, or, under 'auto', the model is too large, its graph
 * cannot be converted, onnxruntime cannot run the converted graph, or the converted graph's
 * logits do not match the original's. Under 'auto' each of these falls back to float32 with the
 * reason as a note; when float64 was asked for, it is an error with the fix. A refusal is
 * remembered in the cache, so the next load does not convert again. The first opening of a
 * prepared graph also finds how it can run batches of perturbed sequences (runtime/batching.ts).
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Precision } from '../analysis.ts';
import { env } from '../env.ts';
import { releaseGarbage } from '../memory.ts';
import { PRECISION_OPTIONS, type PrecisionOption } from '../options.ts';
import { EngineError } from '../errors.ts';
import { loadOrPrepareGraph, PREPARED_FORMAT_VERSION, preparedDir, saveMeta, type PreparedGraph } from '../graph/prepare.ts';
import type { ProgressCallback } from '../progress.ts';
import { probeBatching } from '../runtime/batching.ts';
import { DecoderSession } from '../runtime/session.ts';
import { countParameters, float64Bytes } from './parameters.ts';
import { maxAbsDiffWithPrepared, originalLogitsInChild, type OriginalLogits } from './parity.ts';

export type { PrecisionOption };

/** Largest |logit| difference between a float64 graph and its float32 original that still counts as the same model. */
const FLOAT64_PARITY_LIMIT = 1e-2;
/**
 * The same for a float16 original, relative to max(1, its largest |logit|): its own logits are
 * off by float16 rounding (2.6e-2 on tiny-llama's fp16 copy, logits up to 10), a broken
 * conversion by far more.
 */
const FLOAT64_PARITY_LIMIT_HALF_SOURCE = 1e-2;
const FLOAT32_HINT = 'Use precision "float32" for this model (faster, but small attributions are less exact; see the README on precision).';

export function isPrecisionOption(value: string): value is PrecisionOption {
  return (PRECISION_OPTIONS as readonly string[]).includes(value);
}

export interface OpenedGraph {
  prepared: PreparedGraph;
  session: DecoderSession;
  /** Why float64 was not used, under 'auto'. */
  note?: string;
}

export interface GraphSource {
  file: string;
  /** Identifies the graph and its weights (graph-hashes.ts key): what prepared graphs and refusals are keyed on. */
  sha256: string;
  /** Token ids for the parity check against the original graph. */
  probe: number[];
}

export async function openGraph(source: GraphSource, wanted: PrecisionOption, onProgress?: ProgressCallback): Promise<OpenedGraph> {
  if (wanted === 'float32') return openChecked(source, 'float32', onProgress);
  const tooLarge = wanted === 'auto' ? await sizeRefusal(source) : undefined;
  if (tooLarge) {
    const opened = await openChecked(source, 'float32', onProgress);
    return { ...opened, note: `${opened.prepared.meta.precision}, because ${tooLarge}` };
  }
  try {
    return await openChecked(source, 'float64', onProgress);
  } catch (error) {
    if (wanted === 'float64' || !(error instanceof EngineError && error.code === 'unsupported-precision')) throw error;
    const opened = await openChecked(source, 'float32', onProgress);
    return { ...opened, note: `${opened.prepared.meta.precision}, because ${lowerFirst(error.message)}` };
  }
}

async function openChecked(source: GraphSource, precision: Precision, onProgress?: ProgressCallback): Promise<OpenedGraph> {
  if (precision === 'float64') {
    const refused = await readRefusal(source.sha256);
    if (refused) throw refusal(refused);
  }
  const { prepared, fresh } = await loadOrPrepareGraph(source.file, source.sha256, env.cacheDir, precision).catch(async (error: unknown) => {
    await releaseGarbage();
    if (error instanceof EngineError && error.code === 'unsupported-precision') await rememberRefusal(source.sha256, error.message);
    throw error;
  });
  // The parsed source graph (a buffer the size of the weights) is garbage now: freed before any session loads.
  if (fresh) await releaseGarbage();
  let reference: OriginalLogits | undefined;
  if (!prepared.meta.parity) {
    onProgress?.({ stage: 'prepare', message: 'checking parity with the original graph' });
    reference = await originalLogitsInChild(source.file, prepared.meta, source.probe);
  }
  onProgress?.({ stage: 'load', message: `loading ${path.basename(source.file)} (${precision})` });
  let session: DecoderSession;
  try {
    session = await DecoderSession.create(prepared.file, prepared.meta);
  } catch (error) {
    if (precision !== 'float64') throw error;
    throw await refuse(source.sha256, `onnxruntime cannot run this graph in float64 (${(error as Error).message.replace(/^onnxruntime could not load \S+: /, '')})`);
  }
  if (reference) {
    const diff = await maxAbsDiffWithPrepared(session, source.probe, reference.logits);
    const limit = reference.half ? FLOAT64_PARITY_LIMIT_HALF_SOURCE * reference.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 1) : FLOAT64_PARITY_LIMIT;
    if (precision === 'float64' && !(diff <= limit)) {
      await session.dispose();
      throw await refuse(source.sha256, `the float64 graph's logits differ from the original graph's by ${diff.toExponential(1)} (more than ${Number(limit.toPrecision(2))}), so the conversion is not faithful`);
    }
    prepared.meta.parity = { maxAbsLogitDiff: diff, probeTokens: source.probe.length };
  }
  if (!prepared.meta.batching) {
    onProgress?.({ stage: 'prepare', message: 'checking how the graph runs batches of perturbed sequences' });
    prepared.meta.batching = await probeBatching(session, source.probe);
  }
  if (reference || session.forwardPasses > 0) {
    await saveMeta(prepared);
    session.positionsProcessed = 0;
    session.forwardPasses = 0;
  }
  return { prepared, session };
}

/**
 * Why the graph is too large for float64 under 'auto', from its parameter count (initializer
 * shapes, external data included): the file's size and dtype name can mislead (an fp16 graph
 * named model.onnx, quantized weights beside float ones).
 */
async function sizeRefusal(source: GraphSource): Promise<string | undefined> {
  const count = await countParameters(source.file);
  const bytes = float64Bytes(count);
  if (bytes <= env.float64MaxWeightBytes) return undefined;
  return `the weights would take ${(bytes / 1024 ** 3).toFixed(1)} GB as float64 (${(count.floatParameters / 1e6).toFixed(1)}M parameters at 8 bytes each; the limit for precision "auto" is ${(env.float64MaxWeightBytes / 1024 ** 3).toFixed(1)} GB)`;
}

function refusal(message: string): EngineError {
  return new EngineError('unsupported-precision', message.charAt(0).toUpperCase() + message.slice(1), FLOAT32_HINT);
}

async function refuse(sha256: string, message: string): Promise<EngineError> {
  await rememberRefusal(sha256, message);
  return refusal(message);
}

function refusalFile(sha256: string): string {
  return path.join(preparedDir(env.cacheDir, sha256, 'float64'), 'refused.json');
}

async function rememberRefusal(sha256: string, message: string): Promise<void> {
  const file = refusalFile(sha256);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, JSON.stringify({ message, formatVersion: PREPARED_FORMAT_VERSION }));
}

async function readRefusal(sha256: string): Promise<string | undefined> {
  try {
    const saved = JSON.parse(await readFile(refusalFile(sha256), 'utf8')) as { message: string; formatVersion: number };
    return saved.formatVersion === PREPARED_FORMAT_VERSION ? saved.message : undefined;
  } catch {
    return undefined;
  }
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
