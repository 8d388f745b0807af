/**
 * History compare (engine/history): two versions of a prompt tokenized by real tokenizers (the
 * demo model's, and the shared fixtures'), aligned word by word through a text diff, and the
 * per-word change of importance; the --rev grammar.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { Analysis } from '../../src/engine/analysis.ts';
import { EngineError } from '../../src/engine/errors.ts';
import { alignWords, compareVersions, parseRevisionRange, strongestChanges, versionWords } from '../../src/engine/history/index.ts';
import { loadPromptTokenizer, mergeIntoWords } from '../../src/engine/tokens/index.ts';
import { repoRoot, sharedDir, sharedSkipReason } from '../helpers/paths.ts';

const DEMO_TOKENIZER = path.join(repoRoot, 'models/demo-instruct');

/**
 * The parts of an Analysis the comparison reads, for `prompt` as a real tokenizer splits it into
 * words; each word's importance is given by `density(word)` (a real analysis is the integration
 * test's: test/integration/cli-history.test.ts).
 */
async function analysisOf(folder: string, prompt: string, density: (word: string) => number, overrides: Partial<Analysis['settings']> = {}): Promise<Analysis> {
  const tokenizer = await loadPromptTokenizer(folder);
  const { tokens } = await tokenizer.encodePrompt(prompt, { template: 'none' });
  const { words } = mergeIntoWords(tokens, prompt);
  const d = words.map((w) => (w.special ? 0 : density(w.text.trim())));
  const max = Math.max(...d);
  return {
    prompt,
    promptTokens: words,
    density: d,
    densityNormalized: d.map((x) => x / max),
    instructionScore: d[1],
    model: { ref: folder },
    settings: { method: 'occlusion', levels: 10, threshold: 0, p: 4, granularity: 'word', ...overrides },
  } as unknown as Analysis;
}

describe('history compare', () => {
  it('pairs the words both versions share and marks the others added or removed', async () => {
    const before = await analysisOf(DEMO_TOKENIZER, 'Write the words of the sentence in reverse order.', () => 1);
    const after = await analysisOf(DEMO_TOKENIZER, 'Write the words of this list in reverse order, please.', () => 1);
    const aligned = alignWords(versionWords(before), versionWords(after));
    const show = aligned.map((w) => (w.before && w.after ? `=${w.after.text.trim()}` : w.before ? `-${w.before.text.trim()}` : `+${w.after!.text.trim()}`));
    assert.deepEqual(show, ['=Write', '=the', '=words', '=of', '-the', '-sentence', '+this', '+list', '=in', '=reverse', '=order', '+,', '+please', '=.']);
    // Offsets point into each version's own text.
    for (const w of aligned) {
      if (w.before) assert.equal(before.prompt.slice(w.before.start, w.before.end), w.before.text);
      if (w.after) assert.equal(after.prompt.slice(w.after.start, w.after.end), w.after.text);
    }
  });

  it('reports each shared word\'s importance before → after as gained, lost or unchanged', async () => {
    const weights: Record<string, number> = { Summarize: 4, the: 1, text: 2, briefly: 2 };
    const before = await analysisOf(DEMO_TOKENIZER, 'Summarize the text briefly', (w) => weights[w] ?? 1);
    const after = await analysisOf(DEMO_TOKENIZER, 'Summarize the text', (w) => ({ ...weights, text: 4, the: 1.1 })[w] ?? 1);
    const c = compareVersions('p.prompt', { label: 'HEAD~1', analysis: before }, { label: 'working copy', analysis: after });
    const byWord = Object.fromEntries(c.words.map((w) => [w.text.trim(), w]));
    assert.equal(byWord.Summarize.kind, 'unchanged'); // 4/4 → 4/4
    assert.equal(byWord.text.kind, 'gained'); // 2/4 → 4/4
    assert.ok(Math.abs(byWord.text.delta - 0.5) < 1e-12);
    assert.equal(byWord.the.kind, 'unchanged'); // 0.25 → 0.275: under UNCHANGED_WITHIN
    assert.equal(byWord.briefly.kind, 'removed');
    assert.equal(byWord.briefly.after, undefined);
    assert.ok(Math.abs(byWord.briefly.delta + 0.5) < 1e-12);
    assert.deepEqual(c.counts, { gained: 1, lost: 0, unchanged: 2, added: 0, removed: 1 });
    assert.equal(c.before.instructionScore, before.instructionScore);
    assert.equal(c.after.instructionScore, after.instructionScore);
    assert.deepEqual(strongestChanges(c, 'gained', 3).map((w) => w.text.trim()), ['text']);
  });

  it('a word that loses importance is lost; words new to the later version are added', async () => {
    const before = await analysisOf(DEMO_TOKENIZER, 'Translate this into French', (w) => (w === 'French' ? 4 : 2));
    const after = await analysisOf(DEMO_TOKENIZER, 'Translate this into French now', (w) => (w === 'now' ? 8 : 2));
    const c = compareVersions('p.prompt', { label: 'A', analysis: before }, { label: 'B', analysis: after });
    const kinds = c.words.map((w) => `${w.text.trim()}:${w.kind}`);
    assert.deepEqual(kinds, ['Translate:lost', 'this:lost', 'into:lost', 'French:lost', 'now:added']);
  });

  it('refuses two analyses made with different methods or settings', async () => {
    const a = await analysisOf(DEMO_TOKENIZER, 'Sort these numbers', () => 1);
    const b = await analysisOf(DEMO_TOKENIZER, 'Sort these numbers', () => 1, { method: 'gradient' });
    assert.throws(() => compareVersions('p', { label: 'A', analysis: a }, { label: 'B', analysis: b }), (e: unknown) => e instanceof EngineError && e.code === 'bad-argument' && /different models or settings/.test(e.message));
  });

  it('aligns words on the shared fixtures\' real tokenizers (byte-level BPE and SentencePiece)', { skip: sharedSkipReason() }, async () => {
    for (const name of ['gpt2', 'llama2']) {
      const folder = path.join(sharedDir, 'fixtures/tokenizers', name);
      const before = await analysisOf(folder, 'Classify the sentiment of the review: great film', () => 1);
      const after = await analysisOf(folder, 'Classify the sentiment of this review as positive or negative: great film', () => 1);
      const aligned = alignWords(versionWords(before), versionWords(after));
      const kept = aligned.filter((w) => w.before && w.after).map((w) => w.after!.text.trim());
      assert.deepEqual(kept, ['Classify', 'the', 'sentiment', 'of', 'review', ':', 'great', 'film'], name);
      assert.equal(aligned.filter((w) => w.before).length, versionWords(before).length, `${name}: every earlier word appears once`);
      assert.equal(aligned.filter((w) => w.after).length, versionWords(after).length, `${name}: every later word appears once`);
    }
  });
});

describe('--rev', () => {
  it('A..B is two revisions; A alone is A against the file on disk', () => {
    assert.deepEqual(parseRevisionRange('HEAD~1..HEAD'), { before: 'HEAD~1', after: 'HEAD' });
    assert.deepEqual(parseRevisionRange('v1.0'), { before: 'v1.0' });
  });
  it('refuses three dots, empty sides and more than two revisions, saying how to write it', () => {
    for (const spec of ['A...B', '..B', 'A..', 'A..B..C', '']) {
      assert.throws(() => parseRevisionRange(spec), (e: unknown) => e instanceof EngineError && e.code === 'bad-argument' && /HEAD~1\.\.HEAD/.test(e.hint), spec);
    }
  });
});
