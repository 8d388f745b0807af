"""Golden attributions for a REAL third-party export: test/fixtures/models/genai-builder-llama-fp16
(microsoft/onnxruntime-genai's test model tiny-random-LlamaForCausalLM-fp16, made by the ONNX
Runtime GenAI model builder; see that folder's PROVENANCE.md).

An independent float64 PyTorch implementation of the Llama forward pass, read off the graph:
every initializer (float16 -> float64, exact), RMSNorm epsilon from the
(Skip)SimplifiedLayerNormalization nodes, rotary tables from the graph's cos_cache / sin_cache
(non-interleaved, RotaryEmbedding's interleaved=0), MultiHeadAttention's num_heads and scale, a
SiLU-gated MLP and the (untied) LM head. Nothing here comes from the engine or from the builder's
code; the graph is only read for its weights and attributes, and the node sequence it assumes is
asserted.

Steps:
  1. sha256 of the committed ONNX files equals the recorded source (PROVENANCE.md);
  2. config.json's rope_theta reproduces cos_cache / sin_cache to float16 rounding;
  3. onnxruntime-node (tools/models/check_genai_onnx.mjs) on the original graph vs this reference:
     max |logits difference|, full sequence and through the KV cache;
  4. golden.json by golden_cases.py, as the other goldens (greedy-0..2 and given-0, the same prompts),
     values rounded to 13 significant digits (the model's probabilities are ~1/32000 and its
     attributions ~1e-8, so the other goldens' 13 decimals would keep too few digits).

Run from the repo root:  /usr/bin/python3 tools/models/make_genai_builder_golden.py
"""
from __future__ import annotations

import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402

from golden_cases import Style, golden_cases, significant, tokenize_cases, write_golden  # noqa: E402
from make_genai_models import ort_check  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(HERE))
FOLDER = os.path.join(ROOT, "test", "fixtures", "models", "genai-builder-llama-fp16")
SHA256 = {
    "model.onnx": "3d13c04efa19b6926f7b681b2f244c2b3fa984aa0bdd1f81ee6276d7e9996e91",
    "model.onnx.data": "de83a26356d47822412cbc6b56931ad513751714457133ac35b5d9e71f587610",
}


class GraphLlama(torch.nn.Module):
    """Llama forward in float64 with the weights and attributes of the builder's graph."""

    def __init__(self, path: str) -> None:
        super().__init__()
        model = onnx.load(path)  # loads model.onnx.data beside it
        w = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float64)) for t in model.graph.initializer}
        nodes = list(model.graph.node)
        attrs = lambda n: {a.name: helper.get_attribute_value(a) for a in n.attribute}  # noqa: E731
        norms = [n for n in nodes if n.op_type in ("SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization")]
        eps = {attrs(n)["epsilon"] for n in norms}
        assert len(eps) == 1, eps
        self.eps = float(np.float32(eps.pop()))  # the attribute is a float32
        mha = [n for n in nodes if n.op_type == "MultiHeadAttention"]
        self.num_layers = len(mha)
        self.heads = {attrs(n)["num_heads"] for n in mha}.pop()
        self.scale = float(np.float32({attrs(n)["scale"] for n in mha}.pop()))
        rotary = [n for n in nodes if n.op_type == "RotaryEmbedding"]
        assert len(rotary) == 2 * self.num_layers and all(attrs(n)["interleaved"] == 0 for n in rotary)
        # Outside the mask subgraph (which only builds the causal + padding mask) the graph holds exactly these operators.
        ops = {n.op_type for n in nodes if not n.name.startswith(("/model/attn_mask_reformat", "/model/constant_nodes"))}
        assert ops == {"Gather", "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization", "MatMul", "RotaryEmbedding", "MultiHeadAttention", "Sigmoid", "Mul"}, ops
        self.embed_tokens = torch.nn.Embedding.from_pretrained(w["model.embed_tokens.weight"], freeze=True)
        self.cos, self.sin = w["cos_cache"], w["sin_cache"]
        self.layers = []
        for i in range(self.num_layers):
            p = f"model.layers.{i}"
            self.layers.append({k: w[f"{p}.{k}"] for k in (
                "input_layernorm.weight", "post_attention_layernorm.weight",
                "attn.q_proj.MatMul.weight", "attn.k_proj.MatMul.weight", "attn.v_proj.MatMul.weight", "attn.o_proj.MatMul.weight",
                "mlp.gate_proj.MatMul.weight", "mlp.up_proj.MatMul.weight", "mlp.down_proj.MatMul.weight")})
        self.final_norm = w[f"model.layers.{self.num_layers}.final_norm_layernorm.weight"]
        self.lm_head = w["lm_head.MatMul.weight"]  # [hidden, vocab]: MatMul's right operand
        self.hidden = self.embed_tokens.weight.shape[1]
        self.head_dim = self.hidden // self.heads
        assert self.cos.shape[1] * 2 == self.head_dim, "rotary covers the whole head"

    def rms(self, x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * weight

    def rotate(self, x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        """x [B, heads, S, head_dim]; RotaryEmbedding, interleaved=0: halves (x1, x2) → (x1 cos − x2 sin, x2 cos + x1 sin)."""
        cos, sin = self.cos[positions], self.sin[positions]  # [S, head_dim / 2]
        half = self.head_dim // 2
        x1, x2 = x[..., :half], x[..., half:]
        return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)

    def forward(self, input_ids: torch.Tensor | None = None, inputs_embeds: torch.Tensor | None = None):
        h = self.embed_tokens(input_ids) if inputs_embeds is None else inputs_embeds
        B, S, _ = h.shape
        positions = torch.arange(S)
        causal = torch.full((S, S), float("-inf"), dtype=h.dtype).triu(1)

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(B, S, self.heads, self.head_dim).transpose(1, 2)

        for layer in self.layers:
            x = self.rms(h, layer["input_layernorm.weight"])
            q = self.rotate(heads(x @ layer["attn.q_proj.MatMul.weight"]), positions)
            k = self.rotate(heads(x @ layer["attn.k_proj.MatMul.weight"]), positions)
            v = heads(x @ layer["attn.v_proj.MatMul.weight"])
            scores = (q @ k.transpose(-1, -2)) * self.scale + causal
            attn = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, S, self.hidden)
            h = h + attn @ layer["attn.o_proj.MatMul.weight"]
            x = self.rms(h, layer["post_attention_layernorm.weight"])
            gate = x @ layer["mlp.gate_proj.MatMul.weight"]
            up = x @ layer["mlp.up_proj.MatMul.weight"]
            h = h + (gate * torch.sigmoid(gate) * up) @ layer["mlp.down_proj.MatMul.weight"]
        return self.rms(h, self.final_norm) @ self.lm_head, None


