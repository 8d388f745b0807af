/**
 * Block-quantized weights dequantized once, exactly, into double initializers: (q − zero point) ·
 * scale per block is exact in float64. com.microsoft.MatMulNBits (A · dequant(B)ᵀ [+ bias]) becomes
 * a MatMul on the [K, N] table; com.microsoft.GatherBlockQuantized (rows of a table quantized along
 * its last axis) a Gather. Supported: uint8 storage of 4- or 8-bit values, low bits first, zero
 * points absent (2^(bits−1)), packed like the values, or of the scales' type; MatMulNBits without
 * g_idx, GatherBlockQuantized on axis 0 of a 2-D table. The global analyses' weight reader
 * (internals/tensors.ts) dequantizes through the same functions.
 */
import { TensorDataType, type NodeProto, type TensorProto } from '../onnx-model.ts';
import type { Rule } from './rewrite.ts';

/** Where the dequantizers read a node's tensors: the graph rewrite's context, or the global analyses' weight reader. */
export interface QuantizedSource {
  initializer(name: string): TensorProto | undefined;
  tensorBytes(tensor: TensorProto): Promise<Uint8Array>;
  /** The values of a float tensor (undefined for a type the source does not read as floats). */
  floatValues(tensor: TensorProto): Promise<ArrayLike<number> | undefined>;
}

/** A row-major float64 table. */
export interface DequantizedTable {
  rows: number;
  columns: number;
  data: Float64Array;
}

function attribute(node: NodeProto, name: string): number | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  return a === undefined ? undefined : a.type === 1 ? Number(a.f) : Number(a.i);
}

/** B of a MatMulNBits node as its N × K rows (the node computes A · Bᵀ), or undefined for a form not covered. */
export async function matMulNBitsWeights(source: QuantizedSource, node: NodeProto): Promise<DequantizedTable | undefined> {
  const [, b, scales, zeroPoints, groupIndex] = node.input;
  const [K, N, bits, blockSize] = ['K', 'N', 'bits', 'block_size'].map((n) => attribute(node, n));
  if (!K || !N || !blockSize || (bits !== 4 && bits !== 8) || groupIndex) return undefined;
  const blocks = Math.ceil(K / blockSize);
  const data = await dequantize(source, b, scales, zeroPoints, { rows: N, columns: K, blockSize, bits, blocksPerRow: blocks, bytesPerBlock: (blockSize * bits) / 8 });
  return data && { rows: N, columns: K, data };
}

/** The table a GatherBlockQuantized node gathers rows of, or undefined for a form not covered. */
export async function gatherBlockQuantizedTable(source: QuantizedSource, node: NodeProto): Promise<DequantizedTable | undefined> {
  const [tableName, , scales, zeroPoints] = node.input;
  const table = source.initializer(tableName);
  const bits = attribute(node, 'bits') ?? 4;
  const blockSize = attribute(node, 'block_size') ?? 128;
  if (!table || table.dims.length !== 2 || (attribute(node, 'gather_axis') ?? 0) !== 0 || ![1, -1].includes(attribute(node, 'quantize_axis') ?? 1) || (bits !== 4 && bits !== 8)) return undefined;
  const rows = Number(table.dims[0]);
  const columns = (Number(table.dims[1]) * 8) / bits;
  const data = await dequantize(source, tableName, scales, zeroPoints, { rows, columns, blockSize, bits, blocksPerRow: Math.ceil(columns / blockSize), bytesPerBlock: (blockSize * bits) / 8, packedRows: true });
  return data && { rows, columns, data };
}

export const matMulNBits: Rule = async (ctx) => {
  const weights = await matMulNBitsWeights(ctx, ctx.node);
  if (!weights) return false;
  const { rows: N, columns: K } = weights;
  const [a, , , , , bias] = ctx.node.input;
  const transposed = new Float64Array(K * N);
  for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) transposed[k * N + n] = weights.data[n * K + k];
  const { emit, node } = ctx;
  const product = emit.op('MatMul', [a, emit.double(transposed, [K, N])], {}, bias ? undefined : [node.output[0]]);
  if (bias) emit.op('Add', [product, bias], {}, [node.output[0]]);
  return true;
};

