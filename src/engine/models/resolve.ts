/**
 * Turns what the user named (a local folder or a Hub id such as `org/name`) into a local
 * folder in the Hugging Face ONNX layout. Hub ids are downloaded once into the engine's cache,
 * with file lists from transformers.js's ModelRegistry and its URL conventions.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { env } from '../env.ts';
import { EngineError, throwIfAborted } from '../errors.ts';
import type { Progress } from '../progress.ts';
import type { Dtype } from './dtypes.ts';
import { HUB_ID_PATTERN as HUB_ID } from '../options.ts';
import { isDirectory, isFile } from './files.ts';

export interface ResolveOptions {
  dtype: Dtype;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
}

/** Prefix that makes a reference a Hub id even where a local folder of its first part exists. */
const HUB_PREFIX = 'hf:';

export async function resolveModelFolder(ref: string, opts: ResolveOptions): Promise<string> {
  const forcedHub = ref.startsWith(HUB_PREFIX);
  const id = forcedHub ? ref.slice(HUB_PREFIX.length) : ref;
  if (!forcedHub) {
    const local = path.resolve(ref);
    if (await isDirectory(local)) return local;
    // "models/nope" is a Hub id by its form, but when a local "models" folder exists it names a folder.
    const parentExists = await isDirectory(path.dirname(local));
    if (!HUB_ID.test(ref) || ref.startsWith('.') || path.isAbsolute(ref) || parentExists) {
      const why = HUB_ID.test(ref) && parentExists ? ` (read as a folder because ${path.dirname(local)} exists)` : '';
      throw new EngineError(
        'model-not-found',
        `No model folder at ${local}${why}.`,
        `Give a folder with config.json, tokenizer.json and onnx/model.onnx, or a Hugging Face id like org/name${why ? ` (write ${HUB_PREFIX}${ref} to mean the Hub)` : ''}.`,
      );
    }
  } else if (!HUB_ID.test(id)) {
    throw new EngineError('model-not-found', `"${id}" is not a Hugging Face id.`, 'Write hf:org/name, e.g. hf:HuggingFaceTB/SmolLM-135M.');
  }
  const folder = hubFolder(id);
  if (await isDirectory(path.join(folder, 'onnx'))) return folder;
  if (!env.allowRemoteModels) {
    throw new EngineError('offline', `${id} is not downloaded and downloads are turned off.`, `Allow downloads, or download it elsewhere and point Prompt Lens at the folder.`);
  }
  await downloadFromHub(id, folder, opts);
  return folder;
}

/** Where a Hub id is (or will be) downloaded. */
function hubFolder(id: string): string {
  return path.join(env.cacheDir, 'hub', ...id.split('/'));
}

/** The folder loading `ref` would read, when it is already on disk (a local folder or a downloaded Hub id); never downloads. */
export async function existingModelFolder(ref: string): Promise<string | undefined> {
  if (!ref.startsWith(HUB_PREFIX) && (await isDirectory(path.resolve(ref)))) return path.resolve(ref);
  const folder = hubFolder(ref.startsWith(HUB_PREFIX) ? ref.slice(HUB_PREFIX.length) : ref);
  return (await isDirectory(path.join(folder, 'onnx'))) ? folder : undefined;
}

async function downloadFromHub(id: string, folder: string, opts: ResolveOptions): Promise<void> {
  const { ModelRegistry, env: hfEnv } = await import('@huggingface/transformers');
  if (env.hubUrl) hfEnv.remoteHost = env.hubUrl.endsWith('/') ? env.hubUrl : `${env.hubUrl}/`;
  let files: string[];
  try {
    files = await withTimeout(ModelRegistry.get_pipeline_files('text-generation', id, { dtype: opts.dtype }), 15_000);
  } catch (cause) {
    throw offlineError(id, cause);
  }
  for (const [index, file] of files.entries()) {
    throwIfAborted(opts.signal);
    const url = hfEnv.remoteHost + hfEnv.remotePathTemplate.replaceAll('{model}', id).replaceAll('{revision}', 'main') + file;
    const target = path.join(folder, file);
    if (await isFile(target)) continue;
    await mkdir(path.dirname(target), { recursive: true });
    let response: Response;
    try {
      response = await fetch(url, { signal: opts.signal });
    } catch (cause) {
      if (opts.signal?.aborted) throw cause;
      throw offlineError(id, cause);
    }
    if (!response.ok || !response.body) {
      throw new EngineError('model-not-found', `Downloading ${file} of ${id} failed: HTTP ${response.status}.`, 'Check the model id, and that it has ONNX files for this dtype.');
    }
    const total = Number(response.headers.get('content-length') ?? 0);
    let done = 0;
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream);
    body.on('data', (chunk: Buffer) => {
      done += chunk.length;
      opts.onProgress?.({ stage: 'download', done, total, message: `${file} (${index + 1}/${files.length})` });
    });
    const partial = `${target}.partial`;
    await pipeline(body, createWriteStream(partial), { signal: opts.signal });
    await rename(partial, target);
  }
}

function offlineError(id: string, cause: unknown): EngineError {
  return new EngineError(
    'offline',
    `Cannot reach the Hugging Face Hub to download ${id} (${(cause as Error)?.message ?? cause}).`,
    'Connect to the internet once to download it, or point Prompt Lens at a local model folder (the bundled demo pair works offline).',
    { cause },
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    promise.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e) => (clearTimeout(timer), reject(e)),
    );
  });
}
