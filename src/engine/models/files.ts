/** The files of a model folder: which graph to use, what must exist, their hashes. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.ts';
import { writeAtomically } from '../temp-files.ts';
import { candidateGraphFiles, DTYPES, type Dtype } from './dtypes.ts';

export const REQUIRED_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];

export async function checkRequiredFiles(folder: string): Promise<void> {
  const missing: string[] = [];
  for (const file of REQUIRED_FILES) if (!(await isFile(path.join(folder, file)))) missing.push(file);
  if (missing.length > 0) {
    throw new EngineError(
      'model-files-missing',
      `The model folder ${folder} lacks ${missing.join(', ')}.`,
      'A model folder needs config.json, tokenizer.json, tokenizer_config.json and onnx/model*.onnx (the Hugging Face ONNX layout); download it again or export it with optimum.',
    );
  }
}

/** The graph file for a dtype, or (for 'auto') the first dtype present, fp32 first. */
export async function chooseGraphFile(folder: string, dtype: Dtype | 'auto'): Promise<{ file: string; dtype: Dtype }> {
  const order = dtype === 'auto' ? DTYPES : [dtype];
  for (const d of order) {
    for (const candidate of candidateGraphFiles(d)) {
      if (await isFile(path.join(folder, candidate))) return { file: candidate, dtype: d };
    }
  }
  const wanted = dtype === 'auto' ? 'any onnx/model*.onnx' : candidateGraphFiles(dtype).join(' or ');
  throw new EngineError('model-files-missing', `The model folder ${folder} has no ${wanted}.`, dtype === 'auto' ? 'Export the model to ONNX (optimum-cli export onnx --task text-generation-with-past) or download an ONNX version.' : `Choose a dtype the folder has, or download the ${dtype} files.`);
}

export async function readJsonFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    throw new EngineError('model-files-missing', `Cannot read ${file}.`, 'Download the model again.', { cause });
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch (cause) {
    // JSON.parse quotes the start of the text, line breaks included: the message stays one line.
    throw new EngineError('model-files-corrupt', `${file} is not valid JSON (${(cause as Error).message.replace(/\s+/g, ' ')}).`, 'The file is damaged or truncated: download the model again.', { cause });
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The engine's stores in the cache folder: file hashes (below) and graphs' external-data files (graph-hashes.ts). */
export const HASH_STORE = 'file-hashes.json';
export const EXTERNAL_DATA_STORE = 'external-data-files.json';

/**
 * sha256 of a file, remembered in `<cacheDir>/file-hashes.json` by path, size and modification
 * time, so loading a model again does not re-read gigabytes of weights.
 */
export async function cachedSha256(file: string, cacheDir: string): Promise<string> {
  const info = await stat(file);
  const key = `${path.resolve(file)}\u0000${info.size}\u0000${info.mtimeMs}`;
  const store = path.join(cacheDir, HASH_STORE);
  let known: Record<string, string> = {};
  try {
    known = JSON.parse(await readFile(store, 'utf8')) as Record<string, string>;
  } catch {
    // no store yet, or a damaged one: start afresh
  }
  if (known[key]) return known[key];
  const hash = await sha256File(file);
  known[key] = hash;
  await mkdir(cacheDir, { recursive: true });
  await writeAtomically(store, JSON.stringify(known));
  return hash;
}

export async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

export async function isDirectory(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Bytes of a graph file and its external-data files (`<graph>.onnx_data`, `<graph>.onnx_data_1`, `<graph>.onnx.data`, ...). */
export async function weightFileBytes(graphFile: string): Promise<number> {
  const dir = path.dirname(graphFile);
  const stem = path.basename(graphFile);
  const names = (await readdir(dir)).filter((n) => n === stem || n.startsWith(`${stem}_data`) || n.startsWith(`${stem}.data`));
  let total = 0;
  for (const name of names) total += (await stat(path.join(dir, name))).size;
  return total;
}
