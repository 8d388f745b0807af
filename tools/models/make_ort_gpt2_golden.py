"""Golden attributions for REAL third-party exports: test/fixtures/models/ort-transformers-gpt2-fp32 and -fp16
(microsoft/onnxruntime-genai's test models tiny-random-gpt2-fp32 and tiny-random-gpt2-fp16-cuda past.onnx, fused by
onnxruntime.transformers; see each folder's PROVENANCE.md).

An independent float64 PyTorch evaluation of the graph: its nodes are run in order by a float64 implementation of each
of the six operators it holds (Cast, com.microsoft EmbedLayerNormalization, Attention, SkipLayerNormalization,
FastGelu, MatMul), written from the operators' definitions (onnxruntime's ContribOperators.md), with the graph's
initializers (float32 or float16 -> float64, exact) and attributes. Nothing comes from the engine or from onnxruntime. The
sequence is evaluated in full (no past; attention_mask all ones; positions 0..S-1), and the token embedding rows can
be given (inputs_embeds) for autograd.

Steps:
  1. sha256 of the committed graph equals the recorded source (PROVENANCE.md);
  2. onnxruntime-node on the original graph (int32 ids, empty past_N) vs this reference: max |logits difference|
     (the fp16 graph computes in float16);
  3. golden.json in the format of make_goldens.py (greedy-0..2 and given-0, the same prompts), via
     make_genai_builder_golden's attributions (autograd gradient x input with a central-difference self-check, occlusion).

Run from the repo root:  /usr/bin/python3 tools/models/make_ort_gpt2_golden.py
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import helper, numpy_helper  # noqa: E402

from make_genai_builder_golden import attributions, greedy_with_margin  # noqa: E402
from make_goldens import GIVEN, MAX_NEW, PROMPTS, tokenize  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(HERE))
MODELS = os.path.join(ROOT, "test", "fixtures", "models")
SHA256 = {
    "ort-transformers-gpt2-fp32": "f618eca0cd9025bb2b834ffa21ba3755f1313e857ddd42601d8ab922016e791d",
    "ort-transformers-gpt2-fp16": "e3f6ad10cbaef67b9547d32ffc114b014a0be70cc395e7624b23a64234bfaba8",
}
OPS = {"Cast", "EmbedLayerNormalization", "Attention", "SkipLayerNormalization", "FastGelu", "MatMul"}


def layer_norm(x: torch.Tensor, gamma: torch.Tensor, beta: torch.Tensor, eps: float) -> torch.Tensor:
    mean = x.mean(-1, keepdim=True)
    var = (x - mean).pow(2).mean(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * gamma + beta


class GraphGpt2(torch.nn.Module):
    """The fused GPT-2 graph evaluated node by node in float64."""

    def __init__(self, path: str) -> None:
        super().__init__()
        model = onnx.load(path)
        self.w = {t.name: torch.from_numpy(numpy_helper.to_array(t).astype(np.float64)) for t in model.graph.initializer}
        self.nodes = list(model.graph.node)
        ops = {n.op_type for n in self.nodes}
        assert ops <= OPS and ops >= OPS - {"Cast"}, ops  # the fp16 graph feeds its int32 ids without a Cast
        embed = [n for n in self.nodes if n.op_type == "EmbedLayerNormalization"]
        assert len(embed) == 1 and embed[0].input[1] == "" and embed[0].input[4] == "", "GPT-2 form: no segments"
        self.embed = embed[0]
        self.embed_tokens = torch.nn.Embedding.from_pretrained(self.w[self.embed.input[2]], freeze=True)
        self.vocab = self.embed_tokens.weight.shape[0]

    @staticmethod
    def attrs(n: onnx.NodeProto) -> dict:
        return {a.name: helper.get_attribute_value(a) for a in n.attribute}

    def forward(self, input_ids: torch.Tensor | None = None, inputs_embeds: torch.Tensor | None = None):
        e = self.embed_tokens(input_ids) if inputs_embeds is None else inputs_embeds
        B, S, H = e.shape
        v: dict[str, torch.Tensor] = {}
        get = lambda name: self.w[name] if name in self.w else v[name]  # noqa: E731
        for n in self.nodes:
            a = self.attrs(n)
            if n.op_type == "Cast":
                continue  # int64 -> int32 ids: the ids are e's rows and positions are 0..S-1
            if n is self.embed:
                total = e + self.w[n.input[3]][torch.arange(S)]
                v[n.output[0]] = layer_norm(total, get(n.input[5]), get(n.input[6]), float(np.float32(a["epsilon"])))
                if len(n.output) > 2 and n.output[2]:
                    v[n.output[2]] = total
            elif n.op_type == "Attention":
                assert a["unidirectional"] == 1 and n.input[4].startswith("past_"), a
                heads = a["num_heads"]
                qkv = get(n.input[0]) @ get(n.input[1]) + get(n.input[2])
                q, k, val = (t.view(B, S, heads, -1).transpose(1, 2) for t in qkv.split(H, dim=-1))
                scores = (q @ k.transpose(-1, -2)) / math.sqrt(H // heads)
                scores = scores + torch.full((S, S), float("-inf"), dtype=e.dtype).triu(1)
                v[n.output[0]] = (torch.softmax(scores, -1) @ val).transpose(1, 2).reshape(B, S, H)
            elif n.op_type == "MatMul":
                v[n.output[0]] = get(n.input[0]) @ get(n.input[1])
            elif n.op_type == "SkipLayerNormalization":
                total = get(n.input[0]) + get(n.input[1]) + (get(n.input[4]) if len(n.input) > 4 and n.input[4] else 0)
                v[n.output[0]] = layer_norm(total, get(n.input[2]), get(n.input[3]), float(np.float32(a["epsilon"])))
                if len(n.output) > 3 and n.output[3]:
                    v[n.output[3]] = total
            elif n.op_type == "FastGelu":
                x = get(n.input[0]) + get(n.input[1])
                v[n.output[0]] = 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x.pow(3))))
        return v["logits"], None


def check_source(folder: str) -> None:
    with open(os.path.join(folder, "onnx", "model.onnx"), "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == SHA256[os.path.basename(folder)], "model.onnx is not the recorded upstream file"


ORT_SCRIPT = """
const { createRequire } = require('node:module');
const ort = createRequire(require('node:path').resolve('package.json'))('onnxruntime-node');
const [file, ids] = [process.argv[1], JSON.parse(process.argv[2])];
(async () => {
  const s = await ort.InferenceSession.create(file);
  const int32 = (v) => new ort.Tensor('int32', Int32Array.from(v), [1, v.length]);
  const feeds = { input_ids: int32(ids), position_ids: int32(ids.map((_, i) => i)), attention_mask: int32(ids.map(() => 1)) };
  for (const m of s.inputMetadata.filter((i) => i.name.startsWith('past_'))) {
    feeds[m.name] = m.type === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), [2, 1, 4, 0, 8]) : new ort.Tensor('float32', new Float32Array(0), [2, 1, 4, 0, 8]);
  }
  const logits = (await s.run(feeds)).logits;
  console.log(JSON.stringify({ type: logits.type, data: Array.from(logits.data) }));
})();
"""


def ort_check(folder: str, model: GraphGpt2) -> dict:
    ids = torch.randint(0, model.vocab, (1, 14), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        logits, _ = model(ids)
    r = subprocess.run(["node", "-e", ORT_SCRIPT, os.path.join(folder, "onnx", "model.onnx"), json.dumps(ids[0].tolist())], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    out = json.loads(r.stdout)
    ort_logits = np.array(out["data"], dtype=np.uint16).view(np.float16).astype(np.float64) if out["type"] == "float16" else np.array(out["data"])
    return {"full": float(np.abs(ort_logits - logits[0].flatten().numpy()).max()), "maxAbsLogit": float(logits.abs().max())}


def main() -> None:
    for name in SHA256:
        write_golden(os.path.join(MODELS, name))


def write_golden(folder: str) -> None:
    check_source(folder)
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    model = GraphGpt2(os.path.join(folder, "onnx", "model.onnx")).eval()
    assert (config["vocab_size"], config["n_embd"]) == tuple(model.embed_tokens.weight.shape), "config.json does not match the graph"
    print(os.path.basename(folder), "onnxruntime vs float64 reference:", json.dumps(ort_check(folder, model)))

    eos = config["eos_token_id"]
    toks = tokenize(folder, PROMPTS + [g[0] for g in GIVEN], [g[1] for g in GIVEN])
    cases = []
    for i, prompt in enumerate(PROMPTS):
        ids = toks["prompts"][i]
        resp, margin = greedy_with_margin(model, ids, eos)
        c = {"name": f"greedy-{i}", "prompt": prompt, "promptIds": ids, "teacherForced": False, "responseText": "", "responseIds": resp, "greedyMargin": margin}
        c.update(attributions(model, ids, resp))
        cases.append(c)
    for j, (prompt, text) in enumerate(GIVEN):
        ids = toks["prompts"][len(PROMPTS) + j]
        c = {"name": f"given-{j}", "prompt": prompt, "promptIds": ids, "teacherForced": True, "responseText": text, "responseIds": toks["responses"][j]}
        c.update(attributions(model, ids, toks["responses"][j]))
        cases.append(c)
    golden = {"model": os.path.basename(folder), "dtype": "float64", "maxNewTokens": MAX_NEW, "eosTokenId": eos, "cases": cases}
    with open(os.path.join(folder, "golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")
    print("cases (N, M):", [(len(c["promptIds"]), len(c["responseIds"])) for c in cases], "min greedy margin:", min(c.get("greedyMargin", 1e9) for c in cases),
          "p range:", min(min(c["p"]) for c in cases), max(max(c["p"]) for c in cases))


if __name__ == "__main__":
    main()
