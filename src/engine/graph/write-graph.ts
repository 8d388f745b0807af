/**
 * Writing a prepared graph. Its weights go to an external-data file beside it,
 * `<graph file>.prompt-lens.data`, one tensor at a time, and the graph itself holds only the
 * small tensors: so no encoded copy of the weights is ever made in memory (and one protobuf
 * message could not hold more than 2 GB of them anyway). Large tensors start at offsets aligned
 * to 64 KiB, so onnxruntime can map them from the file instead of copying them.
 */
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { temporaryName, writeAtomically } from '../temp-files.ts';
import { encodeOnnxModel, type ModelProto, type TensorProto } from './onnx-model.ts';

/** Inline tensors at least this large move to the weights file. */
const EXTERNAL_MIN_BYTES = 1024;
/** Tensors at least this large start at a multiple of it (the allocation granularity onnxruntime maps by). */
const ALIGNMENT = 64 * 1024;

/** Writes `model` to `file`, its inline tensors of 1 KiB or more to `weights` (created for the file when not given). */
export async function writeGraph(model: ModelProto, file: string, weights?: WeightsFile): Promise<void> {
  const store = weights ?? (await WeightsFile.create(file));
  try {
    for (const tensor of model.graph.initializer) {
      if ((tensor.raw_data?.length ?? 0) >= EXTERNAL_MIN_BYTES) await store.add(tensor, tensor.raw_data!);
    }
    await store.commit();
  } catch (error) {
    await store.discard();
    throw error;
  }
  await writeAtomically(file, encodeOnnxModel(model));
}

export function externalDataFileOf(graphFile: string): string {
  return `${graphFile}.prompt-lens.data`;
}

/** The weights file of a graph being written: tensors are appended, then it is renamed into place. */
export class WeightsFile {
  private offset = 0;
  private readonly written = new Set<TensorProto>();

  private constructor(
    private readonly file: string,
    private readonly tmp: string,
    private readonly handle: FileHandle,
  ) {}

  static async create(graphFile: string): Promise<WeightsFile> {
    const file = externalDataFileOf(graphFile);
    const tmp = temporaryName(file);
    return new WeightsFile(file, tmp, await open(tmp, 'w'));
  }

  /** Writes `bytes` as the data of `tensor` and points the tensor at them (its inline data is dropped). */
  async add(tensor: TensorProto, bytes: Uint8Array): Promise<void> {
    if (bytes.length >= ALIGNMENT) this.offset = Math.ceil(this.offset / ALIGNMENT) * ALIGNMENT;
    await this.handle.write(bytes, 0, bytes.length, this.offset);
    Object.assign(tensor, {
      raw_data: new Uint8Array(0),
      float_data: [],
      data_location: 1,
      external_data: [
        { key: 'location', value: path.basename(this.file) },
        { key: 'offset', value: String(this.offset) },
        { key: 'length', value: String(bytes.length) },
      ],
    });
    this.written.add(tensor);
    this.offset += bytes.length;
  }

  /** Whether `tensor`'s data is in this file. */
  holds(tensor: TensorProto): boolean {
    return this.written.has(tensor);
  }

  async commit(): Promise<void> {
    await this.handle.close();
    await rename(this.tmp, this.file);
  }

  async discard(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.tmp, { force: true });
  }
}
