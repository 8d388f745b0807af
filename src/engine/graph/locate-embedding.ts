/**
 * Finds the token-embedding lookup of a decoder graph: the node that turns `input_ids` into
 * embedding rows (METHODS.md §1.1: before position embeddings and any model-specific scaling).
 * Works for fp32/fp16 tables (Gather), tables dequantized before the lookup
 * (DequantizeLinear → Gather), quantized lookups (Gather on int8 rows → DequantizeLinear) and
 * the com.microsoft GatherBlockQuantized op. A lookup fused into com.microsoft.EmbedLayerNormalization
 * (onnxruntime.transformers) is split out before (contrib/rewrite.ts unfuseEmbedding); one left fused is named in the refusal.
 */
import { EngineError } from '../errors.ts';
import { TensorDataType, type GraphProto, type NodeProto } from './onnx-model.ts';

export interface EmbeddingLookup {
  /** The node whose output is the float embedding of each input token. */
  node: NodeProto;
  /** The name of that output: every consumer of it is fed the scaled embedding instead. */
  output: string;
  /** ONNX element type of the embedding (FLOAT or FLOAT16). */
  elemType: number;
  /** Name of the embedding table (or quantized table) initializer. */
  table: string;
}

const PASS_THROUGH_OPS = new Set(['Cast', 'Identity', 'Reshape', 'Unsqueeze', 'Squeeze']);
const FLOAT_TYPES = new Set<number>([TensorDataType.FLOAT, TensorDataType.FLOAT16, TensorDataType.BFLOAT16]);

export function locateEmbedding(graph: GraphProto, idsInput = 'input_ids'): EmbeddingLookup {
  const consumers = consumersByInput(graph);
  const producers = new Map<string, NodeProto>();
  for (const node of graph.node) for (const out of node.output) producers.set(out, node);
  const initializers = new Map(graph.initializer.map((t) => [t.name, t]));

  // Names that carry the token ids (input_ids, possibly through casts/reshapes).
  const idNames = new Set([idsInput]);
  const queue = [idsInput];
  while (queue.length > 0) {
    const name = queue.pop()!;
    for (const node of consumers.get(name) ?? []) {
      if (PASS_THROUGH_OPS.has(node.op_type) && node.input[0] === name) {
        for (const out of node.output) {
          if (idNames.has(out)) continue;
          idNames.add(out);
          queue.push(out);
        }
      }
    }
  }

  const candidates = graph.node.filter(
    (n) => (n.op_type === 'Gather' || n.op_type === 'GatherBlockQuantized') && idNames.has(n.input[1]) && !idNames.has(n.input[0]),
  );
  const fused = graph.node.find((n) => n.op_type === 'EmbedLayerNormalization' && idNames.has(n.input[0]));
  if (candidates.length === 0 && fused) {
    throw new EngineError(
      'unsupported-graph',
      `The token embedding is inside the ${fused.domain ? `${fused.domain}.` : ''}EmbedLayerNormalization node "${fused.name || fused.output[0]}" (onnxruntime.transformers' fusion of the embeddings). Attribution splits it into its lookups when its word table is a float initializer and segment ids and table come together; the attention-head analysis reads the table only from a Gather.`,
      'Use an export without onnxruntime.transformers\' fusions (optimum / transformers.js), or report the model.',
    );
  }
  if (candidates.length === 0) {
    throw new EngineError(
      'unsupported-graph',
      `No token-embedding lookup found: no Gather or GatherBlockQuantized node takes "${idsInput}" as its indices.`,
      'Use a decoder-only causal LM exported with optimum or transformers.js conventions (input_ids → embedding Gather), or report the model so its layout can be added.',
    );
  }
  if (candidates.length > 1) {
    throw new EngineError(
      'unsupported-graph',
      `Found ${candidates.length} nodes that look up "${idsInput}" (${candidates.map((c) => c.name ?? c.op_type).join(', ')}); cannot tell which is the token embedding.`,
      'Report the model so its layout can be added to the architecture table.',
    );
  }
  const node = candidates[0];
  const tableName = node.input[0];

  if (node.op_type === 'GatherBlockQuantized') {
    // Output type follows the scales (input 2).
    const scales = initializers.get(node.input[2]);
    return { node, output: node.output[0], elemType: scales?.data_type ?? TensorDataType.FLOAT, table: tableName };
  }

  const tableType = elementTypeOfProducer(tableName, initializers, producers);
  if (tableType !== undefined && FLOAT_TYPES.has(tableType)) {
    return { node, output: node.output[0], elemType: tableType, table: tableName };
  }
  // Quantized rows: follow the single dequantizing consumer to the float embedding.
  const next = (consumers.get(node.output[0]) ?? []).filter((n) => n.op_type === 'DequantizeLinear');
  if (next.length === 1) {
    const scale = initializers.get(next[0].input[1]);
    return { node: next[0], output: next[0].output[0], elemType: scale?.data_type ?? TensorDataType.FLOAT, table: tableName };
  }
  throw new EngineError(
    'unsupported-graph',
    `The token-embedding lookup "${node.name ?? node.op_type}" reads a table of element type ${tableType ?? 'unknown'} and no dequantization follows it.`,
    'Use an fp32, fp16, q8 or q4 export from transformers.js / optimum, or report the model.',
  );
}

function consumersByInput(graph: GraphProto): Map<string, NodeProto[]> {
  const map = new Map<string, NodeProto[]>();
  for (const node of graph.node) {
    for (const input of node.input) {
      const list = map.get(input);
      if (list) list.push(node);
      else map.set(input, [node]);
    }
  }
  return map;
}

/** The element type of a weight-only tensor: an initializer, or a dequantize/cast of one. */
function elementTypeOfProducer(
  name: string,
  initializers: Map<string, { data_type: number }>,
  producers: Map<string, NodeProto>,
): number | undefined {
  const init = initializers.get(name);
  if (init) return init.data_type;
  const producer = producers.get(name);
  if (!producer) return undefined;
  if (producer.op_type === 'DequantizeLinear') return initializers.get(producer.input[1])?.data_type ?? TensorDataType.FLOAT;
  if (producer.op_type === 'Cast') return producer.attribute?.find((a) => a.name === 'to')?.i;
  if (PASS_THROUGH_OPS.has(producer.op_type) || producer.op_type === 'Transpose') {
    return elementTypeOfProducer(producer.input[0], initializers, producers);
  }
  return undefined;
}
