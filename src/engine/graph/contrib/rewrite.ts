/**
 * onnxruntime's contrib operators rewritten into standard ONNX operators, so that a graph of a
 * third-party export (ONNX Runtime GenAI builder, onnx-community fp16 / q4f16) can be converted
 * to float64: the contrib operators have float32 and float16 kernels only. One rule per operator;
 * a rule declines the forms it does not cover (the node stays, and float64 is refused naming it).
 * Each rule is checked against onnxruntime's own kernel on random inputs
 * (test/integration/contrib-rewrite.test.ts). Rules write double constants: they run just
 * before the float64 conversion (float64.ts).
 */
import { dimsOf, opsetVersion, TensorDataType, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../onnx-model.ts';
import { isExternal, readExternalBytes } from '../external-data.ts';
import { storedBytes } from '../float64.ts';
import { fastGelu } from './activation.ts';
import { attention, groupQueryAttention, multiHeadAttention } from './attention.ts';
import { Emitter } from './emit.ts';
import { embedLayerNormalization, simplifiedLayerNormalization, skipLayerNormalization, skipSimplifiedLayerNormalization } from './layer-norm.ts';
import { gatherBlockQuantized, matMulNBits } from './quantized.ts';
import { rotaryEmbedding } from './rotary.ts';

export interface RuleContext {
  node: NodeProto;
  emit: Emitter;
  /** An int or float attribute of the node. */
  attr(name: string): number | undefined;
  initializer(name: string): TensorProto | undefined;
  /** Rank of a graph input, output or value-info tensor, when recorded. */
  rankOf(name: string): number | undefined;
  dimsOf(name: string): (number | string)[] | undefined;
  /** Whether output `index` of the node exists and is read (by a node or as a graph output). */
  used(index: number): boolean;
  tensorBytes(tensor: TensorProto): Promise<Uint8Array>;
  /** The values of a float32 or float64 tensor (undefined for other types). */
  floatValues(tensor: TensorProto): Promise<ArrayLike<number> | undefined>;
}

/** Writes the node's replacement into ctx.emit and returns true, or returns false for a form it does not cover. */
export type Rule = (ctx: RuleContext) => Promise<boolean>;

const RULES: Record<string, Rule> = {
  'com.microsoft.Attention': attention,
  'com.microsoft.MultiHeadAttention': multiHeadAttention,
  'com.microsoft.GroupQueryAttention': groupQueryAttention,
  'com.microsoft.RotaryEmbedding': rotaryEmbedding,
  'com.microsoft.SkipSimplifiedLayerNormalization': skipSimplifiedLayerNormalization,
  'com.microsoft.SkipLayerNormalization': skipLayerNormalization,
  'com.microsoft.EmbedLayerNormalization': embedLayerNormalization,
  'com.microsoft.MatMulNBits': matMulNBits,
  'com.microsoft.GatherBlockQuantized': gatherBlockQuantized,
  'com.microsoft.FastGelu': fastGelu,
  // onnxruntime's RMS norm, registered in the standard domain but not a standard operator.
  '.SimplifiedLayerNormalization': simplifiedLayerNormalization,
};

/** Operators that hold the token-embedding lookup inside them. */
const EMBEDDING_FUSIONS = new Set(['com.microsoft.EmbedLayerNormalization']);

/**
 * Rewrites the operators that hold the token-embedding lookup inside them (onnxruntime.transformers'
 * EmbedLayerNormalization), in place and in any precision, so that the lookup can be found and scaled
 * (prepare.ts); returns the operators it replaced.
 */
export function unfuseEmbedding(model: ModelProto, sourceDir: string): Promise<string[]> {
  return rewriteContribOperators(model, sourceDir, (node) => EMBEDDING_FUSIONS.has(operatorKey(node)));
}

/** Rewrites every node it has a rule for (of those `select` picks), in place; returns the operators it replaced. */
export async function rewriteContribOperators(model: ModelProto, sourceDir: string, select: (node: NodeProto) => boolean = () => true): Promise<string[]> {
  const graph = model.graph;
  const rewrite = nodeRewriter(model, sourceDir);
  const replaced: string[] = [];
  const nodes: NodeProto[] = [];
  for (const node of graph.node) {
    const emit = select(node) ? await rewrite(node) : undefined;
    if (emit) {
      nodes.push(...emit.nodes);
      graph.initializer.push(...emit.initializers);
      replaced.push(node.op_type);
    } else {
      nodes.push(node);
    }
  }
  graph.node = nodes;
  dropUnusedInitializers(graph);
  return replaced;
}

/** The standard-operator form of one node of `model` (its nodes and constants), or undefined when no rule covers it. */
export type NodeRewriter = (node: NodeProto) => Promise<Emitter | undefined>;

export function nodeRewriter(model: ModelProto, sourceDir: string): NodeRewriter {
  const graph = model.graph;
  const opset = opsetVersion(model);
  const infos = new Map([...graph.input, ...graph.output, ...(graph.value_info ?? [])].map((i) => [i.name, i]));
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));
  const tensorBytes = async (tensor: TensorProto) => (isExternal(tensor) ? readExternalBytes(tensor, sourceDir, storedBytes(tensor)) : Uint8Array.from(tensor.raw_data ?? []));
  const consumed = new Set([...graph.node.flatMap((n) => n.input), ...graph.output.map((o) => o.name)]);
  return async (node) => {
    const rule = RULES[operatorKey(node)];
    if (!rule) return undefined;
    const emit = new Emitter(node.name || node.output[0], opset);
    const ctx: RuleContext = {
      node,
      emit,
      attr: (name) => {
        const a = node.attribute?.find((x) => x.name === name);
        return a === undefined ? undefined : a.type === 1 ? Number(a.f) : Number(a.i);
      },
      initializer: (name) => initializers.get(name),
      rankOf: (name) => (infos.get(name)?.type?.tensor_type?.shape ? dimsOf(infos.get(name)!).length : undefined),
      dimsOf: (name) => (infos.has(name) ? dimsOf(infos.get(name)!) : undefined),
      used: (index) => !!node.output[index] && consumed.has(node.output[index]),
      tensorBytes,
      floatValues: async (tensor) => floatValues(tensor, await tensorBytes(tensor)),
    };
    return (await rule(ctx)) ? emit : undefined;
  };
}

/** domain.op_type, the standard domain written as '' (the key of RULES). */
function operatorKey(node: NodeProto): string {
  return `${node.domain === 'ai.onnx' ? '' : (node.domain ?? '')}.${node.op_type}`;
}

function floatValues(tensor: TensorProto, bytes: Uint8Array): ArrayLike<number> | undefined {
  const copy = Uint8Array.from(bytes).buffer;
  if (tensor.data_type === TensorDataType.FLOAT) return bytes.length > 0 ? new Float32Array(copy) : (tensor.float_data ?? []);
  if (tensor.data_type === TensorDataType.DOUBLE) return new Float64Array(copy);
  return undefined;
}

/** Quantized tables that only the replaced nodes read. */
function dropUnusedInitializers(graph: GraphProto): void {
  const used = new Set(graph.node.flatMap((n) => n.input));
  for (const output of graph.output) used.add(output.name);
  graph.initializer = graph.initializer.filter((t) => used.has(t.name));
}
