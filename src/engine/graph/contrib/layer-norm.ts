/**
 * Layer normalizations of onnxruntime's fused forms, in standard operators over the last axis:
 * SimplifiedLayerNormalization (RMSNorm: x / sqrt(mean(x²) + ε) · γ),
 * com.microsoft.SkipSimplifiedLayerNormalization (the same of input + skip [+ bias]) and
 * com.microsoft.SkipLayerNormalization ((s − mean) / sqrt(var + ε) · γ + β of s = input + skip [+ bias]).
 * Optional outputs: mean, inverse standard deviation, and the sum s.
 */
import type { Rule, RuleContext } from './rewrite.ts';

const DEFAULT_EPSILON = 1e-5;

export const simplifiedLayerNormalization: Rule = async (ctx) => {
  const [x, scale] = ctx.node.input;
  const axis = ctx.attr('axis') ?? -1;
  if (axis !== -1 && axis !== ctx.rankOf(x)! - 1) return false;
  normalize(ctx, x, scale, undefined, { invStd: 1 });
  return true;
};

export const skipSimplifiedLayerNormalization: Rule = async (ctx) => {
  const [input, skip, gamma, bias] = ctx.node.input;
  if (ctx.used(1)) return false; // the mean of an RMS norm: no onnxruntime form writes it
  normalize(ctx, sum(ctx, input, skip, bias), gamma, undefined, { invStd: 2, sum: 3 });
  return true;
};

export const skipLayerNormalization: Rule = async (ctx) => {
  const [input, skip, gamma, beta, bias] = ctx.node.input;
  normalize(ctx, sum(ctx, input, skip, bias), gamma, beta || undefined, { mean: 1, invStd: 2, sum: 3 });
  return true;
};

function sum(ctx: RuleContext, input: string, skip: string, bias: string | undefined): string {
  const plain = ctx.emit.op('Add', [input, skip]);
  return bias ? ctx.emit.op('Add', [plain, bias]) : plain;
}

/** RMS norm (no beta and no mean output wanted) or layer norm of `x` over its last axis. */
function normalize(ctx: RuleContext, x: string, gamma: string, beta: string | undefined, outputs: { mean?: number; invStd: number; sum?: number }): void {
  const { emit, node } = ctx;
  const epsilon = emit.double([ctx.attr('epsilon') ?? DEFAULT_EPSILON], []);
  const centred = outputs.mean !== undefined;
  const mean = centred ? emit.reduceMean(x, [-1]) : undefined;
  const deviation = mean ? emit.op('Sub', [x, mean]) : x;
  const variance = emit.reduceMean(emit.op('Mul', [deviation, deviation]), [-1]);
  const invStd = emit.op('Reciprocal', [emit.op('Sqrt', [emit.op('Add', [variance, epsilon])])], {}, ctx.used(outputs.invStd) ? [node.output[outputs.invStd]] : undefined);
  const scaled = emit.op('Mul', [emit.op('Mul', [deviation, invStd]), gamma], {}, beta ? undefined : [node.output[0]]);
  if (beta) emit.op('Add', [scaled, beta], {}, [node.output[0]]);
  if (mean && ctx.used(outputs.mean!)) emit.op('Identity', [mean], {}, [node.output[outputs.mean!]]);
  if (outputs.sum !== undefined && ctx.used(outputs.sum)) emit.op('Identity', [x], {}, [node.output[outputs.sum]]);
}
