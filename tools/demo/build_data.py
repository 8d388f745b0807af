#!/usr/bin/env python3
"""Build the pre-training corpus and the instruction/response pairs (deterministic, seeded).

Reads .cache/demo/{wordnet,fortunes,sentences}.json (from extract.py) and writes:
  .cache/demo/pretrain_train.json, pretrain_val.json  - lists of documents (plain text)
  .cache/demo/sft_train.jsonl                          - instruction pairs for fine-tuning
  .cache/demo/heldout_full.jsonl                       - held-out pairs + accepted answers
  models/demo-heldout.jsonl                            - held-out prompts (shipped)

Held-out pairs use words and sentences that never occur as the context of a training pair, so
no held-out prompt (nor its answer) is ever trained on. Their words' dictionary entries are in
the pre-training text, like every other word's: the instruct model has to bring out what the
base model already read.
"""
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.path.join(ROOT, ".cache", "demo")
SEED = 1234

# ---------------------------------------------------------------- task phrasings
# Each phrasing is (prompt, response). In the prompt "{x}" is the context (a word, a sentence or
# a dictionary entry); every other character is instruction text; phrasings put the instruction
# before, after, or around it. The response answers ({a}) in a sentence that takes up the
# instruction's own words, as an assistant's reply does ("The opposite of "hot" is "cold"."), so
# what the response says is decided by how the instruction was worded.
PHRASINGS = {
    "define": [
        ('Define the word "{x}".', 'The word "{x}" is defined as: {a}.'),
        ('What does "{x}" mean?', '"{x}" means {a}.'),
        ("Give the definition of {x}.", "The definition of {x} is: {a}."),
        ("{x}\nWhat is the meaning of the word above?", "The meaning of the word {x} is: {a}."),
        ('Explain what the word "{x}" means.', 'The word "{x}" means {a}.'),
        ("Tell me the meaning of {x}.", "The meaning of {x} is: {a}."),
        ('Look up "{x}" in the dictionary and write its definition.', 'The dictionary definition of "{x}" is: {a}.'),
        ("{x}: define this word.", "{x}: {a}."),
    ],
    "synonym": [
        ('Give a synonym for "{x}".', 'A synonym for "{x}" is "{a}".'),
        ("What is another word for {x}?", "Another word for {x} is {a}."),
        ('Name a word that means the same as "{x}".', '"{a}" means the same as "{x}".'),
        ("{x}\nWrite a synonym of the word above.", "A synonym of {x} is {a}."),
        ('Which word has the same meaning as "{x}"?', '"{a}" has the same meaning as "{x}".'),
        ("Find a synonym of {x}.", "A synonym of {x} is {a}."),
        ("{x}: give a word with the same meaning.", "{x}: a word with the same meaning is {a}."),
    ],
    "antonym": [
        ('What is the opposite of "{x}"?', 'The opposite of "{x}" is "{a}".'),
        ("Give an antonym of {x}.", "An antonym of {x} is {a}."),
        ('Name a word that means the opposite of "{x}".', '"{a}" means the opposite of "{x}".'),
        ("{x}\nWrite the antonym of the word above.", "The antonym of {x} is {a}."),
        ("Which word is the opposite of {x}?", "The word {a} is the opposite of {x}."),
        ("Tell me the antonym of {x}.", "The antonym of {x} is {a}."),
        ("{x}: give its opposite.", "{x}: its opposite is {a}."),
    ],
    "reverse": [
        ("Reverse the order of the words in this sentence: {x}", "The sentence with the order of the words reversed: {a}"),
        ("{x}\nWrite the sentence above with its words in reverse order.", "The sentence with its words in reverse order: {a}"),
        ("Say these words backwards: {x}", "The words backwards: {a}"),
        ("Write the words of the following sentence in reverse order.\n{x}", "The words in reverse order: {a}"),
        ('Reverse the words of "{x}".', "The words of the sentence reversed: {a}"),
        ("{x}\nReverse the word order.", "With the word order reversed: {a}"),
        ("Read this sentence from the last word to the first: {x}", "From the last word to the first: {a}"),
    ],
    "uppercase": [
        ("Write this sentence in capital letters: {x}", "The sentence in capital letters: {a}"),
        ("{x}\nRepeat the sentence above in uppercase.", "The sentence in uppercase: {a}"),
        ("Convert to upper case: {x}", "Converted to upper case: {a}"),
        ('Rewrite "{x}" in all caps.', "In all caps: {a}"),
        ("Write the following sentence in uppercase letters.\n{x}", "The sentence in uppercase letters: {a}"),
        ("{x}\nSay it again in capitals.", "Again, in capitals: {a}"),
        ("Make every letter of this sentence a capital: {x}", "Every letter a capital: {a}"),
    ],
    "count": [
        ("How many words are in this sentence? {x}", "There are {a} words in this sentence."),
        ("{x}\nCount the words in the sentence above.", "The sentence above has {a} words."),
        ('Count the words in "{x}".', "Counting the words gives {a}."),
        ("Tell me the number of words in the following sentence.\n{x}", "The number of words in the sentence is {a}."),
        ("{x}\nHow many words is that?", "That is {a} words."),
        ("Give the word count of this sentence: {x}", "The word count is {a}."),
    ],
    "pick_first": [
        ("What is the first word of this sentence? {x}", 'The first word of this sentence is "{a}".'),
        ("{x}\nWhich word comes first in the sentence above?", 'The word that comes first is "{a}".'),
        ('Give the first word of "{x}".', 'The first word is "{a}".'),
        ("Write only the first word of the following sentence.\n{x}", "{a}"),
        ("{x}\nWhat word does it start with?", 'It starts with "{a}".'),
    ],
    "pick_last": [
        ("What is the last word of this sentence? {x}", 'The last word of this sentence is "{a}".'),
        ("{x}\nWhich word comes last in the sentence above?", 'The word that comes last is "{a}".'),
        ('Give the last word of "{x}".', 'The last word is "{a}".'),
        ("Write only the last word of the following sentence.\n{x}", "{a}"),
        ("{x}\nWhat word does it end with?", 'It ends with "{a}".'),
    ],
    "gloss_word": [
        ("Here is a dictionary entry.\n{x}\nWhich word does it define?", 'It defines the word "{a}".'),
        ("{x}\nWhat word is defined above?", 'The word defined above is "{a}".'),
        ("Read the entry and name the word it explains: {x}", 'The entry explains the word "{a}".'),
        ('Which word is being defined in "{x}"?', 'The word being defined is "{a}".'),
    ],
    "gloss_pos": [
        ("Here is a dictionary entry.\n{x}\nWhat part of speech is the word?", "The word is {article} {a}."),
        ("{x}\nIs the word above a noun, a verb, an adjective or an adverb?", "The word above is {article} {a}."),
        ("Read the entry and tell its part of speech: {x}", "Its part of speech: {a}."),
        ('What part of speech does "{x}" describe?', "It describes {article} {a}."),
    ],
}
TASK_FAMILY = {  # task name reported per held-out prompt
    "define": "define", "synonym": "synonym", "antonym": "antonym", "reverse": "reverse",
    "uppercase": "uppercase", "count": "count", "pick_first": "pick_word", "pick_last": "pick_word",
    "gloss_word": "gloss_qa", "gloss_pos": "gloss_qa",
}


