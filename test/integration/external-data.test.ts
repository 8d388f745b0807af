/**
 * Models whose weights are in external-data files, through the real CLI and engine, on crafted
 * copies of tiny-llama-extdata: a graph naming a weights file outside its folder is refused
 * before anything is read, linked or removed; and the weights files are part of what identifies
 * a model, so two exports sharing one model.onnx never share cached results, and a weights file
 * replaced, removed or cut short after a warm cache is noticed.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import { EngineError } from '../../src/engine/errors.ts';
import { encodeOnnxModel, readOnnxModel, type TensorProto } from '../../src/engine/graph/onnx-model.ts';
import { loadOrPrepareGraph } from '../../src/engine/graph/prepare.ts';
import { sha256File } from '../../src/engine/models/files.ts';
import { runCli, type CliResult } from '../helpers/cli.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

const PROMPT = 'Name three colours of the sea.';

/** A copy of tiny-llama-extdata at `folder` (the fixture itself is never changed). */
function copyModel(folder: string): string {
  mkdirSync(folder, { recursive: true });
  for (const entry of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx']) cpSync(path.join(testModel('tiny-llama-extdata'), entry), path.join(folder, entry), { recursive: true });
  return folder;
}

/** Rewrites the external-data location of every tensor of the copy's graph. */
async function relocateWeights(folder: string, location: string): Promise<void> {
  const graphFile = path.join(folder, 'onnx/model.onnx');
  const model = await readOnnxModel(graphFile);
  for (const tensor of model.graph.initializer) setLocation(tensor, location);
  writeFileSync(graphFile, encodeOnnxModel(model));
}

function setLocation(tensor: TensorProto, location: string): void {
  const entry = tensor.external_data?.find((e) => e.key === 'location');
  if (entry) entry.value = location;
}

/** Other weights of the same shapes: every float scaled by 1 + 0.5·sin(i), written as a new file (as a download does). */
function perturbWeights(folder: string): void {
  const file = path.join(folder, 'onnx/model.onnx_data');
  const bytes = readFileSync(file);
  const floats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  for (let i = 0; i < floats.length; i++) floats[i] *= 1 + 0.5 * Math.sin(i);
  rmSync(file);
  writeFileSync(file, new Uint8Array(floats.buffer));
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}

function assertOneMessage(r: CliResult, message: RegExp, what: string): void {
  assert.equal(r.code, 1, `${what}: exit code\n${r.stderr}`);
  assert.match(r.stderr, message, what);
  assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('prompt-lens:')).length, 1, `${what}: one message\n${r.stderr}`);
  assert.match(r.stderr, /\n {2}fix: /, `${what}: says what to do`);
  assert.doesNotMatch(r.stderr, /unexpected error|\bat .*\.(ts|js):\d+/, `${what}: no stack`);
}

async function analyze(model: string, cache: string, json: string, ...extra: string[]): Promise<CliResult> {
  return runCli(['analyze', '--model', model, '--prompt', PROMPT, '--max-new-tokens', '4', '--method', 'occlusion', '--json', json, ...extra], { env: { PROMPT_LENS_CACHE: cache, PROMPT_LENS_OFFLINE: '1' } });
}

function readAnalysis(file: string): Analysis {
  return JSON.parse(readFileSync(file, 'utf8')) as Analysis;
}

function maxDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < a[i].length; j++) max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
  return max;
}

// ---- Item 1: an external-data location outside the model folder ----------------------------

