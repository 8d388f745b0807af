/**
 * Writing standard-ONNX replacements for one node: unique names under the node's own, constants
 * as initializers (float constants as double: rewrites serve the float64 conversion), and the
 * opset differences of the operators the rules use (Unsqueeze and ReduceSum took their axes as
 * an attribute before opset 13, ReduceMean before 18).
 */
import { TensorDataType, type AttributeProto, type NodeProto, type TensorProto } from '../onnx-model.ts';

type AttributeValue = number | number[];

export class Emitter {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private count = 0;

  constructor(
    private readonly prefix: string,
    private readonly opset: number,
  ) {}

  /** One node with one output (its name is returned), or `outputs` given by name. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputs?: string[]): string {
    const name = this.fresh(opType);
    const out = outputs ?? [`${name}/output_0`];
    this.nodes.push({ name, op_type: opType, domain: '', input: inputs, output: out, attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)) });
    return out[0];
  }

  int64(values: number[], dims: number[] = [values.length]): string {
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    return this.constant({ dims, data_type: TensorDataType.INT64, raw_data: raw });
  }

  double(values: ArrayLike<number>, dims: number[] = [values.length]): string {
    return this.constant({ dims, data_type: TensorDataType.DOUBLE, raw_data: new Uint8Array(Float64Array.from(values).buffer) });
  }

  /** A float32 or float64 constant, as `elemType` says. */
  floats(values: ArrayLike<number>, elemType: number, dims: number[] = [values.length]): string {
    if (elemType === TensorDataType.DOUBLE) return this.double(values, dims);
    return this.constant({ dims, data_type: TensorDataType.FLOAT, raw_data: new Uint8Array(Float32Array.from(values).buffer) });
  }

  /** A node given whole (other domains, tensor attributes); returns its first output. */
  node(node: Omit<NodeProto, 'name'>): string {
    this.nodes.push({ name: this.fresh(node.op_type), ...node });
    return node.output[0];
  }

  /** A fresh tensor name under the node's own. */
  name(kind: string): string {
    return this.fresh(kind);
  }

  unsqueeze(x: string, axes: number[]): string {
    return this.opset >= 13 ? this.op('Unsqueeze', [x, this.int64(axes)]) : this.op('Unsqueeze', [x], { axes });
  }

  reduceMean(x: string, axes: number[]): string {
    return this.opset >= 18 ? this.op('ReduceMean', [x, this.int64(axes)], { keepdims: 1 }) : this.op('ReduceMean', [x], { axes, keepdims: 1 });
  }

  /** The sum over `axes`, kept as size-1 axes or not; `outputs` given by name, as op's. */
  reduceSum(x: string, axes: number[], keepdims: number, outputs?: string[]): string {
    return this.opset >= 13 ? this.op('ReduceSum', [x, this.int64(axes)], { keepdims }, outputs) : this.op('ReduceSum', [x], { axes, keepdims }, outputs);
  }

  /** x[..., start:end] along `axis`. */
  slice(x: string, start: number, end: number, axis: number): string {
    return this.op('Slice', [x, this.int64([start]), this.int64([end]), this.int64([axis])]);
  }

  /** Dimension `index` of x's shape, as a 1-element int64 tensor. */
  dim(x: string, index: number): string {
    return this.op('Gather', [this.op('Shape', [x]), this.int64([index])], { axis: 0 });
  }

  private constant(tensor: Omit<TensorProto, 'name'>): string {
    const name = this.fresh('const');
    this.initializers.push({ name, ...tensor });
    return name;
  }

  private fresh(kind: string): string {
    return `${this.prefix}/prompt_lens_${kind}_${this.count++}`;
  }
}

function attribute(name: string, value: AttributeValue): AttributeProto {
  if (Array.isArray(value)) return { name, type: 7, ints: value };
  return Number.isInteger(value) ? { name, type: 2, i: value } : { name, type: 1, f: value };
}
