/**
 * Occlusion, the definition of METHODS.md §1.2: I[n,m] = p_m(full) − p_m(e_n → 0), one
 * perturbed sequence per prompt position; and unit occlusion, the same with every embedding of
 * a unit (word, sentence, section: tokens/units.ts) zeroed at once, one perturbed sequence per
 * unit: I[u,m] = p_m(full) − p_m(e_n → 0 for all n in u). Unit occlusion is not the sum of its
 * tokens' occlusions (the model sees the whole unit gone), and it makes far fewer passes.
 * With the log-probability target, I[n,m] = log p_m(full) − log p_m(occluded).
 */
import { countingWork, perturbedLogProbs, teacherForcedBaseline, type Perturbation } from './perturb.ts';
import type { AttributionInput, AttributionResult, Attributor } from './types.ts';

async function occlude(input: AttributionInput, perturbations: Perturbation[]): Promise<AttributionResult> {
  const { importance, responseProbabilities, work } = await countingWork(input, async () => {
    const baseline = await teacherForcedBaseline(input.session, input.promptIds, input.responseIds);
    const perturbed = await perturbedLogProbs(input, baseline, perturbations);
    const p = Array.from(baseline.logProbs, Math.exp);
    const drop = input.target === 'log-probability' ? (v: number, m: number) => baseline.logProbs[m] - v : (v: number, m: number) => p[m] - Math.exp(v);
    return {
      importance: perturbed.map((lp) => Array.from(lp, drop)),
      responseProbabilities: p,
      perturbations: perturbations.length,
      sequenceLength: baseline.sequence.length,
    };
  });
  return { importance, responseProbabilities, work };
}

export const occlusion: Attributor = {
  name: 'occlusion',
  measures: 'How much the probability of each response token drops when the prompt token\'s embedding is replaced by zeros (a large, finite change).',
  attribute(input: AttributionInput): Promise<AttributionResult> {
    return occlude(input, input.promptIds.map((_, n) => ({ position: n, scale: 0 })));
  },
};

export const unitOcclusion: Attributor = {
  name: 'unit-occlusion',
  perUnit: true,
  measures: 'How much the probability of each response token drops when every embedding of the unit (word, sentence, section) is replaced by zeros at once.',
  attribute(input: AttributionInput): Promise<AttributionResult> {
    const units = input.units ?? input.promptIds.map((_, n) => [n]);
    return occlude(input, units.map((group) => ({ position: group[0], length: group.length, scale: 0 })));
  },
};
