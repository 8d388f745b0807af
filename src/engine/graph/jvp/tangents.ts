/**
 * Forward-mode differentiation as a graph rewrite: the prepared graph gets a second input,
 * `embedding_scale_tangent`, K directions in which `embedding_scale` moves ([K] ++ its shape),
 * and a second output, `logits_tangent`, the derivative of the logits along each ([K] ++ the
 * logits' shape: K Jacobian-vector products in vector mode, as JAX's vmap batches jvp). The
 * primal runs once, whatever K. Every node downstream of the embedding scale gets its tangent
 * computation (rules.ts), sharing the primal values of the same pass; nodes that do not depend on
 * it get none, and neither do the cached past keys and values (a perturbation after the cached
 * prefix does not change them). With direction k one at prompt position n and zero elsewhere,
 * `logits_tangent[k]` is d logits / d s_n at s = 1, so d log p_m / d s_n = t[y_m] − Σ_v softmax_v
 * · t_v and gradient × input is p_m times that (METHODS.md §1.2), exact up to the float type's
 * rounding.
 * The whole pass is one If node on a third input, `tangent_wanted` (onnxruntime runs every node
 * of a graph whatever is fetched): its then-branch computes the primal and the tangents, its
 * else-branch the primal only, so a pass that wants no tangent (generation, occlusion) costs
 * what the original graph does, in the same session, over the same weights (the main graph's
 * initializers, which both branches read).
 */
