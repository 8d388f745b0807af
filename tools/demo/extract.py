#!/usr/bin/env python3
"""Extract English text from Debian packages into .cache/demo/ (deterministic).

Sources (installed with `apt-get install -y wordnet-base fortunes fortunes-min`):
  * WordNet 3.0 (Debian package wordnet-base; WordNet 3.0 license, Princeton, permissive)
  * fortune-mod data files (Debian packages fortunes, fortunes-min; BSD license for the
    collection, individual quotations of various authorship)

Outputs (.cache/demo/):
  wordnet.json     - synsets: lemmas, pos, gloss, examples, antonyms; word frequencies
  sentences.json   - short plain sentences (from WordNet examples and fortunes) for tasks
  fortunes.json    - fortune documents (one string each)
"""
import json
import os
import re
import sys

WN = "/usr/share/wordnet"
FORTUNES = "/usr/share/games/fortunes"
# ASCII art, IRC logs and topical/possibly offensive files are left out.
FORTUNE_FILES = [
    "fortunes", "wisdom", "literature", "science", "humorists", "people", "education",
    "work", "computers", "kids", "pets", "food", "platitudes", "love", "magic", "riddles",
    "miscellaneous", "law", "medicine", "sports", "songs-poems", "tao", "paradoxum",
    "goedel", "definitions", "news", "cookie",
]
POS_NAME = {"n": "noun", "v": "verb", "a": "adjective", "s": "adjective", "r": "adverb"}
HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, "..", "..", ".cache", "demo")


def parse_wordnet():
    synsets = {}
    for fname in ["data.noun", "data.verb", "data.adj", "data.adv"]:
        with open(os.path.join(WN, fname), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue  # license header
                data, _, gloss = line.partition(" | ")
                parts = data.split()
                offset, ss_type = parts[0], parts[2]
                w_cnt = int(parts[3], 16)
                words = []
                i = 4
                for _ in range(w_cnt):
                    words.append(parts[i])
                    i += 2
                p_cnt = int(parts[i])
                i += 1
                ants = []
                for _ in range(p_cnt):
                    sym, tgt, tpos, st = parts[i:i + 4]
                    i += 4
                    if sym == "!":
                        src, dst = int(st[:2], 16), int(st[2:], 16)
                        ants.append((src, tgt, tpos, dst))
                lemmas = [re.sub(r"\(.*\)$", "", w).replace("_", " ") for w in words]
                gloss = gloss.strip()
                pieces = [p.strip() for p in re.split(r';\s*(?=")', gloss)]
                definition = pieces[0].rstrip(";").strip()
                examples = [p.strip().strip(";").strip().strip('"') for p in pieces[1:]]
                key = f"{ss_type if ss_type != 's' else 'a'}{offset}"
                synsets[key] = {
                    "pos": POS_NAME[ss_type], "lemmas": lemmas,
                    "definition": definition, "examples": examples, "ants_raw": ants,
                }
    # resolve antonyms (word-level pointers)
    for s in synsets.values():
        ants = []
        for src, tgt, tpos, dst in s.pop("ants_raw"):
            t = synsets.get(f"{tpos if tpos != 's' else 'a'}{tgt}")
            if t is None or src == 0 or dst == 0:
                continue
            if src - 1 < len(s["lemmas"]) and dst - 1 < len(t["lemmas"]):
                ants.append([s["lemmas"][src - 1], t["lemmas"][dst - 1]])
        s["antonyms"] = ants
    # sense order per lemma/pos from index files (first = most frequent)
    sense_order = {}
    for fname, pos in [("index.noun", "n"), ("index.verb", "v"), ("index.adj", "a"), ("index.adv", "r")]:
        with open(os.path.join(WN, fname), encoding="latin-1") as f:
            for line in f:
                if line.startswith("  "):
                    continue
                parts = line.split()
                lemma, n_syn, p_cnt = parts[0], int(parts[2]), int(parts[3])
                offs = parts[6 + p_cnt: 6 + p_cnt + n_syn]
                sense_order[f"{lemma.replace('_', ' ')}|{pos}"] = [f"{pos}{o}" for o in offs]
    freq = {}
    with open(os.path.join(WN, "cntlist.rev"), encoding="latin-1") as f:
        for line in f:
            key, _, cnt = line.split()
            lemma = key.split("%")[0].replace("_", " ")
            freq[lemma] = freq.get(lemma, 0) + int(cnt)
    return synsets, sense_order, freq


def read_fortunes():
    docs = []
    for name in FORTUNE_FILES:
        path = os.path.join(FORTUNES, name)
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        for doc in text.split("\n%\n"):
            doc = doc.replace("\t", "    ").strip("\n")
            if not doc.strip() or len(doc) > 1200:
                continue
            if not all(32 <= ord(c) < 127 or c == "\n" for c in doc):
                continue
            docs.append(doc)
    return docs


WORD_RE = re.compile(r"^[A-Za-z][a-z']*$")


def plain_sentence(s):
    """A sentence usable for word tasks: 3..9 plain words, optional final period."""
    s = s.strip()
    if s.endswith("."):
        s = s[:-1]
    words = s.split(" ")
    if not 3 <= len(words) <= 9:
        return None
    if not all(WORD_RE.match(w) and len(w) <= 12 for w in words):
        return None
    return s


def main():
    os.makedirs(CACHE, exist_ok=True)
    synsets, sense_order, freq = parse_wordnet()
    fortunes = read_fortunes()
    sents = set()
    for s in synsets.values():
        for ex in s["examples"]:
            p = plain_sentence(ex)
            if p:
                sents.add(p)
    for doc in fortunes:
        for line in re.split(r"(?<=[.!?])\s+|\n", doc):
            p = plain_sentence(line)
            if p:
                sents.add(p)
    sents = sorted(sents)
    with open(os.path.join(CACHE, "wordnet.json"), "w") as f:
        json.dump({"synsets": synsets, "sense_order": sense_order, "freq": freq}, f)
    with open(os.path.join(CACHE, "fortunes.json"), "w") as f:
        json.dump(fortunes, f)
    with open(os.path.join(CACHE, "sentences.json"), "w") as f:
        json.dump(sents, f)
    print(f"synsets {len(synsets)}, fortunes {len(fortunes)}, sentences {len(sents)}", file=sys.stderr)


if __name__ == "__main__":
    main()
