import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/engine/analysis.ts';
import { densitySegments, differenceSegments, segmentsFor, strongest } from '../../src/extension/highlights.ts';
import { hoverMarkdown, escapeMd } from '../../src/extension/hoverText.ts';
import { insideOutside, densityRanks, topInfluenced, tokenAt, profileOf } from '../../src/extension/panelData.ts';

/** A hand-made Analysis (the shape the engine produces) for view logic only. */
function analysis(prompt: string, cuts: [number, number, boolean][], dn: number[], over: Partial<Analysis> = {}): Analysis {
  const M = 3;
  return {
    schemaVersion: 1, tool: { name: 'prompt-lens', version: 't' }, createdAt: '',
    model: { ref: 'm', path: '/m', architecture: 'llama', dtype: 'fp32', fileHashes: {} },
    settings: { levels: 10, threshold: 0, p: 4, method: 'gradient', template: 'none', granularity: 'token', maxNewTokens: 3, responseSource: 'generated' },
    prompt, modelInput: prompt, response: 'a b c',
    promptTokens: cuts.map(([s, e, sp]) => ({ text: prompt.slice(s, e), start: s, end: e, special: sp })),
    responseTokens: [{ text: 'a' }, { text: ' b' }, { text: ' c' }],
    importance: dn.map((d, n) => Array.from({ length: M }, (_, m) => (m === n % M ? d : -0.01))),
    normalized: dn.map((d, n) => Array.from({ length: M }, (_, m) => (m === n % M ? Math.ceil(d * 10) : 0))),
    density: dn.map((d) => d * 2), densityNormalized: dn,
    responseProbabilities: [0.5, 0.5, 0.5],
    parity: { maxAbsLogitDiff: 0, probeTokens: 0 },
    work: { positionsProcessed: 0, forwardPasses: 0, positionsWithoutCacheReuse: 0, batchSize: 1 },
    timings: { loadMs: 0, generateMs: 0, attributeMs: 0, totalMs: 0 },
    ...over,
  };
}

const P = 'Translate this: hello';
// <bos> | Translate | " this" | ":" | " hello"
const cuts: [number, number, boolean][] = [[0, 0, true], [0, 9, false], [9, 14, false], [14, 15, false], [15, 21, false]];

test('density segments: one per highlighted user token, level ceil(L·â)', () => {
  const a = analysis(P, cuts, [0, 1, 0.25, 0, 0.55]);
  assert.deepEqual(densitySegments(a, 10), [
    { start: 0, end: 9, level: 10, value: 1 },
    { start: 9, end: 14, level: 3, value: 0.25 },
    { start: 15, end: 21, level: 6, value: 0.55 },
  ]);
  assert.deepEqual(strongest(densitySegments(a, 10), 1).map((s) => P.slice(s.start, s.end)), ['Translate']);
});

test('difference segments: per character, so different tokenizations line up', () => {
  const base = analysis(P, cuts, [0, 0.5, 0.5, 0, 1]);
  // The tuned model splits "Translate" in two.
  const tunedCuts: [number, number, boolean][] = [[0, 0, true], [0, 5, false], [5, 9, false], [9, 14, false], [14, 15, false], [15, 21, false]];
  const tuned = analysis(P, tunedCuts, [0, 1, 0.5, 0.5, 0, 0.4]);
  const d = differenceSegments(base, tuned, 10);
  assert.deepEqual(d.map((s) => [P.slice(s.start, s.end), s.level]), [['Trans', 5], [' hello', -6]]);
  assert.deepEqual(segmentsFor('difference', { tuned }, 10), densitySegments(tuned, 10), 'difference with one model falls back to it');
});

