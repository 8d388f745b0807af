import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Analysis } from '../../src/engine/analysis.ts';
import { DocumentResults } from '../../src/extension/documentResults.ts';
import type { DocResult } from '../../src/extension/docState.ts';

const analysis = (ref: string): Analysis => ({ model: { ref } } as Analysis);
const result = (over: Partial<DocResult>): DocResult => ({ uri: 'file:///a.prompt', offset: 0, prompt: 'Say hi.', labels: {}, edits: [], createdAt: 0, ...over });
const refs = { base: '/m/base', tuned: '/m/tuned' };

test('a single-model run keeps the other side\'s result for the same prompt and model', () => {
  const results = new DocumentResults();
  results.store(result({ base: analysis('/m/base'), tuned: analysis('/m/tuned'), labels: { base: 'b', tuned: 't' } }), refs);
  const merged = results.store(result({ tuned: analysis('/m/tuned'), labels: { tuned: 't2' } }), refs);
  assert.equal(merged.base?.model.ref, '/m/base');
  assert.deepEqual(merged.labels, { tuned: 't2', base: 'b' });
});

test('the other side is dropped when its model, the prompt or its offset changed, or it was stale', () => {
  const cases: [Partial<DocResult>, Record<'base' | 'tuned', string>][] = [
    [{}, { base: '/m/other', tuned: '/m/tuned' }],
    [{ prompt: 'Say bye.' }, refs],
    [{ offset: 3 }, refs],
  ];
  for (const [next, nextRefs] of cases) {
    const results = new DocumentResults();
    results.store(result({ base: analysis('/m/base'), labels: { base: 'b' } }), refs);
    assert.equal(results.store(result({ ...next, tuned: analysis('/m/tuned') }), nextRefs).base, undefined, JSON.stringify(next));
  }
  const results = new DocumentResults();
  results.store(result({ base: analysis('/m/base') }), refs);
  results.recordEdit('file:///a.prompt', [{ rangeOffset: 0, rangeLength: 0, text: 'x' }]);
  assert.equal(results.store(result({ tuned: analysis('/m/tuned') }), refs).base, undefined);
});

test('edits: the first makes the result stale, later ones do not again', () => {
  const results = new DocumentResults();
  assert.deepEqual(results.recordEdit('file:///a.prompt', [{ rangeOffset: 0, rangeLength: 0, text: 'x' }]), { found: false, becameStale: false });
  results.set(result({ tuned: analysis('/m/tuned') }));
  assert.equal(results.isStale('file:///a.prompt'), false);
  assert.deepEqual(results.recordEdit('file:///a.prompt', [{ rangeOffset: 0, rangeLength: 0, text: 'x' }]), { found: true, becameStale: true });
  assert.deepEqual(results.recordEdit('file:///a.prompt', [{ rangeOffset: 1, rangeLength: 0, text: 'y' }]), { found: true, becameStale: false });
  assert.equal(results.isStale('file:///a.prompt'), true);
  assert.deepEqual(results.analyses('file:///a.prompt').map((a) => a.model.ref), ['/m/tuned']);
});
