/**
 * Check assertions on analyses (src/engine/check, no model): a phrase's rank and density, the
 * share of importance on special tokens, the tuned−base shift, and the config schema.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import { evaluateAssertion, measurePhrase, parseCheckConfig, specialShare } from '../../src/engine/check/index.ts';
import { EngineError } from '../../src/engine/errors.ts';
import { rescore } from '../../src/engine/scoring.ts';
import { repoRoot } from '../helpers/paths.ts';

/** "<s>Reverse the words: red blue" with the given raw importance (a row per token), scored. */
function analysisWith(importance: number[][], spans = [{ start: 0, end: 7 }]): Analysis {
  const prompt = 'Reverse the words: red blue';
  const tokens = [
    { text: '<s>', start: 0, end: 0, special: true },
    { text: 'Reverse', start: 0, end: 7, special: false },
    { text: ' the', start: 7, end: 11, special: false },
    { text: ' words:', start: 11, end: 18, special: false },
    { text: ' red', start: 18, end: 22, special: false },
    { text: ' blue', start: 22, end: 27, special: false },
  ];
  const bare: Analysis = {
    schemaVersion: 1, tool: { name: 'prompt-lens', version: 't' }, createdAt: '',
    model: { ref: 'm', path: 'm', architecture: 'llama', dtype: 'fp32', fileHashes: {} },
    settings: { levels: 10, threshold: 0, p: 4, method: 'occlusion', template: 'none', granularity: 'token', maxNewTokens: 1, responseSource: 'generated' },
    prompt, modelInput: prompt, response: 'x', promptTokens: tokens, responseTokens: importance[0].map(() => ({ text: 'x' })),
    importance, normalized: [], density: [], densityNormalized: [],
    responseProbabilities: [0.5], parity: { maxAbsLogitDiff: 0, probeTokens: 0 },
    work: { positionsProcessed: 0, forwardPasses: 0, positionsWithoutCacheReuse: 0, batchSize: 1 },
    timings: { loadMs: 0, generateMs: 0, attributeMs: 0, totalMs: 0 },
  };
  return rescore(bare, { instructionSpans: spans });
}

test('a phrase ranks by the highest density of its tokens among the prompt\'s own tokens', () => {
  // Densities given directly: the measure reads â, whatever importance made it.
  const a = { ...analysisWith([[9], [1], [1], [1], [1], [1]]), densityNormalized: [0, 0.2, 0.1, 0.5, 1, 0.05] };
  assert.deepEqual(measurePhrase(a, { start: 0, end: 7 }), { density: 0.2, rank: 3, of: 5 });
  assert.deepEqual(measurePhrase(a, { start: 19, end: 27 }), { density: 1, rank: 1, of: 5 }, 'the phrase "red blue" takes its best token');
  const ok = evaluateAssertion({ kind: 'phrase', phrase: 'Reverse', maxRank: 3, minDensity: 0.2 }, { tuned: a });
  assert.equal(ok.passed, true);
  const bad = evaluateAssertion({ kind: 'phrase', phrase: 'Reverse', maxRank: 2, minDensity: 0.5 }, { tuned: a });
  assert.equal(bad.passed, false);
  assert.equal(bad.message, 'the phrase "Reverse" ranks 3, below the top 2 and has density 0.2, under 0.5');
});

test('the special-token share is the share of positive raw importance on BOS and template tokens', () => {
  const a = analysisWith([[3, 0], [1, 0], [-5, 0], [0, 0], [0, 0], [0, 0]]);
  assert.equal(specialShare(a), 0.75);
  assert.equal(evaluateAssertion({ kind: 'special-share', max: 0.5 }, { tuned: a }).passed, false);
  assert.equal(evaluateAssertion({ kind: 'special-share', model: 'tuned', max: 0.75 }, { tuned: a }).passed, true);
});

test('the shift is tuned minus base instruction score, and needs both models', () => {
  // The tuned model leans on "Reverse" for every response token, the base model for one.
  const base = analysisWith([[0, 0, 0], [1, 0, 0], [0, 0, 0], [0, 0, 0], [0, 1, 1], [0, 1, 1]]);
  const tuned = analysisWith([[0, 0, 0], [1, 1, 1], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]]);
  const difference = tuned.instructionScore! - base.instructionScore!;
  assert.ok(difference > 0.2, `the tuned model's score is higher (${difference})`);
  const shift = evaluateAssertion({ kind: 'shift', min: 0.2 }, { base, tuned });
  assert.equal(shift.model, 'tuned − base');
  assert.equal(shift.actual, String(Number(difference.toFixed(3))));
  assert.equal(shift.passed, true);
  assert.equal(evaluateAssertion({ kind: 'shift', min: difference + 0.01 }, { base, tuned }).passed, false);
  const alone = evaluateAssertion({ kind: 'shift', min: 0 }, { tuned });
  assert.equal(alone.passed, false);
  assert.match(alone.message!, /needs the base model/);
  const base2 = evaluateAssertion({ kind: 'instruction-score', model: 'base', min: tuned.instructionScore! }, { base, tuned });
  assert.equal(base2.passed, false, 'the base model\'s score is read when asked for');
});

test('the sample config is valid, and a mistake is named by its JSON pointer', () => {
  const file = path.join(repoRoot, 'examples/prompt-lens.config.json');
  const config = parseCheckConfig(readFileSync(file, 'utf8'), file);
  assert.ok(config.prompts.length > 0);
  const wrong = JSON.stringify({ models: { tuned: 'm' }, prompts: [{ file: 'p', assertions: [{ kind: 'special-share', max: 2 }] }] });
  assert.throws(() => parseCheckConfig(wrong, 'c.json'), (e: unknown) => e instanceof EngineError && e.code === 'invalid-config' && e.message === 'c.json: /prompts/0/assertions/0/max must be <= 1');
  const neither = JSON.stringify({ models: { tuned: 'm' }, prompts: [{ file: 'p', assertions: [{ kind: 'phrase', phrase: 'x' }] }] });
  assert.throws(() => parseCheckConfig(neither, 'c.json'), /c\.json: \/prompts\/0\/assertions\/0/);
});
