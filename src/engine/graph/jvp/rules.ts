/**
 * Tangent rules of forward-mode differentiation, one per ONNX operator, in vector mode (as JAX's
 * vmap batches jvp): the primal runs once and a tangent carries K directions on an extra leading
 * axis, tangent shape = [K] ++ primal shape. Given the tangents of a node's inputs (undefined:
 * zero), a rule emits the nodes that compute the tangents of its outputs from them and from the
 * node's own (primal) inputs and outputs. So that the extra axis stays first:
 * - operands of a broadcasting operator are aligned first (an operand of lower rank than the
 *   others gets ones after K: `align`), since broadcasting matches shapes from the right;
 * - non-negative axes move up by one (negative ones stay valid);
 * - Reshape takes [K] ++ its target shape (a 0 there copies the dimension K shifts alike).
 * Rules read primal values only where the derivative needs them, not for their shapes: every
 * value the tangent branch reads stays alive until it runs, after the whole primal pass.
 * The transform that applies them is tangents.ts. Integer and boolean results (shapes, masks,
 * comparisons) carry no tangent; an operator with no rule here is refused by name.
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
  /** [K]: the number of directions (int64, 1-D). */
  directions: string;
  /** Zeros of the given shape (an int64 1-D tensor), in the graph's float type. */
  zeros(shape: string): string;
  /** [K] ++ Shape(x): the shape of the tangent of primal `x` (int64, 1-D). */
  tangentShape(x: string): string;
  /**
   * Tangent `t` of primal `x` reshaped for broadcasting against primal values `others`:
   * [K] ++ ones(max rank − rank(x)) ++ Shape(x) (unchanged when no other has a larger rank).
   */
  align(t: string, x: string, others: string[]): string;
  /** The rank of primal `x` when known before running the graph (jvp/ranks.ts). */
  rank(x: string): number | undefined;
  attr(name: string): AttributeProto | undefined;
}

export type TangentRule = (ctx: TangentContext) => void;

/** Operators whose outputs are integers, booleans or piecewise constant: no tangent. */
export const CONSTANT_OPS = new Set([
  'Shape', 'Size', 'Equal', 'Greater', 'GreaterOrEqual', 'Less', 'LessOrEqual', 'Not', 'And', 'Or', 'Xor',
  'ArgMax', 'ArgMin', 'ConstantOfShape', 'NonZero', 'IsNaN', 'IsInf', 'Sign', 'Floor', 'Ceil', 'Round', 'Range',
]);

const FLOAT_TYPES = new Set<number>([TensorDataType.FLOAT, TensorDataType.DOUBLE, TensorDataType.FLOAT16, TensorDataType.BFLOAT16]);

/** The same operator applied to the tangent of input 0 (other inputs and attributes as they are): linear and elementwise in input 0. */
const linearInFirst: TangentRule = (ctx) => {
  const t = ctx.tangent(0);
  if (t) applyToTangent(ctx, t, ctx.node.input.slice(1), ctx.node.attribute ?? []);
};

/** The node's operator on tangent `t` with `inputs` after it and `attribute`, its outputs recorded as the tangents. */
function applyToTangent(ctx: TangentContext, t: string, inputs: string[], attribute: AttributeProto[]): void {
  const outputs = ctx.node.output.map((o) => (o ? ctx.emit.name('tangent') : ''));
  ctx.emit.node({ op_type: ctx.node.op_type, domain: ctx.node.domain ?? '', input: [t, ...inputs], output: outputs, attribute });
  outputs.forEach((o, i) => o && ctx.set(i, o));
}

/** Tangent `t` reshaped to [K] ++ Shape(y): the tangent of a pure reshape whose primal output is y. */
function reshapeLike(ctx: TangentContext, t: string, y: string): string {
  return ctx.emit.op('Reshape', [t, ctx.tangentShape(y)], ctx.opset >= 14 ? { allowzero: 1 } : {});
}