test('a weights location climbing out of the model folder is refused, and the file it names is neither removed nor read', async () => {
  // root/models/m/onnx/model.onnx names ../../../victim.bin, which is root/victim.bin seen from
  // the graph's folder, and also from the prepared folder root/cache/prepared/<key>/.
  const root = tempDir();
  const model = copyModel(path.join(root, 'models/m'));
  const victim = path.join(root, 'victim.bin');
  cpSync(path.join(model, 'onnx/model.onnx_data'), victim);
  await relocateWeights(model, '../../../victim.bin');
  const before = listFiles(model);
  const out = tempDir();
  for (const precision of ['float32', 'float64']) {
    const r = await analyze(model, path.join(root, 'cache'), path.join(out, `${precision}.json`), '--precision', precision);
    assert.ok(existsSync(victim), `${precision}: the file outside the model folder is still there`);
    assertOneMessage(r, /tensor "[^"]+" in "\.\.\/\.\.\/\.\.\/victim\.bin", which is not a file inside the graph's folder/, precision);
    assert.deepEqual(readFileSync(victim), readFileSync(path.join(testModel('tiny-llama-extdata'), 'onnx/model.onnx_data')), `${precision}: and unchanged`);
    assert.deepEqual(listFiles(model), before, `${precision}: nothing was written into the model folder`);
    assert.ok(!existsSync(path.join(out, `${precision}.json`)), `${precision}: no analysis`);
  }
});

test('an absolute weights location is refused before float64 conversion reads it', async () => {
  const root = tempDir();
  const model = copyModel(path.join(root, 'm'));
  const secret = path.join(root, 'secret.bin');
  cpSync(path.join(model, 'onnx/model.onnx_data'), secret);
  rmSync(path.join(model, 'onnx/model.onnx_data'));
  await relocateWeights(model, secret);
  const cache = tempDir();
  const r = await analyze(model, cache, path.join(root, 'a.json'), '--precision', 'float64');
  const prepared = path.join(cache, 'prepared');
  assert.deepEqual(existsSync(prepared) ? listFiles(prepared).filter((f) => f.endsWith('.onnx')) : [], [], 'no graph holding the outside bytes was cached');
  assertOneMessage(r, new RegExp(`tensor "[^"]+" in "${secret.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}", which is not a file inside the graph's folder`), 'absolute location');
});

test('a Constant node whose value lies outside the model folder is refused too (engine, both precisions)', async () => {
  const root = tempDir();
  const model = copyModel(path.join(root, 'models/m'));
  cpSync(path.join(model, 'onnx/model.onnx_data'), path.join(root, 'secret.bin'));
  // Move one external initializer into a Constant node that names ../../secret.bin.
  const graphFile = path.join(model, 'onnx/model.onnx');
  const onnx = await readOnnxModel(graphFile);
  const index = onnx.graph.initializer.findIndex((t) => t.external_data?.length && t.dims.length === 1);
  const [tensor] = onnx.graph.initializer.splice(index, 1);
  setLocation(tensor, '../../secret.bin');
  onnx.graph.node.unshift({ name: 'moved_to_constant', op_type: 'Constant', domain: '', input: [], output: [tensor.name], attribute: [{ name: 'value', type: 4, t: tensor }] });
  writeFileSync(graphFile, encodeOnnxModel(onnx));
  for (const precision of ['float32', 'float64'] as const) {
    await assert.rejects(
      loadOrPrepareGraph(graphFile, await sha256File(graphFile), tempDir(), precision),
      (e: unknown) => e instanceof EngineError && e.code === 'unsupported-graph' && e.message.includes(`"${tensor.name}" in "../../secret.bin"`),
      precision,
    );
  }
});

// ---- Item 4: the weights files are part of the model's identity ---------------------------

