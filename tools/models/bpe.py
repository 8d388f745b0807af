"""Train a small byte-level BPE tokenizer in pure Python and save it in the Hugging Face
`tokenizer.json` + `tokenizer_config.json` format (loadable by transformers.js v4 and by
`tokenizers`/`transformers`).

Dev-time tool for Prompt Lens test models. Standard library only.

The tokenizer is GPT-2 style:
  * pre-tokenizer: ByteLevel (GPT-2 regex split, bytes mapped to printable unicode chars,
    no prefix space), so every text round-trips exactly;
  * model: BPE over the 256 byte symbols + learned merges;
  * decoder: ByteLevel;
  * special tokens are "added tokens" (matched literally in the text before BPE, skipped by
    `decode(..., skip_special_tokens=True)`);
  * optional BOS prepended by a TemplateProcessing post-processor;
  * optional jinja chat template in tokenizer_config.json.

Vocabulary layout: special tokens first (ids 0..S-1, in the order given), then the 256 byte
symbols (in GPT-2 `bytes_to_unicode` order), then one token per merge.

Usage (as a library):

    import sys; sys.path.insert(0, "tools/models")
    from bpe import train_bpe, save_tokenizer

    tok = train_bpe(texts, vocab_size=512,
                    special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    ids = tok.encode("Hello, world!")            # list[int]; same ids transformers.js gives
    assert tok.decode(ids) == "Hello, world!"
    save_tokenizer(tok, "out/dir",
                   bos_token=None,                 # or e.g. "<s>" (must be a special token)
                   eos_token="<|endoftext|>",
                   add_bos=False,                  # True: post-processor prepends bos_token
                   chat_template=None)             # or a jinja string

Python-side `encode` uses an approximation of the GPT-2 pre-tokenizer regex (Python's `re`
has no \\p{L}/\\p{N}); it is exact for ASCII text. For non-ASCII letters or numerals it can
split differently from transformers.js; for exact ids on arbitrary text, tokenize with
transformers.js (see tokenize_prompts.mjs).

CLI:
    python3 tools/models/bpe.py --input corpus.txt --vocab-size 512 --out DIR \\
        [--special "<|endoftext|>"] [--bos "<s>" --add-bos] [--eos "<|endoftext|>"]
"""
from __future__ import annotations

import argparse
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Optional, Sequence, Tuple


def bytes_to_unicode() -> Dict[int, str]:
    """GPT-2's reversible byte -> printable unicode character map."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("\xa1"), ord("\xac") + 1)) + list(
        range(ord("\xae"), ord("\xff") + 1)
    )
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_ENCODER = bytes_to_unicode()
BYTE_DECODER = {c: b for b, c in BYTE_ENCODER.items()}

# Approximation of GPT-2's  's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
# with letters ~ [^\W\d_] and numbers ~ \d (exact for ASCII).
_PAT = re.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+""",
    re.UNICODE,
)


def pre_tokenize(text: str) -> List[str]:
    """Split text into words and map each word's UTF-8 bytes to byte-level characters."""
    return ["".join(BYTE_ENCODER[b] for b in w.encode("utf-8")) for w in _PAT.findall(text)]


