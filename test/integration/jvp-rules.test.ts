/**
 * Each tangent rule of graph/jvp/ against central differences: a small float64 graph whose
 * nodes read the seed `x` (some twice, so that both operands carry a tangent), differentiated
 * by insertTangents and run in onnxruntime on seeded random inputs; y's tangent along a random
 * direction v must equal (y(x + hv) − y(x − hv)) / 2h of the plain graph.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { insertTangents, LOGITS_TANGENT_OUTPUT, TANGENT_WANTED_INPUT, UnsupportedTangent } from '../../src/engine/graph/jvp/tangents.ts';
import { encodeOnnxModel, tensorValueInfo, TensorDataType, type AttributeProto, type ModelProto, type NodeProto, type TensorProto } from '../../src/engine/graph/onnx-model.ts';
import { mulberry32 } from '../../src/engine/random.ts';

const random = mulberry32(11);
const X_DIMS = [2, 3, 4];
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
/** In [0.5, 1.5]: positive, away from the kinks of Log, Sqrt, Pow, Reciprocal and Div. */
const positive = (n: number) => Float64Array.from({ length: n }, () => 0.5 + random());

function doubles(name: string, dims: number[], values: ArrayLike<number> = positive(count(dims))): TensorProto {
  return { name, dims, data_type: TensorDataType.DOUBLE, raw_data: new Uint8Array(Float64Array.from(values).buffer) };
}
function int64s(name: string, values: number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  values.forEach((v, i) => new DataView(raw.buffer).setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [values.length], data_type: TensorDataType.INT64, raw_data: raw };
}
function bools(name: string, dims: number[]): TensorProto {
  return { name, dims, data_type: 9, raw_data: Uint8Array.from({ length: count(dims) }, () => (random() < 0.5 ? 1 : 0)) };
}

type Attributes = Record<string, number | number[]>;
/** [op, inputs, attributes?, outputs?]; the last node's first output is y. */
type Step = [string, string[], Attributes?, string[]?];

interface Case {
  name: string;
  steps: Step[];
  initializers?: TensorProto[];
  opset?: number;
  /** Run in float32 (for operators onnxruntime has no float64 kernel of). */
  float32?: boolean;
  /** Declare x without its shape: ranks are then found at run time (tangents.ts aligns by shape arithmetic). */
  undeclared?: boolean;
}

function node([op, input, attributes = {}, output]: Step, index: number, last: boolean): NodeProto {
  const attribute: AttributeProto[] = Object.entries(attributes).map(([name, v]) => (Array.isArray(v) ? { name, type: 7, ints: v } : Number.isInteger(v) ? { name, type: 2, i: v } : { name, type: 1, f: v }));
  return { name: `n${index}`, op_type: op, domain: '', input, output: output ?? [last ? 'y' : `t${index}`], attribute };
}

function buildModel(c: Case): ModelProto {
  const elemType = c.float32 ? TensorDataType.FLOAT : TensorDataType.DOUBLE;
  return {
    ir_version: 8,
    opset_import: [{ domain: '', version: c.opset ?? 17 }],
    graph: {
      name: c.name,
      node: c.steps.map((s, i) => node(s, i, i === c.steps.length - 1)),
      initializer: c.initializers ?? [],
      input: [c.undeclared ? { name: 'x', type: { tensor_type: { elem_type: elemType } } } : tensorValueInfo('x', elemType, X_DIMS)],
      output: [{ name: 'y', type: { tensor_type: { elem_type: elemType } } }],
    },
  };
}

