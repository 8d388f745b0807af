#!/usr/bin/env python3
"""Golden reference attributions on the trained demo pair, computed in float64 with PyTorch
autograd (same format as tools/models/make_goldens.py; attributions by tools/models/golden_cases.py).
The test models there have random weights, whose attributions are large; a trained model's are
often tiny, and this is where float32 rounding shows (test/integration/demo-precision.test.ts).

For each demo model: the first held-out prompt of every task (raw, BOS + prompt tokens), the
model's own float64 greedy reply (at most MAX_NEW tokens, EOS excluded), and I[n][m] by exact
autograd (gradient x input of the probability) and by occlusion.
Needs the training checkpoints (.cache/demo/base.pt, instruct.pt: run_all.sh makes them).
Writes test/fixtures/demo-goldens/{demo-base,demo-instruct}.json.
Run from the repo root:  /usr/bin/python3 tools/demo/golden_demo.py"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, EOS, ROOT, load_tokenizer, raw_prompt_ids  # noqa: E402
from golden_cases import DECIMAL_STYLE, attributions, greedy_with_margin  # noqa: E402  (tools/models, via common)
from modeling import Decoder, DecoderConfig  # noqa: E402

MAX_NEW = 24
OUT = os.path.join(ROOT, "test", "fixtures", "demo-goldens")


def load_model(path):
    ck = torch.load(path)
    m = Decoder(DecoderConfig(**ck["cfg"]), init=False)
    m.load_state_dict(ck["state"])
    return m.eval()


def main():
    torch.set_num_threads(1)
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(ROOT, "models", "demo-heldout.jsonl")) as f:
        held = [json.loads(line) for line in f]
    first = {}
    for ex in held:
        first.setdefault(ex["task"], ex)
    for folder, ckpt in (("demo-base", "base.pt"), ("demo-instruct", "instruct.pt")):
        tok = load_tokenizer(os.path.join(ROOT, "models", folder, "tokenizer.json"))
        eos = tok.vocab[EOS]
        m64 = load_model(os.path.join(CACHE, ckpt)).double()
        cases = []
        for task, ex in first.items():
            ids = raw_prompt_ids(tok, ex["prompt"])
            resp, margin = greedy_with_margin(m64, ids, eos, MAX_NEW)
            resp = [t for t in resp if t != eos]
            c = {"name": f"{task}-{ex['id']}", "prompt": ex["prompt"], "promptIds": ids, "teacherForced": False,
                 "responseText": tok.decode(resp), "responseIds": resp, "greedyMargin": margin}
            c.update(attributions(m64, ids, resp, DECIMAL_STYLE))
            cases.append(c)
        g = {"model": folder, "dtype": "float64", "maxNewTokens": MAX_NEW, "eosTokenId": eos, "cases": cases}
        with open(os.path.join(OUT, f"{folder}.json"), "w") as f:
            json.dump(g, f, indent=1)
            f.write("\n")
        print(folder, [(len(c["promptIds"]), len(c["responseIds"])) for c in cases])


if __name__ == "__main__":
    main()
