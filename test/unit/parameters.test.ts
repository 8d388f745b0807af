/** models/parameters.ts: parameters counted from initializer headers, without loading weights. */
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { countParameters, float64Bytes } from '../../src/engine/models/parameters.ts';
import { readOnnxModel, TensorDataType } from '../../src/engine/graph/onnx-model.ts';
import { testModel } from '../helpers/paths.ts';

/** Float elements, from the fully parsed graph (the reference). */
async function parsedFloatParameters(file: string): Promise<number> {
  const model = await readOnnxModel(file);
  const floats = new Set<number>([TensorDataType.FLOAT, TensorDataType.FLOAT16, TensorDataType.DOUBLE, TensorDataType.BFLOAT16]);
  let floatParameters = 0;
  for (const t of model.graph.initializer) if (floats.has(t.data_type)) floatParameters += (t.dims ?? []).reduce((a, b) => a * Number(b), 1);
  return floatParameters;
}

test('an fp16 graph named model.onnx with external data: every parameter counted, 8 bytes each as float64', async () => {
  const file = path.join(testModel('genai-builder-llama-fp16'), 'onnx/model.onnx');
  const count = await countParameters(file);
  assert.equal(count.floatParameters, await parsedFloatParameters(file));
  assert.equal(count.otherBytes, 0);
  // The weights are float16: 2 bytes a parameter in the data file, 8 as float64 (the file name's
  // dtype, fp32, would have said 4 bytes a parameter and foreseen half of it).
  const dataBytes = statSync(`${file}.data`).size;
  assert.ok(Math.abs(count.floatParameters * 2 - dataBytes) < 1024, `${count.floatParameters} parameters vs ${dataBytes} bytes of data`);
  assert.equal(float64Bytes(count), count.floatParameters * 8);
});

test('the same model in float32 and float16 has the same parameters; quantized weights count as their bytes', async () => {
  const dir = path.join(testModel('tiny-llama'), 'onnx');
  const full = await countParameters(path.join(dir, 'model.onnx'));
  assert.deepEqual(await countParameters(path.join(dir, 'model_fp16.onnx')), full);
  assert.equal(full.floatParameters, await parsedFloatParameters(path.join(dir, 'model.onnx')));
  const quantized = await countParameters(path.join(dir, 'model_quantized.onnx'));
  assert.ok(quantized.otherBytes > 0 && quantized.floatParameters < full.floatParameters);
  assert.ok(float64Bytes(quantized) < float64Bytes(full));
});