/** Runs `model` on `feeds` (the seed x, or also its K directions: [K] ++ X_DIMS) and returns `fetch`. */
async function run(model: ModelProto, feeds: Record<string, Float64Array>, fetch: string, float32 = false): Promise<Float64Array> {
  const session = await ort.InferenceSession.create(encodeOnnxModel(model), { graphOptimizationLevel: 'basic', logSeverityLevel: 3 });
  try {
    const dims = (v: Float64Array) => (v.length === count(X_DIMS) ? X_DIMS : [v.length / count(X_DIMS), ...X_DIMS]);
    const tensors: Record<string, ort.Tensor> = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, float32 ? new ort.Tensor('float32', Float32Array.from(v), dims(v)) : new ort.Tensor('float64', v, dims(v))]));
    if (model.graph.input.some((i) => i.name === TANGENT_WANTED_INPUT)) tensors[TANGENT_WANTED_INPUT] = new ort.Tensor('bool', [fetch === LOGITS_TANGENT_OUTPUT], [1]);
    return Float64Array.from((await session.run(tensors, [fetch]))[fetch].data as Float32Array | Float64Array);
  } finally {
    await session.release();
  }
}

const CASES: Case[] = [
  { name: 'Add, both operands', steps: [['Add', ['x', 'x']]] },
  { name: 'Add with a broadcast constant', steps: [['Add', ['x', 'c']]], initializers: [doubles('c', [4])] },
  { name: 'Sub', steps: [['Mul', ['x', 'x']], ['Sub', ['c', 't0']], ['Sub', ['t1', 'x']]], initializers: [doubles('c', [4])] },
  { name: 'Mul, both operands', steps: [['Mul', ['x', 'x']]] },
  { name: 'Div, both operands', steps: [['Exp', ['x']], ['Div', ['t0', 'x']]] },
  { name: 'Div by a tangent-carrying divisor only', steps: [['Div', ['c', 'x']]], initializers: [doubles('c', [4])] },
  { name: 'Pow with a constant exponent', steps: [['Pow', ['x', 'e']]], initializers: [doubles('e', [], [2.5])] },
  { name: 'Sqrt, Reciprocal, Neg', steps: [['Sqrt', ['x']], ['Reciprocal', ['t0']], ['Neg', ['t1']]] },
  { name: 'Exp, Log', steps: [['Exp', ['x']], ['Log', ['t0']], ['Mul', ['t1', 'x']]] },
  { name: 'Tanh, Sigmoid', steps: [['Tanh', ['x']], ['Sigmoid', ['t0']]] },
  // onnxruntime has no float64 Erf kernel: checked in float32, with a larger step.
  { name: 'Erf (float32)', float32: true, steps: [['Mul', ['x', 'x']], ['Erf', ['t0']]] },
  { name: 'Sin, Cos', steps: [['Sin', ['x']], ['Cos', ['x']], ['Mul', ['t0', 't1']]] },
  { name: 'Softmax over the last axis', steps: [['Mul', ['x', 'c']], ['Softmax', ['t0'], { axis: -1 }]], initializers: [doubles('c', [], [3])] },
  { name: 'Softmax over axis 1', steps: [['Mul', ['x', 'c']], ['Softmax', ['t0'], { axis: 1 }]], initializers: [doubles('c', [], [3])] },
  { name: 'ReduceMean (axes attribute), ReduceSum (axes input)', steps: [['Mul', ['x', 'x']], ['ReduceMean', ['t0'], { axes: [-1], keepdims: 1 }], ['ReduceSum', ['t1', 'a'], { keepdims: 0 }]], initializers: [int64s('a', [1])] },
  { name: 'MatMul with a weight', steps: [['MatMul', ['x', 'w']]], initializers: [doubles('w', [4, 5])] },
  { name: 'MatMul, both operands', steps: [['Transpose', ['x'], { perm: [0, 2, 1] }], ['MatMul', ['x', 't0']]] },
  { name: 'Gemm with alpha, beta and a bias from the seed', steps: [['Reshape', ['x', 's']], ['ReduceSum', ['t0', 'a'], { keepdims: 0 }], ['Gemm', ['t0', 'w', 't1'], { alpha: 0.5, beta: 1.5, transB: 1 }]], initializers: [int64s('s', [6, 4]), int64s('a', [0]), doubles('w', [4, 4])] },
  { name: 'Reshape, Transpose, Squeeze, Unsqueeze, Flatten', steps: [['Reshape', ['x', 's']], ['Transpose', ['t0'], { perm: [1, 0, 2] }], ['Unsqueeze', ['t1', 'a']], ['Squeeze', ['t2', 'a']], ['Flatten', ['t3'], { axis: 1 }]], initializers: [int64s('s', [3, 2, 4]), int64s('a', [0])] },
  { name: 'Slice, Gather, Expand, Tile', steps: [['Slice', ['x', 'starts', 'ends', 'axes']], ['Gather', ['t0', 'i'], { axis: 2 }], ['Expand', ['t1', 's']], ['Tile', ['t2', 'r']]], initializers: [int64s('starts', [1]), int64s('ends', [3]), int64s('axes', [1]), int64s('i', [2, 0, 2]), int64s('s', [2, 2, 2, 3]), int64s('r', [1, 2, 1, 1])] },
  { name: 'Split (both outputs), Concat with a constant', steps: [['Split', ['x', 'parts'], { axis: 2 }, ['a', 'b']], ['Mul', ['a', 'b']], ['Concat', ['t1', 'c', 'a'], { axis: 2 }]], initializers: [int64s('parts', [2, 2]), doubles('c', [2, 3, 1])] },
  { name: 'Where, Identity, Cast to double', steps: [['Mul', ['x', 'x']], ['Where', ['m', 't0', 'c']], ['Identity', ['t1']], ['Cast', ['t2'], { to: TensorDataType.DOUBLE }], ['Where', ['n', 'c', 't3']]], initializers: [bools('m', X_DIMS), bools('n', X_DIMS), doubles('c', [4])] },
  { name: 'LayerNormalization over the last axis', steps: [['Mul', ['x', 'x']], ['LayerNormalization', ['t0', 'g', 'b'], { axis: -1, epsilon: 1e-5 }]], initializers: [doubles('g', [4]), doubles('b', [4])] },
  { name: 'Shape and comparisons carry no tangent', steps: [['Shape', ['x']], ['ConstantOfShape', ['t0'], {}], ['Greater', ['x', 'c']], ['Where', ['t2', 'x', 'c']]], initializers: [doubles('c', [], [1])] },
  { name: 'operands of a lower rank than the output (aligned), ReduceSum over every axis', steps: [['ReduceSum', ['x', 'a'], { keepdims: 0 }], ['Mul', ['x', 't0']], ['ReduceSum', ['t1'], { keepdims: 0 }], ['Add', ['t1', 't2']], ['Div', ['t3', 't0']]], initializers: [int64s('a', [0, 1])] },
  { name: 'operands of a lower rank, ranks found at run time', undeclared: true, steps: [['ReduceSum', ['x', 'a'], { keepdims: 0 }], ['Mul', ['x', 't0']], ['ReduceSum', ['t1'], { keepdims: 0 }], ['Add', ['t1', 't2']], ['Div', ['t3', 't0']], ['Where', ['m', 'c', 't4']], ['Expand', ['t0', 's']], ['Mul', ['t5', 't6']]], initializers: [int64s('a', [0, 1]), bools('m', X_DIMS), doubles('c', [], [2]), int64s('s', [2, 3, 4])] },
  { name: 'MatMul of operands of different ranks, found at run time', undeclared: true, steps: [['ReduceSum', ['x', 'a'], { keepdims: 0 }], ['Transpose', ['x'], { perm: [0, 2, 1] }], ['MatMul', ['t0', 't1']], ['MatMul', ['t1', 't0']], ['Reshape', ['t3', 's']], ['Flatten', ['t4'], { axis: 2 }], ['ReduceSum', ['t2'], { keepdims: 0 }], ['Mul', ['t5', 't6']]], initializers: [int64s('a', [0]), int64s('s', [0, 2, -1])] },
  { name: 'MatMul of operands of different ranks', steps: [['ReduceSum', ['x', 'a'], { keepdims: 0 }], ['Transpose', ['x'], { perm: [0, 2, 1] }], ['MatMul', ['t0', 't1']], ['MatMul', ['t1', 't0']], ['ReduceSum', ['t2'], { keepdims: 0 }], ['Mul', ['t3', 't4']]], initializers: [int64s('a', [0])] },
  { name: 'Softmax seen as 2-D (opset 11), Slice without axes, GatherElements', opset: 11, steps: [['Softmax', ['x'], { axis: 1 }], ['Slice', ['t0', 'starts', 'ends']], ['GatherElements', ['t1', 'i'], { axis: 2 }]], initializers: [int64s('starts', [0, 1]), int64s('ends', [2, 3]), { ...int64s('i', [0, 3, 1, 2, 2, 0, 1, 1, 3, 0, 2, 3]), dims: [2, 2, 3] }] },
  { name: 'ReduceMean with axes as an input (opset 18)', opset: 18, steps: [['Mul', ['x', 'x']], ['ReduceMean', ['t0', 'a'], { keepdims: 1 }], ['Softmax', ['t1']], ['LayerNormalization', ['t2', 'g'], { axis: -1 }]], initializers: [int64s('a', [1]), doubles('g', [4])] },
];

