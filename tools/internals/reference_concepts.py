"""Float64 numpy reference of the feed-forward concept analysis (docs/METHODS §2, Prompt Lens
`prompt-lens concepts`), written independently of the TypeScript engine: its own ONNX reading
(python3-onnx, tools/internals/onnx_weights.py, which also dequantizes 4-bit blocks), its own tokenization (tools/models/bpe.py over tokenizer.json) and PCA by SVD of
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
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "models"))
sys.path.insert(0, os.path.dirname(__file__))
from bpe import BPETokenizer  # noqa: E402
from onnx_weights import GraphWeights  # noqa: E402


def load_tokenizer(model_dir):
    with open(os.path.join(model_dir, "tokenizer.json"), encoding="utf-8") as f:
        spec = json.load(f)
    model = spec["model"]
    assert model["type"] == "BPE" and spec["pre_tokenizer"]["type"] == "ByteLevel", "reference handles byte-level BPE only"
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]
    specials = [t["content"] for t in spec.get("added_tokens", [])]
    return BPETokenizer(vocab=model["vocab"], merges=merges, special_tokens=specials)


def tokenized_words(tok, vocabulary_file, vocab_size):
    """The words the tokenizer encodes within the model's vocabulary, with their tokens (" " + word, blank tokens left out)."""
    words, ids_of = [], []
    for w in read_words(vocabulary_file):
        ids = [i for i in tok.encode(" " + w) if tok.decode([i], skip_special_tokens=False).strip() != ""]
        if not ids or any(i >= vocab_size for i in ids):
            continue
        words.append(w)
        ids_of.append(ids)
    return words, ids_of


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
    weights = GraphWeights(args.model_dir)
    downs, lm = weights.downs(), weights.lm_head()
    words, ids_of = tokenized_words(tok, args.vocabulary, lm.shape[0])
    rows = []
    for ids in ids_of:
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
