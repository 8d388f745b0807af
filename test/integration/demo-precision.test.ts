/**
 * Why attribution computes in float64: on the trained demo pair, PyTorch float64 autograd and
 * occlusion (tools/demo/golden_demo.py, committed) against the engine in both precisions. In
 * float64 the engine must match the reference closely enough that every normalized level S
 * (L = 10) is the same; the float32 errors are measured and printed, not bounded.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Precision } from '../../src/engine/analysis.ts';
import { gradient } from '../../src/engine/attribution/gradient.ts';
import { occlusion } from '../../src/engine/attribution/occlusion.ts';
import { generate } from '../../src/engine/generate.ts';
import { loadOrPrepareGraph } from '../../src/engine/graph/prepare.ts';
import { sha256File } from '../../src/engine/models/files.ts';
import { DecoderSession } from '../../src/engine/runtime/session.ts';
import { normalizeImportance } from '../../src/engine/scores/normalize.ts';
import { maxRelativeToColumnMax, type Golden } from '../helpers/golden.ts';
import { repoRoot, tempDir } from '../helpers/paths.ts';

const cacheDir = tempDir();
const LEVELS = { levels: 10, threshold: 0 };

function differingLevels(ours: number[][], reference: number[][]): number {
  const a = normalizeImportance(ours, LEVELS);
  const b = normalizeImportance(reference, LEVELS);
  return a.flat().filter((v, i) => v !== b.flat()[i]).length;
}

for (const model of ['demo-base', 'demo-instruct']) {
  const golden = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/demo-goldens', `${model}.json`), 'utf8')) as Golden;
  for (const precision of ['float64', 'float32'] as Precision[]) {
    describe(`${model} (${precision}): attribution vs PyTorch float64`, () => {
      let session: DecoderSession;
      before(async () => {
        const file = path.join(repoRoot, 'models', model, 'onnx/model.onnx');
        const { prepared } = await loadOrPrepareGraph(file, await sha256File(file), cacheDir, precision);
        session = await DecoderSession.create(prepared.file, prepared.meta);
      });
      after(async () => session?.dispose());

      for (const c of golden.cases) {
        test(`${c.name}: gradient × input and occlusion`, async () => {
          if (precision === 'float64') {
            const ids = await generate(session, c.promptIds, { maxNewTokens: c.responseIds.length, eosTokenIds: [golden.eosTokenId] });
            assert.deepEqual(ids, c.responseIds, 'greedy reply');
          }
          const input = { session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize: 4 };
          const g = await gradient.attribute(input);
          const o = await occlusion.attribute(input);
          const gradientError = maxRelativeToColumnMax(g.importance, c.gradient);
          const occlusionError = maxRelativeToColumnMax(o.importance, c.occlusion);
          const levels = differingLevels(g.importance, c.gradient) + differingLevels(o.importance, c.occlusion);
          console.log(`# ${model} ${precision} ${c.name}: max |Δ|/column max gradient ${gradientError.toExponential(2)}, occlusion ${occlusionError.toExponential(2)}; levels S differing ${levels} of ${2 * c.promptIds.length * c.responseIds.length}`);
          if (precision === 'float64') {
            assert.ok(gradientError < 5e-5, `gradient ${gradientError}`);
            assert.ok(occlusionError < 1e-6, `occlusion ${occlusionError}`);
            assert.equal(levels, 0, 'normalized levels differ from the reference');
          }
        });
      }
    });
  }
}
