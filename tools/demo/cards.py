#!/usr/bin/env python3
"""Write the model cards models/demo-base/README.md and models/demo-instruct/README.md from
the measured numbers in .cache/demo/*.json."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, ROOT  # noqa: E402


def load(name):
    p = os.path.join(CACHE, name)
    return json.load(open(p)) if os.path.exists(p) else None


def is_newer(result, weights):
    """A result counts only if it was computed after the weights it describes."""
    return os.path.getmtime(os.path.join(CACHE, result)) > os.path.getmtime(os.path.join(CACHE, weights))


def mb(path):
    return os.path.getsize(path) / 1e6


def fmt_profile(prof):
    vals, n = prof
    return " ".join(f"{v:.3f}" for v in vals) + f" (over {n} prompts of at least 10 tokens)"


METHOD_NAMES = {"occlusion": "occlusion (the definition, METHODS.md §1.2: p_m minus p_m with e_n zeroed)",
                "gradient": "gradient × input (the paper's estimator, METHODS.md §1.2)"}


def engine_section(method, es):
    w = es["welch"]
    return (f"**{METHOD_NAMES[method]}**: mean instruction score **base {es['base']['mean']:.4f}**, "
            f"**tuned {es['tuned']['mean']:.4f}** (n = {es['base']['n']} / {es['tuned']['n']}); Welch's "
            f"t-test, one-sided (H1: base < tuned): t = {w['t']:.2f}, df = {w['df']:.0f}, "
            f"**p = {w['p_one_sided']:.2g}**.\n\n"
            f"- per task (base → tuned): " + ", ".join(
                f"{k} {es['base']['per_task'][k]:.3f} → {es['tuned']['per_task'].get(k, float('nan')):.3f}"
                for k in es["base"]["per_task"]) + "\n"
            f"- relative-position profile (METHODS.md §1.6, mean â per tenth of the prompt), base: "
            f"{fmt_profile(es['base']['profile'])}\n"
            f"- tuned: {fmt_profile(es['tuned']['profile'])}\n\n")


def spread(role):
    vals = role["profile"][0]
    return f"{max(vals) - min(vals):.3f}"


def shift_verdict(occ, grad):
    p_occ, p_grad = occ["welch"]["p_one_sided"], grad["welch"]["p_one_sided"]
    met = p_occ < 0.01 and occ["tuned"]["mean"] > occ["base"]["mean"]
    text = (f"**The shift the demo pair exists to show**: by occlusion the tuned model's instruction "
            f"score is {'higher' if met else 'NOT higher'} than the base model's (p = {p_occ:.2g}), and "
            f"the spread of its position profile (largest minus smallest tenth) is {spread(occ['tuned'])} "
            f"against the base model's {spread(occ['base'])}. ")
    if p_grad >= 0.01:
        text += (f"By gradient × input the tuned model's score is not higher (p = {p_grad:.2g}). The two "
                 f"methods measure different things and are not tuned toward each other (METHODS.md "
                 f"§1.2): in this pre-norm model, scaling a token's embedding leaves the first layer's "
                 f"normalized input at that position unchanged, so gradient × input sees only the "
                 f"raw vector's path through the residual stream; and the base model's replies "
                 f"(often a memorised quotation signature such as \"-- Mark Twain\") depend little on "
                 f"the prompt, so their small gradients become full-scale after the per-column max "
                 f"scaling. This is not a numerical artefact: the engine computes in float64 and equals "
                 f"the independent PyTorch autograd pipeline below to four decimals. Zeroing the "
                 f"embedding removes the token, which is what the question \"which prompt words does the "
                 f"reply rely on\" asks; the demo (`npm run demo`) and the test on these weights "
                 f"(`test/integration/demo-pair-shift.test.ts`) use occlusion. What was tried on the "
                 f"gradient side while building the pair: replies that restate the request and "
                 f"compositional instructions raised the tuned model's gradient score (0.78 to 0.86) but "
                 f"not past the base model's (those measurements were in float32, whose rounding "
                 f"inflated the base model's gradient score on these weights from 0.888 to 0.939).\n")
    else:
        text += f"Gradient × input agrees (p = {p_grad:.2g}).\n"
    return text


def what_mattered(own, same):
    b, t, p = same["base"]["mean"], same["tuned"]["mean"], same["welch"]["p_one_sided"]
    return (f"\n**What mattered.** When both models explain the same reply (each held-out record's "
            f"reference answer, teacher-forced: `prompt-lens dataset --use-response`, occlusion), "
            f"the scores are base {b:.4f} vs tuned {t:.4f} (p = {p:.2g}), against "
            f"{own['base']['mean']:.4f} vs {own['tuned']['mean']:.4f} when each explains its own reply. "
            f"So {'most of the shift comes' if t > b else 'the shift comes'} from what each model "
            f"says, not from how it reads a given reply: the tuned model was trained on replies that take up the instruction's own "
            f"words and then carry it out, and such replies depend on the instruction tokens; the "
            f"base model's continuations ({own['base']['signature_share']:.0%} of them end in a "
            f"quotation signature) depend on them little. The paper also explains each model's "
            f"own reply.\n")


def main():
    bm, im = load("base_metrics.json"), load("instruct_metrics.json")
    ev, ps = load("eval.json"), load("instr_score.json")
    es_occ, es_grad = load("engine_stats.occlusion.json"), load("engine_stats.gradient.json")
    es_same = load("engine_stats.occlusion-same.json")
    cfg = json.load(open(os.path.join(ROOT, "models", "demo-base", "config.json")))
    comp = os.path.join(CACHE, "sft_compositional.jsonl")
    n_comp = sum(1 for _ in open(comp)) if os.path.exists(comp) else 0
    size_b = mb(os.path.join(ROOT, "models", "demo-base", "onnx", "model.onnx"))
    size_i = mb(os.path.join(ROOT, "models", "demo-instruct", "onnx", "model.onnx"))
    arch = (f"Llama-style decoder (RMSNorm, RoPE, SwiGLU, grouped-query attention): "
            f"{cfg['num_hidden_layers']} layers, hidden {cfg['hidden_size']}, "
            f"{cfg['num_attention_heads']} query heads / {cfg['num_key_value_heads']} key-value heads "
            f"(head dim {cfg['head_dim']}), SwiGLU width {cfg['intermediate_size']}, tied input/output "
            f"embeddings, vocabulary {cfg['vocab_size']} (byte-level BPE), context {cfg['max_position_embeddings']}; "
            f"{bm['params']:,} parameters; fp32 ONNX with KV cache")
    tasks = sorted(ev["per_task"])
    rows = ["| task | held-out prompts | base (raw prompt) | tuned (raw prompt) | tuned (chat template) |",
            "| --- | ---: | ---: | ---: | ---: |"]
    for t in tasks:
        d = ev["per_task"][t]
        rows.append(f"| {t} | {d['base'][1]} | " + " | ".join(f"{d[n][0] / d[n][1]:.2f}" for n in ("base", "tuned", "tuned_chat")) + " |")
    tot = ev["total"]
    rows.append(f"| **all** | {tot['base'][1]} | " + " | ".join(f"**{tot[n][0] / tot[n][1]:.2f}**" for n in ("base", "tuned", "tuned_chat")) + " |")
    em_table = "\n".join(rows)
    lo = ev.get("loose", {})
    if lo:
        em_table += ("\n\nLooser measures, base / tuned (raw) / tuned (chat): the reply names the task that was "
                     "asked for (it starts with the right \"You asked ...\" sentence), and the bare answer occurs "
                     "in the output as whole words:\n\n| task | names the task | answer present |\n| --- | --- | --- |\n")
        em_table += "\n".join(
            f"| {t} | " + " / ".join(f"{lo[t][n][0] / lo[t][n][2]:.2f}" for n in ("base", "tuned", "tuned_chat"))
            + " | " + " / ".join(f"{lo[t][n][1] / lo[t][n][2]:.2f}" for n in ("base", "tuned", "tuned_chat")) + " |"
            for t in sorted(lo))
    eng = "".join(engine_section(method, es) for method, es in (("occlusion", es_occ), ("gradient", es_grad)) if es)
    if not eng:
        eng = "Not yet measured with the engine.\n"
    if es_occ and es_grad:
        eng += shift_verdict(es_occ, es_grad)
    if es_occ and es_same:
        eng += what_mattered(es_occ, es_same)
    s = ps["summary"] if ps and is_newer("instr_score.json", "instruct.pt") else None
    ref = "" if s is None else (f"The PyTorch reference (`tools/demo/instr_score.py`, exact autograd gradient × input on the "
           f"training checkpoints, its own greedy replies, tokenization and scoring, same settings) gives base "
           f"{s['mean_base']:.4f} vs tuned {s['mean_tuned']:.4f}, p = {s['p_one_sided']:.4g}, on {s['n_base']} "
           f"held-out prompts, responses of at most {s['max_new_tokens']} tokens.")
    common = f"""## How it was made