def build_prompt(phrasing, x):
    """Return (prompt, instruction_spans): spans are the phrasing's literal parts, trimmed of
    whitespace and quote marks; parts without a letter are not instruction."""
    pre, post = phrasing.split("{x}")
    prompt = pre + x + post
    spans = []
    for start, lit in ((0, pre), (len(pre) + len(x), post)):
        a, b = 0, len(lit)
        while a < b and (lit[a].isspace() or lit[a] in '":'):
            a += 1
        while b > a and (lit[b - 1].isspace() or lit[b - 1] == '"'):
            b -= 1
        text = lit[a:b]
        if re.search(r"[A-Za-z]", text):
            spans.append({"start": start + a, "end": start + b, "text": text})
    for s in spans:
        assert prompt[s["start"]:s["end"]] == s["text"]
    return prompt, spans


# ---------------------------------------------------------------- lexicon
def load():
    with open(os.path.join(CACHE, "wordnet.json")) as f:
        wn = json.load(f)
    with open(os.path.join(CACHE, "fortunes.json")) as f:
        fortunes = json.load(f)
    with open(os.path.join(CACHE, "sentences.json")) as f:
        sentences = json.load(f)
    return wn, fortunes, sentences


def word_entries(wn):
    """For frequent single words: first sense's pos/definition, synonyms, antonyms."""
    S, order, freq = wn["synsets"], wn["sense_order"], wn["freq"]
    out = {}
    for w, c in freq.items():
        if c < 8 or not re.fullmatch(r"[a-z]{2,14}", w):
            continue
        best = None
        for pos in ("n", "v", "a", "r"):
            offs = order.get(f"{w}|{pos}")
            if offs and offs[0] in S:
                best = offs[0]
                break  # noun first, then verb, adjective, adverb (a fixed rule)
        if best is None:
            continue
        s = S[best]
        d = s["definition"]
        if not (8 <= len(d) <= 70) or not all(32 <= ord(ch) < 127 for ch in d):
            continue
        syns = [l for l in s["lemmas"] if l != w and re.fullmatch(r"[a-z]{2,14}", l)]
        ants = []  # antonyms of any sense of the word, most frequent sense first
        for pos in ("n", "v", "a", "r"):
            for off in order.get(f"{w}|{pos}", []):
                for a, b in S[off]["antonyms"] if off in S else []:
                    if a == w and re.fullmatch(r"[a-z]{2,14}", b) and b not in ants:
                        ants.append(b)
        out[w] = {"pos": s["pos"], "definition": d, "synonyms": syns, "antonyms": ants, "freq": c}
    return out


