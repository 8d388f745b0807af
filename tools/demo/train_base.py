#!/usr/bin/env python3
"""Pre-train the demo base model (Llama-style, tools/models/modeling.py) by plain language
modeling on the extracted corpus. Seeded; single thread. Writes .cache/demo/base.pt and
.cache/demo/base_metrics.json (validation perplexity)."""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BOS, CACHE, EOS, load_tokenizer  # noqa: E402
from modeling import Decoder, DecoderConfig  # noqa: E402

MODEL = dict(arch="llama", vocab_size=4096, hidden_size=192, num_layers=6, num_heads=6,
             num_kv_heads=2, intermediate_size=512, max_position_embeddings=512,
             rope_theta=10000.0, norm_eps=1e-5, tie_word_embeddings=True, init_std=0.02,
             bos_token_id=1, eos_token_id=0, pad_token_id=0)
SEQ = 256


def token_stream(tok, docs):
    bos, eos = tok.vocab[BOS], tok.vocab[EOS]
    out = []
    for d in docs:
        out.append(bos)
        out.extend(tok.encode(d))
        out.append(eos)
    return np.array(out, dtype=np.int32)


def load_streams(tok):
    path = os.path.join(CACHE, "pretrain_ids.npz")
    if os.path.exists(path):
        z = np.load(path)
        return z["train"], z["val"]
    with open(os.path.join(CACHE, "pretrain_train.json")) as f:
        tr = token_stream(tok, json.load(f))
    with open(os.path.join(CACHE, "pretrain_val.json")) as f:
        va = token_stream(tok, json.load(f))
    np.savez(path, train=tr, val=va)
    return tr, va


@torch.no_grad()
def val_ppl(model, va, max_windows=200):
    model.eval()
    n = min(max_windows, (len(va) - 1) // SEQ)
    tot, cnt = 0.0, 0
    for i in range(0, n, 8):
        xs = [torch.from_numpy(va[j * SEQ:(j + 1) * SEQ + 1].astype(np.int64)) for j in range(i, min(n, i + 8))]
        x = torch.stack(xs)
        logits, _ = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1), reduction="sum")
        tot += float(loss)
        cnt += x[:, 1:].numel()
    model.train()
    return math.exp(tot / cnt), cnt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=1100)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=os.path.join(CACHE, "base.pt"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    tok = load_tokenizer()
    tr, va = load_streams(tok)
    print(f"train tokens {len(tr)}, val tokens {len(va)}", flush=True)
    cfg = DecoderConfig(**MODEL)
    model = Decoder(cfg, init=False)
    g = torch.Generator().manual_seed(a.seed)
    model.init_weights(generator=g)
    with torch.no_grad():  # plain init: norm gains 1 (bpe-agnostic, standard Llama init)
        for name, p in model.named_parameters():
            if "norm" in name:
                p.fill_(1.0)
            if name.endswith("o_proj.weight") or name.endswith("down_proj.weight"):
                p.mul_(1 / math.sqrt(2 * cfg.num_layers))
    nparams = sum(p.numel() for p in model.parameters())
    print(f"params {nparams}", flush=True)
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    nodecay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95), eps=1e-8)
    warm = 100
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / a.steps)))))
    t0 = time.time()
    log = []
    for step in range(a.steps):
        starts = rng.integers(0, len(tr) - SEQ - 1, size=a.batch)
        x = torch.from_numpy(np.stack([tr[s:s + SEQ + 1] for s in starts]).astype(np.int64))
        logits, _ = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 50 == 0 or step == a.steps - 1:
            el = time.time() - t0
            print(f"step {step} loss {loss.item():.3f} lr {sched.get_last_lr()[0]:.2e} {el:.0f}s", flush=True)
            log.append({"step": step, "loss": loss.item(), "time": el})
        if step > 0 and step % 400 == 0:
            torch.save({"cfg": cfg.to_dict(), "state": model.state_dict()}, a.out)
    ppl, ntok = val_ppl(model, va)
    el = time.time() - t0
    print(f"val ppl {ppl:.2f} on {ntok} tokens; {el:.0f}s", flush=True)
    torch.save({"cfg": cfg.to_dict(), "state": model.state_dict()}, a.out)
    with open(os.path.join(CACHE, "base_metrics.json"), "w") as f:
        json.dump({"val_ppl": ppl, "val_tokens": ntok, "train_tokens_seen": a.steps * a.batch * SEQ,
                   "corpus_train_tokens": int(len(tr)), "params": nparams, "steps": a.steps,
                   "batch": a.batch, "seq": SEQ, "lr": a.lr, "seconds": el, "log": log}, f, indent=1)


if __name__ == "__main__":
    main()
