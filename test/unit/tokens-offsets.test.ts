/**
 * Token → prompt offsets on the nine real tokenizers of ../shared/fixtures/tokenizers, with
 * thousands of seeded random strings and targeted cases per tokenizer family.
 *
 * What "covered" means: every character of the user's prompt is inside the span of a
 * non-special token, except characters the model never sees, which must all be whitespace:
 * whitespace a chat template trims around the prompt (Llama 3's `| trim`) and whitespace an
 * added token with lstrip/rstrip swallows (Phi-3's `<|user|>`, `<|end|>`...).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, before } from 'node:test';
import { sharedDir, sharedSkipReason } from '../helpers/paths.ts';
import { decodeWith, encodePromptDetail, type EncodedPromptDetail } from '../../src/engine/tokens/encode.ts';
import { loadHfTokenizer, type LoadedTokenizer } from '../../src/engine/tokens/load.ts';
import { loadPromptTokenizer } from '../../src/engine/tokens/index.ts';
import { mulberry32 } from '../../src/engine/random.ts';

const skip = sharedSkipReason();
const FIXTURES = path.join(sharedDir, 'fixtures/tokenizers');
const NAMES = [
  'gpt2',
  'phi-2',
  'llama2',
  'tinyllama-1.1b-chat-v0.1',
  'phi-3-mini-instruct',
  'smollm2-135m-instruct',
  'qwen2.5-0.5b-instruct',
  'qwen3',
  'llama3-8b-instruct',
];
/** Random strings per tokenizer and template mode (9 × 2 × this in all). */
const PER_MODE = Number(process.env.PROMPT_LENS_FUZZ_N ?? 300);

// ---------- seeded random strings ----------

const POOLS: string[][] = [
  ['the', 'Hello', 'world', 'instruction', 'Summarize', 'don\'t', 'naïve', 'café', 'Straße', 'x', 'API', 'ok'],
  [' ', ' ', ' ', '  ', '   ', '\t', '\n', '\r\n', '\n\n', ' \t ', '\u00a0', '    '],
  ['0', '7', '42', '1234567', '3.14', '2024-01-01', '١٢٣'],
  ['.', ',', '!', '?', ':', ';', '"', '\'', '(', ')', '[', ']', '{', '}', '<', '>', '/', '\\', '-', '_', '*', '#', '@', '…', '«', '»'],
  ['🤗', '👍🏽', '👨‍👩‍👧‍👦', '🏳️‍🌈', '❤️', '1️⃣', '🧑🏿‍💻', '😀', '🇯🇵', '✨'],
  ['日本語', '中文', '한국어', 'ひらがな', 'カタカナ', '漢字', 'Привет', 'مرحبا', 'שלום', 'ไทย'],
  ['e\u0301', 'a\u0308\u0323', 'n\u0303', 'o\u0302\u0301', '\u0301', 'A\u030a', 'ﬁ', 'Å', 'Ａ', '\u200b'],
];

function randomString(rnd: () => number): string {
  const parts: string[] = [];
  // Mostly short strings, some long ones (several decode windows).
  const n = rnd() < 0.1 ? 40 + Math.floor(rnd() * 80) : 1 + Math.floor(rnd() * 14);
  for (let i = 0; i < n; i++) {
    const pool = POOLS[Math.floor(rnd() * POOLS.length)];
    parts.push(pool[Math.floor(rnd() * pool.length)]);
  }
  return parts.join('');
}

// ---------- invariants ----------
const WS = /^\s$/u;