import { Emitter } from '../contrib/emit.ts';
import type { NodeRewriter } from '../contrib/rewrite.ts';
import { dimsOf, elemTypeOf, opsetVersion, tensorValueInfo, TensorDataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx-model.ts';
import { topologicalOrder } from '../topological-order.ts';
import { Ranks } from './ranks.ts';
import { CONSTANT_OPS, TANGENT_RULES, type TangentContext } from './rules.ts';

export const TANGENT_INPUT_SUFFIX = '_tangent';
export const LOGITS_TANGENT_OUTPUT = 'logits_tangent';
export const TANGENT_WANTED_INPUT = 'tangent_wanted';
/** The seed tangent's leading dimension: K, the directions computed in one pass. */
export const TANGENT_DIRECTIONS_DIM = 'tangent_directions';
/** Largest rank difference an operand's tangent is aligned over. */
const MAX_RANK = 8;

export interface TangentGraph {
  /** The seed input ([K, batch, sequence, 1]: K directions of the embedding scale). */
  input: string;
  output: string;
  /** A bool [1] input: whether the pass computes the tangent (when false, `output` is empty). */
  wanted: string;
}

/** Why a graph cannot be differentiated: the operator (and what about it). */
export class UnsupportedTangent extends Error {}

function ruleKey(node: NodeProto): string {
  const domain = node.domain === 'ai.onnx' ? '' : (node.domain ?? '');
  return domain ? `${domain}.${node.op_type}` : node.op_type;
}

/**
 * Adds the tangent input and output to `model` (whose float tensors are `floatType`), in place.
 * A node with no tangent rule of its own but a rewrite into standard operators (`rewrite`:
 * onnxruntime's contrib operators, contrib/rewrite.ts) is differentiated through a copy of that
 * rewrite, which computes the primal values its tangents need beside the fused node.
 * Throws UnsupportedTangent naming the first operator downstream of `seed` that has neither,
 * leaving the graph unchanged.
 */
export async function insertTangents(model: ModelProto, seed: string, logits: string, floatType: number, rewrite?: NodeRewriter): Promise<TangentGraph> {
  const graph = model.graph;
  const opset = opsetVersion(model);
  const input = `${seed}${TANGENT_INPUT_SUFFIX}`;
  const tangents = new Map<string, string>([[seed, input]]);
  const added: { nodes: NodeProto[]; initializers: TensorProto[] } = { nodes: [], initializers: [] };
  // Shared by every rule: K, the number of directions (dimension 0 of the seed's tangent), and a row of ones.
  const sharedEmit = new Emitter('prompt_lens_jvp', opset);
  const shared = { directions: sharedEmit.dim(input, 0), ones: sharedEmit.int64(new Array<number>(MAX_RANK).fill(1)) };
  const tangentShape = (emit: Emitter, x: string) => emit.op('Concat', [shared.directions, emit.op('Shape', [x])], { axis: 0 });
  const ranks = new Ranks(graph);
  /** The rank of primal `x`: a number when known, else a 1-D int64 tensor (from its tangent's shape when it has one). */
  const rankOf = (emit: Emitter, x: string): number | string => {
    const known = ranks.get(x);
    if (known !== undefined) return known;
    const t = tangents.get(x);
    return t ? emit.op('Sub', [emit.op('Shape', [emit.op('Shape', [t])]), emit.int64([1])]) : emit.op('Shape', [emit.op('Shape', [x])]);
  };

  const visit = async (node: NodeProto): Promise<void> => {
    ranks.infer(node);
    if (!node.input.some((name) => tangents.has(name))) return;
    const key = ruleKey(node);
    if (CONSTANT_OPS.has(key)) return;
    const name = node.name || node.output[0];
    const rule = TANGENT_RULES[key];
    if (!rule) {
      const standard = rewrite && (await rewrite(node));
      if (!standard) throw new UnsupportedTangent(`the operator ${key} (node ${name}) has no tangent rule`);
      const copy = primalCopy(standard, node, floatType);
      added.nodes.push(...copy.nodes);
      added.initializers.push(...copy.initializers);
      for (const tensor of copy.initializers) ranks.constant(tensor.name, (tensor.dims ?? []).map(Number));
      for (const inner of copy.nodes) await visit(inner);
      node.output.forEach((output, k) => {
        if (output) ranks.alias(output, copy.outputs[k]);
        const tangent = output && tangents.get(copy.outputs[k]);
        if (tangent) tangents.set(output, tangent);
      });
      return;
    }
    const emit = new Emitter(`${name}/jvp`, opset);
    const ctx: TangentContext = {
      node,
      emit,
      opset,
      tangent: (index) => (node.input[index] ? tangents.get(node.input[index]) : undefined),
      set: (index, tangent) => tangents.set(node.output[index], tangent),
      scalar: (value) => emit.floats([value], floatType, []),
      directions: shared.directions,
      tangentShape: (x) => tangentShape(emit, x),
      zeros: (shape) => emit.node({ op_type: 'ConstantOfShape', domain: '', input: [shape], output: [emit.name('zeros')], attribute: [{ name: 'value', type: 4, t: zeroTensor(floatType) }] }),
      align: (t, x, others) => {
        const own = rankOf(emit, x);
        const targets = others.map((o) => rankOf(emit, o));
        if (typeof own === 'number' && targets.every((r): r is number => typeof r === 'number')) {
          // Known ranks: nothing to do, or ones inserted after K.
          const missing = Math.max(own, ...targets) - own;
          return missing === 0 ? t : emit.unsqueeze(t, Array.from({ length: missing }, (_, i) => i + 1));
        }
        // At run time: [K] ++ ones(max rank − own rank) ++ the rest of t's shape.
        const asTensor = (r: number | string) => (typeof r === 'number' ? emit.int64([r]) : r);
        const largest = targets.map(asTensor).reduce((a, b) => emit.op('Where', [emit.op('Less', [a, b]), b, a]), asTensor(own));
        const padding = emit.op('Slice', [shared.ones, emit.int64([0]), emit.op('Sub', [largest, asTensor(own)])]);
        const rest = emit.op('Slice', [emit.op('Shape', [t]), emit.int64([1]), emit.int64([Number.MAX_SAFE_INTEGER])]);
        return emit.op('Reshape', [t, emit.op('Concat', [shared.directions, padding, rest], { axis: 0 })], opset >= 14 ? { allowzero: 1 } : {});
      },
      rank: (x) => ranks.get(x),
      attr: (attribute) => node.attribute?.find((a) => a.name === attribute),
    };
    try {
      rule(ctx);
    } catch (error) {
      throw new UnsupportedTangent(`${key} (node ${name}): ${(error as Error).message}`);
    }
    added.nodes.push(...emit.nodes);
    added.initializers.push(...emit.initializers);
  };

  for (const node of graph.node) await visit(node);
  added.nodes.unshift(...sharedEmit.nodes);
  added.initializers.push(...sharedEmit.initializers);
  const logitsTangent = tangents.get(logits);
  if (!logitsTangent) throw new UnsupportedTangent(`the logits do not depend on ${seed}`);
  // Constants stay in the main graph (large ones go to the weights file); the branches read them.
  graph.initializer.push(...added.initializers);
  // The whole pass runs inside the If, the primal in both branches: a primal value the tangents
  // read would otherwise live in the main graph until the If ran, so every layer's activations
  // were held at once, in every pass (3x the weight bytes on the SmolLM2-135M bench).
  const primal = graph.node;
  const outputs = graph.output.map((o) => o.name);
  const then = branch('prompt_lens_tangents', 'then', [...primal, ...added.nodes], [...outputs, logitsTangent], graph, floatType);
  const none = { name: '', dims: [0], data_type: floatType, raw_data: new Uint8Array(0) };
  const empty: NodeProto = { name: 'prompt_lens_logits_tangent_else', op_type: 'Constant', domain: '', input: [], output: [`${LOGITS_TANGENT_OUTPUT}/prompt_lens_empty`], attribute: [{ name: 'value', type: 4, t: none }] };
  // The primal values the tangents read get a reader in the else-branch too (a Shape, whose
  // output nothing reads), so onnxruntime fuses the same primal nodes in both branches (a value
  // read elsewhere is never fused away): a pass computes the same logits with or without a
  // tangent. onnxruntime orders a graph by depth-first search back from its leaf nodes, the last
  // listed first: the pins are listed last, in reverse, so each runs as soon as its value is made.
  const read = new Set(added.nodes.flatMap((n) => n.input));
  const pins = primal
    .flatMap((node) => node.output.filter((name) => read.has(name)))
    .map((name): NodeProto => ({ name: `${name}/prompt_lens_pin`, op_type: 'Shape', domain: '', input: [name], output: [`${name}/prompt_lens_pin`], attribute: [] }))
    .reverse();
  const otherwise = branch('prompt_lens_no_tangents', 'else', [...primal, empty, ...pins], [...outputs, empty.output[0]], graph, floatType);
  graph.node = [{ name: 'prompt_lens_pass', op_type: 'If', domain: '', input: [TANGENT_WANTED_INPUT], output: [...outputs, LOGITS_TANGENT_OUTPUT], attribute: [{ name: 'then_branch', type: 5, g: then }, { name: 'else_branch', type: 5, g: otherwise }] }];
  graph.value_info = [];
  // Declared as the seed is (type and shape) after the directions; the output's shape differs between the branches.
  graph.input.push(like(graph.input.find((i) => i.name === seed), input, floatType), tensorValueInfo(TANGENT_WANTED_INPUT, TensorDataType.BOOL, [1]));
  graph.output.push({ name: LOGITS_TANGENT_OUTPUT, type: { tensor_type: { elem_type: floatType } } });
  return { input, output: LOGITS_TANGENT_OUTPUT, wanted: TANGENT_WANTED_INPUT };
}

/**
 * The rewrite of `node` as a second computation beside it: its outputs renamed (the fused node
 * keeps writing the originals), and, in a float32 graph, its double constants and casts made
 * float32 (rewrites are written for the float64 conversion).
 */
function primalCopy(standard: Emitter, node: NodeProto, floatType: number): { nodes: NodeProto[]; initializers: TensorProto[]; outputs: string[] } {
  const renamed = new Map(node.output.filter(Boolean).map((o) => [o, `${o}/prompt_lens_jvp_primal`]));
  const rename = (name: string) => renamed.get(name) ?? name;
  const nodes = standard.nodes.map((n) => ({ ...n, input: n.input.map(rename), output: n.output.map(rename) }));
  const initializers = standard.initializers.map((t) => (floatType === TensorDataType.FLOAT && t.data_type === TensorDataType.DOUBLE ? toFloat32(t) : t));
  if (floatType === TensorDataType.FLOAT) {
    for (const n of nodes) {
      if (n.op_type === 'Cast') n.attribute = (n.attribute ?? []).map((a) => (a.name === 'to' && Number(a.i) === TensorDataType.DOUBLE ? { ...a, i: TensorDataType.FLOAT } : a));
    }
  }
  return { nodes, initializers, outputs: node.output.map(rename) };
}

/** A double constant as float32, its extremes clamped to float32's (masked scores stay finite). */
function toFloat32(tensor: TensorProto): TensorProto {
  const values = new Float64Array(Uint8Array.from(tensor.raw_data ?? []).buffer);
  const largest = 3.4028234663852886e38;
  const floats = Float32Array.from(values, (v) => Math.max(-largest, Math.min(largest, v)));
  return { ...tensor, data_type: TensorDataType.FLOAT, raw_data: new Uint8Array(floats.buffer) };
}

/**
 * An If branch of `graph`'s pass: `nodes` (copied, topologically sorted) computing `values` as
 * the branch's outputs, in the order of the If's outputs (graph's outputs, then the logits'
 * tangent). Branch outputs get names of their own (`/prompt_lens_then|else`): the If's outputs
 * take the graph outputs' names. Everything else is read from the main graph (inputs, weights).
 */
function branch(name: string, which: 'then' | 'else', nodes: NodeProto[], values: string[], graph: GraphProto, floatType: number): GraphProto {
  const renamed = new Map(values.map((v) => [v, `${v}/prompt_lens_${which}`]));
  const produced = new Set(nodes.flatMap((n) => n.output));
  const rename = (v: string) => renamed.get(v) ?? v;
  const copies = nodes.map((n) => ({ ...n, input: n.input.map(rename), output: n.output.map(rename) }));
  // A graph output that is an input or a weight, not computed: passed through.
  for (const v of values) if (!produced.has(v)) copies.push({ name: `${rename(v)}/identity`, op_type: 'Identity', domain: '', input: [v], output: [rename(v)], attribute: [] });
  const declared = new Map(graph.output.map((o) => [o.name, o]));
  const output = values.map((v) => ({ ...(declared.get(v) ?? { type: { tensor_type: { elem_type: floatType } } }), name: rename(v) }));
  return { name, node: topologicalOrder(copies), initializer: [], input: [], output, value_info: graph.value_info?.map((info) => ({ ...info })) ?? [] };
}

/** The seed's tangent: the seed's type, its shape after a leading dimension of directions. */
function like(info: ValueInfoProto | undefined, name: string, floatType: number): ValueInfoProto {
  const elemType = (info && elemTypeOf(info)) ?? floatType;
  return info?.type?.tensor_type?.shape ? tensorValueInfo(name, elemType, [TANGENT_DIRECTIONS_DIM, ...dimsOf(info)]) : { name, type: { tensor_type: { elem_type: elemType } } };
}

function zeroTensor(floatType: number) {
  const raw = floatType === TensorDataType.DOUBLE ? new Uint8Array(8) : new Uint8Array(4);
  return { name: '', dims: [1], data_type: floatType === TensorDataType.DOUBLE ? TensorDataType.DOUBLE : TensorDataType.FLOAT, raw_data: raw };
}
