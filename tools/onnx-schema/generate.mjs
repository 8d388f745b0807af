// Regenerates src/engine/graph/onnx-schema.json (a protobufjs JSON descriptor) from the
// ONNX schema tools/onnx-schema/onnx.proto (copied from Debian's python3-onnx 1.12, Apache-2.0).
// Run: node tools/onnx-schema/generate.mjs
import protobuf from 'protobufjs';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const text = readFileSync(path.join(here, 'onnx.proto'), 'utf8');
const root = protobuf.parse(text, { keepCase: true }).root;
const out = path.join(here, '../../src/engine/graph/onnx-schema.json');
writeFileSync(out, JSON.stringify(root.toJSON()) + '\n');
console.log(`wrote ${out}`);
