/**
 * Each rewrite rule of graph/contrib/ against onnxruntime's own kernel: a one-node graph with the
 * contrib operator runs in float32 on seeded random inputs; the same graph rewritten into
 * standard operators and converted to float64 (graph/float64.ts) must give the same outputs, to
 * float32's rounding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { convertToFloat64 } from '../../src/engine/graph/float64.ts';
import { nodeRewriter } from '../../src/engine/graph/contrib/rewrite.ts';
import { insertTangents } from '../../src/engine/graph/jvp/tangents.ts';
import { allNodes, encodeOnnxModel, tensorValueInfo, TensorDataType, type AttributeProto, type ModelProto, type NodeProto, type TensorProto } from '../../src/engine/graph/onnx-model.ts';
import { mulberry32 } from '../../src/engine/random.ts';
import { EngineError } from '../../src/engine/errors.ts';

type Dims = number[];
interface Input {
  name: string;
  dims: Dims;
  /** int64 / int32 values; random floats when absent. */
  ints?: number[];
  type?: 'int64' | 'int32';
}
interface Case {
  name: string;
  op: string;
  domain?: string;
  attributes?: Record<string, number>;
  inputs: (Input | string)[];
  initializers?: TensorProto[];
  outputs: string[];
  /** Outputs of type int32 (the others are float). */
  intOutputs?: string[];
}

const random = mulberry32(7);
const uniform = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);
const count = (dims: Dims) => dims.reduce((a, b) => a * b, 1);

function floatTensor(name: string, dims: Dims, values: Float32Array): TensorProto {
  return { name, dims, data_type: TensorDataType.FLOAT, raw_data: new Uint8Array(values.buffer.slice(0)) };
}
function uint8Tensor(name: string, dims: Dims): TensorProto {
  return { name, dims, data_type: TensorDataType.UINT8, raw_data: Uint8Array.from({ length: count(dims) }, () => Math.floor(random() * 256)) };
}
function rotaryTables(positions: number, half: number): TensorProto[] {
  const angles = (f: (x: number) => number) => Float32Array.from({ length: positions * half }, (_, i) => f(Math.floor(i / half) * 10000 ** (-(i % half) / half)));
  return [floatTensor('cos_cache', [positions, half], angles(Math.cos)), floatTensor('sin_cache', [positions, half], angles(Math.sin))];
}

function buildModel(c: Case, feeds: Map<string, Input>): ModelProto {
  const attribute: AttributeProto[] = Object.entries(c.attributes ?? {}).map(([name, v]) => (Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v }));
  const node: NodeProto = { name: c.name, op_type: c.op, domain: c.domain ?? 'com.microsoft', input: c.inputs.map((i) => (typeof i === 'string' ? i : i.name)), output: c.outputs, attribute };
  const elem = (i: Input) => (i.type === 'int64' ? TensorDataType.INT64 : i.type === 'int32' ? TensorDataType.INT32 : TensorDataType.FLOAT);
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }],
    graph: {
      name: c.name,
      node: [node],
      initializer: structuredClone(c.initializers ?? []), // the float64 conversion changes its tensors in place
      // A leading 1 stays fixed: it broadcasts over the batch (position_ids [1, sequence]).
      input: [...feeds.values()].map((i) => tensorValueInfo(i.name, elem(i), i.dims.map((d, k) => (k === 0 && d !== 1 ? 'batch' : d)))),
      output: c.outputs.filter(Boolean).map((o) => ({ name: o, type: { tensor_type: { elem_type: c.intOutputs?.includes(o) ? TensorDataType.INT32 : TensorDataType.FLOAT } } })),
    },
  };
}

async function run(model: ModelProto, feeds: Map<string, Input>, values: Map<string, Float32Array | Float64Array>, double: boolean, extra: Record<string, ort.Tensor> = {}): Promise<Record<string, Float64Array>> {
  const session = await ort.InferenceSession.create(encodeOnnxModel(model), { graphOptimizationLevel: double ? 'basic' : 'all', logSeverityLevel: 3 });
  try {
    const tensors: Record<string, ort.Tensor> = {};
    for (const input of feeds.values()) {
      if (input.type === 'int64') tensors[input.name] = new ort.Tensor('int64', BigInt64Array.from(input.ints!.map(BigInt)), input.dims);
      else if (input.type === 'int32') tensors[input.name] = new ort.Tensor('int32', Int32Array.from(input.ints!), input.dims);
      else tensors[input.name] = double ? new ort.Tensor('float64', Float64Array.from(values.get(input.name)!), input.dims) : new ort.Tensor('float32', Float32Array.from(values.get(input.name)!), input.dims);
    }
    const out = await session.run({ ...tensors, ...extra });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float64Array.from(t.data as Float32Array | Float64Array)]));
  } finally {
    await session.release();
  }
}

