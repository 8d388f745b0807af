/**
 * onnxruntime's attention operators in standard operators: softmax(q·kᵀ·scale + bias)·v per head
 * over the past keys/values followed by the new ones, which are also the present outputs.
 *
 * com.microsoft.MultiHeadAttention: [batch, sequence, hidden] query, key and value, an optional
 * additive attention_bias [batch or 1, heads or 1, sequence, total], past_key / past_value
 * [batch, heads, past, head_dim]. Left to onnxruntime: packed or BNSH key/value, bias,
 * key_padding_mask, unidirectional, the qk output.
 *
 * com.microsoft.GroupQueryAttention: the same with fewer key/value heads (each serves
 * heads / kv_heads query heads), query possibly packed with key and value, a causal mask, and
 * the rotation (do_rotary) of new queries and keys at positions past..past + sequence − 1. The
 * rewrite takes every row's attention mask as all ones, which is what Prompt Lens feeds
 * (seqlens_k + 1 = total length); it leaves to onnxruntime local windows, softcap, smooth
 * softmax, interleaved rotation, and the position_ids / attention_bias / head_sink inputs.
 *
 * com.microsoft.Attention (onnxruntime.transformers' fused self-attention, e.g. GPT-2): query,
 * key and value are input·weights + bias, split in three equal parts; past is
 * [2, batch, heads, past, head_dim] (keys, then values) and present the same with the new ones;
 * mask_index a [batch, total] mask (0: mask_filter_value added to the score); unidirectional a
 * causal mask (future keys get weight 0); an additive attention_bias. Left to onnxruntime: unequal qkv_hidden_sizes, weights of unknown width,
 * 1-D / 3-D / 4-D masks, rotation, a shared past/present buffer, past_sequence_length and later
 * inputs.
 */
import type { Emitter } from './emit.ts';
import type { Rule, RuleContext } from './rewrite.ts';
import { fullWidth, rotate } from './rotary.ts';

/** Masked-out scores: the most negative double (softmax gives them weight 0). */
const MASKED = -Number.MAX_VALUE;

