/**
 * Instruction spans on prompts of other styles (test/fixtures/spans): long conversational
 * questions, multi-paragraph requests, pasted e-mails, articles, code and logs, system prompts,
 * templates with placeholders, lists of rules and few-shot examples — 136 prompts written and
 * annotated by hand before any rule was changed for them, and split by a seeded random draw into
 * a development set (106) and a held-out set (30). The 30 were looked at after their first
 * measurement and are development data now; a fresh held-out set of 43
 * (fresh-held-out-styles.jsonl) was written and annotated, and committed on its own, before the
 * detector was run on it and before the rules were changed again; it was measured only before
 * and after those changes, never used to choose a rule. It was development data in the third round,
 * when a new held-out set of 46 (new-held-out-styles.jsonl) was written, annotated and committed on
 * its own first, and measured once, after the last rule change. In the fourth round an annotation
 * guide for background statements and lead-ins was written (docs/spans.md), the development sets
 * (dev, fresh) were re-annotated by it, and a fourth held-out set of 43
 * (fourth-held-out-styles.jsonl) was written, annotated by it and committed on its own before any
 * rule change; it and the third round's set were measured after the rule changes only. In the
 * fifth round both (third and fourth) became development sets, and a fifth held-out set of 43
 * (fifth-held-out-styles.jsonl) was written, annotated by the guide and committed on its own before
 * any rule change; it was measured once, after the last rule change, and its errors were not
 * looked at while the rules were chosen. In the seventh round the fifth set became development
 * data, and a sixth held-out set of 43 (sixth-held-out-styles.jsonl) was written, annotated by the
 * guide and committed on its own before any rule change; it was measured once, after the last
 * rule change.
 *
 * Annotation (docs/spans.md, "Annotation guide"): instruction = what asks the model to do
 * something, including constraints on the output and the question to answer, and the writer's
 * stated limits and preferences. Not instruction: pasted material, facts of the writer's
 * situation, lead-ins that only point at material, examples, headers, frame labels, bullets and
 * placeholders standing for material.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Span } from '../../src/engine/analysis.ts';
import { addCounts, bestPieceAgreement, detectInstructionSpans, evaluate, scoresOf, firstAndLastSentenceSpans, firstSentenceSpans, lastParagraphSpans, wholePromptSpans, type Scores } from '../../src/engine/spans/index.ts';
import { repoRoot } from '../helpers/paths.ts';

interface Item {
  id: string;
  style: string;
  prompt: string;
  reference: Span[];
}

function load(name: string): Item[] {
  const file = path.join(repoRoot, 'test/fixtures/spans', name);
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => {
    const r = JSON.parse(line) as { id: string; style: string; prompt: string; instruction_spans: Span[] };
    for (const s of r.instruction_spans) assert.equal(r.prompt.slice(s.start, s.end), s.text, `${r.id}: span text matches its offsets`);
    return { id: r.id, style: r.style, prompt: r.prompt, reference: r.instruction_spans };
  });
}

const BASELINES = { 'whole prompt': wholePromptSpans, 'first sentence': firstSentenceSpans, 'first and last sentence': firstAndLastSentenceSpans, 'last paragraph': lastParagraphSpans };

function check(name: string, items: Item[], floor: number): void {
  const show = (label: string, s: Scores) => console.log(`${name} ${label.padEnd(24)} P ${s.precision.toFixed(3)}  R ${s.recall.toFixed(3)}  F1 ${s.f1.toFixed(3)}`);
  const detected = evaluate(items, (p) => detectInstructionSpans(p));
  show('detected', detected);
  for (const [label, baseline] of Object.entries(BASELINES)) {
    const s = evaluate(items, baseline);
    show(label, s);
    assert.ok(detected.f1 > s.f1, `${name}: detection F1 ${detected.f1.toFixed(3)} beats the ${label} baseline ${s.f1.toFixed(3)}`);
  }
  assert.ok(detected.f1 >= floor, `${name}: F1 ${detected.f1.toFixed(3)} fell below ${floor}`);
}

test('other prompt styles, development set: agreement with the hand annotations beats every baseline', () => {
  const dev = load('dev-styles.jsonl');
  assert.equal(dev.length, 106);
  check('dev', dev, DEV_F1_FLOOR);
});

test('other prompt styles, former held-out set (development data now): agreement with the hand annotations beats every baseline', () => {
  const held = load('held-out-styles.jsonl');
  assert.equal(held.length, 30);
  check('former held-out', held, FORMER_HELD_OUT_F1_FLOOR);
});

test('other prompt styles, fresh held-out set: agreement with the hand annotations beats every baseline', () => {
  const fresh = load('fresh-held-out-styles.jsonl');
  assert.equal(fresh.length, 43);
  check('fresh held-out', fresh, FRESH_HELD_OUT_F1_FLOOR);
});

test('other prompt styles, third-round set (development data since the fifth round): agreement with the hand annotations beats every baseline', () => {
  const fresh = load('new-held-out-styles.jsonl');
  assert.equal(fresh.length, 46);
  check('third-round', fresh, NEW_HELD_OUT_F1_FLOOR);
});

test('other prompt styles, fourth-round set (development data since the fifth round): agreement with the hand annotations beats every baseline', () => {
  const fourth = load('fourth-held-out-styles.jsonl');
  assert.equal(fourth.length, 43);
  check('fourth-round', fourth, FOURTH_HELD_OUT_F1_FLOOR);
});

test('other prompt styles, fifth-round set (development data since the seventh round): agreement with the hand annotations beats every baseline', () => {
  const fifth = load('fifth-held-out-styles.jsonl');
  assert.equal(fifth.length, 43);
  check('fifth-round', fifth, FIFTH_HELD_OUT_F1_FLOOR);
});

test('other prompt styles, sixth-round set (development data since the eighth round): agreement with the hand annotations beats every baseline', () => {
  const sixth = load('sixth-held-out-styles.jsonl');
  assert.equal(sixth.length, 43);
  check('sixth-round', sixth, SIXTH_HELD_OUT_F1_FLOOR);
});

/**
 * The measured F1 on each set, rounded down (see docs/spans.md, "Eighth round"): dev 0.9623,
 * former 1.0000, fresh 0.9584, third-round 0.9662, fourth-round 0.9818, fifth-round 0.9443,
 * sixth-round 1.0000, blind development sets a 0.9141, b 0.9493, c 0.9098, d 0.9040, e 0.9348,
 * f 0.9052, and the seventh held-out set 0.9147 (0.9114 at its first measurement, ef320a7): a drop fails.
 */
