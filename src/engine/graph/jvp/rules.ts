/**
 * Tangent rules of forward-mode differentiation, one per ONNX operator: given the tangents of a
 * node's inputs (undefined: zero), a rule emits the nodes that compute the tangents of its
 * outputs from them and from the node's own (primal) inputs and outputs. The transform that
 * applies them is tangents.ts. Integer and boolean results (shapes, masks, comparisons) carry no
 * tangent; an operator with no rule here is refused by name.
 */
import type { Emitter } from '../contrib/emit.ts';
import { TensorDataType, type AttributeProto, type NodeProto } from '../onnx-model.ts';

export interface TangentContext {
  node: NodeProto;
  emit: Emitter;
  opset: number;
  /** Tangent of input `index`, undefined when it is zero. */
  tangent(index: number): string | undefined;
  /** Records the tangent of output `index`. */
  set(index: number, tangent: string): void;
  /** A scalar constant of the graph's float type. */
  scalar(value: number): string;
  /** Zeros of the shape of `x`, in the graph's float type. */
  zerosLike(x: string): string;
  attr(name: string): AttributeProto | undefined;
}

export type TangentRule = (ctx: TangentContext) => void;

/** Operators whose outputs are integers, booleans or piecewise constant: no tangent. */
export const CONSTANT_OPS = new Set([
  'Shape', 'Size', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor',
  'ArgMax', 'ArgMin', 'ConstantOfShape', 'NonZero', 'IsNaN', 'IsInf', 'Sign', 'Floor', 'Ceil', 'Round', 'Range',
]);

const FLOAT_TYPES = new Set<number>([TensorDataType.FLOAT, TensorDataType.DOUBLE, TensorDataType.FLOAT16, TensorDataType.BFLOAT16]);

/** The same operator applied to the tangent of input 0 (other inputs and attributes as they are): linear in input 0. */
const linearInFirst: TangentRule = (ctx) => {
  const t = ctx.tangent(0);
  if (!t) return;
  const outputs = ctx.node.output.map((o) => (o ? ctx.emit.name('tangent') : ''));
  ctx.emit.node({ op_type: ctx.node.op_type, domain: ctx.node.domain ?? '', input: [t, ...ctx.node.input.slice(1)], output: outputs, attribute: ctx.node.attribute ?? [] });
  outputs.forEach((o, i) => o && ctx.set(i, o));
};

/** Sum of the tangents given (undefined ones are zero), or undefined when all are. */
function sum(ctx: TangentContext, terms: (string | undefined)[]): string | undefined {
  const present = terms.filter((t): t is string => t !== undefined);
  if (present.length === 0) return undefined;
  return present.reduce((a, b) => ctx.emit.op('Add', [a, b]));
}

function mul(ctx: TangentContext, a: string, b: string): string {
  return ctx.emit.op('Mul', [a, b]);
}

function setIf(ctx: TangentContext, tangent: string | undefined): void {
  if (tangent) ctx.set(0, tangent);
}

/** y = f(x) with f' given in terms of x and y: ty = f'·tx. */
function unary(derivative: (ctx: TangentContext, x: string, y: string) => string): TangentRule {
  return (ctx) => {
    const t = ctx.tangent(0);
    if (t) ctx.set(0, mul(ctx, t, derivative(ctx, ctx.node.input[0], ctx.node.output[0])));
  };
}

/** A reduction over the axes of `axis` (Softmax's axis), as ReduceSum takes them in this opset. */
function reduceSum(ctx: TangentContext, x: string, axis: number): string {
  return ctx.opset >= 13 ? ctx.emit.op('ReduceSum', [x, ctx.emit.int64([axis])], { keepdims: 1 }) : ctx.emit.op('ReduceSum', [x], { axes: [axis], keepdims: 1 });
}

function intAttr(ctx: TangentContext, name: string, fallback: number): number {
  const a = ctx.attr(name);
  return a === undefined ? fallback : Number(a.i);
}

function floatAttr(ctx: TangentContext, name: string, fallback: number): number {
  const a = ctx.attr(name);
  return a === undefined ? fallback : Number(a.f);
}

