/**
 * A float64 copy of a prepared float32 graph. Attribution takes differences of probabilities
 * that can be far smaller than float32 rounding: on a trained model, gradient × input by
 * central differences in float32 was off by up to several times a column's maximum, while the
 * same differences in float64 agree with exact autograd to within about 2e-5 of it. So every float
 * tensor becomes double: initializers (external data is read), constants, casts to
 * float, graph inputs and outputs; every external tensor is read (and written to the prepared
 * graph's weights file, write-graph.ts). Quantized weights
 * stay as they are; what DequantizeLinear yields is cast to double. onnxruntime's contrib
 * operators (float32 and float16 kernels only) are first rewritten into standard ones
 * (contrib/rewrite.ts). Refused with the reason: float16 tensors or casts (prepare.ts widens
 * them first), contrib operators in forms no rule covers, dynamic quantization and integer
 * matmuls, and subgraphs
 * (If/Loop/Scan bodies would need the same conversion). What onnxruntime still cannot run in
 * float64 is found when the session is created (models/precision.ts).
 */
import { EngineError } from '../errors.ts';
import { dequantizedBytes } from './contrib/quantized.ts';
import { rewriteContribOperators } from './contrib/rewrite.ts';
import { externalTensors, isExternal, readExternalBytes } from './external-data.ts';
import type { WeightsFile } from './write-graph.ts';
import { TensorDataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-model.ts';

/** The most float64 weight bytes converted (the block-quantized tables are made in memory). */
export const MAX_FLOAT64_BYTES = 2 ** 31 - 64 * 2 ** 20;

/**
 * Converts `model` (read from `sourceDir`) to float64 in place. With `weights`, each converted
 * tensor (and each one left external) is written there at once, so the double weights are never
 * all in memory.
 */
export async function convertToFloat64(model: ModelProto, sourceDir: string, weights?: WeightsFile): Promise<void> {
  const graph = model.graph;
  refuseUnconvertible(graph);
  // Counted before the rewrites, which make double tables of block-quantized weights.
  let bytes = dequantizedBytes(graph.node, new Map(graph.initializer.map((t) => [t.name, t])));
  const keepFloat = dequantizeParameters(graph);
  for (const tensor of graph.initializer) {
    bytes += tensor.data_type === TensorDataType.FLOAT && !keepFloat.has(tensor.name) ? elementCount(tensor) * 8 : storedBytes(tensor);
  }
  if (bytes > MAX_FLOAT64_BYTES) {
    throw new EngineError(
      'unsupported-precision',
      `The model's weights take ${(bytes / 2 ** 30).toFixed(1)} GB as float64, over the 2 GB Prompt Lens converts.`,
      'Use precision "float32" for this model (faster, but small attributions are less exact; see docs/methods.md).',
    );
  }
  await rewriteContribOperators(model, sourceDir);
  refuseContribOperators(graph);
  for (const tensor of graph.initializer) {
    if (tensor.data_type === TensorDataType.FLOAT && !keepFloat.has(tensor.name)) await toDoubleTensor(tensor, sourceDir, weights);
  }
  // What stays external (quantized weights, a Constant's value) is copied as it is.
  for (const tensor of externalTensors(model)) {
    if (weights?.holds(tensor)) continue;
    const bytes = await readExternalBytes(tensor, sourceDir, storedBytes(tensor));
    if (weights && graph.initializer.includes(tensor)) await weights.add(tensor, bytes);
    else Object.assign(tensor, { raw_data: bytes, data_location: 0, external_data: [] });
  }
  for (const info of [...graph.input, ...graph.output, ...(graph.value_info ?? [])]) if (!keepFloat.has(info.name)) retypeValueInfo(info);
  for (const node of graph.node) retypeNode(node);
  castDequantizedOutputs(graph);
}

function refuseUnconvertible(graph: GraphProto): void {
  const half = graph.initializer.find((t) => t.data_type === TensorDataType.FLOAT16 || t.data_type === TensorDataType.BFLOAT16);
  const halfIo = [...graph.input, ...graph.output].find((i) => [TensorDataType.FLOAT16, TensorDataType.BFLOAT16].includes(i.type?.tensor_type?.elem_type as 10 | 16));
  if (half || halfIo) {
    throw new EngineError(
      'unsupported-precision',
      `The graph holds float16 tensors (${(half ?? halfIo)!.name}); Prompt Lens converts only float32 graphs to float64.`,
      'Choose the fp32 export of the model with the dtype setting, or use precision "float32".',
    );
  }
  const quantizing = graph.node.find((n) => QUANTIZING_OPS.has(n.op_type));
  if (quantizing) {
    throw new EngineError('unsupported-precision', `The graph quantizes activations (${quantizing.op_type}), which has no float64 form.`, 'Choose the fp32 export of the model with the dtype setting, or use precision "float32".');
  }
  const withSubgraph = graph.node.find((n) => (n.attribute ?? []).some((a) => a.g || (a.graphs?.length ?? 0) > 0));
  if (withSubgraph) {
    throw new EngineError('unsupported-precision', `The graph has a ${withSubgraph.op_type} node with a subgraph, which Prompt Lens does not convert to float64.`, 'Use precision "float32" for this model.');
  }
  const halfCast = graph.node.find((n) => n.op_type === 'Cast' && (n.attribute ?? []).some((a) => a.name === 'to' && [TensorDataType.FLOAT16, TensorDataType.BFLOAT16].includes(Number(a.i) as 10 | 16)));
  if (halfCast) {
    throw new EngineError('unsupported-precision', `The graph casts to float16 (${halfCast.name ?? halfCast.output[0]}), which would undo float64.`, 'Use precision "float32" for this model.');
  }
}

/** Contrib operators left after the rewrites (contrib/rewrite.ts): forms no rule covers. */
function refuseContribOperators(graph: GraphProto): void {
  const contrib = graph.node.find((n) => (n.domain ?? '') !== '' && n.domain !== 'ai.onnx');
  if (contrib) {
    throw new EngineError(
      'unsupported-precision',
      `The graph uses ${contrib.domain}.${contrib.op_type} in a form Prompt Lens cannot rewrite into standard operators, and onnxruntime runs it only in float32 or float16.`,
      'Choose the fp32 export of the model with the dtype setting, or use precision "float32".',
    );
  }
}

const QUANTIZING_OPS = new Set(['QuantizeLinear', 'DynamicQuantizeLinear', 'MatMulInteger', 'ConvInteger', 'QLinearMatMul', 'QLinearConv']);

/** Scales and zero points of DequantizeLinear nodes: they keep their type (the op has no double kernel). */
function dequantizeParameters(graph: GraphProto): Set<string> {
  const names = new Set<string>();
  for (const node of graph.node) if (node.op_type === 'DequantizeLinear') node.input.slice(1).forEach((n) => names.add(n));
  return names;
}

function castDequantizedOutputs(graph: GraphProto): void {
  for (const node of [...graph.node]) {
    if (node.op_type !== 'DequantizeLinear') continue;
    const output = node.output[0];
    const floatOutput = `${output}/prompt_lens_float32`;
    node.output[0] = floatOutput;
    const cast: NodeProto = { name: `${node.name ?? output}/prompt_lens_to_float64`, op_type: 'Cast', domain: '', input: [floatOutput], output: [output], attribute: [{ name: 'to', type: 2, i: TensorDataType.DOUBLE }] };
    graph.node.splice(graph.node.indexOf(node) + 1, 0, cast);
  }
}

function retypeValueInfo(info: ValueInfoProto): void {
  const tensorType = info.type?.tensor_type;
  if (tensorType?.elem_type === TensorDataType.FLOAT) tensorType.elem_type = TensorDataType.DOUBLE;
}

function retypeNode(node: NodeProto): void {
  for (const attribute of node.attribute ?? []) {
    if (node.op_type === 'Cast' && attribute.name === 'to' && Number(attribute.i) === TensorDataType.FLOAT) attribute.i = TensorDataType.DOUBLE;
    if (attribute.t && attribute.t.data_type === TensorDataType.FLOAT && (node.op_type === 'Constant' || node.op_type === 'ConstantOfShape')) {
      attribute.t = doubleTensor(attribute.t.name, attribute.t.dims, floatValues(attribute.t));
    }
  }
  if (node.op_type === 'ConstantOfShape' && !(node.attribute ?? []).some((a) => a.name === 'value')) {
    node.attribute = [...(node.attribute ?? []), { name: 'value', type: 4, t: doubleTensor('', [1], [0]) }]; // the default is a float32 zero
  }
  if (node.op_type === 'Constant') {
    const attribute = node.attribute?.find((a) => a.name === 'value_float' || a.name === 'value_floats');
    if (attribute) {
      const values = attribute.name === 'value_float' ? [Number(attribute.f)] : (attribute.floats ?? []).map(Number);
      node.attribute = [{ name: 'value', type: 4, t: doubleTensor('', attribute.name === 'value_float' ? [] : [values.length], Float64Array.from(values)) }];
    }
  }
}

async function toDoubleTensor(tensor: TensorProto, sourceDir: string, weights?: WeightsFile): Promise<void> {
  const values = isExternal(tensor) ? new Float32Array((await readExternalBytes(tensor, sourceDir, storedBytes(tensor))).buffer) : floatValues(tensor);
  const double = doubleTensor(tensor.name, tensor.dims, values);
  Object.assign(tensor, double, { data_location: 0, external_data: [], float_data: [] });
  if (weights) await weights.add(tensor, double.raw_data!);
}

function doubleTensor(name: string, dims: number[], values: ArrayLike<number>): TensorProto {
  const raw = new Uint8Array(Float64Array.from(values).buffer);
  return { name, dims, data_type: TensorDataType.DOUBLE, raw_data: raw };
}

function floatValues(tensor: TensorProto): Float32Array {
  if (tensor.raw_data && tensor.raw_data.length > 0) return new Float32Array(new Uint8Array(tensor.raw_data).buffer);
  return Float32Array.from(tensor.float_data ?? []);
}

/** Bytes of a tensor as stored (external length, or element count × element size). */
export function storedBytes(tensor: TensorProto): number {
  const length = tensor.external_data?.find((e) => e.key === 'length')?.value;
  if (length !== undefined) return Number(length);
  if (tensor.raw_data) return tensor.raw_data.length;
  return elementCount(tensor) * 4;
}

function elementCount(tensor: TensorProto): number {
  return tensor.dims.reduce((a, d) => a * Number(d), 1);
}
