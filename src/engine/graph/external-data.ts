/**
 * External data: tensors an ONNX model stores in other files, each named by a `location`
 * relative to the graph file's folder. Models come from the Hub, so a location is not trusted:
 * it must name a file inside the graph's own folder (not an absolute path, not `..` climbing out
 * of it), or the model is refused before anything reads, links or removes a file for it. The
 * check is on the path as written; a symbolic link the user placed in the folder is followed
 * (a Hugging Face cache snapshot links every file into a blobs folder).
 */
import { link, open, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../errors.ts';
import { temporaryName } from '../temp-files.ts';
import type { GraphProto, ModelProto, NodeProto, SparseTensorProto, TensorProto } from './onnx-model.ts';

export function isExternal(tensor: TensorProto): boolean {
  return tensor.data_location === 1 || (tensor.external_data?.length ?? 0) > 0;
}

/**
 * Every tensor of the model whose data is in another file: initializers, sparse initializers,
 * tensors in node attributes (a Constant's value), in subgraphs and in functions.
 */
export function externalTensors(model: ModelProto): TensorProto[] {
  const found: TensorProto[] = [];
  const sparse = (s: SparseTensorProto | undefined) => [s?.values, s?.indices];
  const visitTensors = (tensors: (TensorProto | undefined)[]) => {
    for (const t of tensors) if (t && isExternal(t)) found.push(t);
  };
  const visitNodes = (nodes: NodeProto[]) => {
    for (const node of nodes) {
      for (const a of node.attribute ?? []) {
        visitTensors([a.t, ...(a.tensors ?? []), ...sparse(a.sparse_tensor), ...(a.sparse_tensors ?? []).flatMap(sparse)]);
        for (const g of [a.g, ...(a.graphs ?? [])]) if (g) visitGraph(g);
      }
    }
  };
  const visitGraph = (graph: GraphProto) => {
    visitTensors([...graph.initializer, ...(graph.sparse_initializer ?? []).flatMap(sparse)]);
    visitNodes(graph.node);
  };
  visitGraph(model.graph);
  for (const f of model.functions ?? []) visitNodes(f.node);
  return found;
}

export interface ExternalData {
  /** The location as a clean path relative to the graph's folder, with `/` separators. */
  location: string;
  /** The absolute path of the file. */
  file: string;
  offset: number;
  /** Bytes, when the graph says. */
  length?: number;
}

/** Where a tensor's data is; refuses a location that is not a file inside `graphDir`. */
export function externalDataOf(tensor: TensorProto, graphDir: string): ExternalData {
  const entry = (key: string) => tensor.external_data?.find((e) => e.key === key)?.value;
  const written = entry('location') ?? '';
  const file = path.resolve(graphDir, written);
  const relative = path.relative(path.resolve(graphDir), file);
  const outside = relative === '' || relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (written === '' || written.includes('\0') || path.isAbsolute(written) || path.win32.isAbsolute(written) || outside) {
    throw new EngineError(
      'unsupported-graph',
      `The model graph stores tensor "${tensor.name}" in "${written}", which is not a file inside the graph's folder ${graphDir}; Prompt Lens reads weights only from there.`,
      'Use an export whose external-data files sit beside its .onnx graph (locations such as "model.onnx_data"), from a source you trust.',
    );
  }
  const length = entry('length');
  return { location: relative.split(path.sep).join('/'), file, offset: Number(entry('offset') ?? 0), ...(length !== undefined ? { length: Number(length) } : {}) };
}

/** The distinct external-data files of the model (locations relative to `graphDir`, sorted), each checked. */
export function externalDataFiles(model: ModelProto, graphDir: string): string[] {
  return [...new Set(externalTensors(model).map((t) => externalDataOf(t, graphDir).location))].sort();
}

/** Checks that every external-data file is inside `graphDir`, exists and holds each tensor's bytes. */
export async function checkExternalData(model: ModelProto, graphDir: string): Promise<void> {
  const sizes = new Map<string, number | undefined>();
  for (const tensor of externalTensors(model)) {
    const data = externalDataOf(tensor, graphDir);
    if (!sizes.has(data.file)) sizes.set(data.file, await fileSize(data.file));
    const size = sizes.get(data.file);
    if (size === undefined) {
      throw new EngineError('model-files-missing', `The model's weights file ${data.file} is missing.`, 'Download the model again with all of its onnx/*.onnx_data files.');
    }
    if (data.length !== undefined && data.offset + data.length > size) {
      throw truncated(data, tensor, size);
    }
  }
}

export async function readExternalBytes(tensor: TensorProto, graphDir: string, storedBytes: number): Promise<Uint8Array> {
  const data = externalDataOf(tensor, graphDir);
  const length = data.length ?? storedBytes;
  const bytes = new Uint8Array(length);
  const handle = await open(data.file, 'r');
  try {
    const { bytesRead } = await handle.read(bytes, 0, length, data.offset);
    if (bytesRead !== length) throw truncated(data, tensor, data.offset + bytesRead);
  } finally {
    await handle.close();
  }
  return bytes;
}

/**
 * Hard-links the model's external-data files into `targetDir`, a cache folder of the tool's
 * own, under names the tool chooses (`weights-<n>.onnx_data`), and points the graph at them;
 * false, leaving the graph as it was, when linking is impossible (another file system). Only
 * those names are ever replaced in `targetDir`; nothing in the model folder is touched.
 */
export async function linkExternalData(model: ModelProto, graphDir: string, targetDir: string): Promise<boolean> {
  const names = new Map(externalDataFiles(model, graphDir).map((location, i) => [location, `weights-${i}.onnx_data`]));
  for (const [location, name] of names) {
    const target = path.join(targetDir, name);
    const tmp = temporaryName(target);
    try {
      // A link to a symbolic link would resolve from the cache folder: link what it points at.
      const source = await realpath(path.join(graphDir, location));
      if (await sameFile(source, target)) continue;
      await link(source, tmp);
      await rename(tmp, target);
    } catch {
      await rm(tmp, { force: true });
      return false;
    }
  }
  for (const tensor of externalTensors(model)) {
    const entry = tensor.external_data!.find((e) => e.key === 'location')!;
    entry.value = names.get(externalDataOf(tensor, graphDir).location)!;
  }
  return true;
}

function truncated(data: ExternalData, tensor: TensorProto, size: number): EngineError {
  return new EngineError(
    'model-files-corrupt',
    `${data.file} ends before the weights of ${tensor.name} (${size} bytes; they lie at ${data.offset}–${data.offset + (data.length ?? 0)}).`,
    'Download the model again; the weights file is truncated.',
  );
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch {
    return undefined;
  }
}

async function sameFile(a: string, b: string): Promise<boolean> {
  try {
    const [x, y] = await Promise.all([stat(a), stat(b)]);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}