@dataclass
class BPETokenizer:
    vocab: Dict[str, int]
    merges: List[Tuple[str, str]]
    special_tokens: List[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ranks = {m: i for i, m in enumerate(self.merges)}
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self._cache: Dict[str, List[str]] = {}
        if self.special_tokens:
            alts = sorted(self.special_tokens, key=len, reverse=True)
            self._special_re: Optional[re.Pattern[str]] = re.compile(
                "(" + "|".join(re.escape(s) for s in alts) + ")"
            )
        else:
            self._special_re = None

    def _bpe(self, word: str) -> List[str]:
        if word in self._cache:
            return self._cache[word]
        parts = list(word)
        while len(parts) > 1:
            best = None
            best_rank = None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best is None:
                break
            parts = parts[:best] + [parts[best] + parts[best + 1]] + parts[best + 2 :]
        self._cache[word] = parts
        return parts

    def encode(self, text: str, add_bos_id: Optional[int] = None) -> List[int]:
        """Token ids for text (special-token strings are matched literally)."""
        ids: List[int] = [] if add_bos_id is None else [add_bos_id]
        chunks = self._special_re.split(text) if self._special_re else [text]
        for chunk in chunks:
            if not chunk:
                continue
            if chunk in self.special_tokens:
                ids.append(self.vocab[chunk])
                continue
            for w in pre_tokenize(chunk):
                ids.extend(self.vocab[p] for p in self._bpe(w))
        return ids

    def decode(self, ids: Iterable[int], skip_special_tokens: bool = True) -> str:
        out: List[str] = []
        buf: List[int] = []
        for i in ids:
            t = self.id_to_token[int(i)]
            if t in self.special_tokens:
                if buf:
                    out.append(bytes(buf).decode("utf-8", errors="replace"))
                    buf = []
                if not skip_special_tokens:
                    out.append(t)
                continue
            buf.extend(BYTE_DECODER[c] for c in t)
        if buf:
            out.append(bytes(buf).decode("utf-8", errors="replace"))
        return "".join(out)


def train_bpe(
    texts: Iterable[str],
    vocab_size: int,
    special_tokens: Sequence[str] = ("<|endoftext|>",),
    min_frequency: int = 2,
) -> BPETokenizer:
    """Learn merges until the vocabulary has `vocab_size` entries (or no pair occurs
    `min_frequency` times). Deterministic: ties broken by the lexicographically smallest pair."""
    special_tokens = list(special_tokens)
    word_counts: Counter[str] = Counter()
    for t in texts:
        word_counts.update(pre_tokenize(t))
    vocab: Dict[str, int] = {}
    for s in special_tokens:
        vocab[s] = len(vocab)
    for b in range(256):
        vocab[BYTE_ENCODER[b]] = len(vocab)

    words = [(list(w), c) for w, c in word_counts.items()]
    merges: List[Tuple[str, str]] = []
    # pair -> count, and pair -> set of word indices containing it
    pair_counts: Counter[Tuple[str, str]] = Counter()
    where: Dict[Tuple[str, str], set] = {}
    for wi, (sym, c) in enumerate(words):
        for a, b in zip(sym, sym[1:]):
            pair_counts[(a, b)] += c
            where.setdefault((a, b), set()).add(wi)

    while len(vocab) < vocab_size and pair_counts:
        best = max(pair_counts.items(), key=lambda kv: (kv[1], _neg(kv[0])))
        pair, cnt = best
        if cnt < min_frequency:
            break
        new_sym = pair[0] + pair[1]
        merges.append(pair)
        if new_sym not in vocab:
            vocab[new_sym] = len(vocab)
        for wi in list(where.get(pair, ())):
            sym, c = words[wi]
            # remove old pair counts of this word
            for a, b in zip(sym, sym[1:]):
                pair_counts[(a, b)] -= c
                if pair_counts[(a, b)] <= 0:
                    del pair_counts[(a, b)]
                s = where.get((a, b))
                if s is not None:
                    s.discard(wi)
            i = 0
            out: List[str] = []
            while i < len(sym):
                if i < len(sym) - 1 and sym[i] == pair[0] and sym[i + 1] == pair[1]:
                    out.append(new_sym)
                    i += 2
                else:
                    out.append(sym[i])
                    i += 1
            words[wi] = (out, c)
            for a, b in zip(out, out[1:]):
                pair_counts[(a, b)] += c
                where.setdefault((a, b), set()).add(wi)
        pair_counts.pop(pair, None)
        where.pop(pair, None)
    return BPETokenizer(vocab=vocab, merges=merges, special_tokens=special_tokens)


class _neg:
    """Sort key that inverts string order (so max() picks the lexicographically smallest)."""

    def __init__(self, p: Tuple[str, str]):
        self.p = p

    def __lt__(self, o: "_neg") -> bool:
        return self.p > o.p

    def __gt__(self, o: "_neg") -> bool:
        return self.p < o.p

    def __eq__(self, o: object) -> bool:
        return isinstance(o, _neg) and self.p == o.p


def tokenizer_json(tok: BPETokenizer, bos_token: Optional[str] = None, add_bos: bool = False) -> dict:
    added = [
        {
            "id": tok.vocab[s],
            "content": s,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for s in tok.special_tokens
    ]
    if add_bos:
        if bos_token is None or bos_token not in tok.vocab:
            raise ValueError("add_bos needs a bos_token that is one of the special tokens")
        bid = tok.vocab[bos_token]
        post = {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": bos_token, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": bos_token, "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": bos_token, "type_id": 1}},
                {"Sequence": {"id": "B", "type_id": 1}},
            ],
            "special_tokens": {bos_token: {"id": bos_token, "ids": [bid], "tokens": [bos_token]}},
        }
    else:
        post = {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        "post_processor": post,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {
            "type": "BPE",
            "dropout": None,
            "unk_token": None,
            "continuing_subword_prefix": None,
            "end_of_word_suffix": None,
            "fuse_unk": False,
            "byte_fallback": False,
            "ignore_merges": False,
            "vocab": tok.vocab,
            "merges": [f"{a} {b}" for a, b in tok.merges],
        },
    }


