/**
 * Base vs tuned feed-forward concepts (METHODS.md §2.4): per layer, the principal angles
 * between the two models' top-k component subspaces, and the words that enter or leave the
 * shown word lists (top 15) of those k components.
 */
import { EngineError } from '../errors.ts';
import { conceptsOf, CONCEPTS_SCHEMA_VERSION, type ConceptsOptions, type ConceptsResult } from './concepts.ts';
import { principalAngles } from './linalg.ts';
import { openModelContext } from './model-context.ts';
import { defaultWordList, readWordList } from './vocabulary.ts';

export const SHOWN_WORDS = 15;
export const DEFAULT_SUBSPACE = 20;

export interface ConceptsComparisonLayer {
  layer: number;
  /** Principal angles in degrees, smallest first (0: a shared direction, 90: orthogonal). */
  principalAnglesDegrees: number[];
  meanAngleDegrees: number;
  /** Words in the tuned model's shown lists of the top-k components and not in the base's, and the reverse. */
  wordsGained: string[];
  wordsLost: string[];
}

export interface ConceptsComparison {
  schemaVersion: number;
  /** k: the number of leading components whose subspaces are compared. */
  subspace: number;
  base: ConceptsResult;
  tuned: ConceptsResult;
  layers: ConceptsComparisonLayer[];
}

export async function compareConcepts(baseRef: string, tunedRef: string, opts: ConceptsOptions & { subspace?: number } = {}): Promise<ConceptsComparison> {
  const words = opts.vocabularyFile !== undefined ? await readWordList(opts.vocabularyFile) : await defaultWordList();
  const base = await conceptsOf(await openModelContext(baseRef, opts, words), opts);
  const tuned = await conceptsOf(await openModelContext(tunedRef, opts, words), opts);
  const d = base.layers[0]?.basis.cols ?? 0;
  if (d !== (tuned.layers[0]?.basis.cols ?? 0) || base.layers.length !== tuned.layers.length) {
    throw new EngineError('bad-argument', `The base and tuned models differ in shape (hidden size ${d} vs ${tuned.layers[0]?.basis.cols}, ${base.layers.length} vs ${tuned.layers.length} layers).`, 'Compare a tuned model with the base model it was tuned from.');
  }
  const k = Math.max(1, Math.min(opts.subspace ?? DEFAULT_SUBSPACE, Math.floor(d / 2), base.layers[0].basis.rows));
  const layers = base.layers.map((b, i) => {
    const t = tuned.layers[i];
    const angles = principalAngles(leadingRows(b.basis, k), leadingRows(t.basis, k)).map((a) => (a * 180) / Math.PI);
    const shown = (c: typeof b) => new Set(c.components.slice(0, k).flatMap((x) => x.words.slice(0, SHOWN_WORDS).map((w) => w.word)));
    const before = shown(b);
    const after = shown(t);
    return {
      layer: b.layer,
      principalAnglesDegrees: angles,
      meanAngleDegrees: angles.reduce((s, a) => s + a, 0) / angles.length,
      wordsGained: [...after].filter((w) => !before.has(w)),
      wordsLost: [...before].filter((w) => !after.has(w)),
    };
  });
  return { schemaVersion: CONCEPTS_SCHEMA_VERSION, subspace: k, base: base.result, tuned: tuned.result, layers };
}

function leadingRows(m: { rows: number; cols: number; data: Float64Array }, k: number) {
  return { rows: k, cols: m.cols, data: m.data.subarray(0, k * m.cols) };
}
