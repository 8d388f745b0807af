"""tiny-llama (and tiny-gpt2) in the form the ONNX Runtime GenAI model builder exports (and many onnx-community
fp16 / q4f16 exports that transformers.js users run): float16 weights in `onnx/model.onnx.data`,
com.microsoft contrib operators, the builder's attention-mask subgraphs. Built from the same
PyTorch weights as test/fixtures/models/tiny-llama, node by node as the builder's
builders/base.py does, and checked with onnxruntime-node against PyTorch before the goldens are
written. The goldens are float64 PyTorch on the weights the graph holds (float16-rounded, or
4-bit dequantized) with the graph's float16 rotary tables.

Folders written under test/fixtures/models/:
  tiny-llama-genai-mha   float16; MultiHeadAttention (k/v heads repeated to 4, as MHA needs),
                         RotaryEmbedding, SimplifiedLayerNormalization, SkipSimplifiedLayer-
                         Normalization, position_ids input, and the builder's 2D→4D mask-reformat
                         subgraph, whose input_ids Expand assumes past length 0 or one new token.
  tiny-llama-genai-gqa-q4  q4f16: GroupQueryAttention (2 kv heads, q/k/v packed into one
                         MatMulNBits, rotary inside, no position_ids input) with the seqlens_k /
                         total_sequence_length mask subgraph,
                         MatMulNBits (4-bit, block 32, float16 scales) for every linear layer and
                         the tied LM head, GatherBlockQuantized token embedding.
  tiny-gpt2-genai-mha    tiny-gpt2, float16, in the MHA form above with learned positions,
                         LayerNormalization, SkipLayerNormalization (with beta), biases as Add
                         nodes and com.microsoft FastGelu.

Run from the repo root (after make_test_models.py):  /usr/bin/python3 tools/models/make_genai_models.py
"""
from __future__ import annotations

import json
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from golden_cases import DECIMAL_STYLE, golden_cases, tokenize_cases, write_golden  # noqa: E402
from make_test_models import OUT, build_model, build_tokenizer, node_parity  # noqa: E402
from modeling import Decoder  # noqa: E402

torch.set_num_threads(1)

F16 = TensorProto.FLOAT16
I64 = TensorProto.INT64
BLOCK = 32
F16_MIN = float(np.finfo(np.float16).min)


