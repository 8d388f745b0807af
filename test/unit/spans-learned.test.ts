/**
 * The machinery of the sixth round's experiment (tools/spans; docs/spans.md, "Sixth round"): a
 * learned decision over the rules' pieces, measured leave-one-set-out by `npm run spans:learn`.
 * It was not adopted (detection is the rules alone); these tests keep the experiment runnable and
 * its baseline exact: a decision that copies the rules' verdicts gives the rules' spans.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { detectTraced, detectWith } from '../../src/engine/spans/detect.ts';
import { FEATURE_NAMES, pieceFeatures } from '../../tools/spans/features.ts';
import { decide, ruleMarks, spansFromDecisions, type SpanModel } from '../../tools/spans/learned.ts';
import { HELD_OUT, OWN_SET } from '../fixtures/spans/own-sets.ts';
import { repoRoot } from '../helpers/paths.ts';

function stylePrompts(): string[] {
  const dir = path.join(repoRoot, 'test/fixtures/spans');
  return ['dev-styles.jsonl', 'fifth-held-out-styles.jsonl'].flatMap((f) => readFileSync(path.join(dir, f), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { prompt: string }).prompt));
}

test('learned-decision experiment: copying the rules\' verdicts reproduces the rules\' spans exactly', () => {
  const prompts = [...stylePrompts(), ...OWN_SET.map((c) => c.prompt), ...HELD_OUT.map((c) => c.prompt)];
  for (const prompt of prompts) {
    const trace = detectTraced(prompt);
    assert.deepEqual(trace.spans, detectWith(prompt));
    const pieces = pieceFeatures(prompt, trace);
    for (const p of pieces) assert.equal(p.features.length, FEATURE_NAMES.length);
    assert.deepEqual(spansFromDecisions(prompt, trace, pieces, pieces.map(ruleMarks)), trace.spans, prompt.slice(0, 60));
  }
});

test('learned-decision experiment: the margin keeps the rules\' verdict unless the model is sure of the opposite; template instances stay the rules\'', () => {
  const prompt = 'Summarize the article below in two sentences.\n\nThe city council approved the new budget on Monday. Most of the money goes to road repairs.';
  const trace = detectTraced(prompt);
  const pieces = pieceFeatures(prompt, trace);
  const names = FEATURE_NAMES.filter((n) => n === 'rule');
  // A model that reads only the rules' verdict, weakly: p is 0.5 ± 0.12, inside a margin of 0.15.
  const weak: SpanModel = { features: names, mean: [0.5], scale: [0.5], weights: [0.25], bias: 0, margin: 0.15 };
  assert.deepEqual(pieces.map((p) => decide(weak, p)), pieces.map(ruleMarks));
  // Against the rules with confidence: every piece flips, except where the gate leaves it to the rules.
  const contrary: SpanModel = { ...weak, weights: [-10] };
  assert.deepEqual(pieces.map((p) => decide(contrary, p)), pieces.map((p) => !ruleMarks(p)));
  assert.deepEqual(pieces.map((p) => decide({ ...contrary, dropOnly: true }, p)), pieces.map(() => false));
  const slot = 'Write a tagline for the product.\n\nProduct: a solar lamp\n\nTagline:';
  const slotTrace = detectTraced(slot);
  const slotPieces = pieceFeatures(slot, slotTrace);
  assert.deepEqual(slotPieces.map((p) => decide({ ...contrary, gate: 'answer slot' }, p)), slotPieces.map(ruleMarks));
});
