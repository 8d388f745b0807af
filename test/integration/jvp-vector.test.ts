/**
 * The forward-mode gradient in vector mode (graph/jvp): a batch of K prompt positions runs ONE
 * primal row (the unperturbed sequence after the cached prefix) with K tangent directions, and
 * gives the derivatives that K separate single-position passes give, to float64 rounding. Also on
 * a GenAI-builder export whose graph cannot run a batch of rows (its mask subgraph): the
 * directions batch there all the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { env, loadModel, type LoadedModel } from '../../src/engine/index.ts';
import { logProbTangents, teacherForcedBaseline } from '../../src/engine/attribution/perturb.ts';
import { readGolden } from '../helpers/golden.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

env.cacheDir = tempDir();
const K = 4;

for (const name of ['tiny-llama', 'tiny-llama-genai-mha']) {
  describe(`${name} (float64)`, () => {
    let model: LoadedModel;
    before(async () => {
      model = await loadModel(testModel(name), { precision: 'float64' });
    });
    after(async () => model?.dispose());

    test(`a batch of ${K} positions is one primal row with ${K} tangent directions, equal to ${K} single-position passes to 1e-9`, async () => {
      const c = readGolden(testModel(name)).cases.find((x) => x.promptIds.length > K) ?? readGolden(testModel(name)).cases[0];
      const { session } = model;
      const baseline = await teacherForcedBaseline(session, c.promptIds, c.responseIds);
      const positions = c.promptIds.map((_, n) => n);
      const run = async (batchSize: number) => {
        const [primal, tangent] = [session.positionsProcessed, session.tangentPositionsProcessed];
        const derivatives = await logProbTangents({ session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize }, baseline, positions);
        return { derivatives, primal: session.positionsProcessed - primal, tangent: session.tangentPositionsProcessed - tangent };
      };
      const batched = await run(K);
      const single = await run(1);

      const reusesPrefix = session.meta.batching?.reusesPrefix ?? true;
      const length = baseline.sequence.length;
      let primalRows = 0;
      let tangentRows = 0;
      for (let first = 0; first < positions.length; first += K) {
        const from = reusesPrefix ? first : 0;
        primalRows += length - from;
        tangentRows += Math.min(K, positions.length - first) * (length - from);
      }
      assert.equal(batched.primal, primalRows, 'one primal row per batch');
      assert.equal(batched.tangent, tangentRows, 'one tangent direction per position');

      let worst = 0;
      batched.derivatives.forEach((row, n) => row.forEach((d, m) => (worst = Math.max(worst, Math.abs(d - single.derivatives[n][m]) / Math.max(1, Math.abs(d))))));
      assert.ok(batched.derivatives.flatMap((row) => [...row]).some((d) => Math.abs(d) > 1e-6), 'the derivatives are not all zero');
      assert.ok(worst <= 1e-9, `max |Δ| ${worst}`);
    });
  });
}
