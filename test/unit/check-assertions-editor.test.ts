/**
 * The editor's view of prompt-lens.config.json (src/extension/checkAssertions.ts, no vscode):
 * the entry of a prompt file in a workspace folder's config, a config error named, and the
 * assertions evaluated on the document's analyses with the config's instruction phrases.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import { rescore } from '../../src/engine/scoring.ts';
import { checkEntryFor, evaluateOnResult } from '../../src/extension/checkAssertions.ts';
import type { DocResult } from '../../src/extension/docState.ts';
import { tempDir } from '../helpers/paths.ts';

const PROMPT = 'Reverse it. cat dog';
function analysis(importance: number[][]): Analysis {
  const promptTokens = [
    { text: 'Reverse', start: 0, end: 7, special: false },
    { text: ' it.', start: 7, end: 11, special: false },
    { text: ' cat', start: 11, end: 15, special: false },
    { text: ' dog', start: 15, end: 19, special: false },
  ];
  return rescore({
    schemaVersion: 1, tool: { name: 'prompt-lens', version: 't' }, createdAt: '',
    model: { ref: 'm', path: 'm', architecture: 'llama', dtype: 'fp32', fileHashes: {} },
    settings: { levels: 10, threshold: 0, p: 4, method: 'occlusion', template: 'none', granularity: 'token', maxNewTokens: 1, responseSource: 'generated' },
    prompt: PROMPT, modelInput: PROMPT, response: 'x', promptTokens, responseTokens: importance[0].map(() => ({ text: 'x' })),
    importance, normalized: [], density: [], densityNormalized: [], instructionSpans: [{ start: 0, end: 19 }],
    responseProbabilities: [0.5], parity: { maxAbsLogitDiff: 0, probeTokens: 0 },
    work: { positionsProcessed: 0, forwardPasses: 0, positionsWithoutCacheReuse: 0, batchSize: 1 },
    timings: { loadMs: 0, generateMs: 0, attributeMs: 0, totalMs: 0 },
  }, {});
}

test('a prompt file finds its entry in a workspace folder\'s prompt-lens.config.json; a broken config is named', () => {
  const ws = tempDir();
  mkdirSync(path.join(ws, 'prompts'));
  const config = { models: { tuned: 'm' }, prompts: [{ file: 'prompts/a.prompt', assertions: [{ kind: 'instruction-score', min: 0.5 }] }] };
  writeFileSync(path.join(ws, 'prompt-lens.config.json'), JSON.stringify(config));
  const entry = checkEntryFor(path.join(ws, 'prompts/a.prompt'), [tempDir(), ws]);
  assert.ok(entry && 'check' in entry);
  assert.equal(entry.check.file, 'prompts/a.prompt');
  assert.equal(checkEntryFor(path.join(ws, 'prompts/b.prompt'), [ws]), undefined);
  writeFileSync(path.join(ws, 'prompt-lens.config.json'), JSON.stringify({ ...config, extra: 1 }) + ' ');
  const broken = checkEntryFor(path.join(ws, 'prompts/a.prompt'), [ws]);
  assert.ok(broken && 'error' in broken);
  assert.match(broken.error, /prompt-lens\.config\.json: the top level has an unknown property "extra"/);
});

test('the assertions are evaluated on the document\'s analyses, with the config\'s instruction phrases', () => {
  // "Reverse" matters to every response token, the rest to one each.
  const tuned = analysis([[1, 1, 1], [1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  const r: DocResult = { uri: 'file:///a.prompt', offset: 0, prompt: PROMPT, tuned, labels: {}, edits: [], createdAt: 0 };
  const check = { file: 'a.prompt', instructions: ['Reverse'], assertions: [{ kind: 'instruction-score' as const, min: 0.6 }, { kind: 'phrase' as const, phrase: 'dog', maxRank: 1 }, { kind: 'shift' as const, min: 0 }] };
  const [score, phrase, shift] = evaluateOnResult(check, r)!;
  assert.equal(score.passed, true, `only "Reverse" is the instruction: 1 / log2(3) = 0.63 (${score.actual})`);
  assert.equal(score.actual, '0.631');
  assert.notEqual(evaluateOnResult({ ...check, instructions: undefined }, r)![0].actual, '0.631', 'without phrases, the analysis\'s own spans (the whole prompt) count');
  assert.equal(phrase.passed, false);
  assert.equal(shift.passed, false);
  assert.match(shift.message!, /needs the base model/);
  assert.equal(evaluateOnResult(check, undefined), undefined, 'nothing to evaluate before an analysis');
});