class Graph:
    """Nodes and initializers named the builder's way: node outputs are `<node>/output_0`."""

    def __init__(self) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: dict[str, onnx.TensorProto] = {}

    def const(self, kind: str, value) -> str:
        name = f"/model/constants/{kind}/{value}"
        if name not in self.inits:
            dtype = {"INT64": np.int64, "FLOAT16": np.float16, "INT32": np.int32}[kind]
            self.inits[name] = numpy_helper.from_array(np.array(value, dtype=dtype), name)
        return name

    def weight(self, name: str, array: np.ndarray) -> str:
        self.inits[name] = numpy_helper.from_array(array, name)
        return name

    def node(self, op: str, name: str, inputs: list[str], outputs: int = 1, domain: str = "", unused: tuple[int, ...] = (), **attrs) -> list[str]:
        outs = ["" if i in unused else f"{name}/output_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, domain=domain, **attrs))
        return outs

    def one(self, op: str, name: str, inputs: list[str], **attrs) -> str:
        return self.node(op, name, inputs, **attrs)[0]


def half(t: torch.Tensor) -> np.ndarray:
    return t.detach().numpy().astype(np.float16)


def quantize_q4(w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Symmetric 4-bit blocks of BLOCK along the last axis, float16 scales, zero point 8.
    Returns (packed uint8 [rows, K/2], scales float16 [rows, K/BLOCK], dequantized float64)."""
    rows, k = w.shape
    blocks = w.astype(np.float64).reshape(rows, k // BLOCK, BLOCK)
    scales = (np.abs(blocks).max(axis=-1) / 7.0).astype(np.float16)
    scales[scales == 0] = 1.0
    q = np.clip(np.round(blocks / scales[..., None].astype(np.float64)), -8, 7).astype(np.int32) + 8
    deq = ((q - 8) * scales[..., None].astype(np.float64)).reshape(rows, k)
    q = q.reshape(rows, k)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)
    return packed, scales, deq


class Builder:
    def __init__(self, model: Decoder, form: str) -> None:
        self.m, self.form, self.g = model, form, Graph()
        cfg = model.cfg
        self.q4 = form == "gqa-q4"
        self.heads, self.hd = cfg.num_heads, cfg.head_dim
        # MultiHeadAttention has no grouped heads: k/v projections are repeated per group.
        self.kv_heads = cfg.num_heads if form == "mha" else cfg.num_kv_heads
        self.golden_weights: dict[str, np.ndarray] = {}

    def linear(self, name: str, x: str, w: torch.Tensor, key: str) -> str:
        """x @ w.T as MatMul on float16 weights or MatMulNBits on 4-bit ones; records the graph's weights."""
        w = w.detach().numpy().astype(np.float64)
        n, k = w.shape
        if self.q4:
            packed, scales, deq = quantize_q4(w)
            self.golden_weights[key] = deq
            b = self.g.weight(f"{name}.weight.quant", packed.reshape(n, k // BLOCK, BLOCK // 2))
            s = self.g.weight(f"{name}.weight.scales", scales.reshape(-1))
            return self.g.one("MatMulNBits", f"{name}/MatMulNBits", [x, b, s], domain="com.microsoft", K=k, N=n, bits=4, block_size=BLOCK)
        self.golden_weights[key] = w.astype(np.float16).astype(np.float64)
        wt = self.g.weight(f"{name}.weight", w.T.astype(np.float16))
        return self.g.one("MatMul", f"{name}/MatMul", [x, wt])

    def norm_weight(self, name: str, w: torch.Tensor, key: str) -> str:
        self.golden_weights[key] = half(w).astype(np.float64)
        return self.g.weight(name, half(w))

    def build(self) -> onnx.ModelProto:
        m, g, cfg = self.m, self.g, self.m.cfg
        layers = cfg.num_layers
        inputs = [
            helper.make_tensor_value_info("input_ids", I64, ["batch_size", "sequence_length"]),
            helper.make_tensor_value_info("attention_mask", I64, ["batch_size", "total_sequence_length"]),
        ]
        if self.form == "mha":
            inputs.append(helper.make_tensor_value_info("position_ids", I64, ["batch_size", "sequence_length"]))
        outputs = [helper.make_tensor_value_info("logits", F16, ["batch_size", "sequence_length", cfg.vocab_size])]
        for i in range(layers):
            for kv in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kv}", F16, ["batch_size", self.kv_heads, "past_sequence_length", self.hd]))
                outputs.append(helper.make_tensor_value_info(f"present.{i}.{kv}", F16, ["batch_size", self.kv_heads, "total_sequence_length", self.hd]))

        # Rotary tables as the builder stores them: float16 [max positions, head_dim / 2].
        positions = np.arange(cfg.max_position_embeddings, dtype=np.float64)
        angles = positions[:, None] * m.inv_freq.double().numpy()[None, :]
        cos16, sin16 = np.cos(angles).astype(np.float16), np.sin(angles).astype(np.float16)
        self.rope_tables = (cos16.astype(np.float64), sin16.astype(np.float64))
        g.weight("cos_cache", cos16)
        g.weight("sin_cache", sin16)

        mask = self.mha_mask() if self.form == "mha" else self.gqa_mask()

        table = m.embed_tokens.weight
        if self.q4:
            packed, scales, deq = quantize_q4(table.detach().numpy())
            self.golden_weights["embed_tokens.weight"] = deq
            g.weight("model.embed_tokens.weight.quant", packed)
            g.weight("model.embed_tokens.weight.scales", scales)
            x = g.one("GatherBlockQuantized", "/model/embed_tokens/GatherBlockQuantized", ["model.embed_tokens.weight.quant", "input_ids", "model.embed_tokens.weight.scales"],
                      domain="com.microsoft", bits=4, block_size=BLOCK, gather_axis=0, quantize_axis=1)
        else:
            self.golden_weights["embed_tokens.weight"] = half(table).astype(np.float64)
            g.weight("model.embed_tokens.weight", half(table))
            x = g.one("Gather", "/model/embed_tokens/Gather", ["model.embed_tokens.weight", "input_ids"])

        eps = cfg.norm_eps
        residual, pending = x, None
        for i, layer in enumerate(m.layers):
            p = f"/model/layers.{i}"
            w = self.norm_weight(f"model.layers.{i}.input_layernorm.weight", layer.input_layernorm.weight, f"layers.{i}.input_layernorm.weight")
            if pending is None:
                normed = g.one("SimplifiedLayerNormalization", f"{p}/input_layernorm/LayerNorm", [residual, w], axis=-1, epsilon=eps, stash_type=1)
            else:
                outs = g.node("SkipSimplifiedLayerNormalization", f"{p}/input_layernorm/SkipLayerNorm", [pending, residual, w], outputs=4, unused=(1, 2), domain="com.microsoft", epsilon=eps)
                normed, residual = outs[0], outs[3]
            attn = self.attention(i, layer, normed, mask)
            w = self.norm_weight(f"model.layers.{i}.post_attention_layernorm.weight", layer.post_attention_layernorm.weight, f"layers.{i}.post_attention_layernorm.weight")
            outs = g.node("SkipSimplifiedLayerNormalization", f"{p}/post_attention_layernorm/SkipLayerNorm", [attn, residual, w], outputs=4, unused=(1, 2), domain="com.microsoft", epsilon=eps)
            normed, residual = outs[0], outs[3]
            mlp = layer.mlp
            gate = self.linear(f"{p}/mlp/gate_proj", normed, mlp.gate_proj.weight, f"layers.{i}.mlp.gate_proj.weight")
            up = self.linear(f"{p}/mlp/up_proj", normed, mlp.up_proj.weight, f"layers.{i}.mlp.up_proj.weight")
            sig = g.one("Sigmoid", f"{p}/mlp/act_fn/Sigmoid", [gate])
            act = g.one("Mul", f"{p}/mlp/act_fn/Mul", [gate, sig])
            prod = g.one("Mul", f"{p}/mlp/Mul", [act, up])
            pending = self.linear(f"{p}/mlp/down_proj", prod, mlp.down_proj.weight, f"layers.{i}.mlp.down_proj.weight")
        w = self.norm_weight("model.norm.weight", m.norm.weight, "norm.weight")
        final = g.node("SkipSimplifiedLayerNormalization", "/model/layers.2/final_norm_layernorm/SkipLayerNorm", [pending, residual, w], outputs=4, unused=(1, 2), domain="com.microsoft", epsilon=eps)[0]
        head_weight = torch.from_numpy(self.golden_weights["embed_tokens.weight"]) if self.q4 else m.output_weight()
        self.linear("/lm_head", final, head_weight, "lm_head.weight")
        g.nodes[-1].output[0] = "logits"  # the builder names the LM head's output "logits"

        graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, list(g.inits.values()))
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)], producer_name="onnxruntime-genai")
        model.ir_version = 8
        return model

    def attention(self, i: int, layer, x: str, mask: dict) -> str:
        g, a = self.g, layer.self_attn
        p = f"/model/layers.{i}/attn"
        rep = self.kv_heads // self.m.cfg.num_kv_heads

        def kv_weight(w: torch.Tensor) -> torch.Tensor:  # [kv*hd, H] → [kv*rep*hd, H], each head repeated
            return w.reshape(self.m.cfg.num_kv_heads, 1, self.hd, -1).expand(-1, rep, -1, -1).reshape(self.kv_heads * self.hd, -1)

        past = [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        present = [f"present.{i}.key", f"present.{i}.value"]
        if self.form != "mha":
            # The builder packs q, k and v into one MatMul for GroupQueryAttention (CPU).
            packed = torch.cat([a.q_proj.weight, a.k_proj.weight, a.v_proj.weight], dim=0)
            qkv = self.linear(f"{p}/qkv_proj", x, packed, f"layers.{i}.self_attn.qkv_proj.weight")
            q_rows, kv_rows = self.heads * self.hd, self.kv_heads * self.hd
            w = self.golden_weights.pop(f"layers.{i}.self_attn.qkv_proj.weight")
            for name, rows in (("q_proj", w[:q_rows]), ("k_proj", w[q_rows:q_rows + kv_rows]), ("v_proj", w[q_rows + kv_rows:])):
                self.golden_weights[f"layers.{i}.self_attn.{name}.weight"] = rows
            out = f"{p}/GroupQueryAttention/output_0"
            g.nodes.append(helper.make_node("GroupQueryAttention", [qkv, "", "", *past, mask["seqlens_k"], mask["total_seq_len"], "cos_cache", "sin_cache"], [out, *present],
                                            name=f"{p}/GroupQueryAttention", domain="com.microsoft", num_heads=self.heads, kv_num_heads=self.kv_heads, do_rotary=1, rotary_interleaved=0, local_window_size=-1))
            return self.linear(f"{p}/o_proj", out, a.o_proj.weight, f"layers.{i}.self_attn.o_proj.weight")
        q = self.linear(f"{p}/q_proj", x, a.q_proj.weight, f"layers.{i}.self_attn.q_proj.weight")
        k = self.linear(f"{p}/k_proj", x, kv_weight(a.k_proj.weight), f"layers.{i}.self_attn.k_proj.weight")
        v = self.linear(f"{p}/v_proj", x, kv_weight(a.v_proj.weight), f"layers.{i}.self_attn.v_proj.weight")
        if self.form == "mha":
            q = g.one("RotaryEmbedding", f"{p}/q_rotary/RotaryEmbedding", [q, "position_ids", "cos_cache", "sin_cache"], domain="com.microsoft", interleaved=0)
            k = g.one("RotaryEmbedding", f"{p}/k_rotary/RotaryEmbedding", [k, "position_ids", "cos_cache", "sin_cache"], domain="com.microsoft", interleaved=0)
            out = f"{p}/MultiHeadAttention/output_0"
            g.nodes.append(helper.make_node("MultiHeadAttention", [q, k, v, "", "", mask["bias"], *past], [out, *present], name=f"{p}/MultiHeadAttention", domain="com.microsoft", num_heads=self.heads))
        return self.linear(f"{p}/o_proj", out, a.o_proj.weight, f"layers.{i}.self_attn.o_proj.weight")

    def gqa_mask(self) -> dict:
        """builders/base.py make_attention_mask_reformatting_for_gqa."""
        g, b = self.g, "/model/attn_mask_reformat/attn_mask_subgraph"
        total = g.one("ReduceSum", f"{b}/ReduceSum", ["attention_mask", g.const("INT64", [1])], keepdims=0)
        sub = g.one("Sub", f"{b}/Sub", [total, g.const("INT64", [1])])
        seqlens = g.one("Cast", f"{b}/Sub/Cast", [sub], to=TensorProto.INT32)
        shape = g.one("Shape", f"{b}/Shape", ["attention_mask"])
        gather = g.one("Gather", f"{b}/Gather", [shape, g.const("INT64", 1)], axis=0)
        total_len = g.one("Cast", f"{b}/Gather/Cast", [gather], to=TensorProto.INT32)
        return {"seqlens_k": seqlens, "total_seq_len": total_len}

    def mha_mask(self) -> dict:
        """builders/base.py make_attention_mask_reformatting_for_mha: a [B, N, S, T] additive mask.
        Its input_ids path expands a [1, 1, S, S] causal block to [B, 1, S, T], valid only when
        T = S (no past) or S = 1."""
        g = self.g
        base = "/model/attn_mask_reformat"
        ib, ab = f"{base}/input_ids_subgraph", f"{base}/attn_mask_subgraph"
        i64 = lambda v: g.const("INT64", v)  # noqa: E731
        past_shape = g.one("Shape", f"{base}/past_key_subgraph/Shape", ["past_key_values.0.key"])
        past_len = g.one("Gather", f"{base}/past_key_subgraph/Gather", [past_shape, i64(2)], axis=0)
        # input_ids: batch and sequence length
        ids_b = g.one("Gather", f"{ib}/Gather_1", [g.one("Shape", f"{ib}/Shape_1", ["input_ids"]), i64(0)], axis=0)
        ids_s = g.one("Gather", f"{ib}/Gather_2", [g.one("Shape", f"{ib}/Shape_2", ["input_ids"]), i64(1)], axis=0)
        total = g.one("Add", f"{ib}/Add_1", [ids_s, past_len])
        unsq_total = g.one("Unsqueeze", f"{ib}/Unsqueeze_3", [total, i64([0])])
        unsq_s4 = g.one("Unsqueeze", f"{ib}/Unsqueeze_4", [ids_s, i64([0])])
        unsq_s5 = g.one("Unsqueeze", f"{ib}/Unsqueeze_5", [ids_s, i64([0])])
        unsq_s6 = g.one("Unsqueeze", f"{ib}/Unsqueeze_6", [ids_s, i64([0])])
        square = g.one("Concat", f"{ib}/Concat_2", [unsq_s4, unsq_s5], axis=0)
        filled = g.one("ConstantOfShape", f"{ib}/ConstantOfShape_2", [square], value=numpy_helper.from_array(np.array([F16_MIN], dtype=np.float16)))
        top = g.one("Squeeze", f"{ib}/Squeeze_1", [g.one("Slice", f"{ib}/Slice_1", [g.one("Shape", f"{ib}/Shape_4", [filled]), i64([-1]), i64([np.iinfo(np.int64).max]), i64([0])]), i64([0])])
        rows = g.one("Concat", f"{ib}/Concat_3", [g.one("Unsqueeze", f"{ib}/output_0", [top, i64([0])]), i64([1])], axis=0)
        cols = g.one("Squeeze", f"{ib}/Squeeze_2", [g.one("Slice", f"{ib}/Slice_2", [g.one("Shape", f"{ib}/Shape_5", [filled]), i64([-1]), i64([np.iinfo(np.int64).max]), i64([0])]), i64([0])])
        rng = g.one("Range", f"{ib}/Range", [i64(0), cols, i64(1)])
        column = g.one("Reshape", f"{ib}/Reshape", [g.one("Add", f"{ib}/Add_2", [rng, i64(1)]), rows])
        causal = g.one("Where", f"{ib}/Where_2", [g.one("Less", f"{ib}/Less", [rng, column]), g.const("FLOAT16", 0), filled])
        causal4 = g.one("Unsqueeze", f"{ib}/Unsqueeze_9", [g.one("Unsqueeze", f"{ib}/Unsqueeze_8", [causal, i64([0])]), i64([1])])
        ids_expand = self.common_mask_subgraph(ib, "input_ids", unsq_total, causal4, input_ids_subgraph=True)
        # attention_mask path
        mask4 = g.one("Unsqueeze", f"{ab}/Unsqueeze_4", [g.one("Unsqueeze", f"{ab}/Unsqueeze_3", ["attention_mask", i64([1])]), i64([2])])
        mask_expand = self.common_mask_subgraph(ab, "attention_mask", unsq_s6, mask4)
        as_float = g.one("Cast", f"{ab}/Cast_1", [mask_expand], to=F16)
        inverted = g.one("Sub", f"{ab}/Sub", [g.const("FLOAT16", 1), as_float])
        masked = g.one("Where", f"{ab}/Where_2", [g.one("Cast", f"{ab}/Cast_2", [inverted], to=TensorProto.BOOL), g.const("FLOAT16", F16_MIN), inverted])
        added = g.one("Add", f"{base}/Add", [masked, ids_expand])
        bias = g.one("Tile", f"{base}/Tile", [added, i64([1, self.heads, 1, 1])])
        return {"bias": bias}

    def common_mask_subgraph(self, b: str, root: str, for_concat: str, for_expand: str, input_ids_subgraph: bool = False) -> str:
        g = self.g
        i64 = lambda v: g.const("INT64", v)  # noqa: E731
        if input_ids_subgraph:  # Gather_1 / Gather_2 of input_ids were made above
            batch, length = f"{b}/Gather_1/output_0", f"{b}/Gather_2/output_0"
        else:
            batch = g.one("Gather", f"{b}/Gather_1", [g.one("Shape", f"{b}/Shape_1", [root]), i64(0)], axis=0)
            length = g.one("Gather", f"{b}/Gather_2", [g.one("Shape", f"{b}/Shape_2", [root]), i64(1)], axis=0)
        u1 = g.one("Unsqueeze", f"{b}/Unsqueeze_1", [batch, i64([0])])
        u2 = g.one("Unsqueeze", f"{b}/Unsqueeze_2", [length, i64([0])])
        last_two = [u2, for_concat] if input_ids_subgraph else [for_concat, u2]
        shape = g.one("Concat", f"{b}/Concat_1" if input_ids_subgraph else f"{b}/Concat", [u1, i64([1]), *last_two], axis=0)
        ones = g.one("ConstantOfShape", f"{b}/ConstantOfShape_1" if input_ids_subgraph else f"{b}/ConstantOfShape", [g.one("Shape", f"{b}/Shape_3", [shape])],
                     value=numpy_helper.from_array(np.array([1], dtype=np.int64)))
        minus = g.one("Mul", f"{b}/Mul", [ones, i64(-1)])
        target = g.one("Where", f"{b}/Where_1", [g.one("Equal", f"{b}/Equal", [shape, minus]), ones, shape])
        return g.one("Expand", f"{b}/Expand", [for_expand, target])


class Gpt2Builder(Builder):
    """tiny-gpt2 in the same float16 MultiHeadAttention form: learned positions added to the
    token embedding, LayerNormalization then SkipLayerNormalization (with beta), biases as Add
    nodes, com.microsoft FastGelu (GPT-2's tanh GELU) with its bias, the builder's mask subgraph."""

    def __init__(self, model: Decoder) -> None:
        super().__init__(model, "mha")

    def linear_bias(self, name: str, x: str, layer: torch.nn.Linear, key: str) -> str:
        y = self.linear(name, x, layer.weight, f"{key}.weight")
        return self.g.one("Add", f"{name}/Add", [y, self.norm_weight(f"{name}.bias", layer.bias, f"{key}.bias")])

    def build(self) -> onnx.ModelProto:
        m, g, cfg = self.m, self.g, self.m.cfg
        inputs = [helper.make_tensor_value_info(n, I64, ["batch_size", d]) for n, d in (("input_ids", "sequence_length"), ("attention_mask", "total_sequence_length"), ("position_ids", "sequence_length"))]
        outputs = [helper.make_tensor_value_info("logits", F16, ["batch_size", "sequence_length", cfg.vocab_size])]
        for i in range(cfg.num_layers):
            for kv in ("key", "value"):
                inputs.append(helper.make_tensor_value_info(f"past_key_values.{i}.{kv}", F16, ["batch_size", self.heads, "past_sequence_length", self.hd]))
                outputs.append(helper.make_tensor_value_info(f"present.{i}.{kv}", F16, ["batch_size", self.heads, "total_sequence_length", self.hd]))
        mask = self.mha_mask()
        tokens = g.one("Gather", "/model/embed_tokens/Gather", [self.norm_weight("model.embed_tokens.weight", m.embed_tokens.weight, "embed_tokens.weight"), "input_ids"])
        places = g.one("Gather", "/model/embed_positions/Gather", [self.norm_weight("model.embed_positions.weight", m.embed_positions.weight, "embed_positions.weight"), "position_ids"])
        residual, pending = g.one("Add", "/model/embed/Add", [tokens, places]), None
        eps = cfg.norm_eps
        for i, layer in enumerate(m.layers):
            p = f"/model/layers.{i}"
            ln = layer.input_layernorm
            w, b = (self.norm_weight(f"model.layers.{i}.input_layernorm.{n}", getattr(ln, n), f"layers.{i}.input_layernorm.{n}") for n in ("weight", "bias"))
            if pending is None:
                normed = g.one("LayerNormalization", f"{p}/input_layernorm/LayerNorm", [residual, w, b], axis=-1, epsilon=eps, stash_type=1)
            else:
                outs = g.node("SkipLayerNormalization", f"{p}/input_layernorm/SkipLayerNorm", [pending, residual, w, b], outputs=4, unused=(1, 2), domain="com.microsoft", epsilon=eps)
                normed, residual = outs[0], outs[3]
            a = layer.self_attn
            H = cfg.hidden_size
            qkv_w, qkv_b = a.c_attn.weight, a.c_attn.bias
            proj = []
            for j, name in enumerate(("q_proj", "k_proj", "v_proj")):
                part = torch.nn.Linear(H, H)
                part.weight, part.bias = torch.nn.Parameter(qkv_w[j * H:(j + 1) * H]), torch.nn.Parameter(qkv_b[j * H:(j + 1) * H])
                proj.append(self.linear_bias(f"{p}/attn/{name}", normed, part, f"layers.{i}.self_attn.{name}"))
            out = f"{p}/attn/MultiHeadAttention/output_0"
            g.nodes.append(helper.make_node("MultiHeadAttention", [*proj, "", "", mask["bias"], f"past_key_values.{i}.key", f"past_key_values.{i}.value"], [out, f"present.{i}.key", f"present.{i}.value"],
                                            name=f"{p}/attn/MultiHeadAttention", domain="com.microsoft", num_heads=self.heads))
            attn = self.linear_bias(f"{p}/attn/o_proj", out, a.c_proj, f"layers.{i}.self_attn.c_proj")
            ln = layer.post_attention_layernorm
            w, b = (self.norm_weight(f"model.layers.{i}.post_attention_layernorm.{n}", getattr(ln, n), f"layers.{i}.post_attention_layernorm.{n}") for n in ("weight", "bias"))
            outs = g.node("SkipLayerNormalization", f"{p}/post_attention_layernorm/SkipLayerNorm", [attn, residual, w, b], outputs=4, unused=(1, 2), domain="com.microsoft", epsilon=eps)
            normed, residual = outs[0], outs[3]
            up = self.linear(f"{p}/mlp/fc", normed, layer.mlp.c_fc.weight, f"layers.{i}.mlp.c_fc.weight")
            act = g.one("FastGelu", f"{p}/mlp/act_fn/FastGelu", [up, self.norm_weight(f"{p}/mlp/fc.bias", layer.mlp.c_fc.bias, f"layers.{i}.mlp.c_fc.bias")], domain="com.microsoft")
            pending = self.linear_bias(f"{p}/mlp/proj", act, layer.mlp.c_proj, f"layers.{i}.mlp.c_proj")
        w, b = (self.norm_weight(f"model.norm.{n}", getattr(m.norm, n), f"norm.{n}") for n in ("weight", "bias"))
        final = g.node("SkipLayerNormalization", "/model/final_norm/SkipLayerNorm", [pending, residual, w, b], outputs=4, unused=(1, 2), domain="com.microsoft", epsilon=eps)[0]
        self.linear("/lm_head", final, m.output_weight(), "lm_head.weight")
        g.nodes[-1].output[0] = "logits"
        self.rope_tables = None
        graph = helper.make_graph(g.nodes, "main_graph", inputs, outputs, list(g.inits.values()))
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid("com.microsoft", 1)], producer_name="onnxruntime-genai")
        model.ir_version = 8
        return model


