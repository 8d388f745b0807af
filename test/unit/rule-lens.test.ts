/**
 * Issue 15: the editor's per-rule summary (src/shared/ruleSummary.ts): the prompt cut into rules
 * (numbered or bulleted list items with their indented continuation lines) and single lines, each
 * with the token-weighted mean â of its lines; the lens texts after one analysis and a comparison.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/engine/analysis.ts';
import { ruleLenses, ruleSummaries } from '../../src/shared/ruleSummary.ts';

/** An analysis of `prompt` with one token per whitespace-separated word, â given per word. */
function analysis(prompt: string, dn: (word: string, i: number) => number): Analysis {
  const words = [...prompt.matchAll(/\S+/g)];
  const promptTokens = words.map((m) => ({ text: m[0], start: m.index, end: m.index + m[0].length, special: false }));
  const d = words.map((m, i) => dn(m[0], i));
  return {
    schemaVersion: 1, tool: { name: 'prompt-lens', version: 't' }, createdAt: '',
    model: { ref: 'm', path: '/m', architecture: 'llama', dtype: 'fp32', fileHashes: {} },
    settings: { levels: 10, threshold: 0, p: 4, method: 'occlusion', template: 'none', granularity: 'token', maxNewTokens: 1, responseSource: 'generated' },
    prompt, modelInput: prompt, response: 'a', promptTokens, responseTokens: [{ text: 'a' }],
    importance: d.map((x) => [x]), normalized: d.map((x) => [Math.ceil(x * 10)]),
    density: d, densityNormalized: d, responseProbabilities: [0.5],
    parity: { maxAbsLogitDiff: 0, probeTokens: 0 },
    work: { positionsProcessed: 0, forwardPasses: 0, positionsWithoutCacheReuse: 0, batchSize: 1 },
    timings: { loadMs: 0, generateMs: 0, attributeMs: 0, totalMs: 0 },
  };
}

const PROMPT = [
  'You are a support bot.',
  'Rules:',
  '1. Answer in JSON.',
  '2) Never mention rivals,',
  '   even when asked.',
  '',
  '- Be brief.',
  '* Ask for the account.',
  'Thanks.',
].join('\n');

test('rules: numbered and bulleted items with their indented continuation lines; other lines alone', () => {
  const units = ruleSummaries(analysis(PROMPT, () => 0.5));
  assert.deepEqual(units.map((u) => [u.kind, u.number, u.firstLine, u.lastLine, u.text]), [
    ['line', undefined, 0, 0, 'You are a support bot.'],
    ['line', undefined, 1, 1, 'Rules:'],
    ['rule', 1, 2, 2, '1. Answer in JSON.'],
    ['rule', 2, 3, 4, '2) Never mention rivals,\n   even when asked.'],
    ['rule', 3, 6, 6, '- Be brief.'],
    ['rule', 4, 7, 7, '* Ask for the account.'],
    ['line', undefined, 8, 8, 'Thanks.'],
  ]);
  assert.deepEqual(units.map((u) => u.tokens), [5, 1, 4, 7, 3, 5, 1]);
});

test('rules: a rule\'s value is the token-weighted mean â of its lines, its max the largest; ranked by mean', () => {
  // "rivals," and the continuation line are strong; everything else 0.2.
  const strong = new Set(['rivals,', 'even', 'when', 'asked.']);
  const units = ruleSummaries(analysis(PROMPT, (w) => (strong.has(w) ? 1 : 0.2)));
  const rule2 = units.find((u) => u.number === 2)!;
  assert.equal(rule2.tokens, 7);
  assert.equal(+rule2.mean.toFixed(4), +((4 * 1 + 3 * 0.2) / 7).toFixed(4), '4 strong and 3 weak tokens');
  assert.equal(rule2.max, 1);
  assert.equal(rule2.rank, 1);
  assert.ok(units.every((u) => u === rule2 || u.rank > 1));
});

test('rule lens: "rule 2: 0.66" after one analysis, "rule 2: 0.66 tuned / 0.20 base" after a comparison, lines by document line', () => {
  const strong = new Set(['rivals,', 'even', 'when', 'asked.']);
  const tuned = analysis(PROMPT, (w) => (strong.has(w) ? 1 : 0.2));
  const base = analysis(PROMPT, () => 0.2);
  const one = ruleLenses({ tuned });
  assert.equal(one.length, 7);
  assert.equal(one.find((l) => l.promptLine === 3)?.title, 'rule 2: 0.66');
  assert.equal(one[0].title, 'line 1: 0.20');
  const both = ruleLenses({ base, tuned }, 4);
  const r2 = both.find((l) => l.promptLine === 3)!;
  assert.equal(r2.title, 'rule 2: 0.66 tuned / 0.20 base');
  assert.equal(both[0].title, 'line 5: 0.20 tuned / 0.20 base', 'lines are named by their document line (the prompt starts on line 5)');
  assert.match(r2.tooltip, /tuned model: mean reliance 0\.66 of 1 over its 7 tokens \(mean â; 1 = the prompt's most relied-on token\), rank 1 of 7/);
  assert.match(r2.tooltip, /base model: mean reliance 0\.20/);
  assert.equal(PROMPT.slice(r2.start, r2.end), '2) Never mention rivals,\n   even when asked.');
});

test('rule lens: none for a prompt with one unit, none without an analysis', () => {
  assert.deepEqual(ruleLenses({ tuned: analysis('Give a synonym of the word happy.', () => 0.5) }), []);
  assert.deepEqual(ruleLenses({}), []);
});
