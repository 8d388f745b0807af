/**
 * Chat templates of the fixture tokenizers that have one: the user's text is found inside
 * the rendered input, template text and tokens are special, BOS appears at most once.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it, before } from 'node:test';
import { sharedDir, sharedSkipReason } from '../helpers/paths.ts';
import { loadPromptTokenizer, type PromptTokenizer } from '../../src/engine/tokens/index.ts';
import { loadHfTokenizer } from '../../src/engine/tokens/load.ts';

const skip = sharedSkipReason();
const FIXTURES = path.join(sharedDir, 'fixtures/tokenizers');
const WITH_TEMPLATE = [
  'smollm2-135m-instruct',
  'qwen2.5-0.5b-instruct',
  'qwen3',
  'llama3-8b-instruct',
  'phi-3-mini-instruct',
];
const WITHOUT_TEMPLATE = ['gpt2', 'phi-2', 'llama2', 'tinyllama-1.1b-chat-v0.1'];
const PROMPTS = [
  'Summarize the text below in one sentence.\n\nThe cat sat on the mat.',
  '  leading and trailing spaces  ',
  'émoji 🤗 and 日本語',
  'x',
];

function userCoverage(prompt: string, tokens: { start: number; end: number; special: boolean }[]): string {
  let out = '';
  let last = -1;
  for (const t of tokens) {
    if (t.special) continue;
    if (t.start >= last) out += prompt.slice(t.start, t.end);
    else out += prompt.slice(last, t.end); // shared span of a split character
    last = Math.max(last, t.end);
  }
  return out;
}

describe('chat templates', { skip }, () => {
  const toks = new Map<string, PromptTokenizer>();
  before(async () => {
    for (const n of [...WITH_TEMPLATE, ...WITHOUT_TEMPLATE]) toks.set(n, await loadPromptTokenizer(path.join(FIXTURES, n)));
  });

  it('hasChatTemplate matches the fixtures', () => {
    for (const n of WITH_TEMPLATE) assert.equal(toks.get(n)!.hasChatTemplate, true, n);
    for (const n of WITHOUT_TEMPLATE) assert.equal(toks.get(n)!.hasChatTemplate, false, n);
  });

  for (const name of WITH_TEMPLATE) {
    it(`${name}: the prompt sits inside the template; template tokens are special; one BOS at most`, async () => {
      const t = toks.get(name)!;
      const hf = await loadHfTokenizer(path.join(FIXTURES, name));
      for (const prompt of PROMPTS) {
        const e = await t.encodePrompt(prompt, { template: 'auto' });
        const ctx = `${name} ${JSON.stringify(prompt)}`;
        // Same ids as transformers.js' own apply_chat_template(tokenize: true).
        const ref = hf.tok.apply_chat_template([{ role: 'user', content: prompt }], {
          tokenize: true,
          add_generation_prompt: true,
          return_tensor: false,
        } as unknown as { tokenize: false; add_generation_prompt: boolean });
        const refIds = (ref as { input_ids?: number[] }).input_ids ?? (ref as number[]);
        assert.deepEqual(e.ids, refIds, ctx);
        assert.notEqual(e.modelInput, prompt, ctx);
        assert.ok(e.modelInput.includes(prompt.trim()), ctx);
        // Template text before and after the prompt is special.
        const first = e.tokens.findIndex((x) => !x.special);
        const lastUser = e.tokens.length - 1 - [...e.tokens].reverse().findIndex((x) => !x.special);
        assert.ok(first > 0, `${ctx}: template tokens before the prompt`);
        assert.ok(lastUser < e.tokens.length - 1, `${ctx}: template tokens after the prompt`);
        for (let i = 0; i < e.tokens.length; i++) {
          if (i < first || i > lastUser) assert.equal(e.tokens[i].special, true, `${ctx}: token ${i}`);
        }
        // The user's tokens cover the prompt (minus whitespace the template trims or a
        // special token swallows), in order.
        assert.equal(userCoverage(prompt, e.tokens).trim(), prompt.trim(), ctx);
        // BOS: never twice (SmolLM2 names <|im_start|> as its BOS, which ChatML repeats per message).
        if (t.bosTokenId !== undefined && name !== 'smollm2-135m-instruct') {
          assert.ok(e.ids.filter((id) => id === t.bosTokenId).length <= 1, ctx);
        }
      }
    });
  }

  it('Llama 3: exactly one <|begin_of_text|>, first; the template trims the prompt', async () => {
    const t = toks.get('llama3-8b-instruct')!;
    const e = await t.encodePrompt('  Hi  ', { template: 'auto' });
    assert.equal(e.ids[0], t.bosTokenId);
    assert.equal(e.ids.filter((id) => id === t.bosTokenId).length, 1);
    assert.equal(e.tokens[0].special, true);
    const user = e.tokens.filter((x) => !x.special);
    assert.deepEqual(user.map((x) => [x.start, x.end]), [[2, 4]]);
    // Without the template, the tokenizer's post-processor adds the one BOS.
    const n = await t.encodePrompt('Hi', { template: 'none' });
    assert.equal(n.ids.filter((id) => id === t.bosTokenId).length, 1);
    assert.deepEqual(n.tokens[0], { text: '<|begin_of_text|>', start: 0, end: 0, special: true });
  });

  it('ChatML (Qwen2.5, SmolLM2): the default system prompt is template text, not the user\'s', async () => {
    for (const name of ['qwen2.5-0.5b-instruct', 'smollm2-135m-instruct']) {
      const e = await toks.get(name)!.encodePrompt('You are', { template: 'auto' });
      // "You are" also occurs in the default system prompt; only the user's copy is non-special.
      const user = e.tokens.filter((x) => !x.special);
      assert.equal(userCoverage('You are', e.tokens), 'You are', name);
      assert.ok(e.modelInput.indexOf('You are') < e.modelInput.lastIndexOf('You are'), name);
      assert.ok(user.length >= 2, name);
    }
  });

  it('a system message is template text too', async () => {
    const e = await toks.get('qwen3')!.encodePrompt('Hello there', { template: 'auto', system: 'Be brief.' });
    assert.ok(e.modelInput.includes('Be brief.'));
    assert.equal(userCoverage('Hello there', e.tokens), 'Hello there');
    assert.ok(e.tokens.filter((x) => !x.special).every((x) => x.end <= 'Hello there'.length));
  });

  it('template "auto" without a chat template is the raw prompt (as "none")', async () => {
    for (const name of WITHOUT_TEMPLATE) {
      const t = toks.get(name)!;
      assert.deepEqual(await t.encodePrompt('Hi there', { template: 'auto' }), await t.encodePrompt('Hi there', { template: 'none' }), name);
    }
  });

  it('EOS ids come from generation_config, config and the tokenizer', () => {
    assert.deepEqual([...toks.get('qwen2.5-0.5b-instruct')!.eosTokenIds].sort(), [151643, 151645]);
    assert.ok(toks.get('llama3-8b-instruct')!.eosTokenIds.includes(128009));
    assert.deepEqual(toks.get('gpt2')!.eosTokenIds, [50256]);
    assert.deepEqual(toks.get('tinyllama-1.1b-chat-v0.1')!.eosTokenIds, [2]);
    assert.equal(toks.get('llama2')!.bosTokenId, 1);
  });
});
