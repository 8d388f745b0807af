"""tiny-gpt2 with its embeddings fused into com.microsoft.EmbedLayerNormalization, as onnxruntime.transformers'
GPT-2 optimizer writes them (test/fixtures/models/tiny-gpt2-embedln/).

The fusion (onnxruntime/python/tools/transformers/fusion_embedlayer.py) replaces the token Gather, the position
Gather, their Add and the first layer's LayerNorm by one EmbedLayerNormalization node: int32 input_ids and
position_ids (Cast from the int64 inputs), word and position tables, the LayerNorm's gamma, beta and epsilon; its
output feeds the first attention, its embedding_sum the first residual connection, its mask_index is unused. Everything
else of tiny-gpt2's export stays, so the past_key_values.* / present.* names and the config are those transformers.js
loads. The weights are tiny-gpt2's, unchanged, so the golden is tiny-gpt2's (float64 PyTorch, make_goldens.py); this
script checks that by rebuilding the model from its seed, and checks onnxruntime-node's logits against PyTorch.

Run from the repo root: /usr/bin/python3 tools/models/make_embedln_gpt2.py
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
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from make_test_models import OUT, build_model, build_tokenizer, parity  # noqa: E402

SOURCE = os.path.join(OUT, "tiny-gpt2")
TARGET = os.path.join(OUT, "tiny-gpt2-embedln")
COPIED = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "golden.json"]


class Graph:
    def __init__(self, model: onnx.ModelProto) -> None:
        self.model = model
        self.g = model.graph

    def producer(self, name: str) -> onnx.NodeProto:
        return next(n for n in self.g.node if name in n.output)

    def consumer(self, name: str, op: str) -> onnx.NodeProto:
        found = [n for n in self.g.node if name in n.input and n.op_type == op]
        assert len(found) == 1, f"{op} after {name}: {len(found)}"
        return found[0]

    def lookup(self, ids: str) -> onnx.NodeProto:
        return next(n for n in self.g.node if n.op_type == "Gather" and n.input[1] == ids)

    def constant(self, name: str) -> np.ndarray:
        node = self.producer(name)
        assert node.op_type == "Constant"
        return numpy_helper.to_array(node.attribute[0].t)


def fuse(model: onnx.ModelProto) -> onnx.ModelProto:
    g = Graph(model)
    word, position = g.lookup("input_ids"), g.lookup("position_ids")
    total = g.consumer(word.output[0], "Add")
    assert position.output[0] in total.input
    # LayerNorm as torch exports it: (x - mean) / sqrt(mean((x - mean)^2) + eps) * gamma + beta.
    mean = g.consumer(total.output[0], "ReduceMean")
    sub = g.consumer(mean.output[0], "Sub")
    power = g.consumer(sub.output[0], "Pow")
    variance = g.consumer(power.output[0], "ReduceMean")
    add_eps = g.consumer(variance.output[0], "Add")
    sqrt = g.consumer(add_eps.output[0], "Sqrt")
    div = g.consumer(sqrt.output[0], "Div")
    mul = g.consumer(div.output[0], "Mul")
    add_beta = g.consumer(mul.output[0], "Add")
    epsilon = float(g.constant(add_eps.input[1]))
    gamma = next(i for i in mul.input if i != div.output[0])
    beta = next(i for i in add_beta.input if i != mul.output[0])
    removed = [word, position, total, mean, sub, power, variance, add_eps, sqrt, div, mul, add_beta]

    ids32, positions32 = "/transformer/input_ids_int32", "/transformer/position_ids_int32"
    fused = [
        helper.make_node("Cast", ["input_ids"], [ids32], name="/transformer/Cast_input_ids", to=TensorProto.INT32),
        helper.make_node("Cast", ["position_ids"], [positions32], name="/transformer/Cast_position_ids", to=TensorProto.INT32),
        helper.make_node(
            "EmbedLayerNormalization",
            [ids32, "", word.input[0], position.input[0], "", gamma, beta, "", positions32],
            [add_beta.output[0], "EmbedLayerNormalization_0_dummy_mask_index", total.output[0]],
            name="EmbedLayerNormalization_0", domain="com.microsoft", epsilon=epsilon,
        ),
    ]
    # Shape nodes read the token lookup; the embedding sum has its shape.
    for n in model.graph.node:
        n.input[:] = [total.output[0] if i == word.output[0] else i for i in n.input]
    at = list(model.graph.node).index(word)
    nodes = [n for n in model.graph.node if n not in removed]
    nodes[at:at] = fused
    used = {i for n in nodes for i in n.input}
    nodes = [n for n in nodes if n.op_type != "Constant" or n.output[0] in used]
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    return model


def main() -> None:
    tok = build_tokenizer("tiny-gpt2")
    reference = build_model("tiny-gpt2", tok)
    model = fuse(onnx.load(os.path.join(SOURCE, "onnx", "model.onnx")))
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    node = next(n for n in model.graph.node if n.op_type == "EmbedLayerNormalization")
    table = reference.embed_tokens.weight.detach().numpy()
    assert np.array_equal(inits[node.input[2]], table), "the word table is not tiny-gpt2's: rebuild with make_test_models.py"
    onnx.checker.check_model(model)

    shutil.rmtree(TARGET, ignore_errors=True)
    os.makedirs(os.path.join(TARGET, "onnx"))
    for f in COPIED:
        shutil.copy(os.path.join(SOURCE, f), os.path.join(TARGET, f))
    out = os.path.join(TARGET, "onnx", "model.onnx")
    onnx.save(model, out)
    print(json.dumps({"ops": sorted({f"{n.domain or 'ai.onnx'}.{n.op_type}" for n in model.graph.node} - {"ai.onnx.Constant"}),
                      "nodes": len(model.graph.node), "ortVsPytorch": parity(reference, out)}, indent=1))


if __name__ == "__main__":
    main()