def check_sources(folder: str) -> None:
    for name, digest in SHA256.items():
        with open(os.path.join(folder, "onnx", name), "rb") as f:
            assert hashlib.sha256(f.read()).hexdigest() == digest, f"{name} is not the recorded upstream file"


def check_rope_theta(model: GraphLlama, config: dict) -> float:
    """Max |cos/sin(position · theta^(−2i/d)) rounded to float16 − the graph's table| (≤ one float16 step)."""
    d = model.head_dim
    inv = config["rope_theta"] ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    angles = torch.arange(model.cos.shape[0], dtype=torch.float64)[:, None] * inv[None, :]
    diff = max(float((torch.cos(angles).half().double() - model.cos).abs().max()), float((torch.sin(angles).half().double() - model.sin).abs().max()))
    assert diff <= 2 ** -11, f"rope_theta {config['rope_theta']} does not reproduce cos_cache/sin_cache (max |Δ| {diff})"
    return diff


# 13 significant digits (p ~1/32000, attributions ~1e-8); the self-check's tolerance scales with the gradient.
BUILDER_STYLE = Style(round=significant, units=False, fd_step=1e-5, fd_atol=lambda grad: 1e-6 * np.abs(grad).max())


def main() -> None:
    check_sources(FOLDER)
    with open(os.path.join(FOLDER, "config.json")) as f:
        config = json.load(f)
    model = GraphLlama(os.path.join(FOLDER, "onnx", "model.onnx")).eval()
    assert (config["hidden_size"], config["num_attention_heads"], config["num_hidden_layers"], config["vocab_size"], config["rms_norm_eps"]) == (
        model.hidden, model.heads, model.num_layers, model.lm_head.shape[1], float(f"{model.eps:.6g}")), "config.json does not match the graph"
    print("eps", model.eps, "scale", model.scale, "heads", model.heads, "rope table max |Δ| at theta", config["rope_theta"], check_rope_theta(model, config))
    parity = ort_check(FOLDER, model, layers=model.num_layers, kv_heads=model.heads, head_dim=model.head_dim, position_ids=True)
    print("onnxruntime (float16 graph) vs float64 reference:", json.dumps(parity))

    eos = config["eos_token_id"]
    # No Python tokenizer here: the greedy cases' responseText is "" (their ids are responseIds).
    write_golden(FOLDER, eos, golden_cases(model, tokenize_cases(FOLDER), eos, lambda ids: "", BUILDER_STYLE))


if __name__ == "__main__":
    main()