test('compare: two models with the same model.onnx and different weights files get their own results', async () => {
  const root = tempDir();
  const base = copyModel(path.join(root, 'base'));
  const tuned = copyModel(path.join(root, 'tuned'));
  perturbWeights(tuned);
  assert.deepEqual(readFileSync(path.join(base, 'onnx/model.onnx')), readFileSync(path.join(tuned, 'onnx/model.onnx')));
  for (const precision of ['float32', 'float64']) {
    const cache = tempDir();
    const json = path.join(root, `c-${precision}.json`);
    const r = await runCli(['compare', '--base', base, '--tuned', tuned, '--prompt', PROMPT, '--max-new-tokens', '4', '--method', 'occlusion', '--same-response', 'base', '--precision', precision, '--json', json], { env: { PROMPT_LENS_CACHE: cache, PROMPT_LENS_OFFLINE: '1' } });
    assert.equal(r.code, 0, r.stderr);
    const c = JSON.parse(readFileSync(json, 'utf8')) as { base: Analysis; tuned: Analysis };
    const diff = maxDiff(c.base.importance, c.tuned.importance);
    console.log(`# ${precision}: base and tuned importance differ by up to ${diff.toExponential(2)}`);
    assert.ok(diff > 1e-2, `${precision}: the tuned model's own weights were used (max difference ${diff})`);
    assert.equal(c.base.model.fileHashes['onnx/model.onnx'], c.tuned.model.fileHashes['onnx/model.onnx']);
    assert.notEqual(c.base.model.fileHashes['onnx/model.onnx_data'], c.tuned.model.fileHashes['onnx/model.onnx_data'], 'the weights files are recorded');
    // The tuned side equals the tuned model analyzed alone with an empty cache.
    const alone = path.join(root, `alone-${precision}.json`);
    const single = await analyze(tuned, tempDir(), alone, '--precision', precision, '--response', c.base.response);
    assert.equal(single.code, 0, single.stderr);
    assert.ok(maxDiff(readAnalysis(alone).importance, c.tuned.importance) < 1e-9, `${precision}: tuned side as computed alone`);
  }
});

test('after a warm cache, replaced weights are recomputed, and removed or truncated weights are named', async () => {
  const root = tempDir();
  const model = copyModel(path.join(root, 'm'));
  const cache = tempDir();
  const warm = await analyze(model, cache, path.join(root, 'warm.json'));
  assert.equal(warm.code, 0, warm.stderr);
  const warmResult = readAnalysis(path.join(root, 'warm.json'));
  const again = await analyze(model, cache, path.join(root, 'again.json'));
  assert.equal(again.code, 0, again.stderr);
  assert.ok(maxDiff(readAnalysis(path.join(root, 'again.json')).importance, warmResult.importance) === 0, 'the warm cache gives the same result');

  // Other weights in a new file (a re-download): new numbers, as an empty cache computes them.
  perturbWeights(model);
  const replaced = await analyze(model, cache, path.join(root, 'replaced.json'), '--response', warmResult.response);
  assert.equal(replaced.code, 0, replaced.stderr);
  const fresh = await analyze(model, tempDir(), path.join(root, 'fresh.json'), '--response', warmResult.response);
  assert.equal(fresh.code, 0, fresh.stderr);
  const replacedResult = readAnalysis(path.join(root, 'replaced.json'));
  assert.ok(maxDiff(replacedResult.importance, warmResult.importance) > 1e-2, 'not the numbers of the old weights');
  assert.ok(maxDiff(replacedResult.importance, readAnalysis(path.join(root, 'fresh.json')).importance) < 1e-9, 'the numbers of the new weights');
  assert.notEqual(replacedResult.model.fileHashes['onnx/model.onnx_data'], warmResult.model.fileHashes['onnx/model.onnx_data']);

  // Truncated weights.
  const dataFile = path.join(model, 'onnx/model.onnx_data');
  const bytes = readFileSync(dataFile);
  rmSync(dataFile);
  writeFileSync(dataFile, bytes.subarray(0, bytes.length / 2));
  assertOneMessage(await analyze(model, cache, path.join(root, 'truncated.json')), /model\.onnx_data ends before the weights of .*\n {2}fix: Download the model again; the weights file is truncated/, 'truncated');

  // Removed weights.
  rmSync(dataFile);
  assertOneMessage(await analyze(model, cache, path.join(root, 'removed.json')), /weights file .*onnx\/model\.onnx_data is missing.*\n {2}fix: Download the model again/, 'removed');
  assert.ok(!existsSync(path.join(root, 'truncated.json')) && !existsSync(path.join(root, 'removed.json')));
});