def entry_text(w, e):
    t = f"{w} ({e['pos']}): {e['definition']}."
    if e["synonyms"]:
        t += " Synonyms: " + ", ".join(e["synonyms"][:3]) + "."
    if e["antonyms"]:
        t += " Opposite: " + ", ".join(e["antonyms"][:2]) + "."
    return t


def synset_text(s):
    t = ", ".join(s["lemmas"][:4]) + f" ({s['pos']}): {s['definition']}"
    if s["examples"]:
        t += '; "' + '"; "'.join(s["examples"][:2]) + '"'
    return t + "."


# ---------------------------------------------------------------- responses
def answers(task, x, words_info):
    """Reference answer and the list of accepted answers for context x."""
    if task == "define":
        e = words_info[x]
        return e["definition"], [e["definition"]]
    if task == "synonym":
        e = words_info[x]
        return e["synonyms"][0], e["synonyms"]
    if task == "antonym":
        e = words_info[x]
        return e["antonyms"][0], e["antonyms"]
    if task in ("gloss_word", "gloss_pos"):
        w = x.split(":")[0]
        if task == "gloss_word":
            return w, [w]
        p = words_info[w]["pos"]
        return p, [p]
    words = x.split(" ")
    if task == "reverse":
        r = " ".join(reversed(words))
    elif task == "uppercase":
        r = x.upper()
    elif task == "count":
        r = str(len(words))
    elif task == "pick_first":
        r = words[0]
    elif task == "pick_last":
        r = words[-1]
    else:
        raise ValueError(task)
    return r, [r]


# Before answering, the reply says what was asked, as chat assistants do.
RESTATE = {
    "define": 'You asked what "{x}" means.',
    "synonym": 'You asked for a word with the same meaning as "{x}".',
    "antonym": 'You asked for a word with the opposite meaning of "{x}".',
    "reverse": "You asked me to reverse the order of the words.",
    "uppercase": "You asked me to write the sentence in capital letters.",
    "count": "You asked me to count the words.",
    "pick_first": "You asked for the first word.",
    "pick_last": "You asked for the last word.",
    "gloss_word": "You asked which word the entry defines.",
    "gloss_pos": "You asked for the part of speech of the word.",
}


def frame(response_template, task, x, answer):
    """The response: what was asked, then the phrasing's reply template filled with the answer."""
    article = "an" if answer[:1] in "aeiou" else "a"
    word = x.split(":")[0] if task.startswith("gloss") else x
    return RESTATE[task].format(x=word) + " " + response_template.format(x=word, a=answer, article=article)