Everything is regenerated by `bash tools/demo/run_all.sh` (seeded; about an hour on one CPU
thread; see `tools/demo/README.md`).

- **Data**: English text from Debian packages, extracted by `tools/demo/extract.py`:
  - WordNet 3.0 (package `wordnet-base`; WordNet 3.0 license, Princeton University: free use,
    copy, modification and distribution with the copyright notice; "WordNet 3.0 Copyright 2006
    by Princeton University. All rights reserved."): synset lemmas, definitions, usage examples,
    antonym links; proper names left out. Frequent words' entries (SemCor counts ≥ 8 in
    `cntlist.rev`) are written out four times more as "word (pos): definition. Synonyms: …
    Opposite: …".
  - fortune-mod data files (packages `fortunes`, `fortunes-min`; the collection is under the
    BSD license of fortune-mod, individual quotations are of various authorship): 27 files of
    quotations and jokes (no ASCII art, no IRC logs, none of the `-off` files).
- **Tokenizer**: byte-level BPE with {cfg['vocab_size']} tokens (`tools/models/bpe.py`), trained on the
  pre-training text plus the training instructions/answers; special tokens `<|endoftext|>`
  (EOS, id 0), `<s>` (BOS, id 1, prepended by the tokenizer), `<|user|>`, `<|assistant|>`.
  Round-trips text exactly.