function checkInvariants(name: string, prompt: string, enc: EncodedPromptDetail, lossless: boolean): void {
  const { tokens, pieces, unseen, stats } = enc.detail;
  const ctx = `${name} ${JSON.stringify(prompt)}`;
  assert.equal(tokens.length, enc.ids.length, ctx);
  const covered = new Uint8Array(prompt.length);
  let lastStart = 0;
  let lastEnd = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    assert.ok(0 <= t.start && t.start <= t.end && t.end <= prompt.length, `${ctx}: token ${i} [${t.start},${t.end}) outside`);
    assert.ok(t.start >= lastStart && t.end >= lastEnd, `${ctx}: token ${i} [${t.start},${t.end}) out of order`);
    lastStart = t.start;
    lastEnd = t.end;
    assert.equal(t.special, t.end === t.start, `${ctx}: token ${i} special flag`);
    if (!t.special) {
      assert.equal(t.text, prompt.slice(t.start, t.end), ctx);
      covered.fill(1, t.start, t.end);
    }
  }
  for (let c = 0; c < prompt.length; c++) {
    if (unseen[c]) {
      assert.match(prompt[c], WS, `${ctx}: unseen char ${c} is not whitespace`);
      assert.equal(covered[c], 0, `${ctx}: char ${c} both unseen and covered`);
    } else {
      assert.equal(covered[c], 1, `${ctx}: char ${c} (${JSON.stringify(prompt[c])}) not covered`);
    }
  }
  if (!lossless) return;
  assert.equal(stats.substituted, 0, `${ctx}: substitutions ${JSON.stringify(stats)}`);
  assert.equal(stats.skipped, 0, `${ctx}: skipped ${JSON.stringify(stats)}`);
  // A non-special token whose span no neighbour shares decodes to the text under its span
  // (up to NFC, and up to one leading space the tokenizer inserted, e.g. SentencePiece's "▁").
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.special) continue;
    const shared =
      (i > 0 && tokens[i - 1].end > t.start) || (i + 1 < tokens.length && tokens[i + 1].start < t.end);
    // Tokens that straddle the template/user boundary hold template text too.
    const { userStart, userEnd } = enc.rendered;
    const straddles = enc.detail.modelStart[i] < userStart || enc.detail.modelEnd[i] > userEnd;
    if (shared || straddles) continue;
    const under = t.text.normalize('NFC');
    const piece = pieces[i].normalize('NFC');
    assert.ok(
      piece === under || (piece.startsWith(' ') && piece.slice(1) === under),
      `${ctx}: token ${i} piece ${JSON.stringify(pieces[i])} vs text ${JSON.stringify(t.text)}`,
    );
  }
}

describe('token offsets on real tokenizers', { skip }, () => {
  const loaded = new Map<string, LoadedTokenizer>();
  before(async () => {
    for (const name of NAMES) loaded.set(name, await loadHfTokenizer(path.join(FIXTURES, name)));
  });

  it('has all nine fixture tokenizers', () => {
    for (const name of NAMES) assert.ok(fs.existsSync(path.join(FIXTURES, name, 'tokenizer.json')), name);
  });

  for (const [k, name] of NAMES.entries()) {
    it(`${name}: ${PER_MODE} random strings × template none/auto keep spans ordered, inside, covering`, async () => {
      const tk = loaded.get(name)!;
      const decode = decodeWith(tk);
      const counts = { strings: 0, tokens: 0, unseen: 0 };
      for (const template of ['none', 'auto'] as const) {
        const rnd = mulberry32(1000 + k * 2 + (template === 'auto' ? 1 : 0));
        for (let s = 0; s < PER_MODE; s++) {
          const prompt = randomString(rnd);
          const enc = await encodePromptDetail(tk, prompt, { template }, decode);
          // The ids are exactly the tokenizer's own.
          if (template === 'none') assert.deepEqual(enc.ids, tk.tok.encode(prompt));
          checkInvariants(`${name}/${template}`, prompt, enc, true);
          counts.strings++;
          counts.tokens += enc.ids.length;
          counts.unseen += enc.detail.unseen.reduce((a, b) => a + b, 0);
        }
      }
      console.log(`# ${name}: ${counts.strings} strings, ${counts.tokens} tokens, ${counts.unseen} unseen whitespace chars`);
    });
  }
});

type Span = [number, number, boolean];
function spans(toks: { start: number; end: number; special: boolean }[]): Span[] {
  return toks.map((t) => [t.start, t.end, t.special]);
}

