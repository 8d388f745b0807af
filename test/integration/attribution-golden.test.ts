/**
 * The engine's numbers against an independent reference: PyTorch autograd (gradient × input)
 * and PyTorch occlusion on the same weights, computed in float64 and committed as golden.json.
 * Runs real onnxruntime sessions on the prepared graphs of the project's test models, in both
 * precisions: float32 (the original graph) and float64 (its converted copy, far tighter bounds).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import path from 'node:path';
import { env } from '../../src/engine/env.ts';
import type { Precision } from '../../src/engine/analysis.ts';
import type { GradientMode } from '../../src/engine/options.ts';
import { loadOrPrepareGraph } from '../../src/engine/graph/prepare.ts';
import { sha256File } from '../../src/engine/models/files.ts';
import { DecoderSession } from '../../src/engine/runtime/session.ts';
import { gradient } from '../../src/engine/attribution/gradient.ts';
import { occlusion, unitOcclusion } from '../../src/engine/attribution/occlusion.ts';
import { generate } from '../../src/engine/generate.ts';
import { analyze } from '../../src/engine/analyze.ts';
import { loadModel } from '../../src/engine/models/load.ts';
import { columnArgmax, maxRelativeToColumnMax, pearson, readGolden } from '../helpers/golden.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

const MODELS = ['tiny-gpt2', 'tiny-llama', 'tiny-qwen2', 'tiny-phi3', 'tiny-llama-extdata'];
const cacheDir = tempDir();
/** Bounds per precision: occlusion max |Δ|, gradient Pearson, gradient max |Δ| / column max. */
const BOUNDS: Record<Precision, { occlusion: number; pearson: number; gradientRelative: number }> = {
  float32: { occlusion: 1e-5, pearson: 0.999, gradientRelative: Infinity },
  float64: { occlusion: 1e-7, pearson: 0.9999999, gradientRelative: 5e-5 },
};

/**
 * Forward mode (graph/jvp) against autograd, max |Δ| / column max: measured at most 3.3e-5 in
 * float32 and 6.3e-7 in float64 (where the golden's own float64 rounding shows) on these models.
 */
const FORWARD_BOUNDS: Record<Precision, number> = { float32: 1e-4, float64: 2e-6 };

async function withGradientMode<T>(mode: GradientMode, run: () => Promise<T>): Promise<T> {
  const saved = env.gradientMode;
  env.gradientMode = mode;
  try {
    return await run();
  } finally {
    env.gradientMode = saved;
  }
}

for (const [name, precision] of MODELS.flatMap((m) => (['float32', 'float64'] as const).map((p) => [m, p] as const))) {
  describe(`${name} (${precision}): attribution vs PyTorch`, () => {
    const dir = testModel(name);
    const golden = readGolden(dir);
    const bounds = BOUNDS[precision];
    let session: DecoderSession;

    before(async () => {
      const file = path.join(dir, 'onnx/model.onnx');
      const { prepared } = await loadOrPrepareGraph(file, await sha256File(file), cacheDir, precision);
      session = await DecoderSession.create(prepared.file, prepared.meta);
    });
    after(async () => session?.dispose());

    for (const c of golden.cases) {
      if (!c.teacherForced) {
        test(`${c.name}: greedy generation equals PyTorch`, async () => {
          const ids = await generate(session, c.promptIds, { maxNewTokens: c.responseIds.length, eosTokenIds: [golden.eosTokenId] });
          assert.deepEqual(ids, c.responseIds);
        });
      }

      test(`${c.name}: occlusion matches PyTorch to ${bounds.occlusion}`, async () => {
        const r = await occlusion.attribute({ session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize: 3 });
        let maxDiff = 0;
        r.importance.forEach((row, n) => row.forEach((v, m) => (maxDiff = Math.max(maxDiff, Math.abs(v - c.occlusion[n][m])))));
        r.responseProbabilities.forEach((p, m) => assert.ok(Math.abs(p - c.p[m]) < 1e-5, `p[${m}] ${p} vs ${c.p[m]}`));
        console.log(`# ${name} ${precision} ${c.name} occlusion max |Δ| = ${maxDiff.toExponential(2)}`);
        assert.ok(maxDiff < bounds.occlusion, `max abs difference ${maxDiff}`);
      });

      test(`${c.name}: unit occlusion matches PyTorch to ${bounds.occlusion}`, async () => {
        const r = await unitOcclusion.attribute({ session, promptIds: c.promptIds, responseIds: c.responseIds, units: c.units, batchSize: 3 });
        assert.equal(r.importance.length, c.units.length);
        let maxDiff = 0;
        r.importance.forEach((row, u) => row.forEach((v, m) => (maxDiff = Math.max(maxDiff, Math.abs(v - c.unitOcclusion[u][m])))));
        console.log(`# ${name} ${precision} ${c.name} unit occlusion max |Δ| = ${maxDiff.toExponential(2)}, ${r.work.forwardPasses} passes for ${c.units.length} units`);
        assert.ok(maxDiff < bounds.occlusion, `max abs difference ${maxDiff}`);
      });

      test(`${c.name}: forward-mode gradient × input equals autograd to ${FORWARD_BOUNDS[precision]} of a column's maximum`, async () => {
        const r = await withGradientMode('forward', () => gradient.attribute({ session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize: 4 }));
        const rho = pearson(r.importance.flat(), c.gradient.flat());
        const M = c.responseIds.length;
        let same = 0;
        for (let m = 0; m < M; m++) if (columnArgmax(r.importance, m) === columnArgmax(c.gradient, m)) same++;
        const relative = maxRelativeToColumnMax(r.importance, c.gradient);
        console.log(`# ${name} ${precision} ${c.name} forward gradient Pearson = ${rho.toFixed(9)}, max |Δ|/column max = ${relative.toExponential(2)}, argmax agreement ${same}/${M}`);
        assert.ok(rho >= 0.999, `Pearson ${rho}`);
        assert.ok(same / M >= 0.99, `argmax agreement ${same}/${M}`);
        assert.ok(relative <= FORWARD_BOUNDS[precision], `max |Δ| / column max ${relative}`);
        // One pass per prompt position (in batches) and the baseline: half the central differences' sequences.
        assert.equal(r.work.positionsWithoutCacheReuse, (c.promptIds.length + 1) * (c.promptIds.length + M - 1));
      });

      test(`${c.name}: gradient × input agrees with autograd (Pearson ≥ ${bounds.pearson}, argmax ≥ 99 %)`, async () => {
        const r = await withGradientMode('central', () => gradient.attribute({ session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize: 4 }));
        const ours = r.importance.flat();
        const reference = c.gradient.flat();
        const rho = pearson(ours, reference);
        const M = c.responseIds.length;
        let same = 0;
        for (let m = 0; m < M; m++) if (columnArgmax(r.importance, m) === columnArgmax(c.gradient, m)) same++;
        const relative = maxRelativeToColumnMax(r.importance, c.gradient);
        console.log(`# ${name} ${precision} ${c.name} gradient Pearson = ${rho.toFixed(9)}, max |Δ|/column max = ${relative.toExponential(2)}, argmax agreement ${same}/${M}`);
        assert.ok(rho >= bounds.pearson, `Pearson ${rho}`);
        assert.ok(same / M >= 0.99, `argmax agreement ${same}/${M}`);
        assert.ok(relative <= bounds.gradientRelative, `max |Δ| / column max ${relative}`);
      });
    }
  });
}

