/**
 * Loading a model: resolve the reference, check the files, prepare the graph (cached, with a
 * parity check the first time), open one onnxruntime session and the tokenizer.
 */
import path from 'node:path';
import { env } from '../env.ts';
import { EngineError, throwIfAborted } from '../errors.ts';
import type { ModelInfo, ParityInfo } from '../analysis.ts';
import type { ProgressCallback } from '../progress.ts';
import type { DecoderSession } from '../runtime/session.ts';
import { loadPromptTokenizer, type PromptTokenizer } from '../tokens/index.ts';
import { architectureFacts, contextWindow } from './architectures.ts';
import { isDtype, type Dtype } from './dtypes.ts';
import { cachedSha256, checkRequiredFiles, chooseGraphFile, readJsonFile } from './files.ts';
import { hashGraphFiles } from './graph-hashes.ts';
import { isPrecisionOption, openGraph, type PrecisionOption } from './precision.ts';
import { resolveModelFolder } from './resolve.ts';

export interface LoadOptions {
  dtype?: Dtype | 'auto';
  /** The float type to compute in; defaults to `env.precision`. */
  precision?: PrecisionOption;
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}

export interface LoadedModel {
  info: ModelInfo;
  config: Record<string, unknown>;
  tokenizer: PromptTokenizer;
  session: DecoderSession;
  parity: ParityInfo;
  /** Longest sequence (prompt + response) the model accepts, when the config says. */
  contextWindow?: number;
  loadMs: number;
  dispose(): Promise<void>;
}

const PROBE_LENGTH = 12;

export async function loadModel(ref: string, opts: LoadOptions = {}): Promise<LoadedModel> {
  const started = performance.now();
  const dtypeOption = opts.dtype ?? 'auto';
  if (dtypeOption !== 'auto' && !isDtype(dtypeOption)) {
    throw new EngineError('bad-argument', `Unknown dtype "${dtypeOption}".`, 'Use one of fp32, fp16, q8, int8, uint8, q4, q4f16, bnb4 or auto.');
  }
  const precisionOption = opts.precision ?? env.precision;
  if (!isPrecisionOption(precisionOption)) {
    throw new EngineError('bad-argument', `Unknown precision "${String(precisionOption)}".`, 'Use float64, float32 or auto.');
  }
  const folder = await resolveModelFolder(ref, { dtype: dtypeOption === 'auto' ? 'fp32' : dtypeOption, signal: opts.signal, onProgress: opts.onProgress });
  await checkRequiredFiles(folder);
  const { file: graphFile, dtype } = await chooseGraphFile(folder, dtypeOption);
  const config = await readJsonFile(path.join(folder, 'config.json'));
  throwIfAborted(opts.signal);

  opts.onProgress?.({ stage: 'prepare', message: `hashing and preparing ${graphFile}` });
  const fileHashes: Record<string, string> = {};
  for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json']) {
    fileHashes[file] = await cachedSha256(path.join(folder, file), env.cacheDir);
  }
  // The graph and its weights files: the prepared graph is keyed on all of them.
  const graphHashes = await hashGraphFiles(folder, graphFile, env.cacheDir);
  Object.assign(fileHashes, graphHashes.files);
  opts.onProgress?.({ stage: 'load', message: 'loading tokenizer' });
  const tokenizer = await loadPromptTokenizer(folder);
  const vocabSize = Number(config.vocab_size ?? 0);
  const probe = Array.from({ length: PROBE_LENGTH }, (_, i) => (vocabSize > 0 ? (i * 7919 + 3) % vocabSize : i));
  const source = { file: path.join(folder, graphFile), sha256: graphHashes.key, probe };
  const { prepared, session, note: precisionNote } = await openGraph(source, precisionOption, opts.onProgress);
  if (opts.signal?.aborted) {
    await session.dispose();
    throwIfAborted(opts.signal);
  }

  const info: ModelInfo = {
    ref,
    path: folder,
    architecture: `${architectureFacts(config.model_type as string | undefined).family} (${String(config.model_type ?? 'unknown')})`,
    dtype,
    fileHashes,
    precision: prepared.meta.precision,
    ...(precisionNote ? { precisionNote } : {}),
  };
  return {
    info,
    config,
    tokenizer,
    session,
    parity: prepared.meta.parity!,
    contextWindow: contextWindow(config),
    loadMs: performance.now() - started,
    dispose: () => session.dispose(),
  };
}
