#!/usr/bin/env python3
"""Export the trained pair to models/demo-base and models/demo-instruct (HF ONNX layout with
KV cache, via tools/models/export_onnx.py), write tokenizers (the instruct one with the chat
template), and store PyTorch greedy ids for the transformers.js parity test."""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (BOS, CACHE, CHAT_TEMPLATE, EOS, ROOT, chat_prompt_ids, load_tokenizer,  # noqa: E402
                    raw_prompt_ids)
from bpe import save_tokenizer  # noqa: E402  (tools/models, on the path via common)
from export_onnx import export_model, write_configs  # noqa: E402
from instr_score import load_model  # noqa: E402

GREEDY_JSON = os.path.join(ROOT, "test", "integration", "demo-pair.greedy.json")
MAX_NEW = 24


def dedupe_tied_embedding(path):
    """torch.onnx constant-folds the tied lm_head into a second, transposed copy of the
    embedding table (3 MB here). Keep one table: the output projection reads it through a
    Transpose node. The Gather(table, input_ids) lookup is unchanged."""
    import numpy as np
    import onnx
    from onnx import helper, numpy_helper
    m = onnx.load(path)
    inits = {t.name: t for t in m.graph.initializer}
    gather = next(n for n in m.graph.node if n.op_type == "Gather" and n.input[1] == "input_ids")
    table = numpy_helper.to_array(inits[gather.input[0]])
    for k, node in enumerate(m.graph.node):
        if node.op_type != "MatMul" or node.input[1] not in inits:
            continue
        w = numpy_helper.to_array(inits[node.input[1]])
        if w.shape == table.T.shape and np.array_equal(w, table.T):
            dup = node.input[1]
            t_out = gather.input[0] + "_transposed"
            m.graph.node.insert(k, helper.make_node("Transpose", [gather.input[0]], [t_out], perm=[1, 0],
                                                    name="lm_head_tied_Transpose"))
            node.input[1] = t_out
            m.graph.initializer.remove(inits[dup])
            break
    else:
        return False
    onnx.checker.check_model(m)
    onnx.save_model(m, path)
    return True


def greedy_with_margin(model, ids, max_new, eos):
    """Greedy ids (full recompute, no cache) and the smallest top1-top2 logit gap seen."""
    out, margin = [], float("inf")
    with torch.no_grad():
        for _ in range(max_new):
            logits, _ = model(torch.tensor([ids + out]))
            top = torch.topk(logits[0, -1], 2)
            margin = min(margin, float(top.values[0] - top.values[1]))
            t = int(top.indices[0])
            out.append(t)
            if t == eos:
                break
    return out, margin


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default=os.path.join(CACHE, "base.pt"))
    ap.add_argument("--tuned", default=os.path.join(CACHE, "instruct.pt"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    tok = load_tokenizer()
    eos = tok.vocab[EOS]
    models = {}
    for name, ck, template in (("demo-base", a.base, None), ("demo-instruct", a.tuned, CHAT_TEMPLATE)):
        out = os.path.join(ROOT, "models", name)
        model = load_model(ck)
        path = export_model(model, out)
        assert dedupe_tied_embedding(path), "expected a folded copy of the tied embedding"
        write_configs(model.cfg, out)
        save_tokenizer(tok, out, bos_token=BOS, eos_token=EOS, add_bos=True, chat_template=template,
                       model_max_length=model.cfg.max_position_embeddings)
        models[name] = model
        print(f"{name}: {os.path.getsize(os.path.join(out, 'onnx', 'model.onnx')) / 1e6:.2f} MB")
    # greedy references on a few held-out prompts, kept only where no near-tie could flip argmax
    with open(os.path.join(ROOT, "models", "demo-heldout.jsonl")) as f:
        held = [json.loads(line) for line in f]
    cases = []
    by_task = {}
    for ex in held:
        by_task.setdefault(ex["task"], []).append(ex)
    cand = [v[k] for k in range(3) for v in by_task.values() if len(v) > k]
    for ex in cand:
        rows = []
        for name, chat in (("demo-base", False), ("demo-instruct", False), ("demo-instruct", True)):
            ids = chat_prompt_ids(tok, ex["prompt"]) if chat else raw_prompt_ids(tok, ex["prompt"])
            gen, margin = greedy_with_margin(models[name], ids, MAX_NEW, eos)
            rows.append({"model": name, "chat": chat, "input_ids": ids, "greedy_ids": gen, "min_margin": margin})
        if all(r["min_margin"] > 0.05 for r in rows):
            cases.append({"id": ex["id"], "prompt": ex["prompt"], "runs": rows})
        if len(cases) == 4:
            break
    with open(GREEDY_JSON, "w") as f:
        json.dump({"max_new_tokens": MAX_NEW, "eos_token_id": eos, "cases": cases}, f)
        f.write("\n")
    print(f"greedy cases {len(cases)} -> {GREEDY_JSON}")


if __name__ == "__main__":
    main()
