/**
 * Where the weights the global analyses need sit in a decoder graph, as data: node-name
 * patterns of the projections (the module paths optimum and transformers.js exports keep in
 * their node names; the initializers themselves are often anonymous, `onnx::MatMul_563`) and
 * the config keys of the attention shape. The first group of a pattern is the layer index.
 * Fused projections are split by the head counts of the config, queries first, then keys.
 */
export interface WeightRoles {
  /** FFN output projection (d_ff × d: one row per neuron). */
  down: RegExp[];
  query: RegExp[];
  key: RegExp[];
  /** A fused query-key-value projection ([q | k | v] along the output axis). */
  fusedQkv: RegExp[];
  /** The input-norm scaling before attention: a Mul by a per-channel gain. */
  inputNorm: RegExp[];
}

const LAYER = String.raw`(?:^|/)(?:model/)?(?:layers|h|blocks)\.(\d+)`;
const node = (inner: string): RegExp => new RegExp(`${LAYER}/${inner}/[^/]*$`);

export const WEIGHT_ROLES: WeightRoles = {
  down: [node('mlp/(?:down_proj|c_proj|fc2|dense_4h_to_h)')],
  query: [node('(?:self_attn|attn|attention)/(?:q_proj|query)')],
  key: [node('(?:self_attn|attn|attention)/(?:k_proj|key)')],
  fusedQkv: [node('(?:self_attn|attn|attention)/(?:qkv_proj|c_attn|query_key_value|Wqkv)')],
  inputNorm: [node('(?:input_layernorm|ln_1|attn_norm)')],
};

/** Config keys of the attention shape, in order of preference. */
export const CONFIG_KEYS = {
  hidden: ['hidden_size', 'n_embd', 'd_model'],
  heads: ['num_attention_heads', 'n_head'],
  kvHeads: ['num_key_value_heads', 'num_kv_heads'],
  headDim: ['head_dim'],
} as const;

export function configNumber(config: Record<string, unknown>, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = config[key];
    if (typeof value === 'number' && value > 0) return value;
  }
  return undefined;
}
