/**
 * A graph's parameters, counted from its initializers' shapes without loading its weights: the
 * protobuf is walked field by field from the file, reading only the graph's initializer headers
 * (dims and data type) and skipping their data, so a multi-gigabyte graph costs a few reads.
 * Shapes are in the graph file whether the data is inline or external, so external data counts.
 * What precision.ts needs to foresee the size of a float64 conversion, whatever the file's dtype.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { TensorDataType } from '../graph/onnx-model.ts';

export interface ParameterCount {
  /** Elements of floating-point initializers (float16, bfloat16, float32, float64): what float64 makes 8 bytes each. */
  floatParameters: number;
  /** Bytes of the other initializers (quantized weights, integer tables), which keep their type. */
  otherBytes: number;
}

const FLOAT_TYPES = new Set<number>([TensorDataType.FLOAT, TensorDataType.FLOAT16, TensorDataType.DOUBLE, TensorDataType.BFLOAT16]);
/** Bytes per element of ONNX's other element types (TensorProto.DataType); 4-bit types are half a byte. */
const ELEMENT_BYTES: Record<number, number> = { 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 12: 4, 13: 8, 17: 1, 18: 1, 19: 1, 20: 1, 21: 0.5, 22: 0.5, 23: 0.5 };

const MODEL_GRAPH_FIELD = 7;
const GRAPH_INITIALIZER_FIELD = 5;
const TENSOR_DIMS_FIELD = 1;
const TENSOR_DATA_TYPE_FIELD = 2;

/** The parameters of the graph in `graphFile` (an ONNX ModelProto), from its initializers' headers. */
export async function countParameters(graphFile: string): Promise<ParameterCount> {
  const file = await open(graphFile, 'r');
  try {
    const reader = new FieldReader(file, (await file.stat()).size);
    const count: ParameterCount = { floatParameters: 0, otherBytes: 0 };
    for await (const graph of reader.fields(0, reader.size)) {
      if (graph.number !== MODEL_GRAPH_FIELD || graph.end === undefined) continue;
      for await (const initializer of reader.fields(graph.start, graph.end)) {
        if (initializer.number !== GRAPH_INITIALIZER_FIELD || initializer.end === undefined) continue;
        const { elements, dataType } = await tensorHeader(reader, initializer.start, initializer.end);
        if (FLOAT_TYPES.has(dataType)) count.floatParameters += elements;
        else count.otherBytes += elements * (ELEMENT_BYTES[dataType] ?? 0);
      }
    }
    return count;
  } finally {
    await file.close();
  }
}

/** Bytes the initializers take once float64 conversion made every float one 8 bytes wide. */
export function float64Bytes(count: ParameterCount): number {
  return count.floatParameters * 8 + count.otherBytes;
}

async function tensorHeader(reader: FieldReader, start: number, end: number): Promise<{ elements: number; dataType: number }> {
  let elements = 1;
  let dataType = 0;
  for await (const field of reader.fields(start, end)) {
    if (field.number === TENSOR_DATA_TYPE_FIELD && field.value !== undefined) dataType = field.value;
    if (field.number !== TENSOR_DIMS_FIELD) continue;
    if (field.value !== undefined) elements *= field.value;
    else if (field.end !== undefined) {
      // Packed dims.
      let at = field.start;
      while (at < field.end) {
        const dim = await reader.varint(at);
        elements *= dim.value;
        at = dim.next;
      }
    }
  }
  return { elements, dataType };
}

interface Field {
  number: number;
  /** A varint field's value. */
  value?: number;
  /** A length-delimited field's contents: [start, end). */
  start: number;
  end?: number;
}

/** Protobuf fields read from a file on demand, through a small window. */
class FieldReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  /** The fields of the message in [start, end), contents not read. */
  async *fields(start: number, end: number): AsyncGenerator<Field> {
    let at = start;
    while (at < end) {
      const tag = await this.varint(at);
      const number = Math.floor(tag.value / 8);
      const wireType = tag.value % 8;
      at = tag.next;
      if (wireType === 0) {
        const value = await this.varint(at);
        yield { number, value: value.value, start: at };
        at = value.next;
      } else if (wireType === 2) {
        const length = await this.varint(at);
        yield { number, start: length.next, end: length.next + length.value };
        at = length.next + length.value;
      } else if (wireType === 1) at += 8;
      else if (wireType === 5) at += 4;
      else throw new Error(`unexpected protobuf wire type ${wireType} at byte ${at}`);
    }
    if (at !== end) throw new Error(`protobuf message overruns its end at byte ${end}`);
  }

  /** A varint at `at` (as a JavaScript number; exact up to 2^53) and the position after it. */
  async varint(at: number): Promise<{ value: number; next: number }> {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = await this.byte(at + i);
      value += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) return { value, next: at + i + 1 };
    }
    throw new Error(`malformed protobuf varint at byte ${at}`);
  }

  private async byte(at: number): Promise<number> {
    if (at >= this.size) throw new Error(`protobuf field runs past the end of the file (${this.size} bytes)`);
    if (at < this.windowStart || at >= this.windowStart + this.window.length) {
      const buffer = Buffer.alloc(Math.min(64 * 1024, this.size - at));
      const { bytesRead } = await this.file.read(buffer, 0, buffer.length, at);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = at;
    }
    return this.window[at - this.windowStart];
  }
}