def golden_gpt2(tok, builder: Gpt2Builder) -> Decoder:
    """A float64 tiny-gpt2 holding exactly the graph's (float16-rounded) weights."""
    m = build_model("tiny-gpt2", tok).double()
    w = builder.golden_weights
    with torch.no_grad():
        for name, param in m.named_parameters():
            key = name
            if ".self_attn.c_attn." in name:  # the graph has q, k and v apart
                i, kind = name.split(".")[1], name.rsplit(".", 1)[1]
                key = None
                param.copy_(torch.cat([torch.from_numpy(w[f"layers.{i}.self_attn.{p}.{kind}"]) for p in ("q_proj", "k_proj", "v_proj")]))
            if key is not None:
                param.copy_(torch.from_numpy(w[key]))
    assert torch.equal(torch.from_numpy(w["lm_head.weight"]), m.output_weight().detach()), "tied LM head differs from the embedding"
    return m.eval()


def golden_model(spec_model: Decoder, tok, builder: Builder) -> Decoder:
    """A float64 copy of the model holding exactly the graph's weights and rotary tables."""
    m = build_model("tiny-llama", tok).double()
    w = builder.golden_weights
    with torch.no_grad():
        m.embed_tokens.weight.copy_(torch.from_numpy(w["embed_tokens.weight"]))
        m.norm.weight.copy_(torch.from_numpy(w["norm.weight"]))
        rep = builder.kv_heads // m.cfg.num_kv_heads
        for i, layer in enumerate(m.layers):
            for name in ("input_layernorm", "post_attention_layernorm"):
                getattr(layer, name).weight.copy_(torch.from_numpy(w[f"layers.{i}.{name}.weight"]))
            for name in ("q_proj", "o_proj", "k_proj", "v_proj"):
                value = torch.from_numpy(w[f"layers.{i}.self_attn.{name}.weight"])
                if name in ("k_proj", "v_proj") and rep > 1:  # the graph repeated each kv head; keep one copy
                    value = value.reshape(m.cfg.num_kv_heads, rep, builder.hd, -1)[:, 0].reshape(-1, value.shape[-1])
                getattr(layer.self_attn, name).weight.copy_(value)
            for name in ("gate_proj", "up_proj", "down_proj"):
                getattr(layer.mlp, name).weight.copy_(torch.from_numpy(w[f"layers.{i}.mlp.{name}.weight"]))
    head = torch.from_numpy(w["lm_head.weight"])
    assert torch.equal(head, m.output_weight().detach()), "tied LM head differs from the embedding"
    m.rope_tables = tuple(torch.from_numpy(t) for t in builder.rope_tables)
    return m.eval()


