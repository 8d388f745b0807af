/**
 * The Problems panel's findings (src/extension/instructionFindings.ts, no vscode): which
 * instruction spans are under the thresholds, where they are after edits (an edited span has
 * none), and the marks after the quick fixes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import type { DocResult } from '../../src/extension/docState.ts';
import { instructionFindings, marksAfterFix } from '../../src/extension/instructionFindings.ts';

const PROMPT = 'Reverse it. Be brief. cat dog';
//             0         1         2
//             0123456789012345678901234567890
const tokens = [
  { text: 'Reverse', start: 0, end: 7, special: false },
  { text: ' it.', start: 7, end: 11, special: false },
  { text: ' Be', start: 11, end: 14, special: false },
  { text: ' brief.', start: 14, end: 21, special: false },
  { text: ' cat', start: 21, end: 25, special: false },
  { text: ' dog', start: 25, end: 29, special: false },
];

/** The extension sends the engine its spans (marked or detected), so the analysis says "given". */
function result(densityNormalized: number[]): DocResult {
  const tuned = {
    prompt: PROMPT, promptTokens: tokens, densityNormalized,
    instructionSpans: [{ start: 0, end: 11 }, { start: 12, end: 21 }], instructionSpansSource: 'given',
  } as unknown as Analysis;
  return { uri: 'file:///p.prompt', offset: 100, prompt: PROMPT, tuned, labels: {}, edits: [], createdAt: 0 };
}

test('instructions under the thresholds become warnings or information, at their place in the document', () => {
  const r = result([0.05, 0.02, 0.2, 0.1, 1, 0.3]);
  const f = instructionFindings(r, { warningBelow: 0.1, informationBelow: 0.25 });
  assert.deepEqual(f.map((x) => [x.start, x.end, x.severity, x.importance]), [[100, 111, 'warning', 0.05], [112, 121, 'information', 0.2]]);
  assert.equal(f[0].message, 'The tuned model gives this detected instruction 0.05 of the prompt\'s top density: it may be ignored.');
  assert.deepEqual(instructionFindings(r, { warningBelow: 0, informationBelow: 0 }), [], '0 turns them off');
  assert.deepEqual(instructionFindings(result([1, 0, 0.5, 0, 0, 0]), { warningBelow: 0.1, informationBelow: 0.25 }), [], 'important instructions are no problem');
  const marked = instructionFindings(result([0.05, 0, 1, 0, 0, 0]), { warningBelow: 0.1, informationBelow: 0.25 }, [{ start: 100, end: 111 }]);
  assert.equal(marked[0].source, 'given', 'a span under a mark is the user\'s');
  assert.match(marked[0].message, /gives this instruction 0\.05/);
  assert.equal(f[0].source, 'detected', 'without a mark, the span was detected');
});

test('an edit inside a span clears its finding; an edit before it moves it', () => {
  const r = result([0.05, 0.02, 0.2, 0.1, 1, 0.3]);
  r.edits.push([{ rangeOffset: 103, rangeLength: 0, text: 'x' }]); // inside "Reverse"
  const f = instructionFindings(r, { warningBelow: 0.1, informationBelow: 0.25 });
  assert.deepEqual(f.map((x) => [x.start, x.end]), [[113, 122]], 'only the other span, shifted by one');
  r.edits.push([{ rangeOffset: 0, rangeLength: 0, text: 'abc' }]);
  assert.deepEqual(instructionFindings(r, { warningBelow: 0.1, informationBelow: 0.25 }).map((x) => [x.start, x.end]), [[116, 125]]);
});

test('quick fixes: mark as instruction adds a mark; not an instruction removes it, or keeps the other detected spans', () => {
  const spans = [{ start: 100, end: 111 }, { start: 112, end: 121 }];
  assert.deepEqual(marksAfterFix([], spans, { start: 100, end: 111 }, true), spans, 'detected: the spans in use become marks, the others kept');
  assert.deepEqual(marksAfterFix([{ start: 125, end: 129 }], spans, { start: 100, end: 111 }, true), [{ start: 100, end: 111 }, { start: 125, end: 129 }], 'marked: one more mark');
  assert.deepEqual(marksAfterFix([], spans, { start: 100, end: 111 }, false), [{ start: 112, end: 121 }], 'detected: the others become the marks');
  assert.deepEqual(marksAfterFix([{ start: 100, end: 111 }, { start: 125, end: 129 }], spans, { start: 100, end: 111 }, false), [{ start: 125, end: 129 }], 'marked: that mark goes');
});
