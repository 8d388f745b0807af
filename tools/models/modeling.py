"""One configurable decoder-only transformer (PyTorch) for Prompt Lens test models.

Architectures, selected by `DecoderConfig.arch`:
  * "gpt2"  : learned position embeddings, LayerNorm (with bias), GELU(tanh) MLP, biases
              everywhere, fused c_attn (q|k|v), tied lm_head.
  * "llama" : RMSNorm, RoPE (rotate-half, non-interleaved), SwiGLU MLP, grouped-query
              attention (num_kv_heads <= num_heads), no biases, optional tied embeddings.
  * "qwen2" : llama + biases on q/k/v projections.
  * "phi3"  : llama with fused qkv_proj (q|k|v) and fused gate_up_proj (gate|up).

Interface (all tensors batch-first):

    import sys; sys.path.insert(0, "tools/models")
    from modeling import DecoderConfig, Decoder

    cfg = DecoderConfig(arch="llama", vocab_size=512, hidden_size=64, num_layers=2,
                        num_heads=4, num_kv_heads=2, intermediate_size=128,
                        tie_word_embeddings=True)
    model = Decoder(cfg)                  # init_weights(std=cfg.init_std) already applied
    logits, present = model(input_ids)    # logits [B, S, V]; present: list of (k, v)
    # with a KV cache (k, v: [B, num_kv_heads, past, head_dim]):
    logits2, present2 = model(next_ids, attention_mask=mask, position_ids=pos,
                              past_key_values=present)
    # perturb embeddings: pass the raw token-embedding rows yourself ...
    e = model.embed_tokens(input_ids)     # [B, S, H]; raw table rows (no position emb / scale)
    logits, _ = model(inputs_embeds=e * 1.0)
    # ... or scale each position's raw embedding row: e_n -> embed_scale[b, n] * e_n
    logits, _ = model(input_ids, embed_scale=torch.ones(1, S))

Defaults: attention_mask = all ones over [past + S]; position_ids = past .. past+S-1.
Masked keys get the dtype's most negative value before softmax (no NaNs for all-masked rows).
`model.export_forward(...)` is the flat-signature variant used by export_onnx.py.
For training, call `model(input_ids)` and use cross-entropy on logits (the cache is returned
but can be ignored). Works in float32 and float64 (`model.double()`).

Parameter names follow the Hugging Face models loosely (embed_tokens, layers.i.self_attn...,
norm, lm_head); they are not meant to load HF checkpoints.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

KV = Tuple[torch.Tensor, torch.Tensor]


@dataclass
class DecoderConfig:
    arch: str = "llama"  # gpt2 | llama | qwen2 | phi3
    vocab_size: int = 512
    hidden_size: int = 64
    num_layers: int = 2
    num_heads: int = 4
    num_kv_heads: Optional[int] = None  # None -> num_heads (gpt2 always uses num_heads)
    intermediate_size: int = 128
    max_position_embeddings: int = 512
    rope_theta: float = 10000.0
    norm_eps: float = 1e-5
    tie_word_embeddings: bool = False  # gpt2 is always tied
    init_std: float = 0.02
    embed_std: Optional[float] = None  # None -> init_std
    bos_token_id: Optional[int] = None
    eos_token_id: Optional[int] = None
    pad_token_id: Optional[int] = None

    def __post_init__(self) -> None:
        if self.arch not in ("gpt2", "llama", "qwen2", "phi3"):
            raise ValueError(f"unknown arch {self.arch}")
        if self.num_kv_heads is None or self.arch == "gpt2":
            self.num_kv_heads = self.num_heads
        if self.arch == "gpt2":
            self.tie_word_embeddings = True
        assert self.hidden_size % self.num_heads == 0
        assert self.num_heads % self.num_kv_heads == 0

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_heads

    def to_dict(self) -> dict:
        return asdict(self)


class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        var = x.pow(2).mean(-1, keepdim=True)
        return x * torch.rsqrt(var + self.eps) * self.weight


def gelu_tanh(x: torch.Tensor) -> torch.Tensor:
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)))


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


class Attention(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        H, hd, nh, nkv = cfg.hidden_size, cfg.head_dim, cfg.num_heads, cfg.num_kv_heads
        qkv_out = (nh + 2 * nkv) * hd
        if cfg.arch == "gpt2":
            self.c_attn = nn.Linear(H, qkv_out, bias=True)
            self.c_proj = nn.Linear(nh * hd, H, bias=True)
        elif cfg.arch == "phi3":
            self.qkv_proj = nn.Linear(H, qkv_out, bias=False)
            self.o_proj = nn.Linear(nh * hd, H, bias=False)
        else:
            bias = cfg.arch == "qwen2"
            self.q_proj = nn.Linear(H, nh * hd, bias=bias)
            self.k_proj = nn.Linear(H, nkv * hd, bias=bias)
            self.v_proj = nn.Linear(H, nkv * hd, bias=bias)
            self.o_proj = nn.Linear(nh * hd, H, bias=False)

    def forward(
        self,
        x: torch.Tensor,
        allowed: torch.Tensor,  # bool [B, 1, S, T]
        rope: Optional[Tuple[torch.Tensor, torch.Tensor]],  # cos, sin [B, 1, S, hd]
        past: Optional[KV],
    ) -> Tuple[torch.Tensor, KV]:
        cfg = self.cfg
        B, S = x.shape[0], x.shape[1]
        hd, nh, nkv = cfg.head_dim, cfg.num_heads, cfg.num_kv_heads
        if cfg.arch == "gpt2" or cfg.arch == "phi3":
            qkv = self.c_attn(x) if cfg.arch == "gpt2" else self.qkv_proj(x)
            q, k, v = torch.split(qkv, [nh * hd, nkv * hd, nkv * hd], dim=-1)
        else:
            q, k, v = self.q_proj(x), self.k_proj(x), self.v_proj(x)
        q = q.reshape(B, S, nh, hd).transpose(1, 2)
        k = k.reshape(B, S, nkv, hd).transpose(1, 2)
        v = v.reshape(B, S, nkv, hd).transpose(1, 2)
        if rope is not None:
            cos, sin = rope
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        rep = nh // nkv
        if rep > 1:
            T = k.shape[2]
            k = k.unsqueeze(2).expand(B, nkv, rep, T, hd).reshape(B, nh, T, hd)
            v = v.unsqueeze(2).expand(B, nkv, rep, T, hd).reshape(B, nh, T, hd)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(hd)
        scores = scores.masked_fill(~allowed, torch.finfo(scores.dtype).min)
        probs = torch.softmax(scores, dim=-1)
        out = torch.matmul(probs, v).transpose(1, 2).reshape(B, S, nh * hd)
        out = self.c_proj(out) if cfg.arch == "gpt2" else self.o_proj(out)
        return out, present


class MLP(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        self.cfg = cfg
        H, I = cfg.hidden_size, cfg.intermediate_size
        if cfg.arch == "gpt2":
            self.c_fc = nn.Linear(H, I, bias=True)
            self.c_proj = nn.Linear(I, H, bias=True)
        elif cfg.arch == "phi3":
            self.gate_up_proj = nn.Linear(H, 2 * I, bias=False)
            self.down_proj = nn.Linear(I, H, bias=False)
        else:
            self.gate_proj = nn.Linear(H, I, bias=False)
            self.up_proj = nn.Linear(H, I, bias=False)
            self.down_proj = nn.Linear(I, H, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.cfg.arch == "gpt2":
            return self.c_proj(gelu_tanh(self.c_fc(x)))
        if self.cfg.arch == "phi3":
            gate, up = torch.split(self.gate_up_proj(x), self.cfg.intermediate_size, dim=-1)
        else:
            gate, up = self.gate_proj(x), self.up_proj(x)
        return self.down_proj(F.silu(gate) * up)


class Block(nn.Module):
    def __init__(self, cfg: DecoderConfig):
        super().__init__()
        if cfg.arch == "gpt2":
            self.input_layernorm: nn.Module = nn.LayerNorm(cfg.hidden_size, eps=cfg.norm_eps)
            self.post_attention_layernorm: nn.Module = nn.LayerNorm(cfg.hidden_size, eps=cfg.norm_eps)
        else:
            self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.norm_eps)
            self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.norm_eps)
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)

    def forward(self, x, allowed, rope, past):
        a, present = self.self_attn(self.input_layernorm(x), allowed, rope, past)
        x = x + a
        x = x + self.mlp(self.post_attention_layernorm(x))
        return x, present


class Decoder(nn.Module):
    def __init__(self, cfg: DecoderConfig, init: bool = True):
        super().__init__()
        self.cfg = cfg
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        if cfg.arch == "gpt2":
            self.embed_positions = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
            self.norm: nn.Module = nn.LayerNorm(cfg.hidden_size, eps=cfg.norm_eps)
        else:
            self.norm = RMSNorm(cfg.hidden_size, cfg.norm_eps)
            inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2, dtype=torch.float64) / cfg.head_dim))
            self.register_buffer("inv_freq", inv.float(), persistent=False)
        self.layers = nn.ModuleList([Block(cfg) for _ in range(cfg.num_layers)])
        # Optional (cos, sin) tables [positions, hd/2] replacing the computed rotary angles.
        self.rope_tables: Optional[Tuple[torch.Tensor, torch.Tensor]] = None
        if not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.hidden_size, cfg.vocab_size, bias=False)
        if init:
            self.init_weights()

    def init_weights(self, std: Optional[float] = None, generator: Optional[torch.Generator] = None) -> None:
        """Normal(0, std) weights, Normal(0, std/4) biases, norm gains 1 + Normal(0, 0.1)
        (random gains keep test models away from the trivial case). Embeddings use embed_std."""
        std = self.cfg.init_std if std is None else std
        estd = self.cfg.embed_std if self.cfg.embed_std is not None else std
        g = generator
        with torch.no_grad():
            for name, p in self.named_parameters():
                if name.startswith("embed_"):
                    p.copy_(torch.randn(p.shape, generator=g) * estd)
                elif "norm" in name and name.endswith("weight"):
                    p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
                elif name.endswith("bias"):
                    p.copy_(torch.randn(p.shape, generator=g) * std * 0.25)
                else:
                    p.copy_(torch.randn(p.shape, generator=g) * std)

    def output_weight(self) -> torch.Tensor:
        return self.embed_tokens.weight if self.cfg.tie_word_embeddings else self.lm_head.weight

    def forward(
        self,
        input_ids: Optional[torch.Tensor] = None,
        attention_mask: Optional[torch.Tensor] = None,
        position_ids: Optional[torch.Tensor] = None,
        past_key_values: Optional[List[KV]] = None,
        inputs_embeds: Optional[torch.Tensor] = None,
        embed_scale: Optional[torch.Tensor] = None,
    ) -> Tuple[torch.Tensor, List[KV]]:
        """Returns (logits [B, S, V], present key/values per layer, each [B, kv_heads, past+S, hd]).
        `inputs_embeds` replaces the token-embedding lookup (raw rows, before position
        embeddings); `embed_scale` [B, S] multiplies each position's raw row."""
        cfg = self.cfg
        if inputs_embeds is None:
            assert input_ids is not None
            inputs_embeds = self.embed_tokens(input_ids)
        x = inputs_embeds
        if embed_scale is not None:
            x = x * embed_scale.unsqueeze(-1).to(x.dtype)
        B, S = x.shape[0], x.shape[1]
        past_len = 0 if not past_key_values else past_key_values[0][0].shape[2]
        dev = x.device
        if attention_mask is None:
            attention_mask = torch.ones(B, past_len + S, dtype=torch.long, device=dev)
        if position_ids is None:
            position_ids = (torch.arange(S, device=dev) + past_len).unsqueeze(0).expand(B, S)
        allowed = self._allowed(attention_mask, S)
        if cfg.arch == "gpt2":
            x = x + self.embed_positions(position_ids)
            rope = None
        else:
            if self.rope_tables is not None:  # cos, sin [positions, hd/2] as a graph stores them
                cos, sin = (torch.cat([t[position_ids], t[position_ids]], dim=-1).to(x.dtype).unsqueeze(1) for t in self.rope_tables)
                rope = (cos, sin)
            else:
                freqs = position_ids.to(x.dtype).unsqueeze(-1) * self.inv_freq.to(x.dtype)  # [B, S, hd/2]
                emb = torch.cat([freqs, freqs], dim=-1).unsqueeze(1)  # [B, 1, S, hd]
                rope = (emb.cos(), emb.sin())
        presents: List[KV] = []
        for i, layer in enumerate(self.layers):
            past = past_key_values[i] if past_key_values else None
            x, pr = layer(x, allowed, rope, past)
            presents.append(pr)
        x = self.norm(x)
        logits = F.linear(x, self.output_weight())
        return logits, presents

    @staticmethod
    def _allowed(attention_mask: torch.Tensor, S: int) -> torch.Tensor:
        """bool [B, 1, S, T]: key j visible from query i iff j <= past+i and mask[b, j] == 1,
        with T = attention_mask.shape[1] = past + S."""
        T = attention_mask.shape[1]
        k_pos = torch.arange(T, device=attention_mask.device)
        q_pos = torch.arange(S, device=attention_mask.device) + (T - S)
        causal = k_pos.unsqueeze(0) <= q_pos.unsqueeze(1)  # [S, T]
        return causal.unsqueeze(0).unsqueeze(0) & (attention_mask[:, None, None, :] > 0)

    def export_forward(self, input_ids, attention_mask, position_ids, *past_flat):
        """Flat signature for ONNX export: past_flat = k0, v0, k1, v1, ...;
        returns (logits, k0', v0', k1', v1', ...)."""
        past = [(past_flat[2 * i], past_flat[2 * i + 1]) for i in range(self.cfg.num_layers)]
        logits, presents = self.forward(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)


def greedy(model: Decoder, ids: List[int], max_new_tokens: int, eos_token_id: Optional[int] = None) -> List[int]:
    """Greedy continuation using the KV cache; returns only the new tokens."""
    with torch.no_grad():
        x = torch.tensor([ids])
        logits, past = model(x)
        out: List[int] = []
        n = len(ids)
        for _ in range(max_new_tokens):
            t = int(logits[0, -1].argmax())
            out.append(t)
            if eos_token_id is not None and t == eos_token_id:
                break
            logits, past = model(torch.tensor([[t]]), position_ids=torch.tensor([[n]]), past_key_values=past)
            n += 1
        return out
