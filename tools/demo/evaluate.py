#!/usr/bin/env python3
"""Per-task greedy exact-match of base vs tuned on the held-out prompts (never trained on).
A generation counts as correct when, stripped of surrounding whitespace, it equals one of the
accepted answers (the reference, or for synonyms/antonyms any of the dictionary's). The base
model gets the raw prompt; the tuned model is measured on the raw prompt and through its chat
template. Writes .cache/demo/eval.json and prints a table."""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, EOS, chat_prompt_ids, load_tokenizer, raw_prompt_ids  # noqa: E402
from instr_score import load_model  # noqa: E402
from modeling import greedy  # noqa: E402
from build_data import RESTATE  # noqa: E402
import re  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default=os.path.join(CACHE, "base.pt"))
    ap.add_argument("--tuned", default=os.path.join(CACHE, "instruct.pt"))
    ap.add_argument("--max-new", type=int, default=40)
    ap.add_argument("--out", default=os.path.join(CACHE, "eval.json"))
    a = ap.parse_args()
    torch.set_num_threads(1)
    tok = load_tokenizer()
    eos = tok.vocab[EOS]
    with open(os.path.join(CACHE, "heldout_full.jsonl")) as f:
        held = [json.loads(line) for line in f]
    runs = {"base": (a.base, False), "tuned": (a.tuned, False), "tuned_chat": (a.tuned, True)}
    table, samples, loose = {}, {}, {}
    for name, (path, chat) in runs.items():
        model = load_model(path)
        for ex in held:
            ids = chat_prompt_ids(tok, ex["prompt"]) if chat else raw_prompt_ids(tok, ex["prompt"])
            out = greedy(model, ids, a.max_new, eos_token_id=eos)
            text = tok.decode([t for t in out if t != eos]).strip()
            ok = text in ex["accept"]
            d = table.setdefault(ex["task"], {}).setdefault(name, [0, 0])
            d[0] += int(ok)
            d[1] += 1
            # looser measures: the reply says the right task was asked for (it carries out the
            # instruction's task), and the bare answer occurs in the output as whole words
            asked = RESTATE[ex["subtask"]].split('"')[0]
            hit = any(re.search(r"(?<![\w])" + re.escape(v) + r"(?![\w])", text) for v in ex["accept_answer"])
            dl = loose.setdefault(ex["task"], {}).setdefault(name, [0, 0, 0])
            dl[0] += int(text.startswith(asked))
            dl[1] += int(hit)
            dl[2] += 1
            samples.setdefault(ex["id"], {"prompt": ex["prompt"], "reference": ex["response"]})[name] = text
    total = {n: [sum(table[t][n][0] for t in table), sum(table[t][n][1] for t in table)] for n in runs}
    print(f"{'task':12s} {'n':>4s} " + " ".join(f"{n:>11s}" for n in runs))
    for t in sorted(table):
        print(f"{t:12s} {table[t]['base'][1]:4d} " + " ".join(f"{table[t][n][0] / table[t][n][1]:11.3f}" for n in runs))
    print(f"{'all':12s} {total['base'][1]:4d} " + " ".join(f"{total[n][0] / total[n][1]:11.3f}" for n in runs))
    print("task follows (reply names the asked-for task) / answer present as whole words:")
    for t in sorted(loose):
        print(f"{t:12s} " + " ".join(f"{n}: {loose[t][n][0] / loose[t][n][2]:.2f}/{loose[t][n][1] / loose[t][n][2]:.2f}" for n in runs))
    with open(a.out, "w") as f:
        json.dump({"per_task": table, "total": total, "loose": loose, "samples": samples}, f, indent=1)


if __name__ == "__main__":
    main()
