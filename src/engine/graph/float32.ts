/**
 * A float32 copy of a float16 (or bfloat16) graph: fp16 exports are computed in float32 at
 * least. Attribution takes differences of probabilities; in float16 a perturbation of 1e-3 is
 * below one rounding unit, and the gradient × input of a float16 graph correlated with exact
 * autograd at 0.17–0.99 only. Every half tensor becomes float32, exactly (each half value is a
 * float32 value): initializers (external ones are read and inlined), constants and
 * ConstantOfShape values, casts to half, graph inputs, outputs and value infos, in subgraphs
 * too. onnxruntime's contrib operators of these exports (MultiHeadAttention,
 * GroupQueryAttention, RotaryEmbedding, Skip/SimplifiedLayerNormalization, MatMulNBits,
 * GatherBlockQuantized) all have float32 CPU kernels. A float32 graph could then be made float64
 * (float64.ts).
 */
import { EngineError } from '../errors.ts';
import { halfToFloat } from '../runtime/float-arrays.ts';
import { isExternal, readExternalBytes } from './external-data.ts';
import { storedBytes } from './float64.ts';
import { TensorDataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-model.ts';

const HALF_TYPES = new Set<number>([TensorDataType.FLOAT16, TensorDataType.BFLOAT16]);

/** Whether the graph (or one of its subgraphs) holds or produces half-precision tensors. */
export function hasHalfTensors(graph: GraphProto): boolean {
  return (
    graph.initializer.some((t) => HALF_TYPES.has(t.data_type)) ||
    [...graph.input, ...graph.output].some((i) => HALF_TYPES.has(i.type?.tensor_type?.elem_type ?? 0)) ||
    graph.node.some((n) => (n.op_type === 'Cast' && HALF_TYPES.has(Number(castTarget(n)))) || subgraphsOf(n).some(hasHalfTensors))
  );
}

/**
 * Converts `model` (read from `sourceDir`) from float16/bfloat16 to float32 in place. The weights
 * become inline; write-graph.ts moves them out again when they are too many for one message.
 */
export async function convertHalfToFloat32(model: ModelProto, sourceDir: string): Promise<void> {
  await widenGraph(model.graph, sourceDir);
}

async function widenGraph(graph: GraphProto, sourceDir: string): Promise<void> {
  for (const tensor of graph.initializer) if (HALF_TYPES.has(tensor.data_type)) await widenTensor(tensor, sourceDir);
  for (const info of [...graph.input, ...graph.output, ...(graph.value_info ?? [])]) widenValueInfo(info);
  for (const node of graph.node) {
    for (const attribute of node.attribute ?? []) {
      if (node.op_type === 'Cast' && attribute.name === 'to' && HALF_TYPES.has(Number(attribute.i))) attribute.i = TensorDataType.FLOAT;
      if (attribute.t && HALF_TYPES.has(attribute.t.data_type)) await widenTensor(attribute.t, sourceDir);
    }
    for (const subgraph of subgraphsOf(node)) await widenGraph(subgraph, sourceDir);
  }
}

function widenValueInfo(info: ValueInfoProto): void {
  const tensorType = info.type?.tensor_type;
  if (tensorType && HALF_TYPES.has(tensorType.elem_type ?? 0)) tensorType.elem_type = TensorDataType.FLOAT;
}

async function widenTensor(tensor: TensorProto & { int32_data?: number[] }, sourceDir: string): Promise<void> {
  const count = elementCount(tensor);
  const bits = halfBits(isExternal(tensor) ? await readExternalBytes(tensor, sourceDir, storedBytes(tensor)) : tensor.raw_data, tensor.int32_data, count);
  const values = new Float32Array(count);
  if (tensor.data_type === TensorDataType.BFLOAT16) {
    const words = new Uint32Array(values.buffer);
    for (let i = 0; i < count; i++) words[i] = bits[i] << 16;
  } else {
    const table = halfTable();
    for (let i = 0; i < count; i++) values[i] = table[bits[i]];
  }
  Object.assign(tensor, { data_type: TensorDataType.FLOAT, raw_data: new Uint8Array(values.buffer), int32_data: [], float_data: [], data_location: 0, external_data: [] });
}

/** The 16-bit patterns of a half tensor, stored as raw bytes or (one per int32) in int32_data. */
function halfBits(raw: Uint8Array | undefined, int32Data: number[] | undefined, count: number): Uint16Array {
  if (raw && raw.length > 0) {
    if (raw.length !== count * 2) throw new EngineError('model-files-corrupt', `A float16 tensor holds ${raw.length} bytes for ${count} values.`, 'Download or export the model again.');
    return new Uint16Array(Uint8Array.from(raw).buffer);
  }
  return Uint16Array.from(int32Data ?? []);
}

let table: Float32Array | undefined;
function halfTable(): Float32Array {
  table ??= Float32Array.from({ length: 65536 }, (_, bits) => halfToFloat(bits));
  return table;
}

function castTarget(node: NodeProto): number | undefined {
  return node.attribute?.find((a) => a.name === 'to')?.i;
}

function subgraphsOf(node: NodeProto): GraphProto[] {
  return (node.attribute ?? []).flatMap((a) => [a.g, ...(a.graphs ?? [])]).filter((g): g is GraphProto => !!g && typeof g === 'object' && 'node' in g);
}

function elementCount(tensor: TensorProto): number {
  return tensor.dims.reduce((a, d) => a * Number(d), 1);
}
