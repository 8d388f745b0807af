"""Export a `modeling.Decoder` to the Hugging Face / optimum / transformers.js ONNX layout.

    <dir>/config.json               HF-style config (model_type gpt2 | llama | qwen2 | phi3)
    <dir>/generation_config.json
    <dir>/onnx/model.onnx           fp32, opset 14, with KV cache inputs/outputs
    (tokenizer.json / tokenizer_config.json are written by bpe.save_tokenizer)

ONNX signature (dynamic axes batch / seq / past / total):
    inputs : input_ids int64 [batch, seq], attention_mask int64 [batch, past+seq],
             position_ids int64 [batch, seq],
             past_key_values.{i}.key|value float32 [batch, kv_heads, past, head_dim]
    outputs: logits float32 [batch, seq, vocab], present.{i}.key|value [batch, kv_heads, past+seq, head_dim]
Past length 0 works at runtime (pass empty [B, kv_heads, 0, head_dim] tensors).
The token-embedding lookup is a plain Gather(<embedding table initializer>, input_ids).

Also: variants of an exported model whose embedding table is quantized
  * `make_q8_variant`  : table stored as uint8 + DequantizeLinear(per-tensor) -> Gather
  * `make_q4_variant`  : com.microsoft GatherBlockQuantized (bits=4, uint8-packed, low nibble
                         first, block_size 32 along the hidden axis, default zero point 8)
and `save_external_data` (weights in onnx/model.onnx_data).

Usage:
    from modeling import DecoderConfig, Decoder
    from export_onnx import export_model, write_configs
    export_model(model, "out/dir")           # writes out/dir/onnx/model.onnx
    write_configs(model.cfg, "out/dir")      # config.json + generation_config.json
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import Dict, List, Optional

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from modeling import Decoder, DecoderConfig

OPSET = 14


def io_names(cfg: DecoderConfig):
    ins = ["input_ids", "attention_mask", "position_ids"]
    outs = ["logits"]
    for i in range(cfg.num_layers):
        ins += [f"past_key_values.{i}.key", f"past_key_values.{i}.value"]
        outs += [f"present.{i}.key", f"present.{i}.value"]
    return ins, outs


class _Wrap(torch.nn.Module):
    def __init__(self, m: Decoder):
        super().__init__()
        self.m = m

    def forward(self, *args):
        return self.m.export_forward(*args)


def export_model(model: Decoder, out_dir: str, filename: str = "model.onnx", external_data: bool = False) -> str:
    """Export fp32 ONNX to out_dir/onnx/<filename>. Returns the path."""
    cfg = model.cfg
    model = model.float().eval()
    onnx_dir = os.path.join(out_dir, "onnx")
    os.makedirs(onnx_dir, exist_ok=True)
    path = os.path.join(onnx_dir, filename)
    B, S, P = 1, 3, 2  # non-zero past while tracing so no shape gets specialised to 0
    ids = torch.randint(0, cfg.vocab_size, (B, S))
    mask = torch.ones(B, P + S, dtype=torch.long)
    pos = torch.arange(P, P + S).unsqueeze(0)
    past = []
    for _ in range(cfg.num_layers):
        past += [torch.randn(B, cfg.num_kv_heads, P, cfg.head_dim)] * 2
    ins, outs = io_names(cfg)
    dyn: Dict[str, Dict[int, str]] = {
        "input_ids": {0: "batch_size", 1: "sequence_length"},
        "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
        "position_ids": {0: "batch_size", 1: "sequence_length"},
        "logits": {0: "batch_size", 1: "sequence_length"},
    }
    for n in ins[3:]:
        dyn[n] = {0: "batch_size", 2: "past_sequence_length"}
    for n in outs[1:]:
        dyn[n] = {0: "batch_size", 2: "total_sequence_length"}
    with tempfile.TemporaryDirectory() as td:
        tmp = os.path.join(td, "model.onnx")
        with torch.no_grad():
            torch.onnx.export(
                _Wrap(model),
                tuple([ids, mask, pos] + past),
                tmp,
                input_names=ins,
                output_names=outs,
                dynamic_axes=dyn,
                opset_version=OPSET,
                do_constant_folding=True,
            )
        m = onnx.load(tmp)
        _rename_params(m)
        if external_data:  # the checker reads a graph over protobuf's 2 GB limit from its file
            save_external_data(m, path)
            onnx.checker.check_model(path)
        else:
            onnx.checker.check_model(m)
            onnx.save_model(m, path)
    return path


def _rename_params(m: onnx.ModelProto) -> None:
    """'m.layers.0...' (wrapper prefix) -> 'model.layers.0...', as in HF exports."""
    ren = {t.name: "model." + t.name[2:] for t in m.graph.initializer if t.name.startswith("m.")}
    for t in m.graph.initializer:
        t.name = ren.get(t.name, t.name)
    for n in m.graph.node:
        for i, x in enumerate(n.input):
            if x in ren:
                n.input[i] = ren[x]


def save_external_data(m: onnx.ModelProto, path: str) -> None:
    """Save with all initializers in <path>_data (e.g. model.onnx_data), like optimum does."""
    loc = os.path.basename(path) + "_data"
    if os.path.exists(os.path.join(os.path.dirname(path), loc)):
        os.remove(os.path.join(os.path.dirname(path), loc))
    onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location=loc, size_threshold=0)


def hf_config(cfg: DecoderConfig) -> dict:
    common = {
        "vocab_size": cfg.vocab_size,
        "bos_token_id": cfg.bos_token_id,
        "eos_token_id": cfg.eos_token_id,
        "pad_token_id": cfg.pad_token_id,
        "tie_word_embeddings": cfg.tie_word_embeddings,
        "max_position_embeddings": cfg.max_position_embeddings,
        "use_cache": True,
        "torch_dtype": "float32",
        "initializer_range": cfg.init_std,
    }
    if cfg.arch == "gpt2":
        return {
            "architectures": ["GPT2LMHeadModel"],
            "model_type": "gpt2",
            "n_layer": cfg.num_layers,
            "n_head": cfg.num_heads,
            "n_embd": cfg.hidden_size,
            "n_inner": cfg.intermediate_size,
            "n_positions": cfg.max_position_embeddings,
            "n_ctx": cfg.max_position_embeddings,
            "activation_function": "gelu_new",
            "layer_norm_epsilon": cfg.norm_eps,
            **common,
        }
    arch_name = {"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM", "phi3": "Phi3ForCausalLM"}[cfg.arch]
    c = {
        "architectures": [arch_name],
        "model_type": cfg.arch,
        "hidden_size": cfg.hidden_size,
        "intermediate_size": cfg.intermediate_size,
        "num_hidden_layers": cfg.num_layers,
        "num_attention_heads": cfg.num_heads,
        "num_key_value_heads": cfg.num_kv_heads,
        "head_dim": cfg.head_dim,
        "hidden_act": "silu",
        "rms_norm_eps": cfg.norm_eps,
        "rope_theta": cfg.rope_theta,
        "rope_scaling": None,
        **common,
    }
    if cfg.arch == "llama":
        c["attention_bias"] = False
        c["mlp_bias"] = False
    return c


def write_configs(cfg: DecoderConfig, out_dir: str, extra: Optional[dict] = None) -> None:
    os.makedirs(out_dir, exist_ok=True)
    c = hf_config(cfg)
    if extra:
        c.update(extra)
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
    g = {"bos_token_id": cfg.bos_token_id, "eos_token_id": cfg.eos_token_id, "do_sample": False}
    if cfg.pad_token_id is not None:
        g["pad_token_id"] = cfg.pad_token_id
    with open(os.path.join(out_dir, "generation_config.json"), "w") as f:
        json.dump(g, f, indent=2)
        f.write("\n")


# ---------------------------------------------------------------------------------------------
# Quantized-embedding variants

def _find_embedding_gather(m: onnx.ModelProto):
    inits = {t.name: t for t in m.graph.initializer}
    for node in m.graph.node:
        if node.op_type == "Gather" and node.input[1] == "input_ids" and node.input[0] in inits:
            return node, inits[node.input[0]]
    raise RuntimeError("no Gather(initializer, input_ids) found")


def _drop_unused_initializers(m: onnx.ModelProto) -> None:
    used = {i for n in m.graph.node for i in n.input}
    keep = [t for t in m.graph.initializer if t.name in used]
    del m.graph.initializer[:]
    m.graph.initializer.extend(keep)


def make_q8_variant(src: str, dst: str) -> np.ndarray:
    """Copy of src whose embedding table is uint8 + DequantizeLinear (per-tensor, asymmetric).
    Returns the dequantized table (float32) so callers can compute references."""
    m = onnx.load(src)
    node, table = _find_embedding_gather(m)
    w = numpy_helper.to_array(table).astype(np.float32)
    lo, hi = float(min(w.min(), 0.0)), float(max(w.max(), 0.0))
    scale = np.float32((hi - lo) / 255.0)
    zp = np.uint8(np.clip(round(-lo / float(scale)), 0, 255))
    q = np.clip(np.round(w / scale) + int(zp), 0, 255).astype(np.uint8)
    base = table.name
    m.graph.initializer.extend(
        [
            numpy_helper.from_array(q, base + "_quantized"),
            numpy_helper.from_array(np.array(scale, dtype=np.float32), base + "_scale"),
            numpy_helper.from_array(np.array(zp, dtype=np.uint8), base + "_zero_point"),
        ]
    )
    deq_out = base + "_dequantized"
    deq = helper.make_node(
        "DequantizeLinear", [base + "_quantized", base + "_scale", base + "_zero_point"], [deq_out], name=base + "_DequantizeLinear"
    )
    idx = list(m.graph.node).index(node)
    m.graph.node.insert(idx, deq)
    node.input[0] = deq_out
    _drop_unused_initializers(m)  # the fp32 table survives only if e.g. a tied lm_head uses it
    onnx.checker.check_model(m)
    onnx.save_model(m, dst)
    return ((q.astype(np.float32) - float(zp)) * scale).astype(np.float32)


def make_q4_variant(src: str, dst: str, block_size: int = 32) -> np.ndarray:
    """Copy of src whose embedding lookup is com.microsoft GatherBlockQuantized (4-bit,
    uint8 packed low nibble first, symmetric per block along the hidden axis, no zero_points
    input -> default zero point 8). Returns the dequantized table (float32)."""
    m = onnx.load(src)
    node, table = _find_embedding_gather(m)
    w = numpy_helper.to_array(table).astype(np.float32)
    V, H = w.shape
    assert H % block_size == 0 and H % 2 == 0
    nb = H // block_size
    blocks = w.reshape(V, nb, block_size)
    amax = np.abs(blocks).max(axis=-1)
    scales = (amax / 7.0).astype(np.float32)
    scales[scales == 0] = 1.0
    q = np.clip(np.round(blocks / scales[..., None]), -8, 7).astype(np.int32) + 8  # 0..15
    q = q.reshape(V, H)
    packed = (q[:, 0::2] | (q[:, 1::2] << 4)).astype(np.uint8)  # [V, H/2]
    base = table.name
    m.graph.initializer.extend(
        [numpy_helper.from_array(packed, base + "_q4"), numpy_helper.from_array(scales, base + "_q4_scales")]
    )
    new = helper.make_node(
        "GatherBlockQuantized",
        [base + "_q4", "input_ids", base + "_q4_scales"],
        list(node.output),
        name=base + "_GatherBlockQuantized",
        domain="com.microsoft",
        bits=4,
        block_size=block_size,
        gather_axis=0,
        quantize_axis=1,
    )
    idx = list(m.graph.node).index(node)
    m.graph.node.remove(node)
    m.graph.node.insert(idx, new)
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    _drop_unused_initializers(m)
    onnx.save_model(m, dst)  # checker does not know contrib ops
    deq = ((q.reshape(V, nb, block_size) - 8).astype(np.float32) * scales[..., None]).reshape(V, H)
    return deq.astype(np.float32)


def make_fp16_variant(src: str, dst: str) -> None:
    """Copy of src computing in float16 (dtype fp16, as transformers.js names model_fp16.onnx):
    every float32 initializer, constant, cast target, graph input/output (logits, KV cache)
    becomes float16. Constants beyond float16's range (an attention mask's most negative
    value) are clamped to +-65504, as fp16 exporters write them."""
    m = onnx.load(src)
    F, H = TensorProto.FLOAT, TensorProto.FLOAT16

    def half(t):
        a = np.clip(numpy_helper.to_array(t).astype(np.float64), -65504, 65504).astype(np.float16)
        return numpy_helper.from_array(a, t.name)

    for vi in list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info):
        if vi.type.tensor_type.elem_type == F:
            vi.type.tensor_type.elem_type = H
    for i, t in enumerate(m.graph.initializer):
        if t.data_type == F:
            m.graph.initializer[i].CopyFrom(half(t))
    for n in m.graph.node:
        for a in n.attribute:
            if n.op_type in ("Constant", "ConstantOfShape") and a.name == "value" and a.t.data_type == F:
                a.t.CopyFrom(half(a.t))
            if n.op_type == "Cast" and a.name == "to" and a.i == F:
                a.i = H
    onnx.checker.check_model(m)
    onnx.save(m, dst)
