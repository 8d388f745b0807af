/**
 * The two ways the gradient method differentiates (--gradient forward|central): a graph with an
 * operator that has no tangent rule is refused by name in forward mode (one message with its
 * fix, in the engine and the CLI) and still runs by central differences; a bad --gradient value
 * is a usage error.
 */
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { env, loadModel, type LoadedModel } from '../../src/engine/index.ts';
import { EngineError } from '../../src/engine/errors.ts';
import { gradient } from '../../src/engine/attribution/gradient.ts';
import { encodeOnnxModel, readOnnxModel } from '../../src/engine/graph/onnx-model.ts';
import { runCli } from '../helpers/cli.ts';
import { readGolden } from '../helpers/golden.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

env.cacheDir = tempDir();
let folder: string;
let model: LoadedModel;

before(async () => {
  // tiny-llama whose logits pass through a Relu, an operator with no tangent rule.
  folder = tempDir();
  cpSync(testModel('tiny-llama'), folder, { recursive: true });
  const graphFile = path.join(folder, 'onnx/model.onnx');
  const graph = await readOnnxModel(graphFile);
  const head = graph.graph.node.find((n) => n.output.includes('logits'))!;
  head.output = head.output.map((o) => (o === 'logits' ? 'logits/before_relu' : o));
  graph.graph.node.push({ name: 'relu_on_logits', op_type: 'Relu', domain: '', input: ['logits/before_relu'], output: ['logits'], attribute: [] });
  writeFileSync(graphFile, encodeOnnxModel(graph));
  model = await loadModel(folder, { precision: 'float32' });
});
after(async () => model?.dispose());

test('forward mode refuses a graph with an operator it cannot differentiate, naming it; central differences still run', async () => {
  const c = readGolden(testModel('tiny-llama')).cases[0];
  const input = { session: model.session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize: 4 };
  const saved = env.gradientMode;
  try {
    env.gradientMode = 'forward';
    await assert.rejects(
      () => gradient.attribute(input),
      (error: unknown) => error instanceof EngineError && error.code === 'unsupported-graph' && /operator Relu \(node relu_on_logits\) has no tangent rule/.test(error.message) && /--gradient central/.test(error.hint),
    );
    env.gradientMode = 'central';
    const r = await gradient.attribute(input);
    assert.equal(r.importance.length, c.promptIds.length);
    assert.ok(r.importance.flat().every(Number.isFinite));
  } finally {
    env.gradientMode = saved;
  }
});

test('the CLI says so in one message with the fix, and rejects a --gradient value it does not know', async () => {
  const cliEnv = { PROMPT_LENS_CACHE: tempDir(), PROMPT_LENS_OFFLINE: '1' };
  const args = ['analyze', '--model', folder, '--prompt', 'Write a poem.', '--max-new-tokens', '3', '--precision', 'float32'];
  const refused = await runCli(args, { env: cliEnv });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /operator Relu \(node relu_on_logits\) has no tangent rule/);
  assert.match(refused.stderr, /--gradient central/);
  assert.doesNotMatch(refused.stderr, /\n\s+at /);
  const central = await runCli([...args, '--gradient', 'central'], { env: cliEnv });
  assert.equal(central.code, 0, central.stderr);
  const bad = await runCli([...args, '--gradient', 'sideways'], { env: cliEnv });
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /--gradient must be one of forward, central, not "sideways"/);
});