/** Squeeze and Unsqueeze: their axes (attribute or input) shifted past K; Squeeze of every unit axis by the output's shape. */
const squeezes: TangentRule = (ctx) => {
  const t = ctx.tangent(0);
  if (!t) return;
  const axesInput = ctx.node.input[1];
  const axesAttribute = ctx.attr('axes');
  const others = (ctx.node.attribute ?? []).filter((a) => a.name !== 'axes');
  if (axesInput) return applyToTangent(ctx, t, [shiftedAxes(ctx, axesInput)], others);
  if (axesAttribute) return applyToTangent(ctx, t, [], [...others, { name: 'axes', type: 7, ints: (axesAttribute.ints ?? []).map((a) => shift(Number(a))) }]);
  ctx.set(0, reshapeLike(ctx, t, ctx.node.output[0]));
};

/** An axis of the primal as an axis of its tangent: non-negative ones move past K. */
function shift(axis: number): number {
  return axis >= 0 ? axis + 1 : axis;
}

/** Axes given as an int64 tensor, shifted at run time (they may be computed). */
function shiftedAxes(ctx: TangentContext, axes: string): string {
  const zero = ctx.emit.int64([0], []);
  return ctx.emit.op('Where', [ctx.emit.op('Less', [axes, zero]), axes, ctx.emit.op('Add', [axes, ctx.emit.int64([1], [])])]);
}

/** The node's attributes with the integer attribute `name` (default `fallback`) shifted past K. */
function withShiftedAxis(ctx: TangentContext, name: string, fallback: number): AttributeProto[] {
  const others = (ctx.node.attribute ?? []).filter((a) => a.name !== name);
  return [...others, { name, type: 2, i: shift(intAttr(ctx, name, fallback)) }];
}

/** A rule for an operator with one `axis` attribute, linear in input 0. */
function alongAxis(fallback: number): TangentRule {
  return (ctx) => {
    const t = ctx.tangent(0);
    if (t) applyToTangent(ctx, t, ctx.node.input.slice(1), withShiftedAxis(ctx, 'axis', fallback));
  };
}

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

/** The tangent of input `index` aligned for broadcasting against the node's other inputs, or undefined. */
function aligned(ctx: TangentContext, index: number): string | undefined {
  const t = ctx.tangent(index);
  return t && ctx.align(t, ctx.node.input[index], ctx.node.input.filter((x, i) => x && i !== index));
}

/** y = f(x) with f' given in terms of x and y: ty = f'·tx. */
function unary(derivative: (ctx: TangentContext, x: string, y: string) => string): TangentRule {
  return (ctx) => {
    const t = ctx.tangent(0);
    if (t) ctx.set(0, mul(ctx, t, derivative(ctx, ctx.node.input[0], ctx.node.output[0])));
  };
}

/** A reduction over `axes` as this opset takes them (an input from opset 13 for ReduceSum, 18 for ReduceMean). */
function reduce(ctx: TangentContext, op: 'ReduceSum' | 'ReduceMean', x: string, axes: number[], keepdims: number): string {
  const asInput = ctx.opset >= (op === 'ReduceSum' ? 13 : 18);
  return asInput ? ctx.emit.op(op, [x, ctx.emit.int64(axes)], { keepdims }) : ctx.emit.op(op, [x], { axes, keepdims });
}

/** ReduceSum and ReduceMean: linear; their axes (attribute or input) shifted past K, "all axes" made all but K. */
const reduction: TangentRule = (ctx) => {
  const t = ctx.tangent(0);
  if (!t) return;
  const op = ctx.node.op_type as 'ReduceSum' | 'ReduceMean';
  const axesInput = ctx.node.input[1];
  const axesAttribute = ctx.attr('axes');
  const others = (ctx.node.attribute ?? []).filter((a) => a.name !== 'axes');
  if (axesInput) return applyToTangent(ctx, t, [shiftedAxes(ctx, axesInput)], others);
  if (axesAttribute) return applyToTangent(ctx, t, [], [...others, { name: 'axes', type: 7, ints: (axesAttribute.ints ?? []).map((a) => shift(Number(a))) }]);
  if (intAttr(ctx, 'noop_with_empty_axes', 0) === 1) return ctx.set(0, t);
  // Over every axis: each direction's values flattened, reduced, and shaped like the output.
  const flat = ctx.emit.op('Reshape', [t, ctx.emit.op('Concat', [ctx.emit.dim(t, 0), ctx.emit.int64([-1])], { axis: 0 })]);
  ctx.set(0, reshapeLike(ctx, reduce(ctx, op, flat, [1], 0), ctx.node.output[0]));
};

