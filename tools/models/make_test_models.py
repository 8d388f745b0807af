"""Write the random-weight test models used by Prompt Lens's tests:

    test/fixtures/models/tiny-gpt2/        gpt2 arch, learned positions, LayerNorm, GELU, tied
    test/fixtures/models/tiny-llama/       llama arch, GQA (4 q heads / 2 kv heads), tied
                                           embeddings, BOS "<s>" prepended by the tokenizer;
                                           onnx/model_quantized.onnx (uint8 table +
                                           DequantizeLinear -> Gather) and onnx/model_q4.onnx
                                           (com.microsoft GatherBlockQuantized) variants
    test/fixtures/models/tiny-qwen2/       qwen2 arch (q/k/v biases), untied, ChatML chat_template
    test/fixtures/models/tiny-phi3/        phi3 arch (fused qkv_proj, gate_up_proj), untied
    test/fixtures/models/tiny-llama-extdata/  same weights/tokenizer as tiny-llama, weights in
                                           onnx/model.onnx_data (external data)

Each folder: config.json, generation_config.json, tokenizer.json, tokenizer_config.json,
onnx/model.onnx. Everything is seeded; re-running reproduces the same files (same torch
version). After export, ORT (onnxruntime-node, via check_onnx.mjs) is compared to PyTorch.

Run from the repo root:  /usr/bin/python3 tools/models/make_test_models.py
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from bpe import BYTE_ENCODER, BPETokenizer, save_tokenizer, train_bpe  # noqa: E402
from export_onnx import export_model, make_fp16_variant, make_q4_variant, make_q8_variant, save_external_data, write_configs  # noqa: E402
from modeling import Decoder, DecoderConfig  # noqa: E402

torch.set_num_threads(1)

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "test", "fixtures", "models")

# Training text for the tokenizers (written for this purpose; plain English with punctuation).
CORPUS = """
The cat sat on the mat, and the dog slept by the door.
Write a short poem about the sea. The waves never stop moving toward the shore.
Explain why the sky is blue in one or two sentences.
Translate to French: Good morning, how are you today? I am fine, thank you.
Summarize the following text in a single sentence.
The model reads the prompt and writes a response, one token at a time.
Which words of the prompt does the model rely on when it answers?
Instruction tuning changes how a language model follows what the user asks.
A pre-trained model continues the text; a tuned model tries to answer the question.
Give three reasons why people enjoy reading books on a quiet evening.
List the colors of the rainbow: red, orange, yellow, green, blue, indigo and violet.
She said that the weather would be warm and sunny for the rest of the week.
Please describe the picture: a small boat floats on a calm lake under the moon.
What is the capital of France? The capital of France is Paris.
How many days are there in a year? There are 365 days in a year, or 366 in a leap year.
The children played in the garden while their parents cooked dinner in the kitchen.
Scientists study the stars, the planets and the space between them.
If you mix blue and yellow paint, you get green paint.
He opened the window, looked at the rain, and decided to stay home.
Answer the question with a single word: is water wet?
Tell me a story about a brave mouse who lived in an old house near the river.
The teacher asked the students to write an essay about their favorite animal.
Classify the sentiment of this review: "The food was great, but the service was slow."
Generate a list of ideas for a birthday party in the park.
It's a good day to learn something new, isn't it? Yes, it is!
We're going to the market; they'll meet us there at noon.
Numbers like 1, 2, 3, 10 and 2024 appear in text too.
The quick brown fox jumps over the lazy dog.
Correct the grammar in this sentence: "She go to school every days."
Identify the main idea of the paragraph and explain it to a child.
"""

CHATML = (
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
PHI3_TEMPLATE = (
    "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + message['content'] + '<|end|>' + '\\n'}}"
    "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}"
)

SPECS = {
    "tiny-gpt2": dict(
        arch="gpt2", seed=11, vocab=512, specials=["<|endoftext|>"], bos="<|endoftext|>", eos="<|endoftext|>",
        add_bos=False, template=None, tie=True, heads=4, kv_heads=4, inter=256,
    ),
    "tiny-llama": dict(
        arch="llama", seed=12, vocab=512, specials=["<unk>", "<s>", "</s>"], bos="<s>", eos="</s>",
        add_bos=True, template=None, tie=True, heads=4, kv_heads=2, inter=128,
    ),
    "tiny-qwen2": dict(
        arch="qwen2", seed=13, vocab=512, specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"], bos=None,
        eos="<|im_end|>", add_bos=False, template=CHATML, tie=False, heads=4, kv_heads=2, inter=128,
    ),
    "tiny-phi3": dict(
        arch="phi3", seed=14, vocab=512,
        specials=["<unk>", "<s>", "</s>", "<|endoftext|>", "<|user|>", "<|assistant|>", "<|end|>"],
        bos="<s>", eos="<|endoftext|>", add_bos=False, template=PHI3_TEMPLATE, tie=False, heads=4, kv_heads=4, inter=128,
    ),
}
HIDDEN, LAYERS, INIT_STD, EMBED_STD = 64, 2, 0.2, 0.3


def build_tokenizer(name: str) -> BPETokenizer:
    s = SPECS[name]
    return train_bpe(CORPUS.strip().splitlines(keepends=True), s["vocab"], s["specials"], min_frequency=2)


def build_model(name: str, tok: BPETokenizer) -> Decoder:
    """Deterministic fp32 model for `name` (weights depend only on the seed and config)."""
    s = SPECS[name]
    cfg = DecoderConfig(
        arch=s["arch"], vocab_size=len(tok.vocab), hidden_size=HIDDEN, num_layers=LAYERS, num_heads=s["heads"],
        num_kv_heads=s["kv_heads"], intermediate_size=s["inter"], max_position_embeddings=512,
        rope_theta=10000.0, norm_eps=1e-5, tie_word_embeddings=s["tie"], init_std=INIT_STD, embed_std=EMBED_STD,
        bos_token_id=tok.vocab[s["bos"]] if s["bos"] else None, eos_token_id=tok.vocab[s["eos"]],
        pad_token_id=tok.vocab[s["eos"]],
    )
    torch.manual_seed(s["seed"])
    m = Decoder(cfg, init=False)
    m.init_weights(generator=torch.Generator().manual_seed(s["seed"]))
    # Random weights would often pick single-byte tokens (control characters, UTF-8 fragments)
    # as greedy outputs; shrink their output rows so responses are readable text pieces.
    with torch.no_grad():
        for b, ch in BYTE_ENCODER.items():
            if b >= 0x7F or (b < 0x20 and b != 0x0A):
                m.output_weight()[tok.vocab[ch]] *= 0.05
    return m.eval()


def parity(model: Decoder, onnx_path: str, embed_table: np.ndarray | None = None, seed: int = 0) -> dict:
    """Max |ORT - PyTorch fp32| of logits for a 14-token sequence: full (past 0) and cached."""
    cfg = model.cfg
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(0, cfg.vocab_size, (1, 14), generator=g)
    with torch.no_grad():
        if embed_table is None:
            logits, _ = model(ids)
        else:
            logits, _ = model(inputs_embeds=torch.from_numpy(embed_table)[ids])
    case = dict(model=onnx_path, ids=ids[0].tolist(), split=6, vocab=cfg.vocab_size, layers=cfg.num_layers,
                kvHeads=cfg.num_kv_heads, headDim=cfg.head_dim, logits=logits[0].flatten().tolist())
    return node_parity("check_onnx.mjs", case, logits)


def node_parity(script: str, case: dict, logits: torch.Tensor) -> dict:
    """Runs tools/models/<script> (onnxruntime-node) on case; its report plus the reference's max |logit|."""
    with tempfile.TemporaryDirectory() as td:
        path = os.path.join(td, "case.json")
        with open(path, "w") as f:
            json.dump(case, f)
        r = subprocess.run(["node", os.path.join(HERE, script), path], capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise RuntimeError(r.stderr)
    res = json.loads(r.stdout)
    res["maxAbsLogit"] = float(logits.abs().max())
    return res


def dir_size(d: str) -> int:
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)


