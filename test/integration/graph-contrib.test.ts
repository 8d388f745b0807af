/**
 * Graph preparation of float16 exports and of the ONNX Runtime GenAI builder's forms (contrib
 * operators, weights in model.onnx.data): the float16 tensors are widened to float32 exactly,
 * the embedding is found, the prepared graphs (float32 with onnxruntime's contrib kernels, float64
 * with them rewritten into standard operators) match the float16 original to its rounding.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { loadOrPrepareGraph } from '../../src/engine/graph/prepare.ts';
import { locateEmbedding } from '../../src/engine/graph/locate-embedding.ts';
import { convertHalfToFloat32, hasHalfTensors } from '../../src/engine/graph/float32.ts';
import { dequantizedBytes } from '../../src/engine/graph/contrib/quantized.ts';
import { rewriteContribOperators, unfuseEmbedding } from '../../src/engine/graph/contrib/rewrite.ts';
import { allNodes, encodeOnnxModel, readOnnxModel, TensorDataType, type TensorProto } from '../../src/engine/graph/onnx-model.ts';
import { externalDataFileOf, writeGraph } from '../../src/engine/graph/write-graph.ts';
import { createSession } from '../../src/engine/runtime/session.ts';
import { sha256File, weightFileBytes } from '../../src/engine/models/files.ts';
import { DecoderSession } from '../../src/engine/runtime/session.ts';
import { halfToFloat } from '../../src/engine/runtime/float-arrays.ts';
import { maxAbsDiffWithPrepared, originalLogits } from '../../src/engine/models/parity.ts';
import { tempDir, testModel } from '../helpers/paths.ts';
import { EngineError } from '../../src/engine/errors.ts';

const cacheDir = tempDir();
const probe = [5, 17, 42, 99, 3, 250, 77, 8];

test('float16 weights, constants, casts and inputs/outputs are widened to float32, each value exactly', async () => {
  const source = path.join(testModel('tiny-llama'), 'onnx/model_fp16.onnx');
  const model = await readOnnxModel(source);
  assert.equal(hasHalfTensors(model.graph), true);
  const halves = new Map<string, Uint16Array>();
  for (const t of model.graph.initializer) if (t.data_type === TensorDataType.FLOAT16) halves.set(t.name, new Uint16Array(Uint8Array.from(t.raw_data!).buffer));
  assert.ok(halves.size > 10);
  await convertHalfToFloat32(model, path.dirname(source));
  assert.equal(hasHalfTensors(model.graph), false);
  const byName = new Map<string, TensorProto>(model.graph.initializer.map((t) => [t.name, t]));
  for (const [name, bits] of halves) {
    const tensor = byName.get(name)!;
    assert.equal(tensor.data_type, TensorDataType.FLOAT);
    const values = new Float32Array(Uint8Array.from(tensor.raw_data!).buffer);
    assert.equal(values.length, bits.length);
    for (let i = 0; i < bits.length; i++) if (values[i] !== halfToFloat(bits[i])) assert.fail(`${name}[${i}]: ${values[i]} ≠ ${halfToFloat(bits[i])}`);
  }
  for (const node of model.graph.node) {
    for (const a of node.attribute ?? []) assert.notEqual(a.t?.data_type, TensorDataType.FLOAT16, `${node.name} keeps a float16 attribute`);
  }
});

for (const [model, op] of [['tiny-llama-genai-mha', 'Gather'], ['tiny-llama-genai-gqa-q4', 'GatherBlockQuantized'], ['tiny-gpt2-genai-mha', 'Gather']] as const) {
  test(`${model} (GenAI builder form): embedding found (${op}); prepared in float32 and in float64 (no contrib operator left), logits match the float16 original to its rounding`, async () => {
    const source = path.join(testModel(model), 'onnx', 'model.onnx');
    const hash = await sha256File(source);
    assert.equal(locateEmbedding((await readOnnxModel(source)).graph).node.op_type, op);
    for (const precision of ['float32', 'float64'] as const) {
      const { prepared } = await loadOrPrepareGraph(source, hash, cacheDir, precision);
      assert.equal(prepared.meta.precision, precision);
      assert.equal(prepared.meta.logitsStart, true, 'the LM head was located');
      const graph = (await readOnnxModel(prepared.file)).graph;
      assert.equal(hasHalfTensors(graph), false);
      const contrib = allNodes(graph).filter((n) => n.domain === 'com.microsoft').map((n) => n.op_type);
      if (precision === 'float64') assert.deepEqual(contrib, []);
      else assert.ok(contrib.length > 0);
      const reference = await originalLogits(source, prepared.meta, probe);
      assert.equal(reference.half, true);
      const session = await DecoderSession.create(prepared.file, prepared.meta);
      try {
        const diff = await maxAbsDiffWithPrepared(session, probe, reference.logits);
        const largest = reference.logits.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        console.log(`# ${model}: ${precision} vs float16 original max |Δlogit| = ${diff.toExponential(2)} (largest |logit| ${largest.toFixed(1)})`);
        assert.ok(diff < 5e-3 * largest, `parity ${diff}`);
      } finally {
        await session.dispose();
      }
    }
  });
}

test('weights in <graph>.onnx.data (the GenAI builder\'s name) count toward the model\'s size', async () => {
  const dir = path.join(testModel('tiny-llama-genai-mha'), 'onnx');
  const expected = statSync(path.join(dir, 'model.onnx')).size + statSync(path.join(dir, 'model.onnx.data')).size;
  assert.equal(await weightFileBytes(path.join(dir, 'model.onnx')), expected);
});

test('a prepared graph is written with its weights in <graph>.prompt-lens.data (64 KiB-aligned), and runs the same as the graph inline', async () => {
  const source = path.join(testModel('tiny-llama'), 'onnx/model_fp16.onnx');
  const dir = tempDir();
  const logitsOf = async (file: string) => {
    const session = await createSession(file);
    try {
      const seq = probe.length;
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(probe.map(BigInt)), [1, seq]),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(seq).fill(1n), [1, seq]),
        position_ids: new ort.Tensor('int64', BigInt64Array.from(probe.map((_, i) => BigInt(i))), [1, seq]),
      };
      for (const name of session.inputNames.filter((n) => n.startsWith('past_key_values'))) feeds[name] = new ort.Tensor('float32', new Float32Array(0), [1, 2, 0, 16]);
      return (await session.run(feeds, ['logits'])).logits.data as Float32Array;
    } finally {
      await session.release();
    }
  };
  const files = [path.join(dir, 'inline.onnx'), path.join(dir, 'split.onnx')];
  for (const [i, file] of files.entries()) {
    const model = await readOnnxModel(source);
    await convertHalfToFloat32(model, path.dirname(source));
    if (i === 0) writeFileSync(file, encodeOnnxModel(model));
    else await writeGraph(model, file);
    if (i === 1) {
      const offsets = model.graph.initializer.filter((t) => Number(t.external_data?.find((e) => e.key === 'length')?.value) >= 65536).map((t) => Number(t.external_data!.find((e) => e.key === 'offset')!.value));
      assert.ok(offsets.length > 0 && offsets.every((o) => o % 65536 === 0), `offsets ${offsets.join(', ')}`);
    }
  }
  assert.equal(existsSync(externalDataFileOf(files[0])), false);
  assert.ok(statSync(externalDataFileOf(files[1])).size > 1e5);
  assert.ok(statSync(files[1]).size < 1e5);
  assert.deepEqual(await logitsOf(files[1]), await logitsOf(files[0]));
});

test('the double tables of block-quantized weights are counted before they are made', async () => {
  const source = path.join(testModel('tiny-llama-genai-gqa-q4'), 'onnx/model.onnx');
  const model = await readOnnxModel(source);
  await convertHalfToFloat32(model, path.dirname(source));
  const before = new Set(model.graph.initializer.map((t) => t.name));
  const estimate = dequantizedBytes(model.graph.node, new Map(model.graph.initializer.map((t) => [t.name, t])));
  await rewriteContribOperators(model, path.dirname(source));
  const made = model.graph.initializer.filter((t) => !before.has(t.name) && t.dims.length === 2).reduce((sum, t) => sum + t.raw_data!.length, 0);
  assert.ok(estimate > 0);
  assert.equal(estimate, made);
});

test('the LM head is found through a final Cast or Identity (fp16 exports with float32 logits), so logits_start applies', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'onnx'));
  for (const file of ['model.onnx', 'model.onnx.data']) copyFileSync(path.join(testModel('tiny-llama-genai-mha'), 'onnx', file), path.join(dir, 'onnx', file));
  const source = path.join(dir, 'onnx/model.onnx');
  const model = await readOnnxModel(source);
  const head = model.graph.node.find((n) => n.output.includes('logits'))!;
  head.output = ['logits_half'];
  model.graph.node.push(
    { name: 'identity', op_type: 'Identity', domain: '', input: ['logits_half'], output: ['logits_same'], attribute: [] },
    { name: 'cast', op_type: 'Cast', domain: '', input: ['logits_same'], output: ['logits'], attribute: [{ name: 'to', type: 2, i: TensorDataType.FLOAT }] },
  );
  model.graph.output.find((o) => o.name === 'logits')!.type!.tensor_type!.elem_type = TensorDataType.FLOAT;
  writeFileSync(source, encodeOnnxModel(model));
  const { prepared } = await loadOrPrepareGraph(source, await sha256File(source), tempDir(), 'float32');
  assert.equal(prepared.meta.logitsStart, true);
  const session = await DecoderSession.create(prepared.file, prepared.meta);
  try {
    const all = await session.forward({ ids: [probe] });
    const tail = await session.forward({ ids: [probe], logitsFrom: 5 });
    assert.equal(tail.logitsLength, probe.length - 5);
    assert.deepEqual(Array.from(tail.logits), Array.from(all.logits.subarray(5 * all.vocab)));
  } finally {
    await session.dispose();
  }
});

test('a real onnxruntime.transformers GPT-2 export (ort-transformers-gpt2-fp32): its EmbedLayerNormalization split into lookups finds the token embedding and gives onnxruntime\'s own logits and KV cache', async () => {
  const source = path.join(testModel('ort-transformers-gpt2-fp32'), 'onnx/model.onnx');
  const model = await readOnnxModel(source);
  assert.throws(() => locateEmbedding(model.graph), /inside the com\.microsoft\.EmbedLayerNormalization node/);
  const run = async (bytes: Uint8Array) => {
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    try {
      // Three tokens after a past of two, as generation runs it (position_ids continue the past).
      const [past, ids] = [2, [5, 17, 42]];
      const int32 = (values: number[], dims: number[]) => new ort.Tensor('int32', Int32Array.from(values), dims);
      const feeds: Record<string, ort.Tensor> = {
        input_ids: int32(ids, [1, ids.length]),
        position_ids: int32(ids.map((_, i) => past + i), [1, ids.length]),
        attention_mask: int32(Array(past + ids.length).fill(1), [1, past + ids.length]),
      };
      for (let i = 0; i < 5; i++) feeds[`past_${i}`] = new ort.Tensor('float32', Float32Array.from({ length: 2 * 4 * past * 8 }, (_, k) => Math.sin(k + i)), [2, 1, 4, past, 8]);
      const out = await session.run(feeds, ['logits', 'present_4']);
      return [...(out.logits.data as Float32Array), ...(out.present_4.data as Float32Array)];
    } finally {
      await session.release();
    }
  };
  const original = await run(encodeOnnxModel(model));
  assert.deepEqual(await unfuseEmbedding(model, path.dirname(source)), ['EmbedLayerNormalization']);
  const lookup = locateEmbedding(model.graph);
  assert.deepEqual([lookup.node.op_type, lookup.table], ['Gather', 'transformer.wte.weight']);
  const unfused = await run(encodeOnnxModel(model));
  assert.equal(unfused.length, original.length);
  const largest = original.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const diff = original.reduce((m, v, i) => Math.max(m, Math.abs(v - unfused[i])), 0);
  console.log(`# ort-transformers-gpt2-fp32 unfused vs fused: max |Δ| ${diff.toExponential(2)} (largest ${largest.toFixed(2)})`);
  assert.ok(largest > 0.01 && diff <= 1e-5 * largest, `max |Δ| ${diff}`);
});

test('an EmbedLayerNormalization whose word table is computed (no rule splits it) is refused when the graph is prepared, naming the node', async () => {
  const source = path.join(testModel('tiny-gpt2-embedln'), 'onnx/model.onnx');
  const model = await readOnnxModel(source);
  const fused = model.graph.node.find((n) => n.op_type === 'EmbedLayerNormalization')!;
  model.graph.node.unshift({ name: 'table_copy', op_type: 'Identity', domain: '', input: [fused.input[2]], output: ['word_table_copy'], attribute: [] });
  fused.input[2] = 'word_table_copy';
  const file = path.join(tempDir(), 'model.onnx');
  writeFileSync(file, encodeOnnxModel(model));
  for (const precision of ['float32', 'float64'] as const) {
    await assert.rejects(loadOrPrepareGraph(file, await sha256File(file), tempDir(), precision), (e: unknown) =>
      e instanceof EngineError && e.code === 'unsupported-graph' && /inside the com\.microsoft\.EmbedLayerNormalization node "EmbedLayerNormalization_0"/.test(e.message));
  }
});
