/**
 * `prompt-lens heads --model M | --base M1 --tuned M2 [--layers all|a-b] [--top-words 100]
 * [--vocabulary FILE] [--dtype auto] [--json OUT] [--html OUT]`: attention heads as word pairs
 * (METHODS.md §3), and per layer group whether tuning gave instruction verbs more pairs.
 */
import type { ParseArgsConfig } from 'node:util';
import { analyzeHeads, DEFAULT_PAIR_WORDS, type HeadsResult } from '../../engine/internals/heads.ts';
import { compareHeads, type HeadsComparison } from '../../engine/internals/compare-heads.ts';
import { renderHeadsHtml } from '../../engine/internals/html.ts';
import { internalsRequest, INTERNALS_OPTIONS, positiveInteger } from '../internals-options.ts';
import { parseOptions } from '../parse-options.ts';
import { guarded } from '../run-guard.ts';
import { runInternals } from '../internals-run.ts';

export const OPTIONS = {
  ...INTERNALS_OPTIONS,
  'top-words': { type: 'string' },
} satisfies ParseArgsConfig['options'];

const LISTED_PAIRS = 6;

export async function run(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    const { values } = parseOptions('heads', argv, OPTIONS);
    const request = internalsRequest('heads', values);
    return runInternals({
      name: 'heads',
      analyze: analyzeHeads,
      compare: compareHeads,
      describe: (data) => ('base' in data ? describeComparison(data) : describeHeads(data)),
      renderHtml: renderHeadsHtml,
    }, request, {
      layers: request.layers,
      vocabularyFile: request.vocabularyFile,
      dtype: request.dtype,
      topWords: positiveInteger(values['top-words'] as string | undefined, '--top-words', DEFAULT_PAIR_WORDS),
      signal,
    });
  });
}

function describeHeads(result: HeadsResult): string {
  const lines = [`${result.model.ref}: word pairs per head (top ${result.options.topWords} words per dimension, in >= ${result.options.minDimensions} dimensions; relatedness: ${result.options.relatedness})`];
  for (const layer of result.layers) {
    for (const h of layer.heads) {
      const shown = h.pairs.slice(0, LISTED_PAIRS).map((p) => `${p.query}→${p.key} (${p.dimensions})`);
      lines.push(`layer ${layer.layer} head ${h.head}: ${h.pairs.length} pairs${shown.length > 0 ? `  ${shown.join(', ')}${h.pairs.length > LISTED_PAIRS ? ' …' : ''}` : ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

function describeComparison(c: HeadsComparison): string {
  const lines = [`${c.base.model.ref} → ${c.tuned.model.ref}: share of heads where the tuned model has more pairs with a verb`];
  for (const g of c.groups) {
    const p = g.welch ? `Welch p = ${g.welch.pValue.toPrecision(3)}` : 'Welch test undefined';
    lines.push(
      `layers ${g.layers[0]}-${g.layers[1]} (${g.heads} heads): instruction verbs ${(g.instructionVerbs.meanFraction * 100).toFixed(2)} % (n = ${g.instructionVerbs.n}), general verbs ${(g.generalVerbs.meanFraction * 100).toFixed(2)} % (n = ${g.generalVerbs.n}); ${p}`,
    );
  }
  return lines.join('\n') + '\n';
}