// Contrastive attribution through `analyze` (tokenizing both texts), against PyTorch autograd and
// occlusion of G_m = log p_m(response) − log p_m(contrast) (the default) and of
// F_m = p_m(response) − p_m(contrast), through both sequences at once.
const CONTRAST_GOLDENS = {
  'log-probability': { gradient: 'contrastLogGradient', occlusion: 'contrastLogOcclusion', unitOcclusion: 'contrastLogUnitOcclusion' },
  probability: { gradient: 'contrastGradient', occlusion: 'contrastOcclusion', unitOcclusion: 'contrastUnitOcclusion' },
} as const;

function maxAbsDiff(a: number[][], b: number[][]): number {
  assert.equal(a.length, b.length);
  let max = 0;
  a.forEach((row, n) => row.forEach((v, m) => (max = Math.max(max, Math.abs(v - b[n][m])))));
  return max;
}

for (const name of ['tiny-llama', 'tiny-gpt2']) {
  for (const kind of [undefined, 'log-probability', 'probability'] as const) {
    test(`${name} (float64): contrastive attribution (${kind ?? 'default: log-probability'}) matches PyTorch`, async () => {
      const dir = testModel(name);
      const c = readGolden(dir).cases.find((x) => x.contrastText !== undefined)!;
      const keys = CONTRAST_GOLDENS[kind ?? 'log-probability'];
      const saved = env.cacheDir;
      env.cacheDir = cacheDir;
      const model = await loadModel(dir, { precision: 'float64' });
      env.cacheDir = saved;
      try {
        const request = { prompt: c.prompt, response: c.responseText, contrastResponse: c.contrastText, ...(kind ? { contrastKind: kind } : {}), template: 'none' as const, granularity: 'token' as const };
        const occluded = await analyze(model, { ...request, method: 'occlusion' });
        assert.deepEqual(occluded.contrast?.responseTokens.map((t) => t.id), c.contrastIds);
        assert.equal(occluded.contrast?.response, c.contrastText);
        assert.equal(occluded.contrast?.kind, kind ?? 'log-probability');
        const occlusionDiff = maxAbsDiff(occluded.importance, c[keys.occlusion]!);
        const graded = await analyze(model, { ...request, method: 'gradient' });
        const gradientDiff = maxAbsDiff(graded.importance, c[keys.gradient]!);
        const rho = pearson(graded.importance.flat(), c[keys.gradient]!.flat());
        // Unit occlusion with the golden's fixed units: the attributor itself, for both replies.
        const session = model.session;
        const unitsOf = (ids: number[]) => unitOcclusion.attribute({ session, promptIds: c.promptIds, responseIds: ids, units: c.units, target: kind ?? 'log-probability', batchSize: 3 });
        const [ua, ub] = [await unitsOf(c.responseIds), await unitsOf(c.contrastIds!)];
        const unitDiff = maxAbsDiff(ua.importance.map((row, u) => row.map((v, m) => v - ub.importance[u][m])), c[keys.unitOcclusion]!);
        console.log(`# ${name} contrastive ${kind ?? 'default'} occlusion max |Δ| = ${occlusionDiff.toExponential(2)}, unit occlusion max |Δ| = ${unitDiff.toExponential(2)}, gradient max |Δ| = ${gradientDiff.toExponential(2)}, Pearson = ${rho.toFixed(9)}`);
        assert.ok(occlusionDiff < 1e-6, `occlusion max abs difference ${occlusionDiff}`);
        assert.ok(unitDiff < 1e-6, `unit occlusion max abs difference ${unitDiff}`);
        assert.ok(rho >= 0.999, `gradient Pearson ${rho}`);
        assert.ok(gradientDiff < 1e-6, `gradient max abs difference ${gradientDiff}`);
        // Steps before the two replies differ compare the same token under the same prefix: zero.
        const first = c.responseIds.findIndex((id, m) => id !== c.contrastIds![m]);
        for (let m = 0; m < first; m++) for (const row of occluded.importance) assert.equal(row[m], 0);
      } finally {
        await model.dispose();
      }
    });
  }
}
