/**
 * What identifies a model's computation: its graph file and every external-data file the graph
 * names. The prepared-graph cache (and with it the float64 refusals) is keyed on all of them,
 * and analyses record all of them, so two exports with the same graph file and other weights
 * never share an entry, and a weights file that changed or went missing is noticed on the next
 * load. Hashes are remembered by path, size and modification time (files.ts cachedSha256), and
 * a graph's list of external-data files by the graph's hash, so a warm load reads no weights.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.ts';
import { externalDataFiles } from '../graph/external-data.ts';
import { readOnnxModel } from '../graph/onnx-model.ts';
import { writeAtomically } from '../temp-files.ts';
import { cachedSha256, EXTERNAL_DATA_STORE, isFile } from './files.ts';

export interface GraphHashes {
  /** sha256 by path relative to the model folder (`/` separators): the graph, then its external-data files. */
  files: Record<string, string>;
  /** The graph's own sha256 when it has no external data, else one sha256 over all of them. */
  key: string;
}

/** Hashes `graphFile` (relative to `folder`) and its external-data files; a missing one is an error naming it. */
export async function hashGraphFiles(folder: string, graphFile: string, cacheDir: string): Promise<GraphHashes> {
  const graphPath = path.join(folder, graphFile);
  const graphSha = await cachedSha256(graphPath, cacheDir);
  const files: Record<string, string> = { [graphFile]: graphSha };
  const graphDir = path.posix.dirname(graphFile.split(path.sep).join('/'));
  const parts: string[] = [];
  for (const location of await externalDataLocations(graphPath, graphSha, cacheDir)) {
    const file = path.join(path.dirname(graphPath), location);
    if (!(await isFile(file))) {
      throw new EngineError('model-files-missing', `The model's weights file ${file} is missing (${graphFile} keeps its weights there).`, 'Download the model again with all of its onnx/*.onnx_data files.');
    }
    const sha = await cachedSha256(file, cacheDir);
    files[path.posix.join(graphDir, location)] = sha;
    parts.push(`${location}\u0000${sha}`);
  }
  const key = parts.length === 0 ? graphSha : createHash('sha256').update([graphSha, ...parts].join('\n')).digest('hex');
  return { files, key };
}

/** The external-data files a graph names (checked to lie in its folder), remembered by the graph's hash. */
async function externalDataLocations(graphPath: string, graphSha: string, cacheDir: string): Promise<string[]> {
  const store = path.join(cacheDir, EXTERNAL_DATA_STORE);
  let known: Record<string, string[]> = {};
  try {
    known = JSON.parse(await readFile(store, 'utf8')) as Record<string, string[]>;
  } catch {
    // no store yet, or a damaged one: start afresh
  }
  if (Array.isArray(known[graphSha])) return known[graphSha];
  const locations = externalDataFiles(await readOnnxModel(graphPath), path.dirname(graphPath));
  known[graphSha] = locations;
  await mkdir(cacheDir, { recursive: true });
  await writeAtomically(store, JSON.stringify(known));
  return locations;
}
