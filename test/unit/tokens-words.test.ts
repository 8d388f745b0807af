/** Word granularity: merging sub-word tokens into words. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { PromptToken } from '../../src/engine/analysis.ts';
import { sharedDir, sharedSkipReason } from '../helpers/paths.ts';
import { loadPromptTokenizer, mergeIntoWords } from '../../src/engine/tokens/index.ts';

function tok(prompt: string, start: number, end: number, special = false, text?: string): PromptToken {
  return { text: text ?? prompt.slice(start, end), start, end, special };
}

describe('mergeIntoWords', () => {
  it('merges sub-word pieces, keeps spaces and punctuation as word starts', () => {
    const p = 'Hello, wonderful world';
    const tokens = [
      tok(p, 0, 0, true, '<s>'),
      tok(p, 0, 3), tok(p, 3, 5), tok(p, 5, 6),
      tok(p, 6, 10), tok(p, 10, 16),
      tok(p, 16, 22),
    ];
    const { words, groups } = mergeIntoWords(tokens, p);
    assert.deepEqual(words.map((w) => w.text), ['<s>', 'Hello', ',', ' wonderful', ' world']);
    assert.deepEqual(groups, [[0], [1, 2], [3], [4, 5], [6]]);
    assert.deepEqual(words[1], { text: 'Hello', start: 0, end: 5, special: false });
    assert.equal(words[0].special, true);
  });

  it('keeps special tokens alone even in the middle of a word', () => {
    const p = 'abcd';
    const { groups } = mergeIntoWords([tok(p, 0, 2), tok(p, 2, 2, true, '<x>'), tok(p, 2, 4)], p);
    assert.deepEqual(groups, [[0], [1], [2]]);
  });

  it('merges tokens that share a character (split UTF-8) and emoji sequences', () => {
    const p = 'a 👨‍👩‍👧 b';
    // Byte tokens of 👨 share [2,4); ZWJ pieces follow.
    const tokens = [tok(p, 0, 1), tok(p, 1, 4), tok(p, 2, 4), tok(p, 4, 5), tok(p, 5, 7), tok(p, 7, 8), tok(p, 8, 10), tok(p, 10, 12)];
    const { words, groups } = mergeIntoWords(tokens, p);
    assert.deepEqual(words.map((w) => w.text), ['a', ' 👨‍👩‍👧', ' b']);
    assert.deepEqual(groups, [[0], [1, 2, 3, 4, 5, 6], [7]]);
  });

  it('digits split one per token become one number; combining marks stay with their letter', () => {
    const p = 'x 12345 cafe\u0301';
    const tokens = [tok(p, 0, 1), tok(p, 1, 2), ...[2, 3, 4, 5, 6].map((i) => tok(p, i, i + 1)), tok(p, 7, 11), tok(p, 11, 13)];
    const { words } = mergeIntoWords(tokens, p);
    assert.deepEqual(words.map((w) => w.text), ['x', ' ', '12345', ' cafe\u0301']);
  });

  it('groups partition the token indices in order; empty input', () => {
    assert.deepEqual(mergeIntoWords([], ''), { words: [], groups: [] });
    const p = 'one two';
    const { groups } = mergeIntoWords([tok(p, 0, 3), tok(p, 3, 7)], p);
    assert.deepEqual(groups.flat(), [0, 1]);
  });

  it('on real tokenizers: words cover the same characters as the tokens', { skip: sharedSkipReason() }, async () => {
    const p = 'Summarize: the naïve café owner counted 1234567 🤗 coins\n\tquickly!';
    for (const name of ['llama2', 'qwen2.5-0.5b-instruct', 'smollm2-135m-instruct']) {
      const t = await loadPromptTokenizer(path.join(sharedDir, 'fixtures/tokenizers', name));
      const e = await t.encodePrompt(p, { template: 'auto' });
      const { words, groups } = mergeIntoWords(e.tokens, p);
      assert.deepEqual(groups.flat(), e.tokens.map((_, i) => i), name);
      const texts = words.filter((w) => !w.special).map((w) => w.text.trim()).filter((w) => w.length > 0);
      assert.ok(texts.includes('Summarize'), `${name}: ${JSON.stringify(texts)}`);
      assert.ok(texts.includes('1234567'), `${name}: ${JSON.stringify(texts)}`);
      assert.ok(texts.includes('naïve'), `${name}: ${JSON.stringify(texts)}`);
      assert.ok(texts.includes('🤗'), `${name}: ${JSON.stringify(texts)}`);
      for (let w = 1; w < words.length; w++) assert.ok(words[w].start >= words[w - 1].start && words[w].end >= words[w - 1].end);
    }
  });
});