describe('token offsets: targeted cases per tokenizer family', { skip }, () => {
  const fx = (name: string): string => path.join(FIXTURES, name);

  it('byte-level BPE (gpt2): the byte tokens of an emoji share its span', async () => {
    const t = await loadPromptTokenizer(fx('gpt2'));
    const e = await t.encodePrompt('I love 🤗!', { template: 'none' });
    assert.deepEqual(spans(e.tokens), [[0, 1, false], [1, 6, false], [6, 9, false], [7, 9, false], [7, 9, false], [9, 10, false]]);
    assert.equal(e.tokens[4].text, '🤗');
  });

  it('SentencePiece with byte fallback (llama2): BOS is special at 0, <0xNN> tokens map to their characters', async () => {
    const t = await loadPromptTokenizer(fx('llama2'));
    const e = await t.encodePrompt('\r\nx 🤗', { template: 'none' });
    assert.equal(e.ids[0], t.bosTokenId);
    assert.deepEqual(spans(e.tokens), [
      [0, 0, true], [0, 1, false], [1, 2, false], [2, 3, false], [3, 4, false],
      [4, 6, false], [4, 6, false], [4, 6, false], [4, 6, false],
    ]);
    // A leading space: the "▁" token is the user's space.
    const s = await t.encodePrompt(' a', { template: 'none' });
    assert.deepEqual(spans(s.tokens), [[0, 0, true], [0, 1, false], [1, 2, false]]);
  });

  it('digit splitting: one token per digit (SmolLM2, Qwen2.5), groups of three (Llama 3)', async () => {
    for (const name of ['smollm2-135m-instruct', 'qwen2.5-0.5b-instruct']) {
      const e = await (await loadPromptTokenizer(fx(name))).encodePrompt('x 12345', { template: 'none' });
      assert.deepEqual(spans(e.tokens).slice(-5), [2, 3, 4, 5, 6].map((i) => [i, i + 1, false]), name);
    }
    const l3 = await (await loadPromptTokenizer(fx('llama3-8b-instruct'))).encodePrompt('12345', { template: 'none' });
    assert.deepEqual(spans(l3.tokens), [[0, 0, true], [0, 3, false], [3, 5, false]]);
  });

  it('NFC normalizer (Qwen2.5): a composed token covers the base letter and its combining mark', async () => {
    const e = await (await loadPromptTokenizer(fx('qwen2.5-0.5b-instruct'))).encodePrompt('cafe\u0301 ok', { template: 'none' });
    const last = e.tokens.findIndex((x) => x.end === 5);
    assert.ok(last >= 0 && e.tokens[last].start <= 3, JSON.stringify(e.tokens));
  });

  it('special tokens that strip spaces (Phi-3): the whitespace after an rstrip token is not covered', async () => {
    const t = await loadPromptTokenizer(fx('phi-3-mini-instruct'));
    const e = await t.encodePrompt('a <|end|>  b', { template: 'none' });
    // The user typed the token's text, so it is the user's (not special); "  " is swallowed.
    assert.deepEqual(spans(e.tokens), [[0, 1, false], [1, 2, false], [2, 9, false], [11, 12, false]]);
    const a = await t.encodePrompt('  Hi  ', { template: 'auto' });
    assert.deepEqual(spans(a.tokens), [[0, 0, true], [2, 4, false], [4, 6, false], [6, 6, true], [6, 6, true]]);
  });

  it('added tokens made of spaces (phi-2) and added special tokens in the text (TinyLlama [PAD])', async () => {
    const p2 = await (await loadPromptTokenizer(fx('phi-2'))).encodePrompt('a          b', { template: 'none' });
    assert.deepEqual(spans(p2.tokens), [[0, 1, false], [1, 11, false], [11, 12, false]]);
    const tl = await (await loadPromptTokenizer(fx('tinyllama-1.1b-chat-v0.1'))).encodePrompt('a[PAD]b', { template: 'none' });
    assert.deepEqual(spans(tl.tokens), [[0, 0, true], [0, 1, false], [1, 6, false], [6, 7, false]]);
  });

  it('a 4000-token prompt is encoded in linear time', async () => {
    for (const name of ['llama2', 'llama3-8b-instruct']) {
      const t = await loadPromptTokenizer(fx(name));
      const rnd = mulberry32(7);
      let prompt = '';
      while (prompt.length < 16000) prompt += randomString(rnd) + ' ';
      const t0 = performance.now();
      const e = await t.encodePrompt(prompt, { template: 'auto' });
      const ms = performance.now() - t0;
      assert.ok(e.ids.length >= 4000, `${name}: ${e.ids.length} tokens`);
      console.log(`# ${name}: ${e.ids.length} tokens in ${ms.toFixed(0)} ms`);
      assert.ok(ms < 5000, `${name}: ${ms} ms`);
      assert.ok(e.tokens.filter((x) => !x.special).at(-1)!.end >= prompt.trimEnd().length);
    }
  });

  it('response token texts concatenate to decode(ids), without U+FFFD from split characters', async () => {
    for (const name of NAMES) {
      const t = await loadPromptTokenizer(fx(name));
      const rnd = mulberry32(99);
      for (let s = 0; s < 40; s++) {
        const text = randomString(rnd);
        const ids = t.encodeResponse(text);
        const texts = t.tokenTexts(ids);
        assert.equal(texts.length, ids.length);
        assert.equal(texts.join(''), t.decode(ids), `${name} ${JSON.stringify(text)}`);
        if (!text.includes('\ufffd')) assert.ok(!texts.some((x) => x.includes('\ufffd')), `${name} ${JSON.stringify(texts)}`);
      }
      assert.deepEqual(t.tokenTexts([]), []);
      assert.equal(t.decode([]), '');
    }
  });
});
