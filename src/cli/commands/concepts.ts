/**
 * `prompt-lens concepts --model M | --base M1 --tuned M2 [--layers all|a-b] [--components 300]
 * [--top-words 50] [--subspace 20] [--vocabulary FILE] [--dtype auto] [--json OUT] [--html OUT]`:
 * the feed-forward layers as concepts (METHODS.md §2), and how tuning moved them.
 */
import type { ParseArgsConfig } from 'node:util';
import { analyzeConcepts, DEFAULT_COMPONENTS, DEFAULT_TOP_WORDS, type ConceptsResult } from '../../engine/internals/concepts.ts';
import { compareConcepts, DEFAULT_SUBSPACE, SHOWN_WORDS, type ConceptsComparison } from '../../engine/internals/compare-concepts.ts';
import { renderConceptsHtml } from '../../engine/internals/html.ts';
import { internalsRequest, INTERNALS_OPTIONS, positiveInteger } from '../internals-options.ts';
import { parseOptions } from '../parse-options.ts';
import { guarded } from '../run-guard.ts';
import { runInternals } from '../internals-run.ts';

export const OPTIONS = {
  ...INTERNALS_OPTIONS,
  components: { type: 'string' },
  'top-words': { type: 'string' },
  subspace: { type: 'string' },
} satisfies ParseArgsConfig['options'];

const LISTED_COMPONENTS = 5;
const LISTED_WORDS = 8;

export async function run(argv: string[]): Promise<number> {
  return guarded(async (signal) => {
    const { values } = parseOptions('concepts', argv, OPTIONS);
    const request = internalsRequest('concepts', values);
    return runInternals({
      name: 'concepts',
      analyze: analyzeConcepts,
      compare: compareConcepts,
      describe: (data) => ('base' in data ? describeComparison(data) : describeConcepts(data)),
      renderHtml: renderConceptsHtml,
    }, request, {
      layers: request.layers,
      vocabularyFile: request.vocabularyFile,
      dtype: request.dtype,
      components: positiveInteger(values.components as string | undefined, '--components', DEFAULT_COMPONENTS),
      topWords: positiveInteger(values['top-words'] as string | undefined, '--top-words', DEFAULT_TOP_WORDS),
      subspace: positiveInteger(values.subspace as string | undefined, '--subspace', DEFAULT_SUBSPACE),
      signal,
    });
  });
}

function describeConcepts(result: ConceptsResult): string {
  const lines = [`${result.model.ref}: ${result.layers.length} layers, vocabulary ${result.vocabulary.size} words (${result.vocabulary.source})`];
  for (const layer of result.layers) {
    lines.push(`layer ${layer.layer}`);
    for (const c of layer.components.slice(0, LISTED_COMPONENTS)) {
      lines.push(`  #${c.rank} ${(c.varianceRatio * 100).toFixed(2)} %  ${c.words.slice(0, LISTED_WORDS).map((w) => w.word).join(' ')}`);
    }
  }
  return lines.join('\n') + '\n';
}

function describeComparison(c: ConceptsComparison): string {
  const lines = [`${c.base.model.ref} → ${c.tuned.model.ref}: principal angles between the top-${c.subspace} component subspaces, and words entering/leaving their top-${SHOWN_WORDS} lists`];
  for (const l of c.layers) {
    const angles = l.principalAnglesDegrees;
    lines.push(`layer ${l.layer}: mean angle ${l.meanAngleDegrees.toFixed(1)}° (smallest ${angles[0].toFixed(1)}°, largest ${angles[angles.length - 1].toFixed(1)}°); +${l.wordsGained.length} −${l.wordsLost.length} words`);
    if (l.wordsGained.length > 0) lines.push(`  gained: ${l.wordsGained.slice(0, 12).join(' ')}${l.wordsGained.length > 12 ? ' …' : ''}`);
    if (l.wordsLost.length > 0) lines.push(`  lost:   ${l.wordsLost.slice(0, 12).join(' ')}${l.wordsLost.length > 12 ? ' …' : ''}`);
  }
  return lines.join('\n') + '\n';
}
