/**
 * Annotator agreement on instruction spans: a second annotator's blind annotation of a held-out
 * set (test/fixtures/spans/second-annotator/, made from the guide in docs/spans.md and the prompts
 * alone) against the set's own annotation, with the detector against each, character level.
 * `npm run spans:agreement`; docs/spans.md, "Annotator agreement".
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { addCounts, countAgreement, detectInstructionSpans, scoresOf, type Counts } from '../../src/engine/spans/index.ts';
import type { Span } from '../../src/engine/analysis.ts';

const spansDir = path.resolve(__dirname, '../../test/fixtures/spans');
const secondDir = path.join(spansDir, 'second-annotator');

interface Annotated { id: string; prompt: string; instruction_spans: Span[] }

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as T);
}

const none: Counts = { truePositive: 0, falsePositive: 0, falseNegative: 0 };
const shown = (c: Counts): string => {
  const s = scoresOf(c);
  return `P ${s.precision.toFixed(3)} R ${s.recall.toFixed(3)} F1 ${s.f1.toFixed(3)}`;
};

for (const file of readdirSync(secondDir).filter((f) => f.endsWith('.jsonl')).sort()) {
  const first = readJsonl<Annotated>(path.join(spansDir, file));
  const second = new Map(readJsonl<Omit<Annotated, 'prompt'>>(path.join(secondDir, file)).map((a) => [a.id, a.instruction_spans]));
  let annotators = none, detectorFirst = none, detectorSecond = none;
  const perPrompt: Array<[string, number]> = [];
  for (const item of first) {
    const other = second.get(item.id);
    if (!other) throw new Error(`${file}: the second annotation lacks ${item.id}`);
    const agreement = countAgreement(item.prompt, other, item.instruction_spans);
    annotators = addCounts(annotators, agreement);
    const detected = detectInstructionSpans(item.prompt);
    detectorFirst = addCounts(detectorFirst, countAgreement(item.prompt, detected, item.instruction_spans));
    detectorSecond = addCounts(detectorSecond, countAgreement(item.prompt, detected, other));
    perPrompt.push([item.id, scoresOf(agreement).f1]);
  }
  console.log(`${file} (${first.length} prompts)`);
  console.log(`  second annotator vs the set's annotation: ${shown(annotators)}`);
  console.log(`  detector vs the set's annotation:         ${shown(detectorFirst)}`);
  console.log(`  detector vs the second annotator:         ${shown(detectorSecond)}`);
  const lowest = perPrompt.sort((a, b) => a[1] - b[1]).filter(([, f1]) => f1 < 1).slice(0, 6);
  console.log(`  prompts the annotators disagree on most: ${lowest.map(([id, f1]) => `${id} ${f1.toFixed(2)}`).join(', ') || 'none'}`);
}
