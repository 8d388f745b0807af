/**
 * Writing a prepared graph. One protobuf message holds at most 2 GB, so when its inline weights
 * are more (an fp16 export of a 1B model widened to float32 is 5 GB), the large ones go to an
 * external-data file beside the graph, `<graph file>.prompt-lens.data`, as onnxruntime reads them.
 */
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { temporaryName, writeAtomically } from '../temp-files.ts';
import { MAX_INLINE_BYTES } from './float64.ts';
import { encodeOnnxModel, type ModelProto, type TensorProto } from './onnx-model.ts';

/** Inline tensors at least this large move out when the graph is too large to be written inline. */
const EXTERNAL_MIN_BYTES = 1024;

/** Writes `model` to `file`; `inlineLimit` is protobuf's (smaller only in tests). */
export async function writeGraph(model: ModelProto, file: string, inlineLimit = MAX_INLINE_BYTES): Promise<void> {
  const inline = model.graph.initializer.filter((t) => (t.raw_data?.length ?? 0) > 0);
  const inlineBytes = inline.reduce((sum, t) => sum + t.raw_data!.length, 0);
  if (inlineBytes > inlineLimit) await moveToExternalData(inline.filter((t) => t.raw_data!.length >= EXTERNAL_MIN_BYTES), file);
  await writeAtomically(file, encodeOnnxModel(model));
}

export function externalDataFileOf(graphFile: string): string {
  return `${graphFile}.prompt-lens.data`;
}

async function moveToExternalData(tensors: TensorProto[], graphFile: string): Promise<void> {
  const dataFile = externalDataFileOf(graphFile);
  const tmp = temporaryName(dataFile);
  const handle = await open(tmp, 'w');
  try {
    let offset = 0;
    for (const tensor of tensors) {
      const bytes = tensor.raw_data!;
      await handle.write(bytes, 0, bytes.length, offset);
      Object.assign(tensor, {
        raw_data: new Uint8Array(0),
        data_location: 1,
        external_data: [
          { key: 'location', value: path.basename(dataFile) },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(bytes.length) },
        ],
      });
      offset += bytes.length;
    }
  } catch (error) {
    await handle.close();
    await rm(tmp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(tmp, dataFile);
}
