/**
 * The paper's estimator, gradient × input of the probability (METHODS.md §1.2):
 * I[n,m] = (∂p_m/∂e_n)·e_n = d/dα p_m(e_n → (1+α)e_n) at α = 0 = p_m · d log p_m / d s_n at s = 1,
 * where s_n is the embedding scale of prompt position n. Two ways (env.gradientMode):
 * - 'forward': the graph's own forward-mode derivative (graph/jvp/tangents.ts) in vector mode: a
 *   batch of prompt positions is one primal row with one tangent direction per position, each
 *   giving all M columns at once; exact up to the float type's rounding, with no cancellation.
 * - 'central': a central difference of log p_m, p_m · (log p_m(1+h) − log p_m(1−h)) / 2h, two
 *   perturbed sequences per position (a cross-check); in float64 within about 2e-5 of a column's
 *   maximum of exact autograd, in float32 rounding limits it (see graph/float64.ts).
 * With the log-probability target, I[n,m] = (∂ log p_m/∂e_n)·e_n = d log p_m / d s_n: the same
 * derivative, not multiplied by p_m.
 */
import { env } from '../env.ts';
import { EngineError } from '../errors.ts';
import { countingWork, logProbTangents, perturbedLogProbs, teacherForcedBaseline, type Baseline } from './perturb.ts';
import type { AttributionInput, AttributionResult, Attributor } from './types.ts';

export const gradient: Attributor = {
  name: 'gradient',
  measures: 'The paper\'s gradient × input: how fast the probability of each response token changes when the prompt token\'s embedding is scaled up infinitesimally (a local, linear view).',
  async attribute(input: AttributionInput): Promise<AttributionResult> {
    const forward = env.gradientMode === 'forward';
    const { tangent } = input.session.meta;
    if (forward && 'unsupported' in tangent) {
      throw new EngineError(
        'unsupported-graph',
        `Prompt Lens cannot differentiate this graph in forward mode: ${tangent.unsupported}.`,
        'Use the central-difference gradient (CLI: --gradient central), or the occlusion method.',
      );
    }
    const { importance, responseProbabilities, work } = await countingWork(input, async () => {
      const baseline = await teacherForcedBaseline(input.session, input.promptIds, input.responseIds);
      const p = Array.from(baseline.logProbs, Math.exp);
      const { derivatives, perturbations } = forward ? await forwardMode(input, baseline) : await centralDifferences(input, baseline);
      return {
        importance: input.target === 'log-probability' ? derivatives.map((row) => Array.from(row)) : derivatives.map((row) => p.map((pm, m) => pm * row[m])),
        responseProbabilities: p,
        perturbations,
        sequenceLength: baseline.sequence.length,
      };
    });
    return { importance, responseProbabilities, work };
  },
};

/** d log p_m / d s_n per prompt position n, and the perturbed sequences it ran. */
interface Derivatives {
  derivatives: ArrayLike<number>[];
  perturbations: number;
}

async function forwardMode(input: AttributionInput, baseline: Baseline): Promise<Derivatives> {
  const positions = input.promptIds.map((_, n) => n);
  return { derivatives: await logProbTangents(input, baseline, positions), perturbations: positions.length };
}

async function centralDifferences(input: AttributionInput, baseline: Baseline): Promise<Derivatives> {
  const h = env.gradientStep;
  const up = input.session.representable(1 + h);
  const down = input.session.representable(1 - h);
  const perturbations = input.promptIds.flatMap((_, n) => [
    { position: n, scale: up },
    { position: n, scale: down },
  ]);
  const perturbed = await perturbedLogProbs(input, baseline, perturbations);
  const derivatives = input.promptIds.map((_, n) => perturbed[2 * n].map((v, m) => (v - perturbed[2 * n + 1][m]) / (up - down)));
  return { derivatives, perturbations: perturbations.length };
}
