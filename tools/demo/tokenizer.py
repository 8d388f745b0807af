#!/usr/bin/env python3
"""Train the demo pair's byte-level BPE tokenizer (tools/models/bpe.py) on the pre-training
text plus the training responses (so upper-case words get tokens too). Deterministic.
Writes .cache/demo/tok/{tokenizer.json,tokenizer_config.json}."""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools", "models"))
sys.path.insert(0, HERE)
from bpe import save_tokenizer, train_bpe  # noqa: E402
from common import BOS, CACHE, EOS, SPECIALS, VOCAB_SIZE  # noqa: E402


def main():
    with open(os.path.join(CACHE, "pretrain_train.json")) as f:
        docs = json.load(f)
    texts = [line + "\n" for d in docs for line in d.split("\n")]
    with open(os.path.join(CACHE, "sft_train.jsonl")) as f:
        for line in f:
            ex = json.loads(line)
            texts.append(ex["prompt"] + "\n" + ex["answer"] + "\n")  # bare answers
    tok = train_bpe(texts, VOCAB_SIZE, SPECIALS, min_frequency=2)
    save_tokenizer(tok, os.path.join(CACHE, "tok"), bos_token=BOS, eos_token=EOS, add_bos=True)
    print(f"vocab {len(tok.vocab)} merges {len(tok.merges)}")


if __name__ == "__main__":
    main()
