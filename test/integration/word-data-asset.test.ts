/**
 * The shipped word data asset (src/engine/internals/word-data-asset.ts) holds exactly what its npm
 * packages give the analyses: the default vocabulary, the WordNet verbs, and bit-identical word
 * vectors (so relatedness decisions are those of the full vectors).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packDecimal, readWordDataAsset, unpackDecimal, writeWordDataAsset } from '../../src/engine/internals/word-data-asset.ts';
import { sourceDefaultWords, sourceVectors, sourceWordnetVerbs } from '../../src/engine/internals/word-data-source.ts';
import { tempDir } from '../helpers/paths.ts';

test('a decimal packs into one int32 and unpacks to the same float64; a value with too many digits does not pack', () => {
  for (const x of [0, 1, -1, 0.1, 4.0666, -0.54321, 7.0514e-7, -2.0175e-7, 12345678]) {
    const p = packDecimal(x);
    assert.ok(p !== undefined && p === (p | 0), `${x} packs into an int32`);
    assert.equal(unpackDecimal(p), x);
  }
  for (const x of [Math.PI, 0.1 + 0.2, 1e-20]) assert.equal(packDecimal(x), undefined, `${x}`);
});

test('the asset derived from the packages holds their vocabulary, verbs and exact vectors', { timeout: 300_000 }, async () => {
  const dir = tempDir('prompt-lens-word-data-');
  await writeWordDataAsset(dir);
  const asset = await readWordDataAsset(dir);
  assert.ok(asset);
  const source = await sourceDefaultWords();
  assert.deepEqual(asset.words, source.map((e) => e.word));
  assert.deepEqual(asset.counts, source.map((e) => e.count));
  assert.deepEqual(asset.verbs, await sourceWordnetVerbs());
  const vectors = await sourceVectors(asset.words);
  let compared = 0;
  asset.words.forEach((word, i) => {
    const shipped = asset.vectorOf(word);
    if (vectors[i] === null) return assert.equal(shipped, null, word);
    assert.ok(shipped && shipped.length === vectors[i]!.length, word);
    for (let c = 0; c < shipped.length; c++) if (!Object.is(shipped[c], vectors[i]![c])) assert.fail(`${word}[${c}]: ${shipped[c]} shipped, ${vectors[i]![c]} in the package`);
    compared++;
  });
  assert.ok(compared > 26_000, `${compared} vectors compared`);
  assert.equal(asset.vectorOf('notaword'), null);
});
