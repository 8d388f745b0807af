/** The engine's public API as the extension and other tools use it. */
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { encodeOnnxModel, readOnnxModel, type ModelProto } from '../../src/engine/graph/onnx-model.ts';
import { analyze, EngineError, env, loadModel, rescore, type LoadedModel, type Progress } from '../../src/engine/index.ts';
import { gradient } from '../../src/engine/attribution/gradient.ts';
import { occlusion } from '../../src/engine/attribution/occlusion.ts';
import { pearson, readGolden } from '../helpers/golden.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

/** An fp16 export against the golden of its float32 weights (computing in float16 gave 0.96–0.99 with a 1/16 step, 0.17 with 1e-3). */
const FP16_PEARSON_FLOOR = 0.999;

env.cacheDir = tempDir();
let model: LoadedModel;

before(async () => {
  model = await loadModel(testModel('tiny-llama'));
});
after(async () => model.dispose());

test('analyze reports every stage, records parity and work, and rescore changes only the scores', async () => {
  const stages = new Set<string>();
  const prompt = 'List two animals that can fly. Keep it short.';
  const a = await analyze(model, { prompt, maxNewTokens: 5, instructionSpans: [{ start: 0, end: 30 }] }, { onProgress: (p: Progress) => stages.add(p.stage) });
  assert.deepEqual([...stages].sort(), ['attribute', 'generate']);
  assert.equal(a.parity.probeTokens > 0, true);
  assert.ok(a.work.positionsProcessed < a.work.positionsWithoutCacheReuse);
  assert.equal(a.instructionMask!.length, a.promptTokens.length);
  const strict = rescore(a, { threshold: 7 });
  assert.deepEqual(strict.importance, a.importance);
  assert.equal(strict.settings.threshold, 7);
  assert.ok(strict.normalized.flat().every((v) => v === 0 || v > 7));
  assert.notEqual(strict.instructionScore, undefined);
});

test('a cancelled run rejects with EngineError "cancelled" and the model stays usable', async () => {
  const controller = new AbortController();
  const run = analyze(model, { prompt: 'Describe the ocean in many words. '.repeat(5), maxNewTokens: 30 }, {
    signal: controller.signal,
    onProgress: (p) => {
      if (p.stage === 'attribute' && (p.done ?? 0) >= 1) controller.abort();
    },
  });
  await assert.rejects(run, (e: unknown) => e instanceof EngineError && e.code === 'cancelled');
  const again = await analyze(model, { prompt: 'Say hi.', maxNewTokens: 2 });
  assert.equal(again.responseTokens.length > 0, true);
});

test('given response (teacher forcing) is explained as given', async () => {
  const a = await analyze(model, { prompt: 'Name a colour.', response: ' blue sky', method: 'occlusion' });
  assert.equal(a.settings.responseSource, 'given');
  assert.equal(a.responseTokens.map((t) => t.text).join(''), ' blue sky');
});

test('sampling with a seed is reproducible', async () => {
  const req = { prompt: 'Once upon a time', maxNewTokens: 6, temperature: 1.2, topP: 0.9, seed: 7 };
  const a = await analyze(model, req);
  const b = await analyze(model, req);
  assert.equal(a.response, b.response);
});

