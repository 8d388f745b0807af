// The committed test models (tools/models/make_test_models.py) load in transformers.js, their
// greedy generation (KV cache) reproduces the PyTorch goldens, and their tokenizers round-trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { AutoModelForCausalLM, AutoTokenizer, env } from '@huggingface/transformers';
import { readGolden as readGoldenIn } from '../helpers/golden.ts';

const MODELS_DIR = path.resolve(__dirname, '..', 'fixtures', 'models');
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = MODELS_DIR + path.sep;

// genai-builder-llama-fp16 is a real ONNX Runtime GenAI builder export (float16, contrib operators) with tiny-llama's tokenizer;
// tiny-gpt2-embedln is tiny-gpt2 with its embeddings fused into com.microsoft.EmbedLayerNormalization.
const MODELS = ['tiny-gpt2', 'tiny-llama', 'tiny-qwen2', 'tiny-phi3', 'tiny-llama-extdata', 'genai-builder-llama-fp16', 'tiny-gpt2-embedln'];
const ROUND_TRIP = [
  'Hello, world!',
  "It's 2024 — isn't it?  Two  spaces, a tab\there,\nand a newline.",
  'Ünïcödé, 日本語, emoji 🙂 and <b>tags</b>.',
  '   leading and trailing spaces   ',
];

const readGolden = (name: string) => readGoldenIn(path.join(MODELS_DIR, name));

const toNumbers = (data: ArrayLike<bigint | number>): number[] => Array.from(data, (x) => Number(x));

for (const name of MODELS) {
  test(`${name}: tokenizer matches golden ids and round-trips text`, async () => {
    const tok = await AutoTokenizer.from_pretrained(name);
    const golden = readGolden(name);
    for (const c of golden.cases) {
      assert.deepEqual(tok.encode(c.prompt), c.promptIds, `${c.name} prompt ids`);
      if (c.teacherForced) {
        assert.deepEqual(tok.encode(c.responseText, { add_special_tokens: false }), c.responseIds);
      }
    }
    for (const text of ROUND_TRIP) {
      const ids = tok.encode(text, { add_special_tokens: false });
      assert.equal(tok.decode(ids, { skip_special_tokens: true }), text);
    }
  });

  test(`${name}: greedy generation equals the PyTorch golden`, async () => {
    const tok = await AutoTokenizer.from_pretrained(name);
    const model = await AutoModelForCausalLM.from_pretrained(name, {
      dtype: 'fp32',
      session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    });
    try {
      const golden = readGolden(name);
      for (const c of golden.cases.filter((x) => !x.teacherForced)) {
        const inputs = tok(c.prompt);
        const out = (await model.generate({
          ...inputs,
          max_new_tokens: golden.maxNewTokens,
          do_sample: false,
        })) as { data: ArrayLike<bigint> };
        assert.deepEqual(toNumbers(out.data), [...c.promptIds, ...c.responseIds], c.name);
      }
    } finally {
      await model.dispose();
    }
  });
}

test('tiny-llama quantized-embedding variants (q8, q4) load and generate', async () => {
  const tok = await AutoTokenizer.from_pretrained('tiny-llama');
  const golden = readGolden('tiny-llama');
  const c = golden.cases[0];
  for (const dtype of ['q8', 'q4'] as const) {
    const model = await AutoModelForCausalLM.from_pretrained('tiny-llama', {
      dtype,
      session_options: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    });
    try {
      const out = (await model.generate({ ...tok(c.prompt), max_new_tokens: 4, do_sample: false })) as {
        dims: number[];
      };
      assert.deepEqual(out.dims, [1, c.promptIds.length + 4], dtype);
    } finally {
      await model.dispose();
    }
  }
});

test('tiny-qwen2 has a ChatML chat template', async () => {
  const tok = await AutoTokenizer.from_pretrained('tiny-qwen2');
  const text = tok.apply_chat_template([{ role: 'user', content: 'Hi there.' }], {
    tokenize: false,
    add_generation_prompt: true,
  });
  assert.equal(text, '<|im_start|>user\nHi there.<|im_end|>\n<|im_start|>assistant\n');
});
