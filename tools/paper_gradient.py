"""The paper's gradient x input in PyTorch, as its authors computed it: one forward pass over
prompt + response, then one backward pass per response token, I[n, m] = (dp_m/de_n) . e_n.
A dev-time reference for `npm run bench` (src/cli/bench.ts), on the same random-weight model as
the benchmark's ONNX export (tools/models/make_bench_model.py: same configuration, same seed,
so the same weights), in float32.

    /usr/bin/python3 tools/paper_gradient.py MODEL_DIR PROMPT_TOKENS RESPONSE_TOKENS THREADS OUT.json

Token ids are the benchmark's: (i * 7919 + 11) % vocab. Writes {"seconds", "importance"} (rows
= prompt tokens); seconds cover the forward and the backward passes, not building the model.
"""
from __future__ import annotations

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "models"))

import torch  # noqa: E402

from make_bench_model import config_from_hf  # noqa: E402
from modeling import Decoder  # noqa: E402

SEED = 135  # make_bench_model.py's default


def main() -> None:
    model_dir, prompt_tokens, response_tokens, threads, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    torch.set_num_threads(threads)
    with open(os.path.join(model_dir, "config.json")) as f:
        cfg = config_from_hf(json.load(f))
    torch.manual_seed(SEED)
    model = Decoder(cfg, init=False)
    model.init_weights(generator=torch.Generator().manual_seed(SEED))
    model.eval()
    model.requires_grad_(False)  # only d p / d e is wanted: no weight gradients
    ids = [(i * 7919 + 11) % cfg.vocab_size for i in range(prompt_tokens + response_tokens)]
    sequence = torch.tensor([ids[:-1]])
    response = ids[prompt_tokens:]

    t0 = time.perf_counter()
    e = model.embed_tokens(sequence).detach().requires_grad_(True)
    logits, _ = model(inputs_embeds=e)
    probs = torch.softmax(logits[0, prompt_tokens - 1:], dim=-1)
    importance = torch.empty(prompt_tokens, response_tokens)
    for m, token in enumerate(response):
        (grad,) = torch.autograd.grad(probs[m, token], e, retain_graph=m < response_tokens - 1)
        importance[:, m] = (grad[0, :prompt_tokens] * e[0, :prompt_tokens]).sum(-1).detach()
    seconds = time.perf_counter() - t0
    with open(out, "w") as f:
        json.dump({"seconds": seconds, "importance": importance.tolist()}, f)


if __name__ == "__main__":
    main()
