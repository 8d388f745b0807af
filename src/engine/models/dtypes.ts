/** ONNX file names by dtype, following transformers.js (`onnx/model{suffix}.onnx`). */
import { DTYPES, type Dtype } from '../options.ts';

export { DTYPES, type Dtype };

const SUFFIX: Record<Dtype, string> = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
};

/** Graph base names used by causal-LM exports, newest convention first. */
const BASE_NAMES = ['model', 'decoder_model_merged'];

export function candidateGraphFiles(dtype: Dtype): string[] {
  return BASE_NAMES.map((base) => `onnx/${base}${SUFFIX[dtype]}.onnx`);
}

export function isDtype(value: string): value is Dtype {
  return (DTYPES as readonly string[]).includes(value);
}