def tokenizer_config_json(
    tok: BPETokenizer,
    bos_token: Optional[str] = None,
    eos_token: Optional[str] = None,
    pad_token: Optional[str] = None,
    add_bos: bool = False,
    chat_template: Optional[str] = None,
    model_max_length: int = 2048,
) -> dict:
    cfg: dict = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "add_bos_token": add_bos,
        "add_eos_token": False,
        "bos_token": bos_token,
        "eos_token": eos_token,
        "pad_token": pad_token if pad_token is not None else eos_token,
        "unk_token": None,
        "clean_up_tokenization_spaces": False,
        "model_max_length": model_max_length,
        "added_tokens_decoder": {
            str(tok.vocab[s]): {
                "content": s,
                "lstrip": False,
                "normalized": False,
                "rstrip": False,
                "single_word": False,
                "special": True,
            }
            for s in tok.special_tokens
        },
    }
    if chat_template is not None:
        cfg["chat_template"] = chat_template
    return cfg


def save_tokenizer(
    tok: BPETokenizer,
    out_dir: str,
    bos_token: Optional[str] = None,
    eos_token: Optional[str] = None,
    pad_token: Optional[str] = None,
    add_bos: bool = False,
    chat_template: Optional[str] = None,
    model_max_length: int = 2048,
) -> None:
    """Write out_dir/tokenizer.json and out_dir/tokenizer_config.json."""
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tokenizer_json(tok, bos_token, add_bos), f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
        json.dump(
            tokenizer_config_json(tok, bos_token, eos_token, pad_token, add_bos, chat_template, model_max_length),
            f,
            ensure_ascii=False,
            indent=2,
        )
        f.write("\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", required=True, nargs="+", help="UTF-8 text files (one document per line)")
    ap.add_argument("--vocab-size", type=int, default=512)
    ap.add_argument("--out", required=True)
    ap.add_argument("--special", action="append", default=None, help="special token (repeatable)")
    ap.add_argument("--bos", default=None)
    ap.add_argument("--eos", default=None)
    ap.add_argument("--add-bos", action="store_true")
    ap.add_argument("--min-frequency", type=int, default=2)
    a = ap.parse_args()
    texts: List[str] = []
    for p in a.input:
        with open(p, encoding="utf-8") as f:
            texts.extend(f.read().splitlines(keepends=True))
    specials = a.special or ["<|endoftext|>"]
    tok = train_bpe(texts, a.vocab_size, specials, a.min_frequency)
    save_tokenizer(tok, a.out, bos_token=a.bos, eos_token=a.eos or specials[0], add_bos=a.add_bos)
    print(f"vocab {len(tok.vocab)} ({len(tok.merges)} merges) -> {a.out}")


if __name__ == "__main__":
    main()
