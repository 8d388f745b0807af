/**
 * The paper's estimator, gradient × input of the probability (METHODS.md §1.2):
 * I[n,m] = (∂p_m/∂e_n)·e_n = d/dα p_m(e_n → (1+α)e_n) at α = 0, computed as a central
 * difference of log p_m along the token's own embedding, in float64 from float32 logits:
 * I = p_m · (log p_m(1+h) − log p_m(1−h)) / 2h. Two perturbed sequences per prompt position,
 * each giving all M columns at once.
 */
import { env } from '../env.ts';
import { countingWork, perturbedLogProbs, teacherForcedBaseline } from './perturb.ts';
import type { AttributionInput, AttributionResult, Attributor } from './types.ts';

export const gradient: Attributor = {
  name: 'gradient',
  measures: 'The paper\'s gradient × input: how fast the probability of each response token changes when the prompt token\'s embedding is scaled up infinitesimally (a local, linear view).',
  async attribute(input: AttributionInput): Promise<AttributionResult> {
    const h = env.gradientStep;
    const { importance, responseProbabilities, work } = await countingWork(input, async () => {
      const baseline = await teacherForcedBaseline(input.session, input.promptIds, input.responseIds);
      const perturbations = input.promptIds.flatMap((_, n) => [
        { position: n, scale: 1 + h },
        { position: n, scale: 1 - h },
      ]);
      const perturbed = await perturbedLogProbs(input, baseline, perturbations);
      const p = Array.from(baseline.logProbs, Math.exp);
      return {
        importance: input.promptIds.map((_, n) => p.map((pm, m) => (pm * (perturbed[2 * n][m] - perturbed[2 * n + 1][m])) / (2 * h))),
        responseProbabilities: p,
        perturbations: perturbations.length,
        sequenceLength: baseline.sequence.length,
      };
    });
    return { importance, responseProbabilities, work };
  },
};
