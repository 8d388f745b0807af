"""Float64 numpy reference of the feed-forward concept analysis (docs/METHODS §2, Prompt Lens
`prompt-lens concepts`), written independently of the TypeScript engine: its own ONNX reading
(python3-onnx), its own tokenization (tools/models/bpe.py over tokenizer.json) and PCA by SVD of
the centred rows instead of the engine's covariance eigen-decomposition.

Dev-time only. Usage:

    /usr/bin/python3 tools/internals/reference_concepts.py MODEL_DIR VOCABULARY.txt OUT.json \
        [--components 20] [--top-words 15]

VOCABULARY.txt: one word a line, optionally a tab and a frequency (most frequent first).
Writes {model, vocabulary: {size}, components, topWords, layers: [{layer, components: [{rank,
varianceRatio, words: [{word, score}]}]}]}; ties in score go to the more frequent word.
"""
import argparse
import json
import os
import re
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "models"))
from bpe import BPETokenizer  # noqa: E402

DOWN = re.compile(r"(?:^|/)(?:model/)?(?:layers|h|blocks)\.(\d+)/mlp/(?:down_proj|c_proj|fc2|dense_4h_to_h)/[^/]*$")


def load_tokenizer(model_dir):
    with open(os.path.join(model_dir, "tokenizer.json"), encoding="utf-8") as f:
        spec = json.load(f)
    model = spec["model"]
    assert model["type"] == "BPE" and spec["pre_tokenizer"]["type"] == "ByteLevel", "reference handles byte-level BPE only"
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    specials = [t["content"] for t in spec.get("added_tokens", [])]
    return BPETokenizer(vocab=model["vocab"], merges=merges, special_tokens=specials)


def graph_weights(model_dir):
    path = os.path.join(model_dir, "onnx", "model.onnx")
    model = onnx.load(path, load_external_data=True)
    g = model.graph
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    producers = {o: n for n in g.node for o in n.output}

    def weight(name):
        if name in inits:
            return inits[name]
        node = producers[name]
        if node.op_type == "Transpose":
            return weight(node.input[0]).T
        raise ValueError(f"reference cannot read {name} ({node.op_type})")

    downs = {}
    for n in g.node:
        m = DOWN.search(n.name)
        if m and n.op_type == "MatMul":
            downs.setdefault(int(m.group(1)), weight(n.input[1]))
    head = producers["logits"]
    assert head.op_type == "MatMul"
    lm = weight(head.input[1]).T  # vocab x d
    return [downs[i] for i in sorted(downs)], lm


def read_words(file):
    words = []
    with open(file, encoding="utf-8") as f:
        for line in f:
            w = line.rstrip("\n").split("\t")[0].strip()
            if w and w not in words:
                words.append(w)
    return words


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("vocabulary")
    ap.add_argument("out")
    ap.add_argument("--components", type=int, default=20)
    ap.add_argument("--top-words", type=int, default=15)
    args = ap.parse_args()

    tok = load_tokenizer(args.model_dir)
    downs, lm = graph_weights(args.model_dir)
    words, rows = [], []
    for w in read_words(args.vocabulary):
        ids = [i for i in tok.encode(" " + w) if tok.decode([i], skip_special_tokens=False).strip() != ""]
        if not ids or any(i >= lm.shape[0] for i in ids):
            continue
        words.append(w)
        v = lm[ids].mean(axis=0)
        rows.append(v / np.linalg.norm(v))
    E = np.array(rows)  # words x d, unit rows

    layers = []
    for layer, W in enumerate(downs):
        centred = W - W.mean(axis=0, keepdims=True)
        _, s, vt = np.linalg.svd(centred, full_matrices=False)
        var = s**2
        ratios = var / var.sum()
        comps = []
        for r in range(min(args.components, vt.shape[0])):
            score = np.abs(E @ vt[r])
            order = np.lexsort((np.arange(len(words)), -score))[: args.top_words]
            comps.append({
                "rank": r + 1,
                "varianceRatio": float(ratios[r]),
                "words": [{"word": words[i], "score": float(score[i])} for i in order],
            })
        layers.append({"layer": layer, "components": comps})
    out = {
        "model": os.path.basename(os.path.normpath(args.model_dir)),
        "vocabulary": {"size": len(words)},
        "components": args.components,
        "topWords": args.top_words,
        "layers": layers,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