/** Central-difference step and the tolerance (relative to max(1, largest tangent)) per float type. */
const DOUBLE_CHECK = { step: 1e-5, tolerance: 1e-7 };
const FLOAT_CHECK = { step: 1e-2, tolerance: 2e-3 };

/** Directions per pass (vector mode: the tangent is [K] ++ the primal's shape). */
const DIRECTIONS = 3;

for (const c of CASES) {
  test(`tangent rule: ${c.name} equals central differences, for ${DIRECTIONS} directions in one pass`, async () => {
    const model = buildModel(c);
    const plain = structuredClone(model);
    const { step, tolerance } = c.float32 ? FLOAT_CHECK : DOUBLE_CHECK;
    const { input, output } = await insertTangents(model, 'x', 'y', c.float32 ? TensorDataType.FLOAT : TensorDataType.DOUBLE);
    assert.equal(output, LOGITS_TANGENT_OUTPUT);
    const x = positive(count(X_DIMS));
    const v = Float64Array.from({ length: DIRECTIONS * x.length }, () => random() * 2 - 1);
    const tangents = await run(model, { x, [input]: v }, output, c.float32);
    const size = tangents.length / DIRECTIONS;
    for (let k = 0; k < DIRECTIONS; k++) {
      const direction = v.subarray(k * x.length, (k + 1) * x.length);
      const tangent = tangents.subarray(k * size, (k + 1) * size);
      const shifted = (sign: number) => x.map((xi, i) => xi + sign * step * direction[i]);
      const [up, down] = [await run(plain, { x: shifted(1) }, 'y', c.float32), await run(plain, { x: shifted(-1) }, 'y', c.float32)];
      assert.equal(tangent.length, up.length);
      let largest = 0;
      let worst = 0;
      tangent.forEach((t, i) => {
        largest = Math.max(largest, Math.abs(t));
        worst = Math.max(worst, Math.abs(t - (up[i] - down[i]) / (2 * step)));
      });
      assert.ok(largest > 0, `direction ${k}: the tangent is all zeros`);
      assert.ok(worst <= tolerance * Math.max(1, largest), `direction ${k}: max |Δ| ${worst} (largest tangent ${largest})`);
    }
  });
}

test('tangent rule: a MatMul of a 1-D operand is refused with the reason (vector mode reads its tangent as a matrix)', async () => {
  const model = buildModel({ name: 'vector', steps: [['MatMul', ['x', 'v']]], initializers: [doubles('v', [4])] });
  await assert.rejects(() => insertTangents(model, 'x', 'y', TensorDataType.DOUBLE), (error: Error) => error instanceof UnsupportedTangent && /MatMul \(node n0\): MatMul of a 1-D operand/.test(error.message));
});

test('tangent rule: an operator without one is refused by name, leaving the graph unchanged', async () => {
  const model = buildModel({ name: 'relu', steps: [['Relu', ['x']], ['Mul', ['t0', 't0']]] });
  const before = JSON.stringify(model);
  await assert.rejects(() => insertTangents(model, 'x', 'y', TensorDataType.DOUBLE), (error: Error) => error instanceof UnsupportedTangent && /operator Relu \(node n0\) has no tangent rule/.test(error.message));
  assert.equal(JSON.stringify(model), before);
});