def write_model(name: str, out_dir: str) -> tuple[Decoder, BPETokenizer]:
    s = SPECS[name]
    tok = build_tokenizer(name)
    model = build_model(name, tok)
    if os.path.isdir(os.path.join(out_dir, "onnx")):
        shutil.rmtree(os.path.join(out_dir, "onnx"))
    save_tokenizer(tok, out_dir, bos_token=s["bos"], eos_token=s["eos"], pad_token=s["eos"], add_bos=s["add_bos"],
                   chat_template=s["template"], model_max_length=512)
    write_configs(model.cfg, out_dir)
    export_model(model, out_dir)
    return model, tok


def main() -> None:
    report = {}
    for name in SPECS:
        d = os.path.join(OUT, name)
        model, tok = write_model(name, d)
        p = parity(model, os.path.join(d, "onnx", "model.onnx"))
        report[name] = {"fp32": p}
        if name == "tiny-llama":
            src = os.path.join(d, "onnx", "model.onnx")
            t8 = make_q8_variant(src, os.path.join(d, "onnx", "model_quantized.onnx"))
            report[name]["q8"] = parity(model, os.path.join(d, "onnx", "model_quantized.onnx"), t8)
            t4 = make_q4_variant(src, os.path.join(d, "onnx", "model_q4.onnx"))
            report[name]["q4"] = parity(model, os.path.join(d, "onnx", "model_q4.onnx"), t4)
            make_fp16_variant(src, os.path.join(d, "onnx", "model_fp16.onnx"))  # its numbers: test/integration/engine-api.test.ts
            # external-data copy: same tokenizer, configs and weights
            e = os.path.join(OUT, "tiny-llama-extdata")
            if os.path.isdir(e):
                shutil.rmtree(e)
            os.makedirs(os.path.join(e, "onnx"))
            for f in ("tokenizer.json", "tokenizer_config.json", "generation_config.json"):
                shutil.copy(os.path.join(d, f), os.path.join(e, f))
            write_configs(model.cfg, e, extra={"transformers.js_config": {"use_external_data_format": True}})
            import onnx

            save_external_data(onnx.load(src), os.path.join(e, "onnx", "model.onnx"))
            report["tiny-llama-extdata"] = {"fp32": parity(model, os.path.join(e, "onnx", "model.onnx"))}
    for name in report:
        d = os.path.join(OUT, name)
        report[name]["bytes"] = dir_size(d)
        print(name, json.dumps(report[name]))


if __name__ == "__main__":
    main()
