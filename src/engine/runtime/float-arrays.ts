/** Float tensors as the engine reads them: float32 and float64 as they are, float16 widened. */
export type FloatArray = Float32Array | Float64Array;

/** IEEE 754 half-precision bits → number (for fp16 logits). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** The data of an onnxruntime float tensor ('float32', 'float64' or 'float16') as numbers. */
export function toFloatArray(data: FloatArray | Uint16Array, type: string): FloatArray {
  if (type === 'float32' || type === 'float64') return data as FloatArray;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = halfToFloat(data[i]);
  return out;
}