def ort_check(folder: str, model: torch.nn.Module, *, layers: int, kv_heads: int, head_dim: int, position_ids: bool) -> dict:
    """onnxruntime-node logits of folder's graph (tools/models/check_genai_onnx.mjs) vs the float64
    reference model: full sequence, one token at a time through the KV cache, several after a past."""
    ids = torch.randint(0, model.embed_tokens.weight.shape[0], (1, 14), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        logits, _ = model(ids)
    case = dict(model=os.path.join(folder, "onnx", "model.onnx"), ids=ids[0].tolist(), split=6, vocab=logits.shape[-1], layers=layers,
                kvHeads=kv_heads, headDim=head_dim, positionIds=position_ids, logits=logits[0].flatten().tolist())
    return node_parity("check_genai_onnx.mjs", case, logits)


def main() -> None:
    for source, form in (("tiny-llama", "mha"), ("tiny-llama", "gqa-q4"), ("tiny-gpt2", "mha")):
        tok = build_tokenizer(source)
        model = build_model(source, tok)
        src = os.path.join(OUT, source)
        folder = os.path.join(OUT, f"{source}-genai-{form}")
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.makedirs(os.path.join(folder, "onnx"))
        for f in ("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json"):
            shutil.copy(os.path.join(src, f), os.path.join(folder, f))
        builder = Gpt2Builder(model) if source == "tiny-gpt2" else Builder(model, form)
        graph = builder.build()
        onnx.save_model(graph, os.path.join(folder, "onnx", "model.onnx"), save_as_external_data=True, all_tensors_to_one_file=True, location="model.onnx.data", size_threshold=1024)
        m64 = golden_gpt2(tok, builder) if source == "tiny-gpt2" else golden_model(model, tok, builder)
        parity = ort_check(folder, m64, layers=m64.cfg.num_layers, kv_heads=builder.kv_heads, head_dim=m64.cfg.head_dim, position_ids=form == "mha")
        print(source, form, json.dumps(parity))
        eos = m64.cfg.eos_token_id
        write_golden(folder, eos, golden_cases(m64, tokenize_cases(folder), eos, tok.decode, DECIMAL_STYLE))


if __name__ == "__main__":
    main()