export const TANGENT_RULES: Record<string, TangentRule> = {
  Identity: linearInFirst,
  Reshape: linearInFirst,
  Transpose: linearInFirst,
  Squeeze: linearInFirst,
  Unsqueeze: linearInFirst,
  Flatten: linearInFirst,
  Slice: linearInFirst,
  Gather: linearInFirst,
  GatherElements: linearInFirst,
  Expand: linearInFirst,
  Tile: linearInFirst,
  Split: linearInFirst,
  ReduceMean: linearInFirst,
  ReduceSum: linearInFirst,
  Neg: linearInFirst,
  'com.microsoft.MatMulNBits': (ctx) => {
    const t = ctx.tangent(0);
    if (!t) return;
    // Linear in the activations; the bias (input 5) is not part of the tangent.
    const out = ctx.emit.name('tangent');
    ctx.emit.node({ op_type: 'MatMulNBits', domain: 'com.microsoft', input: [t, ...ctx.node.input.slice(1, 5)], output: [out], attribute: ctx.node.attribute ?? [] });
    ctx.set(0, out);
  },
  Cast: (ctx) => {
    if (FLOAT_TYPES.has(intAttr(ctx, 'to', 0))) linearInFirst(ctx);
  },
  Concat: (ctx) => {
    if (!ctx.node.input.some((_, i) => ctx.tangent(i))) return;
    const inputs = ctx.node.input.map((x, i) => ctx.tangent(i) ?? ctx.zerosLike(x));
    ctx.set(0, ctx.emit.node({ op_type: 'Concat', domain: '', input: inputs, output: [ctx.emit.name('tangent')], attribute: ctx.node.attribute ?? [] }));
  },
  Where: (ctx) => {
    const [condition, x, y] = ctx.node.input;
    const [tx, ty] = [ctx.tangent(1), ctx.tangent(2)];
    if (!tx && !ty) return;
    ctx.set(0, ctx.emit.op('Where', [condition, tx ?? ctx.zerosLike(x), ty ?? ctx.zerosLike(y)]));
  },
  Add: (ctx) => setIf(ctx, sum(ctx, [ctx.tangent(0), ctx.tangent(1)])),
  Sub: (ctx) => {
    const [ta, tb] = [ctx.tangent(0), ctx.tangent(1)];
    setIf(ctx, ta && tb ? ctx.emit.op('Sub', [ta, tb]) : ta ?? (tb && ctx.emit.op('Neg', [tb])));
  },
  Mul: (ctx) => {
    const [a, b] = ctx.node.input;
    const [ta, tb] = [ctx.tangent(0), ctx.tangent(1)];
    setIf(ctx, sum(ctx, [ta && mul(ctx, ta, b), tb && mul(ctx, a, tb)]));
  },
  Div: (ctx) => {
    // (ta − y·tb) / b
    const [, b] = ctx.node.input;
    const [ta, tb] = [ctx.tangent(0), ctx.tangent(1)];
    const numerator = tb ? (ta ? ctx.emit.op('Sub', [ta, mul(ctx, ctx.node.output[0], tb)]) : ctx.emit.op('Neg', [mul(ctx, ctx.node.output[0], tb)])) : ta;
    setIf(ctx, numerator && ctx.emit.op('Div', [numerator, b]));
  },
  MatMul: (ctx) => {
    const [a, b] = ctx.node.input;
    const [ta, tb] = [ctx.tangent(0), ctx.tangent(1)];
    setIf(ctx, sum(ctx, [ta && ctx.emit.op('MatMul', [ta, b]), tb && ctx.emit.op('MatMul', [a, tb])]));
  },
  Gemm: (ctx) => {
    const [a, b, c] = ctx.node.input;
    const [ta, tb, tc] = [ctx.tangent(0), ctx.tangent(1), c ? ctx.tangent(2) : undefined];
    const attributes = { alpha: floatAttr(ctx, 'alpha', 1), transA: intAttr(ctx, 'transA', 0), transB: intAttr(ctx, 'transB', 0) };
    const bias = tc && mul(ctx, tc, ctx.scalar(floatAttr(ctx, 'beta', 1)));
    setIf(ctx, sum(ctx, [ta && ctx.emit.op('Gemm', [ta, b], attributes), tb && ctx.emit.op('Gemm', [a, tb], attributes), bias]));
  },
  Pow: (ctx) => {
    const [x, exponent] = ctx.node.input;
    if (ctx.tangent(1)) throw new Error('Pow with an exponent that depends on the embedding');
    const t = ctx.tangent(0);
    if (!t) return;
    // exponent · x^(exponent − 1) · tx (the exponent has the graph's float type, as in every export seen)
    const factor = mul(ctx, ctx.emit.op('Pow', [x, ctx.emit.op('Sub', [exponent, ctx.scalar(1)])]), exponent);
    ctx.set(0, mul(ctx, t, factor));
  },
  Sqrt: (ctx) => {
    const t = ctx.tangent(0);
    if (t) ctx.set(0, ctx.emit.op('Div', [t, ctx.emit.op('Add', [ctx.node.output[0], ctx.node.output[0]])]));
  },
  Reciprocal: unary((ctx, _x, y) => ctx.emit.op('Neg', [mul(ctx, y, y)])),
  Exp: unary((_ctx, _x, y) => y),
  Log: (ctx) => {
    const t = ctx.tangent(0);
    if (t) ctx.set(0, ctx.emit.op('Div', [t, ctx.node.input[0]]));
  },
  Tanh: unary((ctx, _x, y) => ctx.emit.op('Sub', [ctx.scalar(1), mul(ctx, y, y)])),
  Sigmoid: unary((ctx, _x, y) => mul(ctx, y, ctx.emit.op('Sub', [ctx.scalar(1), y]))),
  Erf: unary((ctx, x) => mul(ctx, ctx.scalar(2 / Math.sqrt(Math.PI)), ctx.emit.op('Exp', [ctx.emit.op('Neg', [mul(ctx, x, x)])]))),
  Sin: unary((ctx, x) => ctx.emit.op('Cos', [x])),
  Cos: unary((ctx, x) => ctx.emit.op('Neg', [ctx.emit.op('Sin', [x])])),
  Softmax: (ctx) => {
    // ty = y · (tx − Σ y·tx) over the softmax axis
    const t = ctx.tangent(0);
    if (!t) return;
    const y = ctx.node.output[0];
    const axis = intAttr(ctx, 'axis', ctx.opset >= 13 ? -1 : 1);
    ctx.set(0, mul(ctx, y, ctx.emit.op('Sub', [t, reduceSum(ctx, mul(ctx, y, t), axis)])));
  },
  LayerNormalization: (ctx) => {
    // x̂ = (x − μ)·r with r = 1/σ; tx̂ = r·(tc − x̂·mean(x̂·tc)), tc = tx − mean(tx); ty = γ·tx̂ (+ tangents of γ and β, which are weights)
    const [x, gamma] = ctx.node.input;
    const t = ctx.tangent(0);
    if (ctx.tangent(1) || ctx.tangent(2)) throw new Error('LayerNormalization with a scale or bias that depends on the embedding');
    if (!t) return;
    const axis = intAttr(ctx, 'axis', -1);
    if (axis !== -1) throw new Error(`LayerNormalization over axis ${axis} (only the last axis is differentiated)`);
    const mean = ctx.emit.reduceMean(x, [-1]);
    const deviation = ctx.emit.op('Sub', [x, mean]);
    const variance = ctx.emit.reduceMean(mul(ctx, deviation, deviation), [-1]);
    const r = ctx.emit.op('Reciprocal', [ctx.emit.op('Sqrt', [ctx.emit.op('Add', [variance, ctx.scalar(floatAttr(ctx, 'epsilon', 1e-5))])])]);
    const normalized = mul(ctx, deviation, r);
    const tc = ctx.emit.op('Sub', [t, ctx.emit.reduceMean(t, [-1])]);
    const tNormalized = mul(ctx, r, ctx.emit.op('Sub', [tc, mul(ctx, normalized, ctx.emit.reduceMean(mul(ctx, normalized, tc), [-1]))]));
    ctx.set(0, mul(ctx, tNormalized, gamma));
  },
};
