/**
 * Graphs written by onnxruntime.transformers' optimizer (producer "onnxruntime.transformers", e.g. the GPT-2 test
 * models of microsoft/onnxruntime-genai): the token and position lookups fused with the first LayerNorm into
 * com.microsoft.EmbedLayerNormalization are split out again (contrib/rewrite.ts), in every precision, so that the
 * token embedding can be found and scaled. The older inputs and outputs of its GPT-2 exports, which neither Prompt
 * Lens nor transformers.js feeds, are refused naming them: one past_N / present_N tensor per layer with keys and
 * values stacked ([2, batch, heads, past, head_dim]), and int32 input_ids / attention_mask / position_ids.
 */
import { EngineError } from '../errors.ts';
import { unfuseEmbedding } from './contrib/rewrite.ts';
import { elemTypeOf, TensorDataType, type GraphProto, type ModelProto } from './onnx-model.ts';

const FIX = 'Export the model with optimum (optimum-cli export onnx --task text-generation-with-past) as transformers.js models are; onnxruntime.transformers\' optimizer may fuse that export and keeps its inputs and outputs.';

export async function adaptOptimizedGraph(model: ModelProto, sourceDir: string): Promise<void> {
  refuseLegacyInputs(model.graph);
  await unfuseEmbedding(model, sourceDir);
}

function refuseLegacyInputs(graph: GraphProto): void {
  const stacked = graph.input.map((i) => i.name).filter((name) => /^past_\d+$/.test(name));
  if (stacked.length > 0) {
    throw new EngineError(
      'unsupported-graph',
      `The graph keeps its KV cache as one tensor per layer with keys and values stacked (${stacked.join(', ')}: [2, batch, heads, past, head_dim], onnxruntime.transformers' older GPT-2 export); Prompt Lens and transformers.js use past_key_values.N.key / .value.`,
      FIX,
    );
  }
  const int32 = graph.input.filter((i) => ['input_ids', 'attention_mask', 'position_ids'].includes(i.name) && elemTypeOf(i) === TensorDataType.INT32).map((i) => i.name);
  if (int32.length > 0) {
    throw new EngineError('unsupported-graph', `The graph takes ${int32.join(', ')} as int32; Prompt Lens and transformers.js feed int64.`, FIX);
  }
}
