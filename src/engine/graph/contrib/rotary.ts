/**
 * com.microsoft.RotaryEmbedding in standard operators, and the rotation GroupQueryAttention
 * applies inside (do_rotary): x·cos + rotate_half(x)·sin with rotate_half(x) = [−x₂, x₁] of the
 * two halves of each head (the non-interleaved form), cos and sin rows looked up by position in
 * [positions, head_dim / 2] tables. Supported: the full head rotated (the tables' width is half
 * the head size), no scale, no packed batching, [batch, sequence, hidden] input with
 * [batch, sequence] position ids; other forms are left to onnxruntime's float32 kernel.
 */
import type { Emitter } from './emit.ts';
import type { Rule } from './rewrite.ts';

export const rotaryEmbedding: Rule = async (ctx) => {
  const [x, positions, cosCache, sinCache] = ctx.node.input;
  const dims = ctx.initializer(cosCache)?.dims;
  const half = dims?.length === 2 ? Number(dims[1]) : undefined;
  const rank = ctx.rankOf(x);
  if ((ctx.attr('interleaved') ?? 0) !== 0 || (ctx.attr('is_packed_batching') ?? 0) !== 0 || (ctx.attr('scale') ?? 1) !== 1) return false;
  if (half === undefined || ![0, 2 * half].includes(ctx.attr('rotary_embedding_dim') ?? 0)) return false;
  if ((rank !== undefined && rank !== 3) || ctx.rankOf(positions) === 1) return false;
  const { emit } = ctx;
  const headDim = 2 * half;
  // [batch, sequence, heads, head_dim]; the tables' rows become [batch, sequence, 1, head_dim].
  const heads = emit.op('Reshape', [x, emit.int64([0, 0, -1, headDim])]);
  const table = (cache: string) => emit.unsqueeze(fullWidth(emit, emit.op('Gather', [cache, positions], { axis: 0 })), [2]);
  const rotated = rotate(emit, heads, table(cosCache), table(sinCache), headDim);
  emit.op('Reshape', [rotated, emit.op('Shape', [x])], {}, [ctx.node.output[0]]);
  return true;
};

/** [..., head_dim / 2] table rows → [..., head_dim] (each half of the head uses the same angles). */
export function fullWidth(emit: Emitter, rows: string): string {
  return emit.op('Concat', [rows, rows], { axis: -1 });
}

/** x·cos + rotate_half(x)·sin over the last axis (head_dim), cos and sin broadcast to x. */
export function rotate(emit: Emitter, x: string, cos: string, sin: string, headDim: number): string {
  const first = emit.slice(x, 0, headDim / 2, -1);
  const second = emit.slice(x, headDim / 2, headDim, -1);
  const rotatedHalf = emit.op('Concat', [emit.op('Neg', [second]), first], { axis: -1 });
  return emit.op('Add', [emit.op('Mul', [x, cos]), emit.op('Mul', [rotatedHalf, sin])]);
}
