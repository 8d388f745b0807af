/**
 * History compare ("prompt blame"): two versions of one prompt, each analyzed by the same model
 * with the same settings, and what changed between them: per aligned word its importance before
 * → after (gained, lost, unchanged, added, removed), and the instruction score before and after.
 * Views render the result; they never recompute it.
 */
import type { Analysis } from '../analysis.ts';
import { EngineError } from '../errors.ts';
import { alignWords, versionWords, type VersionWord } from './align.ts';

/** A change of normalized density smaller than this counts as unchanged. */
export const UNCHANGED_WITHIN = 0.05;

export type WordChangeKind = 'gained' | 'lost' | 'unchanged' | 'added' | 'removed';

export interface WordChange {
  kind: WordChangeKind;
  /** The word's text (the newer version's when both have it). */
  text: string;
  before?: VersionWord;
  after?: VersionWord;
  /** after − before of the normalized density (absent words count as 0). */
  delta: number;
}

export interface VersionSummary {
  /** The revision as the user named it ("HEAD~1"), or "working copy". */
  label: string;
  /** The commit it resolved to, when it is one. */
  commit?: string;
  instructionScore?: number;
}

export interface HistoryComparison {
  file: string;
  before: VersionSummary;
  after: VersionSummary;
  /** In reading order; removed words stand before the added ones that replace them. */
  words: WordChange[];
  counts: Record<WordChangeKind, number>;
  /** The two analyses, as the engine made them. */
  analyses: { before: Analysis; after: Analysis };
}

/** The comparison of two analyses of the same file made with the same model and settings. */
export function compareVersions(file: string, before: VersionSummary & { analysis: Analysis }, after: VersionSummary & { analysis: Analysis }): HistoryComparison {
  checkComparable(before.analysis, after.analysis);
  const words = alignWords(versionWords(before.analysis), versionWords(after.analysis)).map(({ before: b, after: a }): WordChange => {
    const delta = (a?.density ?? 0) - (b?.density ?? 0);
    const kind: WordChangeKind = !b ? 'added' : !a ? 'removed' : Math.abs(delta) < UNCHANGED_WITHIN ? 'unchanged' : delta > 0 ? 'gained' : 'lost';
    return { kind, text: (a ?? b)!.text, before: b, after: a, delta };
  });
  const counts: Record<WordChangeKind, number> = { gained: 0, lost: 0, unchanged: 0, added: 0, removed: 0 };
  for (const w of words) counts[w.kind]++;
  const summary = ({ analysis, ...rest }: VersionSummary & { analysis: Analysis }): VersionSummary => ({ ...rest, instructionScore: analysis.instructionScore });
  return { file, before: summary(before), after: summary(after), words, counts, analyses: { before: before.analysis, after: after.analysis } };
}

/** Densities of different models or settings are not comparable: refused. */
function checkComparable(a: Analysis, b: Analysis): void {
  const same = a.model.ref === b.model.ref && a.settings.method === b.settings.method && a.settings.levels === b.settings.levels && a.settings.threshold === b.settings.threshold && a.settings.p === b.settings.p && a.settings.granularity === b.settings.granularity;
  if (!same) throw new EngineError('bad-argument', 'the two versions were analyzed with different models or settings, so their importances cannot be compared', 'analyze both versions with the same model, method, granularity, L, b and p');
}

/** The words that changed most, strongest first (for summaries). */
export function strongestChanges(c: HistoryComparison, kind: 'gained' | 'lost', count: number): WordChange[] {
  return c.words
    .filter((w) => w.kind === kind)
    .sort((x, y) => (kind === 'gained' ? y.delta - x.delta : x.delta - y.delta))
    .slice(0, count);
}
