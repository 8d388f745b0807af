/**
 * Per-architecture facts, as data (one row per Hugging Face `model_type`).
 * The graph itself tells the engine where the embedding and the KV cache are; this table says
 * which families are known to work and how to read their config.
 */
export interface ArchitectureFacts {
  family: string;
  /** Config keys, in order of preference, for the context window. */
  contextKeys: string[];
  /** Whether the export is known to prepend BOS through the tokenizer. */
  notes: string;
}

const LLAMA_LIKE: Omit<ArchitectureFacts, 'family' | 'notes'> = { contextKeys: ['max_position_embeddings'] };

export const ARCHITECTURES: Record<string, ArchitectureFacts> = {
  gpt2: { family: 'GPT-2', contextKeys: ['n_positions', 'n_ctx', 'max_position_embeddings'], notes: 'learned positions, LayerNorm, fused c_attn' },
  llama: { family: 'Llama', ...LLAMA_LIKE, notes: 'RMSNorm, RoPE, SwiGLU, GQA (SmolLM, TinyLlama, Llama 3)' },
  mistral: { family: 'Mistral', ...LLAMA_LIKE, notes: 'Llama-style with sliding window' },
  qwen2: { family: 'Qwen2', ...LLAMA_LIKE, notes: 'Llama-style with QKV biases' },
  qwen3: { family: 'Qwen3', ...LLAMA_LIKE, notes: 'Llama-style with QK norm' },
  phi3: { family: 'Phi-3', ...LLAMA_LIKE, notes: 'fused qkv_proj and gate_up_proj' },
  phi: { family: 'Phi', ...LLAMA_LIKE, notes: 'parallel attention/MLP' },
  gemma: { family: 'Gemma', ...LLAMA_LIKE, notes: 'embeddings scaled by sqrt(hidden) after the lookup' },
  gemma2: { family: 'Gemma 2', ...LLAMA_LIKE, notes: 'embeddings scaled by sqrt(hidden) after the lookup' },
};

export function architectureFacts(modelType: string | undefined): ArchitectureFacts {
  return (
    (modelType && ARCHITECTURES[modelType]) || {
      family: modelType ?? 'unknown',
      contextKeys: ['max_position_embeddings', 'n_positions', 'n_ctx', 'seq_length'],
      notes: 'not in the table: supported if its embedding lookup and KV cache can be located in the graph',
    }
  );
}

export function contextWindow(config: Record<string, unknown>): number | undefined {
  const facts = architectureFacts(config.model_type as string | undefined);
  for (const key of facts.contextKeys) {
    const value = config[key];
    if (typeof value === 'number' && value > 0) return value;
  }
  return undefined;
}
