// Parity check of a GenAI-builder-form float16 decoder (make_genai_models.py) against reference
// logits computed in PyTorch. Usage: node tools/models/check_genai_onnx.mjs <case.json>
// case.json: { model, ids: number[], split, vocab, layers, kvHeads, headDim, positionIds: bool,
//              logits: number[] (flat [seq, vocab]) }
// Prints JSON { full, stepwise, multiTokenWithPast } : max |ORT - reference| for the full
// sequence, for a prefix then one token at a time through the KV cache, and for a prefix then
// the rest at once (or the error onnxruntime gives for it).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve('package.json'));
const ort = require('onnxruntime-node');

const c = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(c.model, { intraOpNumThreads: 1, interOpNumThreads: 1 });

function halfToFloat(bits) {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function feeds(ids, start, past) {
  const S = ids.length;
  const total = start + S;
  const f = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, S]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
  };
  if (c.positionIds) f.position_ids = new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(start + i))), [1, S]);
  for (let i = 0; i < c.layers; i++) {
    for (const kv of ['key', 'value']) {
      f[`past_key_values.${i}.${kv}`] = past ? past[`present.${i}.${kv}`] : new ort.Tensor('float16', new Uint16Array(0), [1, c.kvHeads, 0, c.headDim]);
    }
  }
  return f;
}

function maxDiff(tensor, offset) {
  let m = 0;
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(halfToFloat(data[i]) - c.logits[offset + i]));
  return m;
}

const full = await session.run(feeds(c.ids, 0, null));
const fullDiff = maxDiff(full.logits, 0);
let out = await session.run(feeds(c.ids.slice(0, c.split), 0, null));
let stepwise = maxDiff(out.logits, 0);
for (let t = c.split; t < c.ids.length; t++) {
  out = await session.run(feeds([c.ids[t]], t, out));
  stepwise = Math.max(stepwise, maxDiff(out.logits, t * c.vocab));
}
let multiTokenWithPast;
try {
  const pre = await session.run(feeds(c.ids.slice(0, c.split), 0, null));
  const rest = await session.run(feeds(c.ids.slice(c.split), c.split, pre));
  multiTokenWithPast = maxDiff(rest.logits, c.split * c.vocab);
} catch (error) {
  multiTokenWithPast = error.message.split('\n')[0];
}
console.log(JSON.stringify({ full: fullDiff, stepwise, multiTokenWithPast }));
