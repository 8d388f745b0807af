/**
 * The paper's estimator, gradient × input of the probability (METHODS.md §1.2):
 * I[n,m] = (∂p_m/∂e_n)·e_n = d/dα p_m(e_n → (1+α)e_n) at α = 0, computed as a central
 * difference of log p_m along the token's own embedding: I = p_m · (log p_m(1+h) − log p_m(1−h)) / 2h,
 * with 2h the difference of the two scales as the graph receives them. Two perturbed sequences
 * per prompt position, each giving all M columns at once. In a float64 graph
 * and the result agrees with exact autograd to within about 2e-5 of a column's maximum; in float32,
 * rounding limits it (see graph/float64.ts).
 */
import { env } from '../env.ts';
import { countingWork, perturbedLogProbs, teacherForcedBaseline } from './perturb.ts';
import type { AttributionInput, AttributionResult, Attributor } from './types.ts';

export const gradient: Attributor = {
  name: 'gradient',
  measures: 'The paper\'s gradient × input: how fast the probability of each response token changes when the prompt token\'s embedding is scaled up infinitesimally (a local, linear view).',
  async attribute(input: AttributionInput): Promise<AttributionResult> {
    const h = env.gradientStep;
    const up = input.session.representable(1 + h);
    const down = input.session.representable(1 - h);
    const { importance, responseProbabilities, work } = await countingWork(input, async () => {
      const baseline = await teacherForcedBaseline(input.session, input.promptIds, input.responseIds);
      const perturbations = input.promptIds.flatMap((_, n) => [
        { position: n, scale: up },
        { position: n, scale: down },
      ]);
      const perturbed = await perturbedLogProbs(input, baseline, perturbations);
      const p = Array.from(baseline.logProbs, Math.exp);
      return {
        importance: input.promptIds.map((_, n) => p.map((pm, m) => (pm * (perturbed[2 * n][m] - perturbed[2 * n + 1][m])) / (up - down))),
        responseProbabilities: p,
        perturbations: perturbations.length,
        sequenceLength: baseline.sequence.length,
      };
    });
    return { importance, responseProbabilities, work };
  },
};
