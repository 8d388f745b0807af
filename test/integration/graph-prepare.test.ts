/**
 * Graph preparation on every export form the engine must handle: fp32, q8 (DequantizeLinear
 * before the Gather), q4 (GatherBlockQuantized), external data; parity with the original graph.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import path from 'node:path';
import { readFileSync, writeFileSync, mkdirSync, cpSync } from 'node:fs';
import { loadOrPrepareGraph } from '../../src/engine/graph/prepare.ts';
import { locateEmbedding } from '../../src/engine/graph/locate-embedding.ts';
import { readOnnxModel } from '../../src/engine/graph/onnx-model.ts';
import { sha256File } from '../../src/engine/models/files.ts';
import { DecoderSession } from '../../src/engine/runtime/session.ts';
import { maxAbsDiffWithPrepared, originalLogits } from '../../src/engine/models/parity.ts';
import { EngineError } from '../../src/engine/errors.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

const cacheDir = tempDir();
const probe = [5, 17, 42, 99, 3, 250, 77, 8];

const VARIANTS: [string, string, string][] = [
  ['tiny-gpt2', 'model.onnx', 'Gather'],
  ['tiny-llama', 'model.onnx', 'Gather'],
  ['tiny-llama', 'model_quantized.onnx', 'Gather'], // a Gather on a DequantizeLinear'd uint8 table,
  ['tiny-llama', 'model_q4.onnx', 'GatherBlockQuantized'],
  ['tiny-qwen2', 'model.onnx', 'Gather'],
  ['tiny-phi3', 'model.onnx', 'Gather'],
  ['tiny-llama-extdata', 'model.onnx', 'Gather'],
];

for (const [model, file, op] of VARIANTS) {
  test(`${model}/${file}: embedding found (${op}) and prepared graph matches the original`, async () => {
    const source = path.join(testModel(model), 'onnx', file);
    const graph = (await readOnnxModel(source)).graph;
    assert.equal(locateEmbedding(graph).node.op_type, op);
    const { prepared } = await loadOrPrepareGraph(source, await sha256File(source), cacheDir);
    assert.equal(prepared.meta.logitsStart, true, 'the LM head was located');
    const { logits: reference } = await originalLogits(source, prepared.meta, probe);
    const session = await DecoderSession.create(prepared.file, prepared.meta);
    try {
      const diff = await maxAbsDiffWithPrepared(session, probe, reference);
      console.log(`# ${model}/${file}: parity max |Δlogit| = ${diff.toExponential(2)}`);
      assert.ok(diff < 1e-5, `parity ${diff}`);
      // Scale 0 at a position must change the logits from there on.
      const scale = new Float64Array(probe.length).fill(1);
      scale[2] = 0;
      const zeroed = await session.forward({ ids: [probe], scale });
      const vocab = zeroed.vocab;
      let changed = 0;
      for (let i = 2 * vocab; i < probe.length * vocab; i++) changed = Math.max(changed, Math.abs(zeroed.logits[i] - reference[i]));
      let before = 0;
      for (let i = 0; i < 2 * vocab; i++) before = Math.max(before, Math.abs(zeroed.logits[i] - reference[i]));
      assert.ok(changed > 1e-3, 'zeroing an embedding changes later logits');
      assert.ok(before < 1e-5, 'and not earlier ones');
      // logits_start: only the last positions' logits are computed, and they are the same.
      const tail = await session.forward({ ids: [probe], logitsFrom: 5 });
      assert.equal(tail.logitsLength, probe.length - 5);
      let tailDiff = 0;
      for (let i = 0; i < tail.logits.length; i++) tailDiff = Math.max(tailDiff, Math.abs(tail.logits[i] - reference[5 * vocab + i]));
      assert.ok(tailDiff < 1e-5, `sliced logits differ by ${tailDiff}`);
    } finally {
      await session.dispose();
    }
  });
}

test('a second preparation of the same graph comes from the cache', async () => {
  const source = path.join(testModel('tiny-gpt2'), 'onnx/model.onnx');
  const hash = await sha256File(source);
  await loadOrPrepareGraph(source, hash, cacheDir);
  const again = await loadOrPrepareGraph(source, hash, cacheDir);
  assert.equal(again.fresh, false);
});

test('a graph without an embedding lookup is refused with a clear message', async () => {
  const dir = tempDir();
  const source = path.join(testModel('tiny-gpt2'), 'onnx/model.onnx');
  const model = await readOnnxModel(source);
  // Rename input_ids everywhere except the graph input: no node reads the ids any more.
  for (const node of model.graph.node) node.input = node.input.map((n) => (n === 'input_ids' ? 'token_ids' : n));
  model.graph.input.push({ name: 'token_ids', type: model.graph.input[0].type });
  const { encodeOnnxModel } = await import('../../src/engine/graph/onnx-model.ts');
  const broken = path.join(dir, 'model.onnx');
  writeFileSync(broken, encodeOnnxModel(model));
  await assert.rejects(loadOrPrepareGraph(broken, await sha256File(broken), dir), (e: unknown) => e instanceof EngineError && e.code === 'unsupported-graph' && /embedding/.test(e.message));
});

test('a truncated graph file is reported as corrupt', async () => {
  const dir = tempDir();
  const bytes = readFileSync(path.join(testModel('tiny-gpt2'), 'onnx/model.onnx'));
  const broken = path.join(dir, 'model.onnx');
  writeFileSync(broken, bytes.subarray(0, bytes.length / 2));
  await assert.rejects(loadOrPrepareGraph(broken, await sha256File(broken), dir), (e: unknown) => e instanceof EngineError && e.code === 'model-files-corrupt');
});

test('external data on another folder layout: missing weights file is named', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'onnx'));
  cpSync(path.join(testModel('tiny-llama-extdata'), 'onnx/model.onnx'), path.join(dir, 'onnx/model.onnx'));
  const source = path.join(dir, 'onnx/model.onnx');
  await assert.rejects(loadOrPrepareGraph(source, await sha256File(source), tempDir()), (e: unknown) => e instanceof EngineError && e.code === 'model-files-missing' && /onnx_data/.test(e.message));
});

test('tiny-llama: a pass without a tangent runs none of the tangent nodes (they sit in an If branch on tangent_wanted); a pass with one gets it', async () => {
  const source = path.join(testModel('tiny-llama'), 'onnx/model.onnx');
  const { prepared } = await loadOrPrepareGraph(source, await sha256File(source), cacheDir);
  const tangent = prepared.meta.tangent;
  assert.ok('input' in tangent, 'the graph is differentiated');
  const graph = (await readOnnxModel(prepared.file)).graph;
  assert.equal(graph.node.find((n) => n.output.includes(tangent.output))?.op_type, 'If');
  assert.ok(!graph.node.some((n) => n.input.includes(tangent.input)), 'a node outside the branch reads the tangent seed');
  const session = await DecoderSession.create(prepared.file, prepared.meta);
  try {
    const plain = await session.forward({ ids: [probe] });
    assert.equal(plain.logitsTangent, undefined);
    const seed = new Float64Array(probe.length);
    seed[2] = 1;
    const differentiated = await session.forward({ ids: [probe], tangent: seed });
    assert.deepEqual(differentiated.logits, plain.logits);
    const vocab = plain.vocab;
    const t = differentiated.logitsTangent!;
    assert.equal(t.length, plain.logits.length);
    assert.ok(t.slice(0, 2 * vocab).every((v) => v === 0), 'positions before the seed have no derivative');
    assert.ok(t.slice(2 * vocab).some((v) => Math.abs(v) > 1e-6), 'positions from the seed on have one');
  } finally {
    await session.dispose();
  }
});