async function checkRule(c: Case): Promise<void> {
  const feeds = new Map(c.inputs.filter((i): i is Input => typeof i !== 'string' && i.name !== '').map((i) => [i.name, i]));
  const values = new Map([...feeds.values()].filter((i) => !i.type).map((i) => [i.name, uniform(count(i.dims))]));
  const kernel = await run(buildModel(c, feeds), feeds, values, false);
  const rewritten = buildModel(c, feeds);
  await convertToFloat64(rewritten, '.');
  assert.deepEqual(rewritten.graph.node.filter((n) => n.domain === 'com.microsoft'), [], 'no contrib operator is left');
  assert.ok(!rewritten.graph.node.some((n) => n.op_type === c.op), `${c.op} was rewritten`);
  const ours = await run(rewritten, feeds, values, true);
  for (const name of c.outputs.filter(Boolean)) {
    const [a, b] = [kernel[name], ours[name]];
    assert.equal(b.length, a.length, `${name}: ${b.length} values, onnxruntime's kernel gives ${a.length}`);
    let largest = 1;
    let diff = 0;
    for (let i = 0; i < a.length; i++) {
      largest = Math.max(largest, Math.abs(a[i]));
      diff = Math.max(diff, Math.abs(a[i] - b[i]));
    }
    console.log(`# ${c.name} ${name}: max |Δ| = ${diff.toExponential(2)} (largest ${largest.toFixed(2)})`);
    assert.ok(diff <= 1e-5 * largest, `${c.name} ${name}: max |Δ| ${diff}`);
  }
}

const x3 = (name: string, dims: Dims): Input => ({ name, dims });
const ints = (name: string, dims: Dims, values: number[], type: 'int64' | 'int32' = 'int64'): Input => ({ name, dims, ints: values, type });

