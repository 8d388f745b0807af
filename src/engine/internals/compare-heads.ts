/**
 * Base vs tuned attention heads (METHODS.md §3.6): per layer group (quarters of the layers),
 * for each verb the fraction of heads where the tuned model has more pairs containing the verb
 * than the base model; the instruction verbs of the paper against general verbs (the most
 * frequent WordNet verbs of the vocabulary), with Welch's one-sided test of "instruction verbs
 * gain in more heads".
 */
import { EngineError } from '../errors.ts';
import { meanSd, welchLess, type WelchResult } from '../stats/welch.ts';
import { headsOf, HEADS_SCHEMA_VERSION, type HeadsOptions, type HeadsResult } from './heads.ts';
import { openModelContext } from './model-context.ts';
import { defaultWordList, readWordList } from './vocabulary.ts';
import { wordnetVerbs } from './word-data.ts';

/** The paper's instruction verbs (METHODS.md §3.6). */
export const INSTRUCTION_VERBS = [
  'translate', 'explain', 'summarize', 'retrieve', 'revise', 'generate', 'describe', 'classify', 'create', 'evaluate', 'correct', 'develop', 'identify',
  'analyze', 'compose', 'demonstrate', 'interpret', 'design', 'solve', 'follow', 'clarify', 'say', 'help', 'act', 'recommend', 'estimate', 'edit',
  'format', 'repeat', 'write', 'give', 'find', 'make', 'have', 'tell', 'output', 'predict', 'detect',
];
export const GENERAL_VERBS = 3000;
export const LAYER_GROUPS = 4;

export interface VerbGroupStats {
  /** Verbs of the vocabulary in the set. */
  n: number;
  /** Mean over the verbs of the fraction of heads where tuned has more pairs with the verb. */
  meanFraction: number;
}

export interface HeadsGroupComparison {
  group: number;
  layers: [number, number];
  heads: number;
  instructionVerbs: VerbGroupStats & { fractions: Record<string, number> };
  generalVerbs: VerbGroupStats;
  /** H1: general verbs gain in fewer heads than instruction verbs; null when undefined. */
  welch: WelchResult | null;
}

export interface HeadsComparison {
  schemaVersion: number;
  base: HeadsResult;
  tuned: HeadsResult;
  groups: HeadsGroupComparison[];
}

export async function compareHeads(baseRef: string, tunedRef: string, opts: HeadsOptions = {}): Promise<HeadsComparison> {
  const words = opts.vocabularyFile !== undefined ? await readWordList(opts.vocabularyFile) : await defaultWordList();
  const base = await headsOf(await openModelContext(baseRef, opts, words), opts);
  const tuned = await headsOf(await openModelContext(tunedRef, opts, words), opts);
  const shape = (r: HeadsResult) => r.layers.map((l) => l.heads.length).join(',');
  if (shape(base) !== shape(tuned)) {
    throw new EngineError('bad-argument', `The base and tuned models differ in their layers or heads (${shape(base)} vs ${shape(tuned)}).`, 'Compare a tuned model with the base model it was tuned from.');
  }
  const inVocabulary = new Set(words.words);
  const instruction = INSTRUCTION_VERBS.filter((v) => inVocabulary.has(v));
  const instructionSet = new Set(INSTRUCTION_VERBS);
  const wordnet = new Set(await wordnetVerbs());
  const general = words.words.filter((w) => wordnet.has(w) && !instructionSet.has(w)).slice(0, GENERAL_VERBS);
  return { schemaVersion: HEADS_SCHEMA_VERSION, base, tuned, groups: groupComparisons(base, tuned, instruction, general) };
}

export function groupComparisons(base: HeadsResult, tuned: HeadsResult, instruction: string[], general: string[]): HeadsGroupComparison[] {
  const layers = base.layers.map((l) => l.layer);
  const all = Math.max(...layers) + 1;
  const groups: HeadsGroupComparison[] = [];
  for (let g = 0; g < LAYER_GROUPS; g++) {
    const inGroup = base.layers.map((l, i) => ({ b: l, t: tuned.layers[i] })).filter(({ b }) => Math.floor((b.layer * LAYER_GROUPS) / all) === g);
    if (inGroup.length === 0) continue;
    const headPairs = inGroup.flatMap(({ b, t }) => b.heads.map((h, i) => ({ base: pairCounts(h.pairs), tuned: pairCounts(t.heads[i].pairs) })));
    const fraction = (verb: string) => headPairs.filter((h) => (h.tuned.get(verb) ?? 0) > (h.base.get(verb) ?? 0)).length / headPairs.length;
    const fractions = Object.fromEntries(instruction.map((v) => [v, fraction(v)]));
    const instructionValues = Object.values(fractions);
    const generalValues = general.map(fraction);
    groups.push({
      group: g,
      layers: [inGroup[0].b.layer, inGroup[inGroup.length - 1].b.layer],
      heads: headPairs.length,
      instructionVerbs: { n: instructionValues.length, meanFraction: meanSd(instructionValues).mean, fractions },
      generalVerbs: { n: generalValues.length, meanFraction: meanSd(generalValues).mean },
      welch: welchLess(generalValues, instructionValues),
    });
  }
  return groups;
}

/** How many of a head's pairs contain each word. */
function pairCounts(pairs: Array<{ query: string; key: string }>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pairs) {
    counts.set(p.query, (counts.get(p.query) ?? 0) + 1);
    if (p.key !== p.query) counts.set(p.key, (counts.get(p.key) ?? 0) + 1);
  }
  return counts;
}
