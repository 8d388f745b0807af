#!/usr/bin/env python3
"""Instruction fine-tuning of a copy of the base model on .cache/demo/sft_train.jsonl.
Loss only on response tokens. Each pair is shown either as a raw prompt (BOS + prompt, then
"\\n" + answer + EOS) or through the chat template (then answer + EOS), chosen at random with a
fixed seed, so the tuned model follows instructions with or without the template.
Writes .cache/demo/instruct.pt."""
import argparse
import json
import math
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CACHE, chat_prompt_ids, chat_response_ids, load_tokenizer,  # noqa: E402
                    raw_prompt_ids, raw_response_ids)
from modeling import Decoder, DecoderConfig  # noqa: E402


def load_model(path):
    ck = torch.load(path)
    model = Decoder(DecoderConfig(**ck["cfg"]), init=False)
    model.load_state_dict(ck["state"])
    return model


def encode_examples(tok, exs, rng, p_chat):
    out = []
    for ex in exs:
        if rng.random() < p_chat:
            p, r = chat_prompt_ids(tok, ex["prompt"]), chat_response_ids(tok, ex["response"])
        else:
            p, r = raw_prompt_ids(tok, ex["prompt"]), raw_response_ids(tok, ex["response"])
        out.append((p, r))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=2400)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--p-chat", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--base", default=os.path.join(CACHE, "base.pt"))
    ap.add_argument("--out", default=os.path.join(CACHE, "instruct.pt"))
    ap.add_argument("--data", nargs="+", default=[os.path.join(CACHE, "sft_train.jsonl"),
                                                  os.path.join(CACHE, "sft_compositional.jsonl")])
    a = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    rng = random.Random(a.seed)
    tok = load_tokenizer()
    exs = []
    for path in a.data:
        with open(path) as f:
            exs += [json.loads(line) for line in f]
    data = encode_examples(tok, exs, rng, a.p_chat)
    model = load_model(a.base)
    model.train()
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2]
    nodecay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": nodecay, "weight_decay": 0.0}],
                            lr=a.lr, betas=(0.9, 0.95))
    warm = 50
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * (0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, s / a.steps)))))
    order = list(range(len(data)))
    rng.shuffle(order)
    pos = 0
    t0 = time.time()
    log = []
    for step in range(a.steps):
        idx = []
        for _ in range(a.batch):
            if pos == len(order):
                rng.shuffle(order)
                pos = 0
            idx.append(order[pos])
            pos += 1
        seqs = [data[i][0] + data[i][1] for i in idx]
        L = max(len(s) for s in seqs)
        x = torch.zeros(len(idx), L, dtype=torch.long)
        y = torch.full((len(idx), L), -100, dtype=torch.long)
        for b, i in enumerate(idx):
            p, r = data[i]
            s = p + r
            x[b, :len(s)] = torch.tensor(s)
            # predict response tokens only: target at position t is token t+1
            y[b, len(p) - 1:len(s) - 1] = torch.tensor(r)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 25 == 0 or step == a.steps - 1:
            el = time.time() - t0
            print(f"step {step} loss {loss.item():.3f} {el:.0f}s", flush=True)
            log.append({"step": step, "loss": loss.item(), "time": el})
    torch.save({"cfg": model.cfg.to_dict(), "state": model.state_dict()}, a.out)
    with open(os.path.splitext(a.out)[0] + "_metrics.json", "w") as f:
        json.dump({"steps": a.steps, "batch": a.batch, "lr": a.lr, "p_chat": a.p_chat,
                   "examples": len(data), "seconds": time.time() - t0, "log": log}, f, indent=1)


if __name__ == "__main__":
    main()
