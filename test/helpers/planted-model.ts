/**
 * Writes a one-layer decoder model folder whose weights are chosen by the test (planted
 * structure), with tiny-llama's tokenizer and the node names of an optimum export. The graph
 * holds exactly the nodes the global analyses read (embedding lookup, input norm, q/k
 * projections, down projection, LM head); it is for reading weights, not for running.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeOnnxModel, tensorValueInfo, TensorDataType, type NodeProto, type TensorProto } from '../../src/engine/graph/onnx-model.ts';
import { tempDir, testModel } from './paths.ts';

export interface PlantedWeights {
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** vocab × hidden. */
  embedding: number[][];
  /** hidden. */
  inputNormGain: number[];
  /** hidden × (heads · headDim). */
  query: number[][];
  /** hidden × (kvHeads · headDim). */
  key: number[][];
  /** d_ff × hidden. */
  down: number[][];
  /** vocab × hidden (written transposed, as the LM head MatMul weight). */
  unembedding: number[][];
  /** Node name of the down projection (to test a graph without one). */
  downNodeName?: string;
  /** Op of the down projection (to test an unreadable one). */
  downOp?: string;
}

function tensor(name: string, rows: number[][]): TensorProto {
  const flat = Float32Array.from(rows.flat());
  return { name, dims: [rows.length, rows[0].length], data_type: TensorDataType.FLOAT, raw_data: new Uint8Array(flat.buffer) };
}

function vector(name: string, values: number[]): TensorProto {
  return { name, dims: [values.length], data_type: TensorDataType.FLOAT, raw_data: new Uint8Array(Float32Array.from(values).buffer) };
}

export function transposeRows(m: number[][]): number[][] {
  return m[0].map((_, c) => m.map((row) => row[c]));
}

export function writePlantedModel(w: PlantedWeights): string {
  const dir = tempDir('prompt-lens-planted-');
  const source = testModel('tiny-llama');
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) copyFileSync(path.join(source, f), path.join(dir, f));
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({ model_type: 'llama', hidden_size: w.hidden, num_attention_heads: w.heads, num_key_value_heads: w.kvHeads, head_dim: w.headDim, num_hidden_layers: 1, vocab_size: w.embedding.length, intermediate_size: w.down.length }),
  );
  const node = (name: string, op: string, input: string[], output: string): NodeProto => ({ name, op_type: op, domain: op === 'MatMulNBits' ? 'com.microsoft' : '', input, output: [output], attribute: [] });
  const nodes: NodeProto[] = [
    node('/embed_tokens/Gather', 'Gather', ['model.embed_tokens.weight', 'input_ids'], 'e'),
    node('/layers.0/input_layernorm/Mul_1', 'Mul', ['e', 'model.layers.0.input_layernorm.weight'], 'n'),
    node('/layers.0/self_attn/q_proj/MatMul', 'MatMul', ['n', 'onnx::MatMul_1'], 'q'),
    node('/layers.0/self_attn/k_proj/MatMul', 'MatMul', ['n', 'onnx::MatMul_2'], 'k'),
    node(w.downNodeName ?? '/layers.0/mlp/down_proj/MatMul', w.downOp ?? 'MatMul', ['h', 'onnx::MatMul_3'], 'f'),
    node('/MatMul', 'MatMul', ['n', 'onnx::MatMul_4'], 'logits'),
  ];
  const model = {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }],
    graph: {
      name: 'planted',
      node: nodes,
      initializer: [
        tensor('model.embed_tokens.weight', w.embedding),
        vector('model.layers.0.input_layernorm.weight', w.inputNormGain),
        tensor('onnx::MatMul_1', w.query),
        tensor('onnx::MatMul_2', w.key),
        tensor('onnx::MatMul_3', w.down),
        tensor('onnx::MatMul_4', transposeRows(w.unembedding)),
      ],
      input: [tensorValueInfo('input_ids', TensorDataType.INT64, ['batch_size', 'sequence_length']), tensorValueInfo('h', TensorDataType.FLOAT, ['batch_size', 'sequence_length', w.down.length])],
      output: [tensorValueInfo('logits', TensorDataType.FLOAT, ['batch_size', 'sequence_length', w.embedding.length])],
    },
  };
  mkdirSync(path.join(dir, 'onnx'));
  writeFileSync(path.join(dir, 'onnx/model.onnx'), encodeOnnxModel(model));
  return dir;
}