const DEV_F1_FLOOR = 0.962;
const FORMER_HELD_OUT_F1_FLOOR = 0.999;
const FRESH_HELD_OUT_F1_FLOOR = 0.958;
const NEW_HELD_OUT_F1_FLOOR = 0.966;
const FOURTH_HELD_OUT_F1_FLOOR = 0.981;
const FIFTH_HELD_OUT_F1_FLOOR = 0.944;
const SIXTH_HELD_OUT_F1_FLOOR = 0.999;
const SEVENTH_HELD_OUT_F1_FLOOR = 0.914;
const DEVSET_A_F1_FLOOR = 0.914;
const DEVSET_B_F1_FLOOR = 0.949;
const DEVSET_C_F1_FLOOR = 0.909;
const DEVSET_D_F1_FLOOR = 0.903;
const DEVSET_E_F1_FLOOR = 0.934;
const DEVSET_F_F1_FLOOR = 0.905;

test('other prompt styles, seventh held-out set (eighth round, written blind, measured once after the rules were fixed): agreement with the hand annotations beats every baseline', () => {
  const seventh = load('seventh-held-out-styles.jsonl');
  assert.equal(seventh.length, 43);
  check('seventh held-out', seventh, SEVENTH_HELD_OUT_F1_FLOOR);
});

// Eighth round: development sets written blind (from the guide alone, without the rules, their
// error lists or the detector's output) by separate sessions; c and d were measured once on
// arrival, before any rule was fitted to them, and so were e and f (docs/spans.md, "Eighth round").
for (const [set, floor] of [['a', DEVSET_A_F1_FLOOR], ['b', DEVSET_B_F1_FLOOR], ['c', DEVSET_C_F1_FLOOR], ['d', DEVSET_D_F1_FLOOR], ['e', DEVSET_E_F1_FLOOR], ['f', DEVSET_F_F1_FLOOR]] as const) {
  test(`other prompt styles, blind development set ${set} (eighth round): agreement with the hand annotations beats every baseline`, () => {
    const items = load(`devset-${set}-styles.jsonl`);
    assert.equal(items.length, 43);
    check(`devset-${set}`, items, floor);
  });
}

test('other prompt styles: the annotations are made of whole sentences, labels and list markers of the segmentation', () => {
  for (const name of ['dev-styles.jsonl', 'held-out-styles.jsonl', 'fresh-held-out-styles.jsonl', 'new-held-out-styles.jsonl', 'fourth-held-out-styles.jsonl', 'fifth-held-out-styles.jsonl', 'sixth-held-out-styles.jsonl', 'devset-a-styles.jsonl', 'devset-b-styles.jsonl', 'devset-c-styles.jsonl', 'devset-d-styles.jsonl', 'devset-e-styles.jsonl', 'devset-f-styles.jsonl', 'seventh-held-out-styles.jsonl']) {
    let counts = { truePositive: 0, falsePositive: 0, falseNegative: 0 };
    for (const item of load(name)) counts = addCounts(counts, bestPieceAgreement(item.prompt, item.reference));
    const best = scoresOf(counts);
    console.log(`${name}: best choice of whole pieces F1 ${best.f1.toFixed(3)}`);
    // Measured 0.997, 0.999, 1.000, 1.000, 1.000, 1.000 and 1.000; the eighth round's seven sets 1.000 each.
    assert.ok(best.f1 >= 0.995, `${name}: best piece-level F1 ${best.f1}`);
  }
});
