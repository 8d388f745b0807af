/** Sentence and section granularity: splitting the prompt and merging tokens into its units. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PromptToken } from '../../src/engine/analysis.ts';
import { GRANULARITIES } from '../../src/engine/options.ts';
import { loadPromptTokenizer, mergeIntoUnits, sectionRanges, sentenceRanges } from '../../src/engine/tokens/index.ts';
import { testModel } from '../helpers/paths.ts';

function tok(prompt: string, start: number, end: number, special = false, text?: string): PromptToken {
  return { text: text ?? prompt.slice(start, end), start, end, special };
}

const texts = (prompt: string, ranges: { start: number; end: number }[]) => ranges.map((r) => prompt.slice(r.start, r.end));

describe('sectionRanges', () => {
  it('splits at blank lines; a Markdown heading or a .prompty role line opens a section', () => {
    const p = 'system:\nYou are terse.\n# Task\nSummarize the text.\nKeep it short.\n\n  \nText: The cat sat.\nuser:\nHi';
    assert.deepEqual(texts(p, sectionRanges(p)), [
      'system:\nYou are terse.',
      '# Task\nSummarize the text.\nKeep it short.',
      'Text: The cat sat.',
      'user:\nHi',
    ]);
  });

  it('a prompt without blank lines is one section; empty text has none', () => {
    assert.deepEqual(texts('a b\nc d', sectionRanges('a b\nc d')), ['a b\nc d']);
    assert.deepEqual(sectionRanges(''), []);
    assert.deepEqual(sectionRanges('\n \n'), []);
  });
});

describe('sentenceRanges', () => {
  it('wink-nlp sentences, never across a line break', () => {
    const p = 'Summarize the text below. Keep it short\nText: The cat sat. It was happy!\n- item one';
    assert.deepEqual(texts(p, sentenceRanges(p)), ['Summarize the text below.', 'Keep it short', 'Text: The cat sat.', 'It was happy!', '- item one']);
  });
});

describe('mergeIntoUnits', () => {
  const p = 'Be brief. Answer now.\n\nText: cats';
  // BOS, "Be", " brief", ".", " Answer", " now", ".", "\n\n", "Text", ":", " cats"
  const tokens = [
    tok(p, 0, 0, true, '<s>'), tok(p, 0, 2), tok(p, 2, 8), tok(p, 8, 9), tok(p, 9, 16), tok(p, 16, 20), tok(p, 20, 21),
    tok(p, 21, 23), tok(p, 23, 27), tok(p, 27, 28), tok(p, 28, 33),
  ];

  it('sentence: tokens join the sentence of their first non-space character; whitespace joins the one before', () => {
    const { units, groups } = mergeIntoUnits(tokens, p, 'sentence');
    assert.deepEqual(units.map((u) => u.text), ['<s>', 'Be brief.', ' Answer now.\n\n', 'Text: cats']);
    assert.deepEqual(groups, [[0], [1, 2, 3], [4, 5, 6, 7], [8, 9, 10]]);
    assert.equal(units[0].special, true);
    assert.deepEqual(units[3], { text: 'Text: cats', start: 23, end: 33, special: false });
  });

  it('section: paragraphs', () => {
    const { units, groups } = mergeIntoUnits(tokens, p, 'section');
    assert.deepEqual(units.map((u) => u.text), ['<s>', 'Be brief. Answer now.\n\n', 'Text: cats']);
    assert.deepEqual(groups, [[0], [1, 2, 3, 4, 5, 6, 7], [8, 9, 10]]);
  });

  it('token and word granularities are unchanged', () => {
    assert.deepEqual(mergeIntoUnits(tokens, p, 'token').groups, tokens.map((_, i) => [i]));
    assert.deepEqual(mergeIntoUnits(tokens, p, 'word').units.map((u) => u.text), ['<s>', 'Be', ' brief', '.', ' Answer', ' now', '.', '\n\n', 'Text', ':', ' cats']);
  });

  it('a special token inside a unit splits it; a leading whitespace token joins the first unit', () => {
    const q = ' Hi there';
    const { units, groups } = mergeIntoUnits([tok(q, 0, 1), tok(q, 1, 3), tok(q, 3, 3, true, '<x>'), tok(q, 3, 9)], q, 'sentence');
    assert.deepEqual(units.map((u) => u.text), [' Hi', '<x>', ' there']);
    assert.deepEqual(groups, [[0, 1], [2], [3]]);
  });

  it('on a real tokenizer: every granularity partitions the token indices in order', async () => {
    const tokenizer = await loadPromptTokenizer(testModel('tiny-llama'));
    const q = '# Role\nYou are a careful editor. Fix the grammar!\n\nuser:\nThe cats sits on teh mat. It purrs.';
    const e = await tokenizer.encodePrompt(q, { template: 'none' });
    for (const g of GRANULARITIES) {
      const { units, groups } = mergeIntoUnits(e.tokens, q, g);
      assert.deepEqual(groups.flat(), e.tokens.map((_, i) => i), g);
      assert.equal(units.length, groups.length);
    }
    const sections = mergeIntoUnits(e.tokens, q, 'section').units.filter((u) => !u.special).map((u) => u.text.trim());
    assert.deepEqual(sections, ['# Role\nYou are a careful editor. Fix the grammar!', 'user:\nThe cats sits on teh mat. It purrs.']);
    const sentences = mergeIntoUnits(e.tokens, q, 'sentence').units.filter((u) => !u.special).map((u) => u.text.trim());
    assert.deepEqual(sentences, ['# Role', 'You are a careful editor.', 'Fix the grammar!', 'user:', 'The cats sits on teh mat.', 'It purrs.']);
  });
});
