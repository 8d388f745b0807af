/**
 * Occlusion, the definition of METHODS.md §1.2: I[n,m] = p_m(full) − p_m(e_n → 0).
 * One perturbed sequence per prompt position.
 */
import { perturbedLogProbs, teacherForcedBaseline, workCounters } from './perturb.ts';
import type { AttributionInput, AttributionResult, Attributor } from './types.ts';

export const occlusion: Attributor = {
  name: 'occlusion',
  measures: 'How much the probability of each response token drops when the prompt token\'s embedding is replaced by zeros (a large, finite change).',
  async attribute(input: AttributionInput): Promise<AttributionResult> {
    const before = workCounters(input.session);
    const baseline = await teacherForcedBaseline(input.session, input.promptIds, input.responseIds);
    const N = input.promptIds.length;
    const perturbations = Array.from({ length: N }, (_, n) => ({ position: n, scale: 0 }));
    const perturbed = await perturbedLogProbs(input, baseline, perturbations);
    const p = Array.from(baseline.logProbs, Math.exp);
    const importance = perturbed.map((lp) => Array.from(lp, (v, m) => p[m] - Math.exp(v)));
    const after = workCounters(input.session);
    return {
      importance,
      responseProbabilities: p,
      work: {
        positionsProcessed: after.positions - before.positions,
        forwardPasses: after.passes - before.passes,
        positionsWithoutCacheReuse: (N + 1) * baseline.sequence.length,
        batchSize: input.batchSize,
      },
    };
  },
};
