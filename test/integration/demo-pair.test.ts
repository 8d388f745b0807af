// The shipped demo pair (models/demo-base, models/demo-instruct; made by tools/demo) loads in
// transformers.js and generates, greedily and with the KV cache, the same tokens as PyTorch did
// (ids stored by tools/demo/export.py in demo-pair.greedy.json), raw and through the chat template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, Tensor, env } from '@huggingface/transformers';

const MODELS_DIR = path.resolve(__dirname, '..', '..', 'models');
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = MODELS_DIR + path.sep;

interface Run {
  model: 'demo-base' | 'demo-instruct';
  chat: boolean;
  input_ids: number[];
  greedy_ids: number[];
  min_margin: number;
}
interface Greedy {
  max_new_tokens: number;
  eos_token_id: number;
  cases: { id: string; prompt: string; runs: Run[] }[];
}

const greedy = JSON.parse(fs.readFileSync(path.join(__dirname, 'demo-pair.greedy.json'), 'utf8')) as Greedy;
const toNumbers = (data: ArrayLike<bigint | number>): number[] => Array.from(data, (x) => Number(x));
const ROUND_TRIP = [
  'Reverse the order of the words in this sentence: the moon is down',
  'WRITE THIS IN CAPITALS, please!\n  two  spaces and a tab\there.',
  'Ünïcödé, 日本語 and emoji 🙂',
];

test('demo pair: the held-out file is well formed and its spans match the prompts', () => {
  const lines = fs.readFileSync(path.join(MODELS_DIR, 'demo-heldout.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  assert.ok(lines.length >= 100);
  for (const line of lines) {
    const r = JSON.parse(line) as { id: string; prompt: string; response: string; task: string; source: string; instruction_spans: { start: number; end: number; text: string }[] };
    assert.equal(r.source, 'demo');
    assert.ok(r.instruction_spans.length > 0, r.id);
    for (const s of r.instruction_spans) assert.equal(r.prompt.slice(s.start, s.end), s.text, r.id);
  }
});

for (const name of ['demo-base', 'demo-instruct'] as const) {
  test(`${name}: tokenizer round-trips text; chat template only on the tuned model`, async () => {
    const tok = await AutoTokenizer.from_pretrained(name);
    for (const text of ROUND_TRIP) {
      const ids = tok.encode(text, { add_special_tokens: false });
      assert.equal(tok.decode(ids, { skip_special_tokens: true }), text);
    }
    const config = JSON.parse(fs.readFileSync(path.join(MODELS_DIR, name, 'tokenizer_config.json'), 'utf8')) as { chat_template?: string };
    assert.equal(typeof config.chat_template === 'string', name === 'demo-instruct');
  });

  test(`${name}: transformers.js greedy generation equals PyTorch's`, async () => {
    const runs = greedy.cases.flatMap((c) => c.runs.filter((r) => r.model === name).map((r) => ({ ...r, prompt: c.prompt, id: c.id })));
    assert.ok(runs.length >= 3, 'enough stored cases');
    const tok = await AutoTokenizer.from_pretrained(name);
    const model = await AutoModelForCausalLM.from_pretrained(name, {
      dtype: 'fp32',
      session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    });
    try {
      for (const r of runs) {
        const ids = r.chat
          ? toNumbers(
              (
                tok.apply_chat_template([{ role: 'user', content: r.prompt }], {
                  add_generation_prompt: true,
                  tokenize: true,
                  return_tensor: false,
                  return_dict: true,
                }) as unknown as { input_ids: number[] }
              ).input_ids,
            )
          : tok.encode(r.prompt);
        assert.deepEqual(ids, r.input_ids, `${r.id} (${r.chat ? 'chat' : 'raw'}) prompt ids`);
        const input = new Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
        const mask = new Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]);
        const out = (await model.generate({
          input_ids: input,
          attention_mask: mask,
          max_new_tokens: greedy.max_new_tokens,
          do_sample: false,
        })) as { data: ArrayLike<bigint> };
        assert.deepEqual(toNumbers(out.data).slice(ids.length), r.greedy_ids, `${r.id} (${r.chat ? 'chat' : 'raw'}) greedy ids`);
      }
    } finally {
      await model.dispose();
    }
  });
}
