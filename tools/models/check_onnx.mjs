// Parity check of an exported ONNX decoder against reference logits computed in PyTorch.
// Usage: node tools/models/check_onnx.mjs <case.json>
// case.json: { model, ids: number[], split: number, vocab, layers, kvHeads, headDim,
//              logits: number[] (flat [seq, vocab], fp32 PyTorch) }
// Prints JSON { full, cached, pastZeroOk } with max |ORT - PyTorch| for the full sequence
// (past length 0) and for prefix-then-suffix with the KV cache.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.resolve('package.json'));
const ort = require('onnxruntime-node');

const c = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const session = await ort.InferenceSession.create(c.model, { intraOpNumThreads: 1, interOpNumThreads: 1 });

function feeds(ids, start, past) {
  const S = ids.length;
  const total = start + S;
  const f = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, S]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
    position_ids: new ort.Tensor('int64', BigInt64Array.from(ids.map((_, i) => BigInt(start + i))), [1, S]),
  };
  for (let i = 0; i < c.layers; i++) {
    for (const kv of ['key', 'value']) {
      f[`past_key_values.${i}.${kv}`] = past
        ? past[`present.${i}.${kv}`]
        : new ort.Tensor('float32', new Float32Array(0), [1, c.kvHeads, 0, c.headDim]);
    }
  }
  return f;
}

function maxDiff(a, b, offset) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[offset + i]));
  return m;
}

const full = await session.run(feeds(c.ids, 0, null));
const fullDiff = maxDiff(full.logits.data, c.logits, 0);
const pre = await session.run(feeds(c.ids.slice(0, c.split), 0, null));
const suf = await session.run(feeds(c.ids.slice(c.split), c.split, pre));
const cachedDiff = Math.max(
  maxDiff(pre.logits.data, c.logits, 0),
  maxDiff(suf.logits.data, c.logits, c.split * c.vocab),
);
console.log(JSON.stringify({ full: fullDiff, cached: cachedDiff, pastZeroOk: true }));
