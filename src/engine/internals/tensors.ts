/**
 * Reading a weight of an ONNX graph as float64 numbers: an initializer (float32, float16,
 * bfloat16 or float64; inline or external data), or what a weight-only chain makes of one
 * (DequantizeLinear of int8/uint8 with per-tensor or per-axis scales, Transpose, Cast,
 * Identity), and the 4- and 8-bit block-quantized tables of com.microsoft.MatMulNBits and
 * GatherBlockQuantized nodes (dequantized by graph/contrib/quantized.ts, as the graph rewrite
 * does). Anything else is refused with the name of the tensor and of the op.
 */
import { EngineError } from '../errors.ts';
import { readExternalBytes } from '../graph/external-data.ts';
import { halfToFloat } from '../runtime/float-arrays.ts';
import { gatherBlockQuantizedTable, matMulNBitsWeights, type DequantizedTable, type QuantizedSource } from '../graph/contrib/quantized.ts';
import { TensorDataType, type GraphProto, type NodeProto, type TensorProto } from '../graph/onnx-model.ts';

/** A row-major float64 tensor. */
export interface DenseTensor {
  dims: number[];
  data: Float64Array;
}

export class GraphTensors implements QuantizedSource {
  private readonly initializers: Map<string, TensorProto>;
  private readonly producers = new Map<string, NodeProto>();

  constructor(
    readonly graph: GraphProto,
    private readonly sourceDir: string,
  ) {
    this.initializers = new Map(graph.initializer.map((t) => [t.name, t]));
    for (const node of graph.node) for (const out of node.output) this.producers.set(out, node);
  }

  /** Whether `name` is a weight: an initializer, or derived from initializers only. */
  isWeight(name: string): boolean {
    if (this.initializers.has(name)) return true;
    const producer = this.producers.get(name);
    return producer !== undefined && WEIGHT_OPS.has(producer.op_type) && producer.input.filter((i) => i !== '').every((i) => this.isWeight(i));
  }

  initializer(name: string): TensorProto | undefined {
    return this.initializers.get(name);
  }

  async tensorBytes(tensor: TensorProto): Promise<Uint8Array> {
    return isExternal(tensor) ? readExternal(tensor, this.sourceDir) : Uint8Array.from(tensor.raw_data ?? []);
  }

  floatValues(tensor: TensorProto): Promise<Float64Array> {
    return this.decode(tensor);
  }

  /** The weight a MatMulNBits node multiplies by, as the [K, N] matrix of a MatMul. */
  async matMulNBitsWeight(node: NodeProto): Promise<DenseTensor> {
    const rows = await this.blockQuantized(node, await matMulNBitsWeights(this, node));
    return transpose2d({ dims: [rows.rows, rows.columns], data: rows.data }, node.input[1]);
  }

  /** The table a GatherBlockQuantized node looks rows up in. */
  async gatherBlockQuantizedTable(node: NodeProto): Promise<DenseTensor> {
    const table = await this.blockQuantized(node, await gatherBlockQuantizedTable(this, node));
    return { dims: [table.rows, table.columns], data: table.data };
  }

  private async blockQuantized(node: NodeProto, table: DequantizedTable | undefined): Promise<DequantizedTable> {
    if (table) return table;
    throw new EngineError(
      'unsupported-graph',
      `The ${node.op_type} node "${node.name}" stores its weight in a form Prompt Lens does not read (it reads uint8-packed 4- or 8-bit blocks with float scales, without g_idx, and GatherBlockQuantized on axis 0 of a 2-D table).`,
      'Use the fp32, fp16 or q8 export of the model, or report the model.',
    );
  }

  async read(name: string): Promise<DenseTensor> {
    const init = this.initializers.get(name);
    if (init) return { dims: init.dims.map(Number), data: await this.decode(init) };
    const producer = this.producers.get(name);
    if (!producer) throw notFound(name, 'no initializer or node produces it');
    switch (producer.op_type) {
      case 'Identity':
      case 'Cast':
        return this.read(producer.input[0]);
      case 'Transpose':
        return transpose2d(await this.read(producer.input[0]), name);
      case 'DequantizeLinear':
        return this.dequantize(producer);
      default:
        throw new EngineError(
          'unsupported-graph',
          `The weight "${name}" is computed by a ${producer.domain ? `${producer.domain}.` : ''}${producer.op_type} node, which Prompt Lens cannot read as a weight matrix.`,
          'Use the fp32, fp16 or q8 (DequantizeLinear) export of the model, or report the model.',
        );
    }
  }