export const multiHeadAttention: Rule = async (ctx) => {
  const [query, key, value, bias, keyPaddingMask, attentionBias, pastKey, pastValue, ...rest] = ctx.node.input;
  const heads = ctx.attr('num_heads');
  if (!heads || !key || !value || bias || keyPaddingMask || rest.some(Boolean) || (ctx.attr('unidirectional') ?? 0) !== 0 || ctx.used(3)) return false;
  if ([query, key, value].some((x) => ctx.rankOf(x) !== undefined && ctx.rankOf(x) !== 3)) return false;
  const { emit } = ctx;
  const q = toHeads(emit, query, heads);
  const k = withPast(ctx, pastKey, toHeads(emit, key, heads), 1);
  const v = withPast(ctx, pastValue, toHeads(emit, value, heads), 2);
  const headDim = emit.op('Cast', [emit.dim(q, 3)], { to: 11 });
  const scale = ctx.attr('scale') ? emit.double([ctx.attr('scale')!], []) : emit.op('Reciprocal', [emit.op('Sqrt', [headDim])]);
  let scores = emit.op('Mul', [emit.op('MatMul', [q, emit.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]);
  if (attentionBias) scores = emit.op('Add', [scores, attentionBias]);
  attend(ctx, scores, v);
  return true;
};

export const attention: Rule = async (ctx) => {
  const [input, weights, bias, maskIndex, past, attentionBias, ...rest] = ctx.node.input;
  const heads = ctx.attr('num_heads');
  const width = Number((ctx.initializer(weights)?.dims ?? ctx.dimsOf(weights))?.[1]);
  const sizes = ctx.node.attribute?.find((a) => a.name === 'qkv_hidden_sizes')?.ints?.map(Number) ?? [];
  if (!heads || !Number.isInteger(width) || width <= 0 || width % 3 !== 0 || rest.some(Boolean) || (ctx.attr('do_rotary') ?? 0) !== 0 || (ctx.attr('past_present_share_buffer') ?? 0) !== 0) return false;
  if (sizes.length > 0 && !(sizes.length === 3 && sizes.every((size) => size === width / 3))) return false;
  if ((ctx.rankOf(input) ?? 3) !== 3 || (maskIndex && ctx.rankOf(maskIndex) !== 2)) return false;
  const { emit } = ctx;
  const hidden = width / 3;
  const projected = emit.op('MatMul', [input, weights]);
  const qkv = bias ? emit.op('Add', [projected, bias]) : projected;
  const q = toHeads(emit, emit.slice(qkv, 0, hidden, 2), heads);
  let k = toHeads(emit, emit.slice(qkv, hidden, 2 * hidden, 2), heads);
  let v = toHeads(emit, emit.slice(qkv, 2 * hidden, width, 2), heads);
  if (past) {
    k = emit.op('Concat', [emit.op('Gather', [past, emit.int64([0], [])], { axis: 0 }), k], { axis: 2 });
    v = emit.op('Concat', [emit.op('Gather', [past, emit.int64([1], [])], { axis: 0 }), v], { axis: 2 });
  }
  if (ctx.used(1)) emit.op('Concat', [emit.unsqueeze(k, [0]), emit.unsqueeze(v, [0])], { axis: 0 }, [ctx.node.output[1]]);
  const headDim = emit.op('Cast', [emit.dim(q, 3)], { to: 11 });
  const scale = ctx.attr('scale') ? emit.double([ctx.attr('scale')!], []) : emit.op('Reciprocal', [emit.op('Sqrt', [headDim])]);
  let scores = emit.op('Mul', [emit.op('MatMul', [q, emit.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]);
  if (attentionBias) scores = emit.op('Add', [scores, attentionBias]);
  if (maskIndex) {
    // As onnxruntime's kernel: mask_filter_value is added to masked scores (a row with every key masked still attends).
    const masked = emit.unsqueeze(emit.op('Equal', [emit.op('Cast', [maskIndex], { to: 7 }), emit.int64([0], [])]), [1, 2]);
    scores = emit.op('Add', [scores, emit.op('Where', [masked, emit.double([ctx.attr('mask_filter_value') ?? -10000], []), emit.double([0], [])])]);
  }
  if ((ctx.attr('unidirectional') ?? 0) !== 0) {
    // The query at position past + i sees keys 0..past + i.
    const start = past ? emit.op('Squeeze', [emit.dim(past, 3)]) : emit.int64([0], []);
    const positions = emit.op('Range', [start, emit.op('Add', [start, emit.op('Squeeze', [emit.dim(q, 2)])]), emit.int64([1], [])]);
    const keys = emit.op('Range', [emit.int64([0], []), emit.op('Squeeze', [emit.dim(k, 2)]), emit.int64([1], [])]);
    const future = emit.op('Greater', [emit.unsqueeze(keys, [0]), emit.unsqueeze(positions, [1])]);
    scores = emit.op('Where', [future, emit.double([MASKED], []), scores]);
  }
  attend(ctx, scores, v);
  return true;
};

export const groupQueryAttention: Rule = async (ctx) => {
  const [packedOrQuery, key, value, pastKey, pastValue, , , cosCache, sinCache, ...rest] = ctx.node.input;
  const heads = ctx.attr('num_heads');
  const kvHeads = ctx.attr('kv_num_heads');
  const headDim = pastKey ? Number(ctx.dimsOf(pastKey)?.[3]) : NaN;
  if (!heads || !kvHeads || heads % kvHeads !== 0 || !Number.isInteger(headDim) || headDim <= 0 || !pastValue || rest.some(Boolean)) return false;
  if ((ctx.attr('local_window_size') ?? -1) !== -1 || (ctx.attr('softcap') ?? 0) !== 0 || (ctx.attr('smooth_softmax') ?? 0) !== 0 || (ctx.attr('rotary_interleaved') ?? 0) !== 0 || ctx.used(3)) return false;
  const rotary = (ctx.attr('do_rotary') ?? 0) !== 0;
  const half = rotary ? ctx.initializer(cosCache)?.dims.map(Number) : undefined;
  if (rotary && (!half || half.length !== 2 || half[1] * 2 !== headDim)) return false;
  const { emit } = ctx;

  let [query, keyIn, valueIn] = [packedOrQuery, key, value];
  if (!key) {
    // One [batch, sequence, (heads + 2·kv_heads)·head_dim] input: query, then key, then value.
    const [qWidth, kvWidth] = [heads * headDim, kvHeads * headDim];
    [query, keyIn, valueIn] = [emit.slice(packedOrQuery, 0, qWidth, 2), emit.slice(packedOrQuery, qWidth, qWidth + kvWidth, 2), emit.slice(packedOrQuery, qWidth + kvWidth, qWidth + 2 * kvWidth, 2)];
  } else if (!value) return false;
  let q = toHeads(emit, query, heads);
  let k = toHeads(emit, keyIn, kvHeads);
  // Positions of the new tokens: past, past + 1, ... (a [sequence] vector).
  const past = emit.dim(pastKey, 2);
  const length = emit.dim(q, 2);
  const positions = emit.op('Range', [emit.op('Squeeze', [past]), emit.op('Squeeze', [emit.op('Add', [past, length])]), emit.int64([1], [])]);
  if (rotary) {
    const cos = fullWidth(emit, emit.op('Gather', [cosCache, positions], { axis: 0 }));
    const sin = fullWidth(emit, emit.op('Gather', [sinCache, positions], { axis: 0 }));
    q = rotate(emit, q, cos, sin, headDim);
    k = rotate(emit, k, cos, sin, headDim);
  }
  k = repeatHeads(emit, withPast(ctx, pastKey, k, 1), heads / kvHeads, heads, headDim);
  const v = repeatHeads(emit, withPast(ctx, pastValue, toHeads(emit, valueIn, kvHeads), 2), heads / kvHeads, heads, headDim);
  const scale = emit.double([ctx.attr('scale') || 1 / Math.sqrt(headDim)], []);
  const scores = emit.op('Mul', [emit.op('MatMul', [q, emit.op('Transpose', [k], { perm: [0, 1, 3, 2] })]), scale]);
  // Causal: the query at position p sees keys 0..p.
  const keys = emit.op('Range', [emit.int64([0], []), emit.op('Squeeze', [emit.dim(k, 2)]), emit.int64([1], [])]);
  const future = emit.op('Greater', [emit.unsqueeze(keys, [0]), emit.unsqueeze(positions, [1])]);
  attend(ctx, emit.op('Where', [future, emit.double([MASKED], []), scores]), v);
  return true;
};

/** [batch, sequence, heads·head_dim] → [batch, heads, sequence, head_dim]. */
function toHeads(emit: Emitter, x: string, heads: number): string {
  return emit.op('Transpose', [emit.op('Reshape', [x, emit.int64([0, 0, heads, -1])])], { perm: [0, 2, 1, 3] });
}

/** past ++ new along the sequence axis, written to the node's present output `index` when it has one. */
function withPast(ctx: RuleContext, past: string | undefined, fresh: string, index: number): string {
  const present = ctx.used(index) ? [ctx.node.output[index]] : undefined;
  if (!past) return ctx.emit.op('Identity', [fresh], {}, present);
  return ctx.emit.op('Concat', [past, fresh], { axis: 2 }, present);
}

/** [batch, kv_heads, length, head_dim] → [batch, heads, length, head_dim], each kv head `times` over. */
function repeatHeads(emit: Emitter, x: string, times: number, heads: number, headDim: number): string {
  if (times === 1) return x;
  const tiled = emit.op('Tile', [emit.unsqueeze(x, [2]), emit.int64([1, 1, times, 1, 1])]);
  return emit.op('Reshape', [tiled, emit.int64([0, heads, -1, headDim])]);
}

/** softmax(scores)·v, back to [batch, sequence, heads·head_dim] in the node's output. */
function attend(ctx: RuleContext, scores: string, v: string): void {
  const { emit } = ctx;
  const weighted = emit.op('MatMul', [emit.op('Softmax', [scores], { axis: -1 }), v]);
  emit.op('Reshape', [emit.op('Transpose', [weighted], { perm: [0, 2, 1, 3] }), emit.int64([0, 0, -1])], {}, [ctx.node.output[0]]);
}
