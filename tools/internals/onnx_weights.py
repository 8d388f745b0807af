"""Float64 weights of a decoder ONNX graph for the numpy references (dev-time), read independently
of the TypeScript engine with python3-onnx: initializers (Transpose chains), and onnxruntime's
4/8-bit block-quantized weights (com.microsoft MatMulNBits, GatherBlockQuantized) dequantized
here in numpy from the contrib-op specification: uint8 storage, low bits first, per-block scales,
zero points absent (2^(bits-1)), packed like the values, or of the scales' type.
"""
import os
import re

import numpy as np
import onnx
from onnx import numpy_helper

LAYER = r"(?:^|/)(?:model/)?(?:layers|h|blocks)\.(\d+)"


def role(inner):
    return re.compile(LAYER + "/" + inner + r"/[^/]*$")


DOWN = role("mlp/(?:down_proj|c_proj|fc2|dense_4h_to_h)")
QUERY = role("(?:self_attn|attn|attention)/(?:q_proj|query)")
KEY = role("(?:self_attn|attn|attention)/(?:k_proj|key)")
FUSED = role("(?:self_attn|attn|attention)/(?:qkv_proj|c_attn|query_key_value|Wqkv)")
INPUT_NORM = role("(?:input_layernorm|ln_1|attn_norm)")
MATMULS = ("MatMul", "MatMulNBits")
NORMS = ("Mul", "SimplifiedLayerNormalization", "SkipSimplifiedLayerNormalization")


def unpack(packed, bits):
    """uint8 rows -> their bits-wide values, low bits first."""
    packed = packed.astype(np.uint8)
    if bits == 8:
        return packed.astype(np.float64)
    values = np.stack([(packed >> (bits * i)) & ((1 << bits) - 1) for i in range(8 // bits)], axis=-1)
    return values.reshape(packed.shape[0], -1).astype(np.float64)


def dequantize(values, scales, zeros, block_size):
    """values rows x columns; scales, zeros rows x blocks."""
    columns = values.shape[1]
    block_of = np.arange(columns) // block_size
    return (values - zeros[:, block_of]) * scales[:, block_of]


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return a.f if a.type == onnx.AttributeProto.FLOAT else a.i
    return default


class GraphWeights:
    def __init__(self, model_dir):
        model = onnx.load(os.path.join(model_dir, "onnx", "model.onnx"), load_external_data=True)
        self.graph = model.graph
        self.raw = {t.name: numpy_helper.to_array(t) for t in self.graph.initializer}
        self.producers = {o: n for n in self.graph.node for o in n.output}

    def weight(self, name):
        if name in self.raw:
            return self.raw[name].astype(np.float64)
        node = self.producers[name]
        if node.op_type == "Transpose":
            return self.weight(node.input[0]).T
        raise ValueError(f"reference cannot read {name} ({node.op_type})")

    def zero_points(self, name, rows, blocks, bits):
        if not name:
            return np.full((rows, blocks), 2.0 ** (bits - 1))
        z = self.raw[name]
        if z.dtype == np.uint8:
            return unpack(z.reshape(rows, -1), bits)[:, :blocks]
        return z.astype(np.float64).reshape(rows, blocks)

    def matmul_nbits(self, node):
        """The [K, N] matrix a MatMulNBits node multiplies by."""
        K, N, bits, block = attr(node, "K"), attr(node, "N"), attr(node, "bits", 4), attr(node, "block_size")
        blocks = -(-K // block)
        values = unpack(self.raw[node.input[1]].reshape(N, -1), bits)[:, :K]
        scales = self.raw[node.input[2]].astype(np.float64).reshape(N, blocks)
        zeros = self.zero_points(node.input[3] if len(node.input) > 3 else "", N, blocks, bits)
        return dequantize(values, scales, zeros, block).T

    def gather_block_quantized(self, node):
        bits, block = attr(node, "bits", 4), attr(node, "block_size", 128)
        packed = self.raw[node.input[0]]
        values = unpack(packed, bits)
        blocks = -(-values.shape[1] // block)
        scales = self.raw[node.input[2]].astype(np.float64).reshape(values.shape[0], blocks)
        zeros = self.zero_points(node.input[3] if len(node.input) > 3 else "", values.shape[0], blocks, bits)
        return dequantize(values, scales, zeros, block)

    def matmul_weight(self, node):
        return self.matmul_nbits(node) if node.op_type == "MatMulNBits" else self.weight(node.input[1])

    def by_layer(self, pattern):
        out = {}
        for n in self.graph.node:
            m = pattern.search(n.name)
            if m and n.op_type in MATMULS:
                out.setdefault(int(m.group(1)), n)
        return out

    def downs(self):
        nodes = self.by_layer(DOWN)
        return [self.matmul_weight(nodes[i]) for i in sorted(nodes)]

    def lm_head(self):
        """vocab x d."""
        head = self.producers["logits"]
        assert head.op_type in MATMULS, head.op_type
        return self.matmul_weight(head).T

    def input_embedding(self):
        for n in self.graph.node:
            if n.op_type == "GatherBlockQuantized" and "input_ids" in n.input:
                return self.gather_block_quantized(n)
            if n.op_type == "Gather" and n.input[1] == "input_ids":
                return self.weight(n.input[0])
        raise ValueError("no token embedding lookup of input_ids")

    def input_norm_gain(self, layer, size):
        for n in self.graph.node:
            m = INPUT_NORM.search(n.name)
            if not m or int(m.group(1)) != layer or n.op_type not in NORMS:
                continue
            for i in n.input:
                if i in self.raw and self.raw[i].size == size:
                    return self.weight(i)
        raise ValueError(f"layer {layer}: no input-norm gain")

    def query_key(self, layer, heads, kv_heads, head_dim):
        """d x (heads * head_dim), d x (kv_heads * head_dim), rows scaled by the input-norm gain."""
        queries, keys = self.by_layer(QUERY), self.by_layer(KEY)
        if layer in queries:
            q, k = self.matmul_weight(queries[layer]), self.matmul_weight(keys[layer])
        else:
            fused = self.matmul_weight(self.by_layer(FUSED)[layer])
            q, k = fused[:, : heads * head_dim], fused[:, heads * head_dim : (heads + kv_heads) * head_dim]
        gain = self.input_norm_gain(layer, q.shape[0])[:, None]
        return q * gain, k * gain
