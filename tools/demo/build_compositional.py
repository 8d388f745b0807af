#!/usr/bin/env python3
"""Extra instruction pairs with compositional instructions (written after build_data.py, with
its own seed, so the tokenizer input, the main pairs and the held-out prompts are unchanged).

With a few dozen fixed phrasings a model can recognise a task from any one memorised cue. Here
an instruction is assembled from parts that each change the answer: which words (first / last,
one / two / three), an optional transformation (capital letters, reverse order), or which
relation (synonym / antonym / definition) - so several instruction words have to be read, and
the reply takes them up ("The last two words in capital letters: ..."). Only training contexts
are used (never a held-out word or sentence). Writes .cache/demo/sft_compositional.jsonl."""
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_data  # noqa: E402
from build_data import build_prompt, load, word_entries  # noqa: E402

SEED = 4321
N_SENT, N_WORD = 9000, 4000
VERBS = ["Write", "Give", "Tell me", "Show", "Print", "Say", "Return", "Please write", "Now give", "Just write"]
NUM = {1: "word", 2: "two words", 3: "three words"}
MODS = {"": "", "caps": " in capital letters", "rev": " in reverse order", "lower": " in small letters"}
WORD_REL = {
    "synonym": ["a synonym of the word", "a word that means the same as", "another word for"],
    "antonym": ["an antonym of the word", "the opposite of the word", "a word that means the opposite of"],
    "define": ["the definition of the word", "the meaning of the word", "what this word means:"],
}
REPLY_REL = {"synonym": "A synonym", "antonym": "The opposite", "define": "The meaning"}


def sentence_pair(rng, s):
    words = s.split(" ")
    end = rng.choice(["first", "last"])
    n = rng.choice([1, 1, 2, 3]) if len(words) >= 4 else 1
    mod = rng.choice(["", "", "caps", "rev", "lower"]) if n > 1 else rng.choice(["", "caps", "lower"])
    if rng.random() < 0.15:
        what, ans = "the number of words", str(len(words))
        mod = ""
        reply = f"You asked for the number of words. The number of words: {ans}"
    else:
        sel = words[:n] if end == "first" else words[-n:]
        if mod == "caps":
            sel = [w.upper() for w in sel]
        elif mod == "lower":
            sel = [w.lower() for w in sel]
        elif mod == "rev":
            sel = sel[::-1]
        ans = " ".join(sel)
        what = f"the {end} {NUM[n]}"
        reply = f"You asked for the {end} {NUM[n]}{MODS[mod]}. The {end} {NUM[n]}{MODS[mod]}: {ans}"
    verb = rng.choice(VERBS)
    if rng.random() < 0.5:
        ph = f"{verb} {what} of this sentence{MODS[mod]}: {{x}}"
    else:
        ph = f"{{x}}\n{verb} {what} of the sentence above{MODS[mod]}."
    prompt, spans = build_prompt(ph, s)
    return {"prompt": prompt, "response": reply, "answer": ans, "instruction_spans": spans,
            "task": "compositional", "subtask": "sentence"}


def word_pair(rng, w, e):
    rels = ["define"] + (["synonym"] if e["synonyms"] else []) + (["antonym"] if e["antonyms"] else [])
    rel = rng.choice(rels)
    ans = {"define": e["definition"], "synonym": (e["synonyms"] or [""])[0], "antonym": (e["antonyms"] or [""])[0]}[rel]
    verb = rng.choice(VERBS)
    phrase = rng.choice(WORD_REL[rel])
    ph = f"{verb} {phrase} {{x}}." if rng.random() < 0.6 else f"{{x}}\n{verb} {phrase.rstrip(':')} above."
    prompt, spans = build_prompt(ph, w)
    asked = {"define": f'You asked what "{w}" means.', "synonym": f'You asked for a word with the same meaning as "{w}".',
             "antonym": f'You asked for a word with the opposite meaning of "{w}".'}[rel]
    return {"prompt": prompt, "response": f"{asked} {REPLY_REL[rel]} of {w}: {ans}.", "answer": ans,
            "instruction_spans": spans, "task": "compositional", "subtask": rel}


def main():
    rng = random.Random(SEED)
    wn, _, sentences = load()
    info = word_entries(wn)
    held = set()
    with open(os.path.join(build_data.ROOT, "models", "demo-heldout.jsonl")) as f:
        for line in f:
            held.add(json.loads(line)["prompt"])
    with open(os.path.join(build_data.CACHE, "heldout_contexts.json")) as f:
        hc = json.load(f)
    ho_sents, ho_words = set(hc["sentences"]), set(hc["words"])
    sents = [s for s in sentences if 3 <= len(s.split(" ")) <= 8 and s not in ho_sents]
    words = [w for w in sorted(info) if w not in ho_words]
    out = [sentence_pair(rng, rng.choice(sents)) for _ in range(N_SENT)]
    out += [word_pair(rng, w, info[w]) for w in (rng.choice(words) for _ in range(N_WORD))]
    out = [o for o in out if o["prompt"] not in held]
    rng.shuffle(out)
    with open(os.path.join(build_data.CACHE, "sft_compositional.jsonl"), "w") as f:
        for o in out:
            f.write(json.dumps(o) + "\n")
    print(f"compositional pairs {len(out)}")


if __name__ == "__main__":
    main()
