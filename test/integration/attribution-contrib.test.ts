/**
 * Third-party export forms against the PyTorch float64 reference: tiny-llama as the ONNX
 * Runtime GenAI builder writes it (tools/models/make_genai_models.py) — float16 weights in
 * onnx/model.onnx.data, com.microsoft MultiHeadAttention + RotaryEmbedding +
 * Skip/SimplifiedLayerNormalization with the builder's mask-reformat subgraph, or q4f16
 * GroupQueryAttention + MatMulNBits + GatherBlockQuantized. Loaded as the engine loads any model,
 * at default settings; both methods must agree with autograd / PyTorch occlusion.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { env, loadModel, type LoadedModel } from '../../src/engine/index.ts';
import { gradient } from '../../src/engine/attribution/gradient.ts';
import { occlusion } from '../../src/engine/attribution/occlusion.ts';
import { generate } from '../../src/engine/generate.ts';
import { columnArgmax, pearson, readGolden } from '../helpers/golden.ts';
import { tempDir, testModel } from '../helpers/paths.ts';

env.cacheDir = tempDir();

const FIXTURES = [
  // The builder's mask subgraph expands an [S, S] causal block to [S, past + S].
  { name: 'tiny-llama-genai-mha', refusal: /Expand node.*invalid expand shape/ },
  // onnxruntime's CPU GroupQueryAttention takes several new tokens after a past in batch 1 only.
  { name: 'tiny-llama-genai-gqa-q4', refusal: /GroupQueryAttention.*batch_size must be 1/ },
];

for (const fixture of FIXTURES) {
  describe(`${fixture.name}: attribution vs PyTorch at default settings`, () => {
    const dir = testModel(fixture.name);
    const golden = readGolden(dir);
    let model: LoadedModel;

    before(async () => {
      model = await loadModel(dir);
    });
    after(async () => model?.dispose());

    test('float16 weights and contrib operators are computed in float32, and the reason is recorded', () => {
      assert.equal(model.info.precision, 'float32');
      assert.ok(model.info.precisionNote?.startsWith('float32, because the graph uses com.microsoft.'), model.info.precisionNote);
      assert.equal(model.session.cacheType, 'float32');
      const batching = model.session.meta.batching;
      assert.deepEqual({ batches: batching?.batches, reusesPrefix: batching?.reusesPrefix }, { batches: true, reusesPrefix: false });
      assert.match(batching?.reason ?? '', fixture.refusal);
      console.log(`# ${fixture.name}: ${model.info.precisionNote}; batching ${JSON.stringify(batching)}`);
    });

    for (const c of golden.cases) {
      if (!c.teacherForced) {
        test(`${c.name}: greedy generation equals PyTorch`, async () => {
          const ids = await generate(model.session, c.promptIds, { maxNewTokens: c.responseIds.length, eosTokenIds: [golden.eosTokenId] });
          assert.deepEqual(ids, c.responseIds);
        });
      }
      for (const method of [occlusion, gradient]) {
        test(`${c.name}: ${method.name} agrees with PyTorch float64 (Pearson ≥ 0.999, argmax ≥ 99 % per column)`, async () => {
          const r = await method.attribute({ session: model.session, promptIds: c.promptIds, responseIds: c.responseIds, batchSize: env.attributionBatchSize });
          const reference = method.name === 'gradient' ? c.gradient : c.occlusion;
          const rho = pearson(r.importance.flat(), reference.flat());
          const M = c.responseIds.length;
          let same = 0;
          for (let m = 0; m < M; m++) if (columnArgmax(r.importance, m) === columnArgmax(reference, m)) same++;
          console.log(`# ${fixture.name} ${c.name} ${method.name}: Pearson ${rho.toFixed(6)}, argmax ${same}/${M}`);
          assert.ok(rho >= 0.999, `Pearson ${rho}`);
          assert.ok(same / M >= 0.99, `argmax agreement ${same}/${M}`);
        });
      }
    }
  });
}