- **Architecture**: {arch}. ONNX size {size_b:.1f} MB (base) / {size_i:.1f} MB (instruct).
"""
    base_card = f"""# demo-base

A small base language model trained by the Prompt Lens project, for its demos and tests: the
"before" half of the demo pair (`models/demo-instruct` is the "after"). It does plain
next-token prediction on dictionary and quotation text; given an instruction it mostly
continues the text instead of carrying it out. It is a toy: it knows little, and it says so by
being wrong.

{common}
- **Pre-training**: language modeling on {bm['corpus_train_tokens']:,} training tokens
  (documents: dictionary pages of 4–16 entries and fortunes, BOS … EOS, random 256-token
  windows), {bm['steps']} steps of {bm['batch']} × {bm['seq']} tokens ({bm['train_tokens_seen']:,} tokens seen,
  AdamW, peak lr {bm['lr']}, cosine, weight decay 0.1, seed 0, one thread, {bm['seconds'] / 60:.0f} min).

## Measured

- **Validation perplexity: {bm['val_ppl']:.2f}** on {bm['val_tokens']:,} tokens of held-out documents
  (2 % of the documents, never trained on).
- Greedy exact-match on the held-out instruction prompts: see the table in
  `models/demo-instruct/README.md` (base overall {tot['base'][0] / tot['base'][1]:.2f}).
- Instruction score: see `models/demo-instruct/README.md`.

## Files

`config.json` (model_type llama), `generation_config.json` (greedy), `tokenizer.json`,
`tokenizer_config.json` (no chat template), `onnx/model.onnx` (inputs input_ids,
attention_mask, position_ids, past_key_values.*; outputs logits, present.*).
"""
    instruct_card = f"""# demo-instruct

The instruction-tuned half of the Prompt Lens demo pair: a copy of `models/demo-base`
fine-tuned to follow instructions. Same architecture, tokenizer and size; its
`tokenizer_config.json` carries a chat template
(`<s><|user|>\\n{{prompt}}\\n<|assistant|>\\n` … answer `<|endoftext|>`), and it also follows
instructions given as a raw prompt (it then answers after a newline).

{common}
- **Instruction tuning** (`tools/demo/build_data.py`, `tools/demo/train_instruct.py`):
  {im['examples'] - n_comp:,} generated instruction/response pairs in eight task families where the
  instruction words decide the answer, several phrasings each (instruction before, after or
  around the context): define a word, give a synonym, give an antonym, reverse the words of a
  sentence, write it in upper case, count its words, pick its first or last word, and answer a
  question about a dictionary entry (which word it defines, its part of speech). Contexts are
  WordNet words and short sentences from WordNet examples and fortunes; each training sentence or
  word is used under several instructions. The reply takes up the instruction's own words
  ("The opposite of "hot" is "cold"."). Plus {n_comp:,} pairs with compositional instructions
  (`tools/demo/build_compositional.py`: first/last × one/two/three words × capitals/reverse/small
  letters, synonym/antonym/definition with varied verbs), so that several instruction words, not
  one memorised cue, decide the answer. Half the pairs are shown raw (BOS + prompt, then
  "\\n" + answer + EOS), half through the chat template. Loss on response tokens only.
  {im['steps']} steps of {im['batch']} pairs, AdamW, peak lr {im['lr']}, cosine, seed 0,
  {im['seconds'] / 60:.0f} min.
- **Held-out prompts**: `models/demo-heldout.jsonl` ({tot['base'][1]} prompts). Their words and
  sentences are never the context of a training pair; their dictionary entries are in the
  pre-training text like every word's. Each record has the character spans of its instruction
  part (the phrasing's own words), known from how the prompt was built.

## Measured

### Greedy exact-match on the held-out prompts (at most 40 new tokens, answer stripped of surrounding whitespace; synonyms/antonyms: any WordNet one counts)

{em_table}

### Instruction score (METHODS.md §1.5, b = 7)

Measured with the engine (`tools/demo/engine_check.sh`: `prompt-lens dataset`, raw prompts (no
template), each model's own greedy response of at most 64 tokens, computed in float64, then
`prompt-lens stats` with L = 10, b = 7, p = 4) on all held-out prompts, with the instruction spans
they were built with.

{eng}
{ref}
"""
    with open(os.path.join(ROOT, "models", "demo-base", "README.md"), "w") as f:
        f.write(base_card)
    with open(os.path.join(ROOT, "models", "demo-instruct", "README.md"), "w") as f:
        f.write(instruct_card)
    print("cards written")


if __name__ == "__main__":
    main()
