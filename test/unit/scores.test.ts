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
  const a = tokenDensity(S, 4);
  [1.6818, 1, 2.2795, 1.6818].forEach((v, i) => assert.ok(Math.abs(a[i] - v) < 5e-5, `a[${i}] = ${a[i]}`));
  const aHat = normalizeDensity(a);
  [0.7378, 0.4387, 1, 0.7378].forEach((v, i) => assert.ok(Math.abs(aHat[i] - v) < 5e-5, `â[${i}] = ${aHat[i]}`));
  assert.ok(Math.abs(instructionScore(aHat, [1, 1, 0, 0]) - 0.58824) < 5e-5);
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
  assert.deepEqual(spansToMask(tokens, [{ start: 12, end: 13 }], text), [0, 0, 0, 0, 0, 0]);
});

test('position profile: 10 bins of n/(N−1); null below 10 tokens', () => {
  assert.equal(positionProfile(new Array(9).fill(1)), null);
  const profile = positionProfile(Array.from({ length: 11 }, (_, n) => n / 10))!;
  assert.equal(profile.length, 10);
  assert.ok(Math.abs(profile[0] - 0) < 1e-12);
  assert.ok(Math.abs(profile[9] - 0.95) < 1e-12);
});
