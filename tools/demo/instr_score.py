#!/usr/bin/env python3
"""PyTorch reference of the instruction-score comparison (METHODS.md §1.2-1.6), used to steer
training before the engine could run it. For every held-out prompt and each model:
  * input: BOS + raw prompt tokens (no chat template, like the paper), response: the model's
    own greedy continuation (up to --max-new tokens, EOS excluded);
  * I[n, m] = (dp_m/de_n) . e_n by exact autograd (gradient x input), rows = prompt tokens
    (BOS excluded), computed as d p_m / d alpha_n with e_n -> alpha_n e_n at alpha = 1;
  * S: clip, column-max scale, L = 10 quantization, b = 7 sparsify; density p = 4;
    normalized by its max; instruction score with the mask of tokens overlapping the spans;
  * Welch one-sided t-test H1: mean(base) < mean(tuned); relative-position profile (10 bins).
Usage: instr_score.py [--base PT] [--tuned PT] [--chat-tuned] [--out JSON]"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CACHE, ROOT, EOS, chat_prompt_ids, load_tokenizer, raw_prompt_ids,  # noqa: E402
                    position_profile, welch_less)
from modeling import Decoder, DecoderConfig, greedy  # noqa: E402

L, B_STAT, P_NORM, EPS = 10, 7, 4, 1e-7


def load_model(path):
    ck = torch.load(path)
    m = Decoder(DecoderConfig(**ck["cfg"]), init=False)
    m.load_state_dict(ck["state"])
    return m.eval()


def token_char_spans(tok, prompt):
    """[start, end) character range of each prompt token (ASCII prompts: bytes == chars)."""
    ids = tok.encode(prompt)
    spans, pos = [], 0
    for i in ids:
        n = len(tok.decode([i]))
        spans.append((pos, pos + n))
        pos += n
    assert pos == len(prompt), (prompt, pos)
    return ids, spans


def instruction_mask(prompt, tok_spans, instr):
    mask = []
    for a, b in tok_spans:
        while a < b and prompt[a].isspace():
            a += 1
        mask.append(1 if any(a < s["end"] and s["start"] < b for s in instr) else 0)
    return mask


def gradxinput(model, ids, n_prompt_first, n_prompt, resp):
    """I [n_prompt, M]: rows = positions n_prompt_first .. n_prompt_first+n_prompt-1."""
    M = len(resp)
    full = torch.tensor([ids + resp] * M)
    scale = torch.ones(M, full.shape[1], requires_grad=True)
    logits, _ = model(full, embed_scale=scale)
    probs = torch.softmax(logits.double(), dim=-1)
    P0 = len(ids)
    sel = torch.stack([probs[m, P0 - 1 + m, resp[m]] for m in range(M)])
    (g,) = torch.autograd.grad(sel.sum(), scale)
    return g[:, n_prompt_first:n_prompt_first + n_prompt].T.double()  # [N, M]


def normalize(I):
    X = I.clamp(min=0)
    X = X / (X.max(dim=0, keepdim=True).values + EPS)
    S = torch.ceil(L * X)
    S = torch.where(S > B_STAT, S, torch.zeros_like(S))
    return S


def density(S):
    l1 = S.abs().sum(1)
    lp = S.abs().pow(P_NORM).sum(1).pow(1 / P_NORM)
    a = torch.where(lp > 0, l1 / lp.clamp(min=1e-30), torch.zeros_like(l1))
    return a / a.max() if a.max() > 0 else a


def analyse(model, tok, ex, max_new, chat=False):
    prompt = ex["prompt"]
    p_ids, tspans = token_char_spans(tok, prompt)
    ids = chat_prompt_ids(tok, prompt) if chat else raw_prompt_ids(tok, prompt)
    first = 1  # after BOS
    if chat:  # locate the user text inside the rendered template
        first = next(k for k in range(len(ids)) if ids[k:k + len(p_ids)] == p_ids)
    out = greedy(model, ids, max_new, eos_token_id=tok.vocab[EOS])
    resp = [t for t in out if t != tok.vocab[EOS]]
    mask = instruction_mask(prompt, tspans, ex["instruction_spans"])
    if not resp:
        return None
    I = gradxinput(model, ids, first, len(p_ids), resp)
    a = density(normalize(I))
    score = float((a * torch.tensor(mask, dtype=a.dtype)).sum() / math.log2(2 + sum(mask)))
    return {"score": score, "a": a.tolist(), "mask": mask, "response": tok.decode(resp), "M": len(resp)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default=os.path.join(CACHE, "base.pt"))
    ap.add_argument("--tuned", default=os.path.join(CACHE, "instruct.pt"))
    ap.add_argument("--heldout", default=os.path.join(ROOT, "models", "demo-heldout.jsonl"))
    ap.add_argument("--max-new", type=int, default=64)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--chat-tuned", action="store_true", help="tuned model through its chat template")
    ap.add_argument("--out", default=os.path.join(CACHE, "instr_score.json"))
    ap.add_argument("--reuse-base", default=None, help="take the base results from an earlier output")
    a = ap.parse_args()
    torch.set_num_threads(1)
    tok = load_tokenizer()
    with open(a.heldout) as f:
        held = [json.loads(line) for line in f]
    if a.limit:
        held = held[::max(1, len(held) // a.limit)][:a.limit]
    res = {}
    for name, path, chat in (("base", a.base, False), ("tuned", a.tuned, a.chat_tuned)):
        if name == "base" and a.reuse_base:
            with open(a.reuse_base) as f:
                keep = {ex["id"] for ex in held}
                res["base"] = [r for r in json.load(f)["results"]["base"] if r["id"] in keep]
            continue
        model = load_model(path)
        rs = []
        for ex in held:
            r = analyse(model, tok, ex, a.max_new, chat)
            if r is not None:
                r["id"], r["task"] = ex["id"], ex["task"]
                rs.append(r)
        res[name] = rs
    sb = [r["score"] for r in res["base"]]
    st = [r["score"] for r in res["tuned"]]
    t, df, p = welch_less(sb, st)
    summary = {"n_base": len(sb), "n_tuned": len(st), "mean_base": sum(sb) / len(sb),
               "mean_tuned": sum(st) / len(st), "t": t, "df": df, "p_one_sided": p,
               "chat_tuned": a.chat_tuned, "max_new_tokens": a.max_new,
               "profile_base": position_profile([r["a"] for r in res["base"]]),
               "profile_tuned": position_profile([r["a"] for r in res["tuned"]])}
    per_task = {}
    for name in ("base", "tuned"):
        for r in res[name]:
            per_task.setdefault(r["task"], {}).setdefault(name, []).append(r["score"])
    summary["per_task_means"] = {k: {n: sum(v) / len(v) for n, v in d.items()} for k, d in per_task.items()}
    print(json.dumps({k: v for k, v in summary.items()}, indent=1))
    with open(a.out, "w") as f:
        json.dump({"summary": summary, "results": res}, f)


if __name__ == "__main__":
    main()