function intAttr(ctx: TangentContext, name: string, fallback: number): number {
  const a = ctx.attr(name);
  return a === undefined ? fallback : Number(a.i);
}

function floatAttr(ctx: TangentContext, name: string, fallback: number): number {
  const a = ctx.attr(name);
  return a === undefined ? fallback : Number(a.f);
}

/** Swaps the last two axes of a tangent of a 2-D primal ([K, m, n] → [K, n, m]). */
function transposed(ctx: TangentContext, t: string): string {
  return ctx.emit.op('Transpose', [t], { perm: [0, 2, 1] });
}

export const TANGENT_RULES: Record<string, TangentRule> = {
  Identity: linearInFirst,
  Neg: linearInFirst,
  Reshape: (ctx) => {
    // [K] ++ the primal's target shape: its 0s copy the input's dimension at the same index, which K shifts alike.
    const t = ctx.tangent(0);
    if (t) applyToTangent(ctx, t, [ctx.emit.op('Concat', [ctx.directions, ctx.node.input[1]], { axis: 0 })], ctx.node.attribute ?? []);
  },
  Flatten: (ctx) => {
    // Flattened after K too ([K·P, R]), then K split off again ([K, P, R]); at axis 0, P = 1.
    const t = ctx.tangent(0);
    if (!t) return;
    const axis = intAttr(ctx, 'axis', 1);
    if (axis === 0) return ctx.set(0, ctx.emit.unsqueeze(ctx.emit.op('Flatten', [t], { axis: 1 }), [1]));
    const flat = ctx.emit.op('Flatten', [t], { axis: shift(axis) });
    const shape = ctx.emit.op('Concat', [ctx.directions, ctx.emit.int64([-1]), ctx.emit.slice(ctx.emit.op('Shape', [flat]), 1, 2, 0)], { axis: 0 });
    ctx.set(0, ctx.emit.op('Reshape', [flat, shape]));
  },
  Squeeze: squeezes,
  Unsqueeze: squeezes,
  Transpose: (ctx) => {
    const t = ctx.tangent(0);
    if (!t) return;
    const perm = ctx.attr('perm')?.ints;
    if (!perm) throw new Error('Transpose without a perm attribute (the reversal of an unknown rank)');
    applyToTangent(ctx, t, [], [{ name: 'perm', type: 7, ints: [0, ...perm.map((p) => Number(p) + 1)] }]);
  },
  Slice: (ctx) => {
    const t = ctx.tangent(0);
    if (!t) return;
    if (ctx.opset < 10) {
      const starts = ctx.attr('starts')?.ints ?? [];
      const axes = ctx.attr('axes')?.ints?.map(Number) ?? starts.map((_, i) => i);
      const others = (ctx.node.attribute ?? []).filter((a) => a.name !== 'axes');
      return applyToTangent(ctx, t, [], [...others, { name: 'axes', type: 7, ints: axes.map(shift) }]);
    }
    const [, starts, ends, axes, steps] = ctx.node.input;
    // Without axes, the first len(starts) axes: 1..len(starts) of the tangent.
    const one = ctx.emit.int64([1], []);
    const tangentAxes = axes ? shiftedAxes(ctx, axes) : ctx.emit.op('Range', [one, ctx.emit.op('Add', [ctx.emit.op('Size', [starts]), one]), one]);
    applyToTangent(ctx, t, [starts, ends, tangentAxes, ...(steps ? [steps] : [])], ctx.node.attribute ?? []);
  },
  Gather: alongAxis(0),
  GatherElements: (ctx) => {
    const t = ctx.tangent(0);
    if (!t) return;
    // The indices index each direction alike: repeated along K.
    const indices = ctx.node.input[1];
    const repeated = ctx.emit.op('Expand', [ctx.emit.unsqueeze(indices, [0]), ctx.tangentShape(indices)]);
    applyToTangent(ctx, t, [repeated], withShiftedAxis(ctx, 'axis', 0));
  },
  Expand: (ctx) => {
    const t = ctx.tangent(0);
    const [x] = ctx.node.input;
    const y = ctx.node.output[0];
    // Aligned to the output's rank, then broadcast with [1] ++ the shape (K stays in front).
    if (t) ctx.set(0, ctx.emit.op('Expand', [ctx.align(t, x, [y]), ctx.emit.op('Concat', [ctx.emit.int64([1]), ctx.node.input[1]], { axis: 0 })]));
  },
  Tile: (ctx) => {
    const t = ctx.tangent(0);
    if (t) applyToTangent(ctx, t, [ctx.emit.op('Concat', [ctx.emit.int64([1]), ctx.node.input[1]], { axis: 0 })], ctx.node.attribute ?? []);
  },
  Split: alongAxis(0),
  ReduceMean: reduction,
  ReduceSum: reduction,
  'com.microsoft.MatMulNBits': (ctx) => {
    const t = ctx.tangent(0);
    if (!t) return;
    // Linear in the activations; the bias (input 5) is not part of the tangent. Run on the
    // directions' rows as one 2-D matrix, then shaped like the output.
    const rows = ctx.emit.op('Reshape', [t, ctx.emit.op('Concat', [ctx.emit.int64([-1]), ctx.emit.dim(t, -1)], { axis: 0 })]);
    const out = ctx.emit.name('tangent');
    ctx.emit.node({ op_type: 'MatMulNBits', domain: 'com.microsoft', input: [rows, ...ctx.node.input.slice(1, 5)], output: [out], attribute: ctx.node.attribute ?? [] });
    ctx.set(0, reshapeLike(ctx, out, ctx.node.output[0]));
  },
  Cast: (ctx) => {
    if (FLOAT_TYPES.has(intAttr(ctx, 'to', 0))) linearInFirst(ctx);
  },
  Concat: (ctx) => {
    if (!ctx.node.input.some((_, i) => ctx.tangent(i))) return;
    const inputs = ctx.node.input.map((x, i) => ctx.tangent(i) ?? ctx.zeros(ctx.tangentShape(x)));
    ctx.set(0, ctx.emit.node({ op_type: 'Concat', domain: '', input: inputs, output: [ctx.emit.name('tangent')], attribute: withShiftedAxis(ctx, 'axis', 0) }));
  },
  Where: (ctx) => {
    // An operand with no tangent contributes zeros of its own shape: broadcast with the other's
    // aligned tangent, the result is [K] ++ the output's shape.
    const [condition, x, y] = ctx.node.input;
    const [tx, ty] = [aligned(ctx, 1), aligned(ctx, 2)];
    if (!tx && !ty) return;
    const zeros = (v: string) => ctx.zeros(ctx.emit.op('Shape', [v]));
    ctx.set(0, ctx.emit.op('Where', [condition, tx ?? zeros(x), ty ?? zeros(y)]));
  },
  Add: (ctx) => setIf(ctx, sum(ctx, [aligned(ctx, 0), aligned(ctx, 1)])),
  Sub: (ctx) => {
    const [ta, tb] = [aligned(ctx, 0), aligned(ctx, 1)];
    setIf(ctx, ta && tb ? ctx.emit.op('Sub', [ta, tb]) : ta ?? (tb && ctx.emit.op('Neg', [tb])));
  },
  Mul: (ctx) => {
    const [a, b] = ctx.node.input;
    const [ta, tb] = [aligned(ctx, 0), aligned(ctx, 1)];
    setIf(ctx, sum(ctx, [ta && mul(ctx, ta, b), tb && mul(ctx, a, tb)]));
  },
  Div: (ctx) => {
    // (ta − y·tb) / b
    const [, b] = ctx.node.input;
    const [ta, tb] = [aligned(ctx, 0), aligned(ctx, 1)];
    const numerator = tb ? (ta ? ctx.emit.op('Sub', [ta, mul(ctx, ctx.node.output[0], tb)]) : ctx.emit.op('Neg', [mul(ctx, ctx.node.output[0], tb)])) : ta;
    setIf(ctx, numerator && ctx.emit.op('Div', [numerator, b]));
  },
  MatMul: (ctx) => {
    // Each operand's tangent gets the other's batch rank, so that K stays in front of the broadcast batch axes.
    const [a, b] = ctx.node.input;
    const [ta, tb] = [ctx.tangent(0), ctx.tangent(1)];
    if (ctx.rank(a) === 1 || ctx.rank(b) === 1) throw new Error('MatMul of a 1-D operand (its tangent would be read as a matrix)');
    setIf(ctx, sum(ctx, [ta && ctx.emit.op('MatMul', [ctx.align(ta, a, [b]), b]), tb && ctx.emit.op('MatMul', [a, ctx.align(tb, b, [a])])]));
  },
  Gemm: (ctx) => {
    // 2-D only, so as MatMuls: alpha·op(A)·op(B) + beta·C.
    const [a, b, c] = ctx.node.input;
    const [ta, tb, tc] = [ctx.tangent(0), ctx.tangent(1), c ? ctx.tangent(2) : undefined];
    const [transA, transB] = [intAttr(ctx, 'transA', 0), intAttr(ctx, 'transB', 0)];
    const primal = (x: string, trans: number) => (trans ? ctx.emit.op('Transpose', [x], { perm: [1, 0] }) : x);
    const tangent = (t: string, trans: number) => (trans ? transposed(ctx, t) : t);
    const alpha = ctx.scalar(floatAttr(ctx, 'alpha', 1));
    const product = sum(ctx, [ta && ctx.emit.op('MatMul', [tangent(ta, transA), primal(b, transB)]), tb && ctx.emit.op('MatMul', [primal(a, transA), tangent(tb, transB)])]);
    const bias = tc && mul(ctx, ctx.align(tc, c, [a]), ctx.scalar(floatAttr(ctx, 'beta', 1)));
    setIf(ctx, sum(ctx, [product && mul(ctx, product, alpha), bias]));
  },
  Pow: (ctx) => {
    const [x, exponent] = ctx.node.input;
    if (ctx.tangent(1)) throw new Error('Pow with an exponent that depends on the embedding');
    const t = aligned(ctx, 0);
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
    // ty = y · (tx − Σ y·tx) over the softmax axis (from opset 13), or, before it, over the axes
    // from `axis` on (the input seen as 2-D): there over the last axis of y flattened at `axis`.
    const t = ctx.tangent(0);
    if (!t) return;
    const y = ctx.node.output[0];
    if (ctx.opset >= 13) {
      const axis = shift(intAttr(ctx, 'axis', -1));
      ctx.set(0, mul(ctx, y, ctx.emit.op('Sub', [t, reduce(ctx, 'ReduceSum', mul(ctx, y, t), [axis], 1)])));
      return;
    }
    const flatY = ctx.emit.op('Flatten', [y], { axis: intAttr(ctx, 'axis', 1) });
    const flatT = reshapeLike(ctx, t, flatY);
    const flat = mul(ctx, flatY, ctx.emit.op('Sub', [flatT, reduce(ctx, 'ReduceSum', mul(ctx, flatY, flatT), [-1], 1)]));
    ctx.set(0, reshapeLike(ctx, flat, y));
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
