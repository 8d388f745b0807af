/**
 * Layer normalizations of onnxruntime's fused forms, in standard operators over the last axis:
 * SimplifiedLayerNormalization (RMSNorm: x / sqrt(mean(x²) + ε) · γ),
 * com.microsoft.SkipSimplifiedLayerNormalization (the same of input + skip [+ bias]),
 * com.microsoft.SkipLayerNormalization ((s − mean) / sqrt(var + ε) · γ + β of s = input + skip [+ bias])
 * and com.microsoft.EmbedLayerNormalization (the layer norm of the sum of embedding lookups).
 * Optional outputs: mean, inverse standard deviation, and the sum s.
 */
import { TensorDataType } from '../onnx-model.ts';
import type { Rule, RuleContext } from './rewrite.ts';

const DEFAULT_EPSILON = 1e-5;
/** EmbedLayerNormalization's schema default. */
const EMBED_DEFAULT_EPSILON = 1e-12;

export const simplifiedLayerNormalization: Rule = async (ctx) => {
  const [x, scale] = ctx.node.input;
  const axis = ctx.attr('axis') ?? -1;
  if (axis !== -1 && axis !== ctx.rankOf(x)! - 1) return false;
  normalize(ctx, x, scale, { centred: false, outputs: { invStd: 1 }, epsilon: ctx.attr('epsilon') ?? DEFAULT_EPSILON });
  return true;
};

export const skipSimplifiedLayerNormalization: Rule = async (ctx) => {
  const [input, skip, gamma, bias] = ctx.node.input;
  if (ctx.used(1)) return false; // the mean of an RMS norm: no onnxruntime form writes it
  normalize(ctx, sum(ctx, input, skip, bias), gamma, { centred: false, outputs: { invStd: 2, sum: 3 }, epsilon: ctx.attr('epsilon') ?? DEFAULT_EPSILON });
  return true;
};

export const skipLayerNormalization: Rule = async (ctx) => {
  const [input, skip, gamma, beta, bias] = ctx.node.input;
  normalize(ctx, sum(ctx, input, skip, bias), gamma, { centred: true, beta: beta || undefined, outputs: { mean: 1, invStd: 2, sum: 3 }, epsilon: ctx.attr('epsilon') ?? DEFAULT_EPSILON });
  return true;
};

/**
 * com.microsoft.EmbedLayerNormalization, onnxruntime.transformers' fusion of the embeddings of BERT and GPT-2:
 * the layer norm of word_embedding[input_ids] + position_embedding[position_ids, or 0..S − 1 without them]
 * [+ segment_embedding[segment_ids]]; outputs that sum (embedding_sum) and mask_index, the count of ones in each
 * row of mask (zeros without a mask). The token-embedding lookup is inside it, so prepare.ts unfuses it in every
 * precision: its epsilon constant takes the word table's type (float32, or double once converted).
 */
export const embedLayerNormalization: Rule = async (ctx) => {
  const [ids, segmentIds, word, position, segment, gamma, beta, mask, positionIds, ...rest] = ctx.node.input;
  const floatType = ctx.initializer(word)?.data_type;
  if ((floatType !== TensorDataType.FLOAT && floatType !== TensorDataType.DOUBLE) || !!segmentIds !== !!segment || rest.some(Boolean)) return false;
  const { emit, node } = ctx;
  const lookup = (table: string, indices: string) => emit.op('Gather', [table, indices], { axis: 0 });
  const positions = positionIds || emit.op('Range', [emit.int64([0], []), emit.op('Squeeze', [emit.dim(ids, 1)]), emit.int64([1], [])]);
  let embeddings = emit.op('Add', [lookup(word, ids), lookup(position, positions)]);
  if (segment) embeddings = emit.op('Add', [embeddings, lookup(segment, segmentIds)]);
  normalize(ctx, embeddings, gamma, { centred: true, beta: beta || undefined, outputs: { sum: 2 }, epsilon: ctx.attr('epsilon') ?? EMBED_DEFAULT_EPSILON, floatType });
  if (ctx.used(1) && mask) {
    const ones = emit.op('Cast', [emit.op('Equal', [emit.op('Cast', [mask], { to: TensorDataType.INT64 }), emit.int64([1], [])])], { to: TensorDataType.INT32 });
    emit.reduceSum(ones, [1], 0, [node.output[1]]);
  } else if (ctx.used(1)) {
    const zero = { name: '', dims: [1], data_type: TensorDataType.INT32, raw_data: new Uint8Array(4) };
    emit.node({ op_type: 'ConstantOfShape', domain: '', input: [emit.dim(ids, 0)], output: [node.output[1]], attribute: [{ name: 'value', type: 4, t: zero }] });
  }
  return true;
};

function sum(ctx: RuleContext, input: string, skip: string, bias: string | undefined): string {
  const plain = ctx.emit.op('Add', [input, skip]);
  return bias ? ctx.emit.op('Add', [plain, bias]) : plain;
}

interface Normalization {
  /** Layer norm (the mean subtracted) or RMS norm. */
  centred: boolean;
  beta?: string;
  /** Indices of the node's outputs for the mean, inverse standard deviation and the normalized sum, when it has them. */
  outputs: { mean?: number; invStd?: number; sum?: number };
  epsilon: number;
  /** Type of the epsilon constant: double unless given (rewrites serve the float64 conversion). */
  floatType?: number;
}

/** Layer or RMS norm of `x` over its last axis, into output 0 of the node (and its optional outputs that are read). */
function normalize(ctx: RuleContext, x: string, gamma: string, how: Normalization): void {
  const { emit, node } = ctx;
  const { outputs, beta } = how;
  const written = (index: number | undefined) => (index !== undefined && ctx.used(index) ? [node.output[index]] : undefined);
  const epsilon = emit.floats([how.epsilon], how.floatType ?? TensorDataType.DOUBLE, []);
  const mean = how.centred ? emit.reduceMean(x, [-1]) : undefined;
  const deviation = mean ? emit.op('Sub', [x, mean]) : x;
  const variance = emit.reduceMean(emit.op('Mul', [deviation, deviation]), [-1]);
  const invStd = emit.op('Reciprocal', [emit.op('Sqrt', [emit.op('Add', [variance, epsilon])])], {}, written(outputs.invStd));
  const scaled = emit.op('Mul', [emit.op('Mul', [deviation, invStd]), gamma], {}, beta ? undefined : [node.output[0]]);
  if (beta) emit.op('Add', [scaled, beta], {}, [node.output[0]]);
  if (mean && written(outputs.mean)) emit.op('Identity', [mean], {}, written(outputs.mean));
  if (written(outputs.sum)) emit.op('Identity', [x], {}, written(outputs.sum));
}
