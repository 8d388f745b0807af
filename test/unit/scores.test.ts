/** METHODS.md §1.3–1.6, including the worked example of §1.7 exactly. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { instructionScore, normalizeDensity, normalizeImportance, positionProfile, spansToMask, tokenDensity } from '../../src/engine/scores/index.ts';

const I = [
  [0.5, -0.2, 0.03, 0],
  [0.25, 0.8, 0.012, -0.1],
  [0.05, 0.79, 0.029, 0.4],
  [0.44, 0.1, -0.01, 0.36],
];

test('worked example: S with b = 0 and b = 7', () => {
  assert.deepEqual(normalizeImportance(I, { levels: 10, threshold: 0 }), [
    [10, 0, 10, 0],
    [5, 10, 4, 0],
    [1, 10, 10, 10],
    [9, 2, 0, 9],
  ]);
  assert.deepEqual(normalizeImportance(I, { levels: 10, threshold: 7 }), [
    [10, 0, 10, 0],
    [0, 10, 0, 0],
    [0, 10, 10, 10],
    [9, 0, 0, 9],
  ]);
});

test('worked example: densities and instruction score', () => {
  const S = normalizeImportance(I, { levels: 10, threshold: 7 });
  // The norms of §1.7, to the digits printed there.
  assert.deepEqual(S.map((row) => row.reduce((s, v) => s + v, 0)), [20, 10, 30, 18]);
  [11.892, 10, 13.161, 10.703].forEach((v, i) => assert.equal((S[i].reduce((s, x) => s + x ** 4, 0) ** 0.25).toFixed(3), v.toFixed(3)));
  const a = tokenDensity(S, 4);
  assert.deepEqual(a.map((x) => x.toFixed(4)), ['1.6818', '1.0000', '2.2795', '1.6818']);
  const aHat = normalizeDensity(a);
  assert.deepEqual(aHat.map((x) => x.toFixed(4)), ['0.7378', '0.4387', '1.0000', '0.7378']);
  assert.equal(instructionScore(aHat, [1, 1, 0, 0]).toFixed(5), '0.58824');
  // An empty mask scores 0 (0 / log2 2).
  assert.equal(instructionScore(aHat, [0, 0, 0, 0]), 0);
});

test('a column without positive entries is all zeros; excluded rows stay zero and do not set the maximum', () => {
  const S = normalizeImportance([[-1, 5], [-2, 1], [0, 100]], { levels: 10, threshold: 0 }, [true, true, false]);
  assert.deepEqual(S, [[0, 10], [0, 2], [0, 0]]);
  assert.deepEqual(tokenDensity([[0, 0]], 4), [0]);
  assert.deepEqual(normalizeDensity([0, 0]), [0, 0]);
});

test('k equal non-zero entries give density k^(1-1/p)', () => {
  const [a] = tokenDensity([[3, 3, 3, 0]], 4);
  assert.ok(Math.abs(a - 3 ** 0.75) < 1e-12);
});

test('spans to mask: overlap by a non-space character; special tokens never count', () => {
  const text = 'Do this now: data';
  const tokens = [
    { start: 0, end: 0, special: true },
    { start: 0, end: 2, special: false },
    { start: 2, end: 7, special: false },
    { start: 7, end: 11, special: false },
    { start: 11, end: 12, special: false },
    { start: 12, end: 17, special: false },
  ];
  assert.deepEqual(spansToMask(tokens, [{ start: 0, end: 12 }], text), [0, 1, 1, 1, 1, 0]);
  // The span covers only the space before "data": no shared non-space character.
  assert.deepEqual(spansToMask(tokens, [{ start: 12, end: 13 }], text), [0, 0, 0, 0, 0, 0]);
  // Without the text (the two-argument form), any overlap of at least one character counts;
  // spans from Prompt Lens are trimmed of whitespace, so both forms agree on them.
  assert.deepEqual(spansToMask(tokens, [{ start: 12, end: 13 }]), [0, 0, 0, 0, 0, 1]);
  assert.deepEqual(spansToMask(tokens, [{ start: 13, end: 17 }]), spansToMask(tokens, [{ start: 13, end: 17 }], text));
  // Touching is not overlapping.
  assert.deepEqual(spansToMask(tokens, [{ start: 7, end: 7 }, { start: 0, end: 2 }], text), [0, 1, 0, 0, 0, 0]);
});

test('position profile: 10 bins of n/(N−1); null below 10 tokens', () => {
  assert.equal(positionProfile(new Array(9).fill(1)), null);
  const profile = positionProfile(Array.from({ length: 11 }, (_, n) => n / 10))!;
  assert.equal(profile.length, 10);
  assert.ok(Math.abs(profile[0] - 0) < 1e-12);
  assert.ok(Math.abs(profile[9] - 0.95) < 1e-12);
  // N = 10: one token per bin; the last token (n/(N−1) = 1) falls into the last bin.
  assert.deepEqual(positionProfile([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(positionProfile([1, 2, 3], 10), null);
});
