/**
 * The 1B projection of `npm run bench -- --projection` (src/cli/bench-projection.ts): its
 * parameter count of a configuration matches the published one, and the passes it counts are
 * the passes the engine makes (positions processed by occlusion and the forward gradient on a
 * real test model, with and without batching).
 */
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { attributionWork, LLAMA_3_2_1B, parameters, shapeOf } from '../../src/cli/bench-projection.ts';
import { gradient } from '../../src/engine/attribution/gradient.ts';
import { occlusion } from '../../src/engine/attribution/occlusion.ts';
import { loadOrPrepareGraph } from '../../src/engine/graph/prepare.ts';
import { sha256File } from '../../src/engine/models/files.ts';
import { DecoderSession } from '../../src/engine/runtime/session.ts';
import { readGolden } from '../helpers/golden.ts';
import { repoRoot, tempDir, testModel } from '../helpers/paths.ts';

test('Llama-3.2-1B has its published 1,235,814,400 parameters, from the configuration make_bench_model.py uses too', () => {
  const dir = tempDir();
  copyFileSync(path.join(repoRoot, 'tools/models/llama-3.2-1b.config.json'), path.join(dir, 'config.json'));
  assert.deepEqual(shapeOf(dir), LLAMA_3_2_1B);
  assert.equal(parameters(LLAMA_3_2_1B), 1_235_814_400);
});

test('the projection counts the positions the engine processes, for both methods and batch sizes', async () => {
  const dir = testModel('tiny-llama');
  const c = readGolden(dir).cases.find((x) => x.promptIds.length >= 10) ?? readGolden(dir).cases[0];
  const file = path.join(dir, 'onnx/model.onnx');
  const { prepared } = await loadOrPrepareGraph(file, await sha256File(file), tempDir());
  const session = await DecoderSession.create(prepared.file, prepared.meta);
  try {
    for (const batchSize of [1, 3, 4]) {
      for (const [method, rows] of [[occlusion, 'a row each'], [gradient, 'one primal row']] as const) {
        const expected = attributionWork(shapeOf(dir), c.promptIds.length, c.responseIds.length, batchSize, rows).positions;
        const r = await method.attribute({ session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize });
        assert.equal(r.work.positionsProcessed, expected, `${method.name}, batch ${batchSize}`);
      }
    }
  } finally {
    await session.dispose();
  }
});