  private async dequantize(node: NodeProto): Promise<DenseTensor> {
    const [xName, scaleName, zeroName] = node.input;
    const x = this.initializers.get(xName);
    if (!x) throw notFound(xName, 'the quantized input of a DequantizeLinear is not an initializer');
    const dims = x.dims.map(Number);
    const values = await this.decode(x);
    const scale = (await this.read(scaleName)).data;
    const zero = zeroName ? (await this.read(zeroName)).data : new Float64Array(scale.length);
    const axisAttr = node.attribute?.find((a) => a.name === 'axis');
    const axis = scale.length === 1 ? 0 : ((Number(axisAttr?.i ?? 1) % dims.length) + dims.length) % dims.length;
    const inner = dims.slice(axis + 1).reduce((a, d) => a * d, 1);
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) {
      const c = scale.length === 1 ? 0 : Math.floor(i / inner) % dims[axis];
      out[i] = (values[i] - zero[c]) * scale[c];
    }
    return { dims, data: out };
  }

  private async decode(tensor: TensorProto): Promise<Float64Array> {
    const count = tensor.dims.reduce((a, d) => a * Number(d), 1);
    const raw = isExternal(tensor) ? await readExternal(tensor, this.sourceDir) : tensor.raw_data && tensor.raw_data.length > 0 ? new Uint8Array(tensor.raw_data) : undefined;
    const buffer = raw ? (raw.slice().buffer as ArrayBuffer) : undefined;
    switch (tensor.data_type) {
      case TensorDataType.FLOAT:
        return Float64Array.from(buffer ? new Float32Array(buffer) : (tensor.float_data ?? []));
      case TensorDataType.DOUBLE:
        return buffer ? new Float64Array(buffer) : Float64Array.from((tensor as { double_data?: number[] }).double_data ?? []);
      case TensorDataType.FLOAT16:
        return halves(buffer, tensor, count, halfToFloat);
      case TensorDataType.BFLOAT16:
        return halves(buffer, tensor, count, (bits) => new Float32Array(new Uint32Array([bits << 16]).buffer)[0]);
      case TensorDataType.INT8:
        return Float64Array.from(buffer ? new Int8Array(buffer) : ((tensor as { int32_data?: number[] }).int32_data ?? []));
      case TensorDataType.UINT8:
        return Float64Array.from(buffer ? new Uint8Array(buffer) : ((tensor as { int32_data?: number[] }).int32_data ?? []));
      default:
        throw new EngineError('unsupported-graph', `The weight "${tensor.name}" has ONNX element type ${tensor.data_type}, which Prompt Lens does not read.`, 'Use the fp32, fp16 or q8 export of the model.');
    }
  }
}

const BYTES_PER_ELEMENT: Record<number, number> = { [TensorDataType.FLOAT]: 4, [TensorDataType.DOUBLE]: 8, [TensorDataType.FLOAT16]: 2, [TensorDataType.BFLOAT16]: 2, [TensorDataType.INT8]: 1, [TensorDataType.UINT8]: 1 };

const WEIGHT_OPS = new Set(['Identity', 'Cast', 'Transpose', 'DequantizeLinear']);

function notFound(name: string, why: string): EngineError {
  return new EngineError('unsupported-graph', `Cannot read the weight "${name}": ${why}.`, 'Use an fp32, fp16 or q8 export from optimum or transformers.js, or report the model.');
}

function halves(buffer: ArrayBuffer | undefined, tensor: TensorProto, count: number, convert: (bits: number) => number): Float64Array {
  // Without raw data, ONNX stores 16-bit floats one per int32_data entry.
  const bits = buffer ? new Uint16Array(buffer) : Uint16Array.from((tensor as { int32_data?: number[] }).int32_data ?? []);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = convert(bits[i]);
  return out;
}

function transpose2d(t: DenseTensor, name: string): DenseTensor {
  if (t.dims.length !== 2) throw notFound(name, `it transposes a tensor of ${t.dims.length} dimensions, not a matrix`);
  const [rows, cols] = t.dims;
  const out = new Float64Array(t.data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = t.data[r * cols + c];
  return { dims: [cols, rows], data: out };
}

function isExternal(tensor: TensorProto): boolean {
  return tensor.data_location === 1 || (tensor.external_data?.length ?? 0) > 0;
}

/** External bytes, read through the one checked reader (the location must lie in the model's folder). */
function readExternal(tensor: TensorProto, sourceDir: string): Promise<Uint8Array> {
  const elements = tensor.dims.reduce((a, d) => a * Number(d), 1);
  return readExternalBytes(tensor, sourceDir, elements * (BYTES_PER_ELEMENT[tensor.data_type] ?? 4));
}
