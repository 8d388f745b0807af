/**
 * Reading and writing ONNX ModelProto files with protobufjs and the official ONNX schema
 * (tools/onnx-schema/onnx.proto → onnx-schema.json). Weights are decoded as views into the
 * file buffer, never copied.
 */
import protobuf from 'protobufjs';
import { readFile } from 'node:fs/promises';
import schema from './onnx-schema.json';
import { EngineError } from '../errors.ts';

const root = protobuf.Root.fromJSON(schema as protobuf.INamespace);
const ModelProtoType = root.lookupType('onnx.ModelProto');

/** ONNX TensorProto.DataType values the engine needs by name. */
export const TensorDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  BFLOAT16: 16,
} as const;

export interface AttributeProto {
  name: string;
  type?: number;
  i?: number;
  ints?: number[];
  s?: Uint8Array;
  f?: number;
  floats?: number[];
  t?: TensorProto;
  tensors?: TensorProto[];
  sparse_tensor?: SparseTensorProto;
  sparse_tensors?: SparseTensorProto[];
  /** Subgraphs (If/Loop/Scan bodies). */
  g?: GraphProto;
  graphs?: GraphProto[];
}
export interface NodeProto {
  name?: string;
  op_type: string;
  domain?: string;
  input: string[];
  output: string[];
  attribute?: AttributeProto[];
}
export interface StringStringEntryProto {
  key: string;
  value: string;
}
export interface TensorProto {
  name: string;
  dims: number[];
  data_type: number;
  raw_data?: Uint8Array;
  float_data?: number[];
  data_location?: number;
  external_data?: StringStringEntryProto[];
}
export interface SparseTensorProto {
  values?: TensorProto;
  indices?: TensorProto;
}
export interface DimensionProto {
  dim_value?: number;
  dim_param?: string;
}
export interface ValueInfoProto {
  name: string;
  type?: { tensor_type?: { elem_type?: number; shape?: { dim?: DimensionProto[] } } };
}
export interface GraphProto {
  name?: string;
  node: NodeProto[];
  initializer: TensorProto[];
  sparse_initializer?: SparseTensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info?: ValueInfoProto[];
}
export interface ModelProto {
  ir_version?: number;
  opset_import?: { domain?: string; version?: number }[];
  graph: GraphProto;
  functions?: { name?: string; node: NodeProto[] }[];
}

export async function readOnnxModel(file: string): Promise<ModelProto> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new EngineError('model-files-missing', `Cannot read the model graph ${file}.`, 'Check that the model folder holds its onnx/ files.', { cause });
  }
  try {
    return ModelProtoType.decode(bytes) as unknown as ModelProto;
  } catch (cause) {
    throw new EngineError(
      'model-files-corrupt',
      `The model graph ${file} is not a valid ONNX file (${(cause as Error).message}).`,
      'Download or export the model again; a partial download leaves a truncated file.',
      { cause },
    );
  }
}

export function encodeOnnxModel(model: ModelProto): Uint8Array {
  return ModelProtoType.encode(model as unknown as protobuf.Message).finish();
}

/** Builds a graph input (or output) description for a tensor. */
export function tensorValueInfo(name: string, elemType: number, dims: (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensor_type: {
        elem_type: elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

export function opsetVersion(model: ModelProto, domain = ''): number {
  const entry = model.opset_import?.find((o) => (o.domain ?? '') === domain || (domain === '' && o.domain === 'ai.onnx'));
  return Number(entry?.version ?? 0);
}

export function elemTypeOf(info: ValueInfoProto): number | undefined {
  return info.type?.tensor_type?.elem_type;
}

export function dimsOf(info: ValueInfoProto): (number | string)[] {
  return (info.type?.tensor_type?.shape?.dim ?? []).map((d) => (d.dim_param ? d.dim_param : Number(d.dim_value ?? 0)));
}

/** The nodes of `graph` and, depth first, of its subgraphs (If branches, loop bodies): a prepared graph's pass is one If. */
export function allNodes(graph: GraphProto): NodeProto[] {
  return graph.node.flatMap((node) => [node, ...(node.attribute ?? []).flatMap((a) => [a.g, ...(a.graphs ?? [])]).flatMap((g) => (g ? allNodes(g) : []))]);
}
