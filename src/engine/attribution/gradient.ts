/**
 * The paper's estimator, gradient × input of the probability (METHODS.md §1.2):
 * I[n,m] = (∂p_m/∂e_n)·e_n = d/dα p_m(e_n → (1+α)e_n) at α = 0, computed as a central
 * difference of log p_m along the token's own embedding, in float64 from float32 logits:
 * I = p_m · (log p_m(1+h) − log p_m(1−h)) / 2h. Two perturbed sequences per prompt position,
 * each giving all M columns at once.
 */
import { env } from '../env.ts';
import { perturbedLogProbs, teacherForcedBaseline, workCounters } from './perturb.ts';
import type { AttributionInput, AttributionResult, Attributor } from './types.ts';

export const gradient: Attributor = {
  name: 'gradient',
  measures: 'The paper\'s gradient × input: how fast the probability of each response token changes when the prompt token\'s embedding is scaled up infinitesimally (a local, linear view).',
  async attribute(input: AttributionInput): Promise<AttributionResult> {
    const h = env.gradientStep;
    const before = workCounters(input.session);
    const baseline = await teacherForcedBaseline(input.session, input.promptIds, input.responseIds);
    const N = input.promptIds.length;
    const perturbations = Array.from({ length: N }, (_, n) => [
      { position: n, scale: 1 + h },
      { position: n, scale: 1 - h },
    ]).flat();
    const perturbed = await perturbedLogProbs(input, baseline, perturbations);
    const p = Array.from(baseline.logProbs, Math.exp);
    const importance = Array.from({ length: N }, (_, n) => {
      const up = perturbed[2 * n];
      const down = perturbed[2 * n + 1];
      return p.map((pm, m) => (pm * (up[m] - down[m])) / (2 * h));
    });
    const after = workCounters(input.session);
    return {
      importance,
      responseProbabilities: p,
      work: {
        positionsProcessed: after.positions - before.positions,
        forwardPasses: after.passes - before.passes,
        positionsWithoutCacheReuse: (2 * N + 1) * baseline.sequence.length,
        batchSize: input.batchSize,
      },
    };
  },
};