const CASES: Case[] = [
  { name: 'SimplifiedLayerNormalization', op: 'SimplifiedLayerNormalization', domain: '', attributes: { axis: -1, epsilon: 1e-5, stash_type: 1 }, inputs: [x3('x', [2, 3, 8]), 'gamma'], initializers: [floatTensor('gamma', [8], uniform(8))], outputs: ['y'] },
  {
    name: 'SkipSimplifiedLayerNormalization', op: 'SkipSimplifiedLayerNormalization', attributes: { epsilon: 1e-6 },
    inputs: [x3('input', [2, 3, 8]), x3('skip', [2, 3, 8]), 'gamma', 'bias'], initializers: [floatTensor('gamma', [8], uniform(8)), floatTensor('bias', [8], uniform(8))], outputs: ['y', '', '', 'sum'],
  },
  {
    name: 'SkipLayerNormalization', op: 'SkipLayerNormalization', attributes: { epsilon: 1e-5 },
    inputs: [x3('input', [2, 3, 8]), x3('skip', [2, 3, 8]), 'gamma', 'beta'], initializers: [floatTensor('gamma', [8], uniform(8)), floatTensor('beta', [8], uniform(8))], outputs: ['y', '', '', 'sum'],
  },
  {
    // onnxruntime.transformers' GPT-2 form: int32 ids, learned positions from position_ids (after a past of 3), no segments;
    // the embedding sum feeds the first residual connection.
    name: 'EmbedLayerNormalization (GPT-2 form: position_ids, embedding_sum)', op: 'EmbedLayerNormalization', attributes: { epsilon: 1e-5 },
    inputs: [ints('input_ids', [2, 5], [3, 0, 19, 7, 7, 11, 2, 5, 18, 1], 'int32'), '', 'word', 'position', '', 'gamma', 'beta', '', ints('position_ids', [2, 5], [3, 4, 5, 6, 7, 3, 4, 5, 6, 7], 'int32')],
    initializers: [floatTensor('word', [20, 8], uniform(160)), floatTensor('position', [12, 8], uniform(96)), floatTensor('gamma', [8], uniform(8)), floatTensor('beta', [8], uniform(8))],
    outputs: ['output', '', 'embedding_sum'],
  },
  {
    name: 'EmbedLayerNormalization position_ids [1, sequence] shared by the batch, no mask', op: 'EmbedLayerNormalization', attributes: { epsilon: 1e-5 },
    inputs: [ints('input_ids', [2, 3], [3, 0, 19, 11, 2, 5], 'int32'), '', 'word', 'position', '', 'gamma', 'beta', '', ints('position_ids', [1, 3], [4, 5, 6], 'int32')],
    initializers: [floatTensor('word', [20, 8], uniform(160)), floatTensor('position', [12, 8], uniform(96)), floatTensor('gamma', [8], uniform(8)), floatTensor('beta', [8], uniform(8))],
    // No mask: mask_index is zeros.
    outputs: ['output', 'mask_index'], intOutputs: ['mask_index'],
  },
  {
    // BERT form: segments, default positions 0..S-1, mask_index (the count of mask ones per row).
    name: 'EmbedLayerNormalization (BERT form: segments, default positions, mask_index)', op: 'EmbedLayerNormalization', attributes: { epsilon: 1e-12 },
    inputs: [
      ints('input_ids', [2, 4], [3, 0, 19, 7, 11, 2, 5, 18], 'int32'), ints('segment_ids', [2, 4], [0, 0, 1, 1, 0, 1, 1, 1], 'int32'), 'word', 'position', 'segment', 'gamma', 'beta',
      ints('mask', [2, 4], [1, 1, 1, 0, 1, 1, 0, 0], 'int32'),
    ],
    initializers: [floatTensor('word', [20, 8], uniform(160)), floatTensor('position', [6, 8], uniform(48)), floatTensor('segment', [2, 8], uniform(16)), floatTensor('gamma', [8], uniform(8)), floatTensor('beta', [8], uniform(8))],
    outputs: ['output', 'mask_index', 'embedding_sum'], intOutputs: ['mask_index'],
  },
  { name: 'FastGelu', op: 'FastGelu', inputs: [x3('x', [2, 3, 8]), 'bias'], initializers: [floatTensor('bias', [8], uniform(8))], outputs: ['y'] },
  {
    name: 'RotaryEmbedding', op: 'RotaryEmbedding', attributes: { interleaved: 0 },
    inputs: [x3('x', [2, 5, 32]), ints('position_ids', [2, 5], [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]), 'cos_cache', 'sin_cache'], initializers: rotaryTables(16, 4), outputs: ['y'],
  },
  ...[0, 2].map((past): Case => ({
    name: `MultiHeadAttention past ${past}`, op: 'MultiHeadAttention', attributes: { num_heads: 4 },
    inputs: [x3('q', [2, 3, 32]), x3('k', [2, 3, 32]), x3('v', [2, 3, 32]), '', '', x3('attention_bias', [2, 4, 3, 3 + past]), x3('past_key', [2, 4, past, 8]), x3('past_value', [2, 4, past, 8])],
    outputs: ['out', 'present_key', 'present_value'],
  })),
  ...[0, 2].map((past): Case => ({
    name: `Attention (GPT-2 form: fused QKV, raw mask, causal) past ${past}`, op: 'Attention', attributes: { num_heads: 4, unidirectional: 1 },
    inputs: [x3('input', [2, 3, 32]), 'weights', 'bias', ints('mask_index', [2, 3 + past], [...Array(3 + past).fill(1), 0, ...Array(2 + past).fill(1)], 'int32'), x3('past', [2, 2, 4, past, 8])],
    initializers: [floatTensor('weights', [32, 96], uniform(32 * 96, 0.3)), floatTensor('bias', [96], uniform(96, 0.1))],
    outputs: ['out', 'present'],
  })),
  {
    name: 'Attention bidirectional, attention_bias, no mask, no past', op: 'Attention', attributes: { num_heads: 2 },
    // onnxruntime's CPU kernel needs the bias input (it crashed without it).
    inputs: [x3('input', [1, 4, 16]), 'weights', 'bias', '', '', x3('attention_bias', [1, 2, 4, 4])],
    initializers: [floatTensor('weights', [16, 48], uniform(16 * 48, 0.3)), floatTensor('bias', [48], uniform(48, 0.1))],
    outputs: ['out'],
  },
  ...[
    { batch: 1, past: 0, length: 5 },
    { batch: 1, past: 3, length: 4 },
    { batch: 2, past: 3, length: 1 },
  ].map(({ batch, past, length }): Case => ({
    name: `GroupQueryAttention batch ${batch} past ${past} new ${length}`, op: 'GroupQueryAttention', attributes: { num_heads: 4, kv_num_heads: 2, do_rotary: 1, local_window_size: -1 },
    inputs: [
      // onnxruntime's rotation wants a head size that is a multiple of 16.
      x3('q', [batch, length, 64]), x3('k', [batch, length, 32]), x3('v', [batch, length, 32]), x3('past_key', [batch, 2, past, 16]), x3('past_value', [batch, 2, past, 16]),
      ints('seqlens_k', [batch], Array(batch).fill(past + length - 1), 'int32'), ints('total_sequence_length', [], [past + length], 'int32'), 'cos_cache', 'sin_cache',
    ],
    initializers: rotaryTables(16, 8),
    outputs: ['out', 'present_key', 'present_value'],
  })),
  {
    name: 'GroupQueryAttention packed QKV with rotation (the GenAI builder\'s CPU form)', op: 'GroupQueryAttention', attributes: { num_heads: 4, kv_num_heads: 2, do_rotary: 1, local_window_size: -1 },
    inputs: [x3('qkv', [1, 3, 128]), '', '', x3('past_key', [1, 2, 2, 16]), x3('past_value', [1, 2, 2, 16]), ints('seqlens_k', [1], [4], 'int32'), ints('total_sequence_length', [], [5], 'int32'), 'cos_cache', 'sin_cache'],
    initializers: rotaryTables(16, 8),
    outputs: ['out', 'present_key', 'present_value'],
  },
  {
    name: 'GroupQueryAttention packed QKV, no rotary', op: 'GroupQueryAttention', attributes: { num_heads: 4, kv_num_heads: 4, local_window_size: -1 },
    inputs: [x3('qkv', [1, 3, 96]), '', '', x3('past_key', [1, 4, 2, 8]), x3('past_value', [1, 4, 2, 8]), ints('seqlens_k', [1], [4], 'int32'), ints('total_sequence_length', [], [5], 'int32')],
    outputs: ['out', 'present_key', 'present_value'],
  },
  {
    name: 'MatMulNBits 4-bit, default zero points', op: 'MatMulNBits', attributes: { K: 64, N: 5, bits: 4, block_size: 32 },
    inputs: [x3('a', [2, 3, 64]), 'b', 'scales'], initializers: [uint8Tensor('b', [5, 2, 16]), floatTensor('scales', [10], uniform(10, 0.1))], outputs: ['y'],
  },
  {
    name: 'MatMulNBits 4-bit, packed zero points, padded last block', op: 'MatMulNBits', attributes: { K: 40, N: 3, bits: 4, block_size: 16 },
    inputs: [x3('a', [2, 40]), 'b', 'scales', 'zero_points'], initializers: [uint8Tensor('b', [3, 3, 8]), floatTensor('scales', [9], uniform(9, 0.1)), uint8Tensor('zero_points', [6])], outputs: ['y'],
  },
  {
    name: 'MatMulNBits 8-bit', op: 'MatMulNBits', attributes: { K: 32, N: 4, bits: 8, block_size: 16 },
    inputs: [x3('a', [3, 32]), 'b', 'scales'], initializers: [uint8Tensor('b', [4, 2, 16]), floatTensor('scales', [8], uniform(8, 0.01))], outputs: ['y'],
  },
  {
    name: 'GatherBlockQuantized 4-bit', op: 'GatherBlockQuantized', attributes: { bits: 4, block_size: 16, gather_axis: 0, quantize_axis: 1 },
    inputs: ['data', ints('ids', [2, 3], [0, 5, 2, 2, 4, 1]), 'scales'], initializers: [uint8Tensor('data', [6, 16]), floatTensor('scales', [6, 2], uniform(12, 0.1))], outputs: ['y'],
  },
  {
    name: 'GatherBlockQuantized 4-bit with zero points', op: 'GatherBlockQuantized', attributes: { bits: 4, block_size: 16, gather_axis: 0, quantize_axis: 1 },
    inputs: ['data', ints('ids', [1, 4], [3, 0, 5, 1]), 'scales', 'zero_points'], initializers: [uint8Tensor('data', [6, 16]), floatTensor('scales', [6, 2], uniform(12, 0.1)), uint8Tensor('zero_points', [6, 1])], outputs: ['y'],
  },
];

