/**
 * Graphs written by onnxruntime.transformers' optimizer (producer "onnxruntime.transformers", e.g. the GPT-2 test
 * models of microsoft/onnxruntime-genai), made to take what Prompt Lens feeds:
 * - the token and position lookups fused with the first LayerNorm into com.microsoft.EmbedLayerNormalization are
 *   split out again (contrib/rewrite.ts), in every precision, so that the token embedding can be found and scaled;
 * - the older GPT-2 KV cache, one past_N / present_N tensor per layer with keys and values stacked
 *   ([2, batch, heads, past, head_dim]), becomes past_key_values.N.key / .value inputs stacked in the graph and
 *   present.N.key / .value outputs taken apart from present_N;
 * - int32 input_ids / attention_mask / position_ids become int64 inputs cast to int32 in the graph.
 * Each change is exact (casts of ids, concatenation and indexing of the cache).
 */
import { Emitter } from './contrib/emit.ts';
import { unfuseEmbedding } from './contrib/rewrite.ts';
import { dimsOf, elemTypeOf, opsetVersion, tensorValueInfo, TensorDataType, type GraphProto, type ModelProto, type NodeProto } from './onnx-model.ts';

const ID_INPUTS = ['input_ids', 'attention_mask', 'position_ids'];
const STACKED_PAST = /^past_(\d+)$/;
const STACKED_PRESENT = /^present_(\d+)$/;

export async function adaptOptimizedGraph(model: ModelProto, sourceDir: string): Promise<void> {
  const emit = new Emitter('prompt_lens_io', opsetVersion(model));
  const inputs = [...splitStackedPast(model.graph, emit), ...castIdInputs(model.graph, emit)];
  const outputs = splitStackedPresent(model.graph, emit);
  model.graph.node = [...inputs, ...model.graph.node, ...outputs];
  model.graph.initializer.push(...emit.initializers);
  await unfuseEmbedding(model, sourceDir);
}

/** past_N [2, batch, heads, past, head_dim] ← Concat(Unsqueeze(past_key_values.N.key), Unsqueeze(…value)). */
function splitStackedPast(graph: GraphProto, emit: Emitter): NodeProto[] {
  const from = emit.nodes.length;
  graph.input = graph.input.flatMap((input) => {
    const layer = STACKED_PAST.exec(input.name)?.[1];
    const dims = dimsOf(input);
    if (layer === undefined || dims.length !== 5 || dims[0] !== 2) return [input];
    const [key, value] = ['key', 'value'].map((kind) => tensorValueInfo(`past_key_values.${layer}.${kind}`, elemTypeOf(input) ?? TensorDataType.FLOAT, dims.slice(1)));
    emit.op('Concat', [emit.unsqueeze(key.name, [0]), emit.unsqueeze(value.name, [0])], { axis: 0 }, [input.name]);
    return [key, value];
  });
  return emit.nodes.slice(from);
}

/** present.N.key / .value ← present_N[0] / present_N[1]. */
function splitStackedPresent(graph: GraphProto, emit: Emitter): NodeProto[] {
  const from = emit.nodes.length;
  graph.output = graph.output.flatMap((output) => {
    const layer = STACKED_PRESENT.exec(output.name)?.[1];
    const dims = dimsOf(output);
    if (layer === undefined || dims.length !== 5 || dims[0] !== 2) return [output];
    return ['key', 'value'].map((kind, index) => {
      const name = `present.${layer}.${kind}`;
      emit.op('Gather', [output.name, emit.int64([index], [])], { axis: 0 }, [name]);
      return tensorValueInfo(name, elemTypeOf(output) ?? TensorDataType.FLOAT, dims.slice(1));
    });
  });
  return emit.nodes.slice(from);
}

/** An int32 id input becomes int64, cast to int32 under a new name (recorded with its shape) for the nodes that read it. */
function castIdInputs(graph: GraphProto, emit: Emitter): NodeProto[] {
  const from = emit.nodes.length;
  for (const input of graph.input) {
    if (!ID_INPUTS.includes(input.name) || elemTypeOf(input) !== TensorDataType.INT32) continue;
    const int32 = `${input.name}/prompt_lens_int32`;
    for (const node of graph.node) node.input = node.input.map((name) => (name === input.name ? int32 : name));
    emit.op('Cast', [input.name], { to: TensorDataType.INT32 }, [int32]);
    (graph.value_info ??= []).push(tensorValueInfo(int32, TensorDataType.INT32, dimsOf(input)));
    input.type!.tensor_type!.elem_type = TensorDataType.INT64;
  }
  return emit.nodes.slice(from);
}