test('panel read-outs: inside/outside means, ranks, top influenced, token lookup, profile', () => {
  const a = analysis(P, cuts, [0, 1, 0.25, 0, 0.55], { instructionMask: [0, 1, 1, 0, 0] });
  assert.deepEqual(insideOutside(a), { inside: 0.625, outside: 0.275 });
  assert.deepEqual(insideOutside({ ...a, instructionMask: undefined }), { inside: null, outside: null });
  assert.deepEqual(densityRanks(a), [0, 1, 3, 4, 2]);
  assert.deepEqual(topInfluenced(a, 1).map((x) => x.text), [' b']);
  assert.equal(tokenAt(a, 0), 1);
  assert.equal(tokenAt(a, 10), 2);
  assert.equal(tokenAt(a, 14), 3);
  assert.equal(tokenAt(a, 21), -1);
  assert.equal(profileOf(a), null, 'under 10 tokens: no profile');
});

test('hover text names the token, densities and ranks under both models, and links the panel', () => {
  const base = analysis(P, cuts, [0, 0.5, 0.25, 0, 1]);
  const tuned = analysis(P, cuts, [0, 1, 0.25, 0, 0.55]);
  const md = hoverMarkdown([{ side: 'base', label: 'demo-base', analysis: base }, { side: 'tuned', label: 'demo-instruct', analysis: tuned }], 3, { stale: false, panelCommand: 'command:promptLens.compare' })!;
  assert.match(md, /token `Translate`/);
  assert.match(md, /demo\\-base\*\* \(base\): reliance \*\*0\.50\*\* of 1, rank 2 of 4 tokens \(â = 0\.500; raw density a = 1\.000\)/);
  assert.match(md, /demo\\-instruct\*\* \(tuned\): reliance \*\*1\.00\*\* of 1, rank 1 of 4/);
  assert.match(md, /tuned − base: \*\*\+0\.50\*\* \(the tuned model relies on it more\)/);
  assert.match(md, /\[Open comparison panel\]\(command:promptLens\.compare\)/);
  assert.equal(hoverMarkdown([{ side: 'base', label: 'b', analysis: base }], 21, { stale: false }), null);
  assert.match(hoverMarkdown([{ side: 'base', label: 'b', analysis: base }], 0, { stale: true })!, /prompt changed/);
  assert.equal(escapeMd('a*b_[c]'), 'a\\*b\\_\\[c\\]');
});

test('hover text says in words what each number is, and shows the scale and the editor floor', () => {
  const a = analysis(P, cuts, [0, 1, 0.25, 0, 0.55]);
  const md = hoverMarkdown([{ side: 'tuned', label: 't', analysis: a }], 3, { stale: false, floor: 0.5 })!;
  assert.match(md, /raised most: `·b` \(level 10 of 10; probability change 1\.0e\+0\)/, 'S and I named in words');
  assert.match(md, /Scale: pale → strong = reliance 0 → 1 \(1 = the prompt's most relied-on token\); the editor hides reliance ≤ 0\.5/);
  assert.match(md, /_gradient × input \(the paper's estimator\); L = 10 levels, b = 0 lowest levels ignored, p = 4/);
  assert.doesNotMatch(md, /\(S \d|, I \d/, 'no bare S / I jargon');
  assert.doesNotMatch(hoverMarkdown([{ side: 'tuned', label: 't', analysis: a }], 3, { stale: false })!, /hides/, 'no floor, no hiding');
});

test('hover text names the line (rule) of the token with its mean reliance and rank', () => {
  const prompt = 'Rules:\n1. Answer in JSON.\n2. Be brief.';
  // "Rules:" | ":" | "\n1." | " Answer" | " in JSON." | "\n2." | " Be brief."
  const c: [number, number, boolean][] = [[0, 5, false], [5, 6, false], [6, 9, false], [9, 16, false], [16, 25, false], [25, 28, false], [28, 38, false]];
  const a = analysis(prompt, c, [0.2, 0.1, 0.6, 1, 0.8, 0.3, 0.4]);
  const md = hoverMarkdown([{ side: 'tuned', label: 't', analysis: a }], 10, { stale: false })!;
  assert.match(md, /its line 2 \(“1\\\. Answer in JSON\\\.”\): mean reliance 0\.80, rank 1 of 3 lines/);
});