export const gatherBlockQuantized: Rule = async (ctx) => {
  const table = await gatherBlockQuantizedTable(ctx, ctx.node);
  if (!table) return false;
  ctx.emit.op('Gather', [ctx.emit.double(table.data, [table.rows, table.columns]), ctx.node.input[1]], { axis: 0 }, [ctx.node.output[0]]);
  return true;
};

/**
 * Bytes the double tables of a graph's block-quantized operators will take, known before they
 * are made (so a model too large for float64 is refused before gigabytes are allocated).
 */
export function dequantizedBytes(nodes: NodeProto[], initializers: Map<string, TensorProto>): number {
  let bytes = 0;
  for (const node of nodes) {
    if (node.domain !== 'com.microsoft') continue;
    const attr = (name: string, fallback: number) => Number(node.attribute?.find((a) => a.name === name)?.i ?? fallback);
    if (node.op_type === 'MatMulNBits') bytes += attr('K', 0) * attr('N', 0) * 8;
    if (node.op_type === 'GatherBlockQuantized') {
      const dims = initializers.get(node.input[0])?.dims.map(Number) ?? [];
      bytes += (dims.reduce((a, d) => a * d, 1) * 8 * 8) / attr('bits', 4);
    }
  }
  return bytes;
}

interface Layout {
  rows: number;
  columns: number;
  blockSize: number;
  bits: number;
  blocksPerRow: number;
  bytesPerBlock: number;
  /** Rows stored without padding their last block (GatherBlockQuantized), not in whole blocks (MatMulNBits). */
  packedRows?: boolean;
}

/** The [rows, columns] float64 weights, or undefined when a tensor is not a constant of a known type. */
async function dequantize(ctx: QuantizedSource, data: string, scalesName: string, zeroPointsName: string | undefined, layout: Layout): Promise<Float64Array | undefined> {
  const [dataTensor, scalesTensor] = [ctx.initializer(data), ctx.initializer(scalesName)];
  const zeroTensor = zeroPointsName ? ctx.initializer(zeroPointsName) : undefined;
  if (dataTensor?.data_type !== TensorDataType.UINT8 || !scalesTensor || (zeroPointsName && !zeroTensor)) return undefined;
  const scales = await ctx.floatValues(scalesTensor);
  if (!scales) return undefined;
  const { rows, columns, blockSize, bits, blocksPerRow, bytesPerBlock } = layout;
  const bytes = await ctx.tensorBytes(dataTensor);
  const rowBytes = layout.packedRows ? (columns * bits) / 8 : blocksPerRow * bytesPerBlock;
  if (bytes.length < rows * rowBytes || scales.length < rows * blocksPerRow) return undefined;
  const zeroPoint = await zeroPoints(ctx, zeroTensor, layout);
  if (!zeroPoint) return undefined;
  const mask = (1 << bits) - 1;
  const perByte = 8 / bits;
  const out = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const block = Math.floor(c / blockSize);
      const byte = bytes[r * rowBytes + Math.floor(c / perByte)];
      const q = (byte >> ((c % perByte) * bits)) & mask;
      out[r * columns + c] = (q - zeroPoint(r, block)) * scales[r * blocksPerRow + block];
    }
  }
  return out;
}

/** Zero point of (row, block): a default, packed integers like the values, or floats like the scales. */
async function zeroPoints(ctx: QuantizedSource, tensor: TensorProto | undefined, layout: Layout): Promise<((row: number, block: number) => number) | undefined> {
  const { bits, blocksPerRow } = layout;
  if (!tensor) return () => 2 ** (bits - 1);
  if (tensor.data_type === TensorDataType.UINT8) {
    const bytes = await ctx.tensorBytes(tensor);
    const perByte = 8 / bits;
    const rowBytes = Math.ceil(blocksPerRow / perByte);
    return (row, block) => (bytes[row * rowBytes + Math.floor(block / perByte)] >> ((block % perByte) * bits)) & ((1 << bits) - 1);
  }
  const values = await ctx.floatValues(tensor);
  return values ? (row, block) => values[row * blocksPerRow + block] : undefined;
}
