/**
 * Occlusion, the definition of METHODS.md §1.2: I[n,m] = p_m(full) − p_m(e_n → 0).
 * One perturbed sequence per prompt position.
 */
import { countingWork, perturbedLogProbs, teacherForcedBaseline } from './perturb.ts';
import type { AttributionInput, AttributionResult, Attributor } from './types.ts';

export const occlusion: Attributor = {
  name: 'occlusion',
  measures: 'How much the probability of each response token drops when the prompt token\'s embedding is replaced by zeros (a large, finite change).',
  async attribute(input: AttributionInput): Promise<AttributionResult> {
    const { importance, responseProbabilities, work } = await countingWork(input, async () => {
      const baseline = await teacherForcedBaseline(input.session, input.promptIds, input.responseIds);
      const perturbations = input.promptIds.map((_, n) => ({ position: n, scale: 0 }));
      const perturbed = await perturbedLogProbs(input, baseline, perturbations);
      const p = Array.from(baseline.logProbs, Math.exp);
      return {
        importance: perturbed.map((lp) => Array.from(lp, (v, m) => p[m] - Math.exp(v))),
        responseProbabilities: p,
        perturbations: perturbations.length,
        sequenceLength: baseline.sequence.length,
      };
    });
    return { importance, responseProbabilities, work };
  },
};
