/**
 * The KV cache as onnxruntime tensors: one [batch, kv_heads, length, head_dim] tensor per
 * `past_key_values.{i}.key|value` input.
 */
import * as ort from 'onnxruntime-node';

export type CacheArray = Float32Array | Float64Array | Uint16Array;
export type CacheType = 'float32' | 'float64' | 'float16';

const EMPTY: Record<CacheType, () => CacheArray> = { float32: () => new Float32Array(0), float64: () => new Float64Array(0), float16: () => new Uint16Array(0) };

export interface KvCache {
  tensors: ort.Tensor[];
  length: number;
  batch: number;
}

export function emptyCache(count: number, batch: number, kvHeads: number, headDim: number, type: CacheType): KvCache {
  const tensors = Array.from({ length: count }, () => new ort.Tensor(type, EMPTY[type](), [batch, kvHeads, 0, headDim]));
  return { tensors, length: 0, batch };
}

/**
 * The first `length` positions of batch row 0 of `cache`, repeated `batch` times: the shared
 * prefix of a batch of perturbed sequences.
 */
export function prefixOf(cache: KvCache, length: number, batch: number): KvCache {
  if (length > cache.length) throw new Error(`prefix ${length} longer than cache ${cache.length}`);
  const tensors = cache.tensors.map((t) => {
    const [, heads, full, dim] = t.dims as number[];
    const source = t.data as CacheArray;
    const Ctor = source.constructor as new (n: number) => CacheArray;
    const rowSize = heads * length * dim;
    const out = new Ctor(batch * rowSize);
    for (let h = 0; h < heads; h++) {
      const from = h * full * dim;
      out.set(source.subarray(from, from + length * dim), h * length * dim);
    }
    for (let b = 1; b < batch; b++) out.copyWithin(b * rowSize, 0, rowSize);
    return new ort.Tensor(t.type as CacheType, out, [batch, heads, length, dim]);
  });
  return { tensors, length, batch };
}