for (const c of CASES) {
  test(`rewrite of ${c.name} matches onnxruntime's kernel`, () => checkRule(c));
}

test('a form no rule covers (interleaved RotaryEmbedding) is refused for float64, naming the operator', async () => {
  const c: Case = {
    name: 'interleaved', op: 'RotaryEmbedding', attributes: { interleaved: 1 },
    inputs: [x3('x', [1, 2, 32]), ints('position_ids', [1, 2], [0, 1]), 'cos_cache', 'sin_cache'], initializers: rotaryTables(16, 4), outputs: ['y'],
  };
  const feeds = new Map(c.inputs.filter((i): i is Input => typeof i !== 'string').map((i) => [i.name, i]));
  await assert.rejects(convertToFloat64(buildModel(c, feeds), '.'), (e: unknown) => e instanceof EngineError && e.code === 'unsupported-precision' && /com\.microsoft\.RotaryEmbedding in a form Prompt Lens cannot rewrite/.test(e.message));
});

test('the forward-mode derivative through the Attention rewrite (a float32 graph keeps the fused kernel) equals central differences of the float64 rewrite, for 2 directions in one pass', async () => {
  const c = CASES.find((x) => x.op === 'Attention' && x.name.endsWith('past 2'))!;
  const feeds = new Map(c.inputs.filter((i): i is Input => typeof i !== 'string' && i.name !== '').map((i) => [i.name, i]));
  const values = new Map([...feeds.values()].filter((i) => !i.type).map((i) => [i.name, uniform(count(i.dims))]));
  const dims = feeds.get('input')!.dims;
  const directions = 2;
  const direction = uniform(directions * count(dims));
  const model = buildModel(c, feeds);
  const tangent = await insertTangents(model, 'input', 'out', TensorDataType.FLOAT, nodeRewriter(model, '.'));
  assert.ok(allNodes(model.graph).some((n) => n.op_type === 'Attention'), 'the fused node stays');
  const extra = { [tangent.input]: new ort.Tensor('float32', direction, [directions, ...dims]), [tangent.wanted]: new ort.Tensor('bool', [true], [1]) };
  const derivatives = (await run(model, feeds, values, false, extra))[tangent.output];
  const rewritten = buildModel(c, feeds);
  await convertToFloat64(rewritten, '.');
  const step = 1e-4;
  const size = derivatives.length / directions;
  for (let k = 0; k < directions; k++) {
    const v = direction.subarray(k * count(dims), (k + 1) * count(dims));
    const derivative = derivatives.subarray(k * size, (k + 1) * size);
    const shifted = (sign: number) => new Map<string, Float32Array | Float64Array>([...values, ['input', Float64Array.from(values.get('input')!, (x, i) => x + sign * step * v[i])]]);
    const [up, down] = [(await run(rewritten, feeds, shifted(1), true)).out, (await run(rewritten, feeds, shifted(-1), true)).out];
    assert.equal(derivative.length, up.length);
    let largest = 0;
    let worst = 0;
    derivative.forEach((t, i) => {
      largest = Math.max(largest, Math.abs(t));
      worst = Math.max(worst, Math.abs(t - (up[i] - down[i]) / (2 * step)));
    });
    console.log(`# Attention tangent, direction ${k}: max |Δ| = ${worst.toExponential(2)} (largest ${largest.toFixed(2)})`);
    assert.ok(largest > 1e-3, 'the derivative is not all zeros');
    assert.ok(worst <= 1e-4 * Math.max(1, largest), `max |Δ| ${worst}`);
  }
});