test('precision: auto computes in float64 when it can, and says why when it cannot', async () => {
  assert.equal(model.info.precision, 'float64', 'tiny-llama fp32 under auto');
  const q8 = await loadModel(testModel('tiny-llama'), { dtype: 'q8' });
  try {
    assert.equal(q8.info.precision, 'float64');
    const a = await analyze(q8, { prompt: 'Name a colour.', maxNewTokens: 3 });
    assert.equal(a.model.precision, 'float64');
    assert.ok(a.parity.maxAbsLogitDiff < 1e-4, `float64 vs the float32 original: ${a.parity.maxAbsLogitDiff}`);
  } finally {
    await q8.dispose();
  }
  // q4: its com.microsoft.GatherBlockQuantized is rewritten into a double table and a Gather.
  const q4 = await loadModel(testModel('tiny-llama'), { dtype: 'q4' });
  try {
    assert.equal(q4.info.precision, 'float64');
    assert.equal(q4.info.precisionNote, undefined);
  } finally {
    await q4.dispose();
  }
  // A contrib operator in a form no rewrite covers (unidirectional MultiHeadAttention; its mask
  // input is causal already, so onnxruntime's float32 kernel gives the same model).
  const folder = tempDir();
  cpSync(testModel('tiny-llama-genai-mha'), folder, { recursive: true });
  const graphFile = path.join(folder, 'onnx/model.onnx');
  const graph = await readOnnxModel(graphFile);
  for (const node of graph.graph.node) if (node.op_type === 'MultiHeadAttention') node.attribute!.push({ name: 'unidirectional', type: 2, i: 1 });
  writeFileSync(graphFile, encodeOnnxModel(graph));
  const mha = await loadModel(folder);
  try {
    assert.equal(mha.info.precision, 'float32');
    assert.match(mha.info.precisionNote ?? '', /^float32, because the graph uses com\.microsoft\.MultiHeadAttention in a form Prompt Lens cannot rewrite/);
  } finally {
    await mha.dispose();
  }
  await assert.rejects(loadModel(folder, { precision: 'float64' }), (e: unknown) => e instanceof EngineError && e.code === 'unsupported-precision' && /precision "float32"/.test(e.hint));
  const limit = env.float64MaxWeightBytes;
  env.float64MaxWeightBytes = 1000;
  try {
    const small = await loadModel(testModel('tiny-llama'));
    assert.equal(small.info.precision, 'float32');
    assert.match(small.info.precisionNote ?? '', /would take .* GB as float64/);
    await small.dispose();
    // An fp16 graph named model.onnx (2.1 MB of float16 weights): 8.5 MB as float64, counted from
    // its parameters; the file name's dtype (fp32) would have foreseen half of it.
    env.float64MaxWeightBytes = 6e6;
    const half = await loadModel(testModel('genai-builder-llama-fp16'));
    assert.equal(half.info.precision, 'float32');
    assert.match(half.info.precisionNote ?? '', /would take 0\.0 GB as float64 \(1\.1M parameters at 8 bytes each/);
    await half.dispose();
  } finally {
    env.float64MaxWeightBytes = limit;
  }
  await assert.rejects(loadModel(testModel('tiny-llama'), { precision: 'float16' as 'float32' }), (e: unknown) => e instanceof EngineError && e.code === 'bad-argument');
});

test('a missing folder under an existing one is reported as a missing folder, not fetched from the Hub', async () => {
  const previous = env.allowRemoteModels;
  env.allowRemoteModels = true;
  try {
    // "test/nope" has the form of a Hub id (org/name), but the local folder "test" exists.
    await assert.rejects(loadModel('test/nope'), (e: unknown) => e instanceof EngineError && e.code === 'model-not-found' && /No model folder at .*test\/nope \(read as a folder because .*test exists\)/.test(e.message) && /hf:test\/nope/.test(e.hint));
    env.allowRemoteModels = false;
    // With the hf: prefix it is a Hub id: here, not downloaded and downloads off.
    await assert.rejects(loadModel('hf:test/nope'), (e: unknown) => e instanceof EngineError && e.code === 'offline' && /test\/nope is not downloaded/.test(e.message));
  } finally {
    env.allowRemoteModels = previous;
  }
});

/** A copy of a test model whose graph is edited by `edit` (the other files as they are). */
async function editedCopy(name: string, edit: (model: ModelProto) => void, omit: string[] = []): Promise<string> {
  const dir = path.join(tempDir(), name);
  cpSync(testModel(name), dir, { recursive: true, filter: (src) => !omit.includes(path.basename(src)) });
  const graph = path.join(dir, 'onnx/model.onnx');
  const model = await readOnnxModel(graph);
  edit(model);
  writeFileSync(graph, encodeOnnxModel(model));
  return dir;
}

test('precision: a graph onnxruntime cannot run in float64 falls back to float32 under auto, with the reason, and is refused when float64 is asked for', async () => {
  // Erf has no float64 kernel in onnxruntime's CPU provider.
  const dir = await editedCopy('tiny-gpt2', (m) => {
    const tanh = m.graph.node.find((n) => n.op_type === 'Tanh');
    assert.ok(tanh, 'tiny-gpt2 has a Tanh');
    tanh.op_type = 'Erf';
  });
  const first = await loadModel(dir);
  try {
    assert.equal(first.info.precision, 'float32');
    assert.match(first.info.precisionNote ?? '', /onnxruntime cannot run this graph in float64 .*Erf/);
  } finally {
    await first.dispose();
  }
  const again = await loadModel(dir);
  assert.equal(again.info.precisionNote, first.info.precisionNote, 'the refusal is remembered');
  await again.dispose();
  await assert.rejects(loadModel(dir, { precision: 'float64' }), (e: unknown) => e instanceof EngineError && e.code === 'unsupported-precision' && /Erf/.test(e.message) && /precision "float32"/.test(e.hint));
});

test('precision: a missing external-data file is named in float64 as in float32', async () => {
  const dir = await editedCopy('tiny-llama-extdata', () => {}, ['model.onnx_data']);
  for (const precision of ['float64', 'float32'] as const) {
    await assert.rejects(loadModel(dir, { precision }), (e: unknown) => e instanceof EngineError && e.code === 'model-files-missing' && /model\.onnx_data is missing/.test(e.message), precision);
  }
});

test('special tokens: the tokenizer names them, and a given response that contains one marks it', async () => {
  const demo = await loadModel(path.join(repoRoot, 'models/demo-instruct'), { precision: 'float32' });
  try {
    const [user] = demo.tokenizer.encodeResponse('<|user|>');
    assert.equal(demo.tokenizer.isSpecial(user), true);
    assert.equal(demo.tokenizer.isSpecial(demo.tokenizer.encodeResponse(' the')[0]), false);
    const a = await analyze(demo, { prompt: 'Say hi.', response: 'hi<|user|>', method: 'occlusion' });
    assert.deepEqual(a.responseTokens.filter((t) => t.special).map((t) => t.text), ['<|user|>']);
    assert.ok(a.responseTokens.filter((t) => !t.special).every((t) => !('special' in t)));
  } finally {
    await demo.dispose();
  }
});

test('fp16 export: computed in float64 from its exactly widened weights (never in float16), and tracks the float64 reference', async () => {
  const fp16 = await loadModel(testModel('tiny-llama'), { dtype: 'fp16' });
  try {
    assert.equal(fp16.info.dtype, 'fp16');
    assert.equal(fp16.info.precision, 'float64');
    assert.equal(fp16.session.cacheType, 'float64');
    assert.equal(fp16.info.precisionNote, undefined);
    const golden = readGolden(testModel('tiny-llama'));
    for (const c of golden.cases) {
      const input = { session: fp16.session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize: 4 };
      const g = await gradient.attribute(input);
      const o = await occlusion.attribute(input);
      const rg = pearson(g.importance.flat(), c.gradient.flat());
      const ro = pearson(o.importance.flat(), c.occlusion.flat());
      // The golden is of the float32 weights; these are their float16 roundings.
      console.log(`# fp16 ${c.name}: Pearson with float64 autograd ${rg.toFixed(6)} (gradient), ${ro.toFixed(6)} (occlusion)`);
      assert.ok(rg > FP16_PEARSON_FLOOR && ro > FP16_PEARSON_FLOOR, `${c.name}: gradient ${rg}, occlusion ${ro}`);
    }
  } finally {
    await fp16.dispose();
  }
});
