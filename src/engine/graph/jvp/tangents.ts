/**
 * Forward-mode differentiation as a graph rewrite: the prepared graph gets a second input,
 * `embedding_scale_tangent` (the direction in which `embedding_scale` moves), and a second
 * output, `logits_tangent`, the derivative of the logits along it (a Jacobian-vector product).
 * Every node downstream of the embedding scale gets its tangent computation (rules.ts), sharing
 * the primal values of the same pass; nodes that do not depend on it get none, and neither do
 * the cached past keys and values (a perturbation after the cached prefix does not change them).
 * With the tangent one at prompt position n of a row and zero elsewhere, `logits_tangent` is
 * d logits / d s_n at s = 1, so d log p_m / d s_n = t[y_m] − Σ_v softmax_v · t_v and gradient
 * × input is p_m times that (METHODS.md §1.2), exact up to the float type's rounding.
 */
import { Emitter } from '../contrib/emit.ts';
import { dimsOf, elemTypeOf, opsetVersion, tensorValueInfo, TensorDataType, type ModelProto, type NodeProto, type ValueInfoProto } from '../onnx-model.ts';
import { CONSTANT_OPS, TANGENT_RULES, type TangentContext } from './rules.ts';

export const TANGENT_INPUT_SUFFIX = '_tangent';
export const LOGITS_TANGENT_OUTPUT = 'logits_tangent';

export interface TangentGraph {
  /** The seed input ([batch, sequence, 1], like the embedding scale). */
  input: string;
  output: string;
}

/** Why a graph cannot be differentiated: the operator (and what about it). */
export class UnsupportedTangent extends Error {}

function ruleKey(node: NodeProto): string {
  const domain = node.domain === 'ai.onnx' ? '' : (node.domain ?? '');
  return domain ? `${domain}.${node.op_type}` : node.op_type;
}

/**
 * Adds the tangent input and output to `model` (whose float tensors are `floatType`), in place.
 * Throws UnsupportedTangent naming the first operator downstream of `seed` that has no rule,
 * leaving the graph unchanged.
 */
export function insertTangents(model: ModelProto, seed: string, logits: string, floatType: number): TangentGraph {
  const graph = model.graph;
  const opset = opsetVersion(model);
  const input = `${seed}${TANGENT_INPUT_SUFFIX}`;
  const tangents = new Map<string, string>([[seed, input]]);
  const emitted: Emitter[] = [];
  for (const node of graph.node) {
    if (!node.input.some((name) => tangents.has(name))) continue;
    const key = ruleKey(node);
    if (CONSTANT_OPS.has(key)) continue;
    const rule = TANGENT_RULES[key];
    if (!rule) throw new UnsupportedTangent(`the operator ${key} (node ${node.name || node.output[0]}) has no tangent rule`);
    const emit = new Emitter(`${node.name || node.output[0]}/jvp`, opset);
    const ctx: TangentContext = {
      node,
      emit,
      opset,
      tangent: (index) => (node.input[index] ? tangents.get(node.input[index]) : undefined),
      set: (index, tangent) => tangents.set(node.output[index], tangent),
      scalar: (value) => emit.floats([value], floatType, []),
      zerosLike: (x) => emit.node({ op_type: 'ConstantOfShape', domain: '', input: [emit.op('Shape', [x])], output: [emit.name('zeros')], attribute: [{ name: 'value', type: 4, t: zeroTensor(floatType) }] }),
      attr: (name) => node.attribute?.find((a) => a.name === name),
    };
    try {
      rule(ctx);
    } catch (error) {
      throw new UnsupportedTangent(`${key} (node ${node.name || node.output[0]}): ${(error as Error).message}`);
    }
    emitted.push(emit);
  }
  const logitsTangent = tangents.get(logits);
  if (!logitsTangent) throw new UnsupportedTangent(`the logits do not depend on ${seed}`);
  for (const emit of emitted) {
    graph.node.push(...emit.nodes);
    graph.initializer.push(...emit.initializers);
  }
  graph.node.push({ name: 'prompt_lens_logits_tangent', op_type: 'Identity', domain: '', input: [logitsTangent], output: [LOGITS_TANGENT_OUTPUT], attribute: [] });
  // Declared as the seed and the logits are (type and shape).
  graph.input.push(like(graph.input.find((i) => i.name === seed), input, floatType));
  graph.output.push(like(graph.output.find((o) => o.name === logits), LOGITS_TANGENT_OUTPUT, floatType));
  return { input, output: LOGITS_TANGENT_OUTPUT };
}

function like(info: ValueInfoProto | undefined, name: string, floatType: number): ValueInfoProto {
  const elemType = (info && elemTypeOf(info)) ?? floatType;
  return info?.type?.tensor_type?.shape ? tensorValueInfo(name, elemType, dimsOf(info)) : { name, type: { tensor_type: { elem_type: elemType } } };
}

function zeroTensor(floatType: number) {
  const raw = floatType === TensorDataType.DOUBLE ? new Uint8Array(8) : new Uint8Array(4);
  return { name: '', dims: [1], data_type: floatType === TensorDataType.DOUBLE ? TensorDataType.DOUBLE : TensorDataType.FLOAT, raw_data: raw };
}