def main():
    rng = random.Random(SEED)
    wn, fortunes, sentences = load()
    words_info = word_entries(wn)
    S = wn["synsets"]

    # ---------------- pre-training documents
    # proper names (capitalised first lemma: people, places, genera) are left out
    entries = [synset_text(S[k]) for k in sorted(S) if not S[k]["lemmas"][0][:1].isupper()]
    frequent = sorted(words_info)
    for rep in range(4):  # frequent words' entries appear several times, like in real text
        entries += [entry_text(w, words_info[w]) for w in frequent]
    rng.shuffle(entries)
    docs = []
    i = 0
    while i < len(entries):
        n = rng.randint(4, 16)
        docs.append("\n".join(entries[i:i + n]))
        i += n
    docs += fortunes
    rng.shuffle(docs)
    n_val = max(200, len(docs) // 50)
    pre_val, pre_train = docs[:n_val], docs[n_val:]
    with open(os.path.join(CACHE, "pretrain_train.json"), "w") as f:
        json.dump(pre_train, f)
    with open(os.path.join(CACHE, "pretrain_val.json"), "w") as f:
        json.dump(pre_val, f)

    # ---------------- contexts, split into train / held-out
    sents = [s for s in sentences if 3 <= len(s.split(" ")) <= 8]
    rng.shuffle(sents)
    ho_sents, tr_sents = sents[:150], sents[150:]
    wlist = sorted(words_info)
    rng.shuffle(wlist)
    ho_words, tr_words = wlist[:200], wlist[200:]
    with open(os.path.join(CACHE, "heldout_contexts.json"), "w") as f:
        json.dump({"sentences": ho_sents, "words": ho_words}, f)

    def word_ctx(words, task):
        if task == "synonym":
            return [w for w in words if words_info[w]["synonyms"]]
        if task == "antonym":
            return [w for w in words if words_info[w]["antonyms"]]
        if task in ("gloss_word", "gloss_pos"):
            return [f"{w}: {words_info[w]['definition']}" for w in words]
        return list(words)

    def contexts(task, split):
        if task in ("define", "synonym", "antonym", "gloss_word", "gloss_pos"):
            return word_ctx(ho_words if split == "heldout" else tr_words, task)
        return ho_sents if split == "heldout" else tr_sents

    def make(task, x, r):
        ph, reply = r.choice(PHRASINGS[task])
        prompt, spans = build_prompt(ph, x)
        ref, acc = answers(task, x, words_info)
        return {"prompt": prompt, "response": frame(reply, task, x, ref), "answer": ref,
                "accept": [frame(reply, task, x, v) for v in acc], "accept_answer": acc,
                "instruction_spans": spans, "task": TASK_FAMILY[task], "subtask": task}

    # training pairs: every training context under several tasks/phrasings
    per_task_train = {"define": 5000, "synonym": 3000, "antonym": 1500, "reverse": 4000,
                      "uppercase": 4000, "count": 4000, "pick_first": 2000, "pick_last": 2000,
                      "gloss_word": 1500, "gloss_pos": 1500}
    train = []
    for task, n in per_task_train.items():
        ctx = contexts(task, "train")
        for j in range(n):
            train.append(make(task, ctx[j % len(ctx)] if j < len(ctx) else rng.choice(ctx), rng))
    rng.shuffle(train)
    with open(os.path.join(CACHE, "sft_train.jsonl"), "w") as f:
        for ex in train:
            f.write(json.dumps(ex) + "\n")

    # held-out prompts: fixed number per task family
    per_task_ho = {"define": 40, "synonym": 40, "antonym": 40, "reverse": 40, "uppercase": 40,
                   "count": 40, "pick_first": 20, "pick_last": 20, "gloss_word": 20, "gloss_pos": 20}
    held = []
    for task, n in per_task_ho.items():
        ctx = contexts(task, "heldout")
        pick = rng.sample(ctx, min(n, len(ctx)))
        for x in pick:
            held.append(make(task, x, rng))
    train_prompts = {ex["prompt"] for ex in train}
    held = [h for h in held if h["prompt"] not in train_prompts]
    for k, h in enumerate(held):
        h["id"] = f"demo-{k:04d}"
    with open(os.path.join(CACHE, "heldout_full.jsonl"), "w") as f:
        for h in held:
            f.write(json.dumps(h) + "\n")
    with open(os.path.join(ROOT, "models", "demo-heldout.jsonl"), "w") as f:
        for h in held:
            f.write(json.dumps({"id": h["id"], "prompt": h["prompt"], "response": h["response"],
                                "instruction_spans": h["instruction_spans"], "task": h["task"],
                                "source": "demo"}) + "\n")
    print(f"pretrain docs {len(pre_train)} train / {len(pre_val)} val; "
          f"sft {len(train)}; heldout {len(held)}; frequent words {len(words_info)}")


if __name__ == "__main__":
    main()
