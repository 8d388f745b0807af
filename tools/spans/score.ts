/**
 * Per-set agreement of the span detector with the hand annotations (docs/spans.md), for rule
 * development: one line per set, character level, whitespace excluded, micro-averaged.
 *
 *   npm run spans:score                       P / R / F1 on every development set
 *   npm run spans:score -- --errors "sixth 43"   … and that set's missed and extra sentences
 *
 * Held-out sets are left out unless named with --with (e.g. --with seventh-held-out-styles.jsonl):
 * a held-out set is measured once, after the last rule change.
 */
import type { Span } from '../../src/engine/analysis.ts';
import { addCounts, countAgreement, detectInstructionSpans, scoresOf, type Counts } from '../../src/engine/spans/index.ts';
import { fixtureSet, loadSets } from './sets.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const errorsOf = option('--errors');
const extra = option('--with');

const sets = loadSets();
if (extra) sets.push(fixtureSet(extra));

const none: Counts = { truePositive: 0, falsePositive: 0, falseNegative: 0 };
for (const set of sets) {
  let counts = none;
  for (const item of set.items) {
    const detected = detectInstructionSpans(item.prompt);
    counts = addCounts(counts, countAgreement(item.prompt, detected, item.reference));
    if (errorsOf === set.name) showErrors(item.prompt, detected, item.reference);
  }
  const s = scoresOf(counts);
  console.log(`${set.name.padEnd(22)} P ${s.precision.toFixed(4)}  R ${s.recall.toFixed(4)}  F1 ${s.f1.toFixed(4)}`);
}

/** The detected and annotated spans that do not match exactly, each with the prompt's start. */
function showErrors(prompt: string, detected: Span[], reference: Span[]): void {
  const key = (s: Span) => `${s.start}:${s.end}`;
  const annotated = new Set(reference.map(key));
  const found = new Set(detected.map(key));
  const missed = reference.filter((s) => !found.has(key(s)));
  const extraSpans = detected.filter((s) => !annotated.has(key(s)));
  if (missed.length === 0 && extraSpans.length === 0) return;
  console.log(`\n# ${JSON.stringify(prompt.slice(0, 90))}`);
  for (const s of missed) console.log(`  - missed ${JSON.stringify(prompt.slice(s.start, s.end))}`);
  for (const s of extraSpans) console.log(`  + extra  ${JSON.stringify(prompt.slice(s.start, s.end))}`);
}
