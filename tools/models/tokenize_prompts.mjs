// Tokenize texts with transformers.js exactly as the engine will, so goldens use the same ids.
// Usage: node tools/models/tokenize_prompts.mjs <modelDir> <in.json> <out.json>
// in.json : { "prompts": string[], "responses": string[] }
// out.json: { "prompts": number[][] (with special tokens, e.g. BOS),
//             "responses": number[][] (add_special_tokens: false),
//             "roundTrip": boolean[] (decode(encode(prompt without specials)) === prompt) }
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(path.resolve('package.json'));
const { AutoTokenizer, env } = require('@huggingface/transformers');

const [modelDir, inPath, outPath] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = path.resolve(path.dirname(modelDir)) + path.sep;
const tok = await AutoTokenizer.from_pretrained(path.basename(modelDir));
const input = JSON.parse(fs.readFileSync(inPath, 'utf8'));
const out = {
  prompts: input.prompts.map((t) => tok.encode(t)),
  responses: (input.responses ?? []).map((t) => tok.encode(t, { add_special_tokens: false })),
  roundTrip: input.prompts.map(
    (t) => tok.decode(tok.encode(t, { add_special_tokens: false }), { skip_special_tokens: false }) === t,
  ),
};
fs.writeFileSync(outPath, JSON.stringify(out));
