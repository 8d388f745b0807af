"""Random-weight benchmark model with the exact SmolLM2-135M-Instruct configuration
(Llama arch, 30 layers, hidden 576, 9 heads / 3 kv heads, intermediate 1536, vocab 49152,
tied embeddings, rope_theta 1e5), written to .cache/bench-model/ (gitignored):

    .cache/bench-model/config.json, generation_config.json, tokenizer.json,
        tokenizer_config.json, special_tokens_map.json   (copied from the shared fixture)
    .cache/bench-model/onnx/model.onnx                    (fp32, ~650 MB, KV-cache layout)

Weights are random (seeded); only speed/memory measurements are meaningful on it.
Needs the shared tokenizer folder (default /work/shared/fixtures/tokenizers/smollm2-135m-instruct,
override with --src). Takes a few minutes and ~3 GB RAM; run nothing heavy beside it.

    /usr/bin/python3 tools/models/make_bench_model.py [--src DIR] [--out .cache/bench-model] [--no-check]

For `npm run bench -- MODEL_DIR float32 --projection` (1B scale on paper), a model of
Llama-3.2-1B's width with as many layers as this machine holds (2 layers: 0.38B parameters; the
tied embedding is stored twice, 2.6 GB, so the weights go to onnx/model.onnx_data):

    /usr/bin/python3 tools/models/make_bench_model.py --config tools/models/llama-3.2-1b.config.json \
        --layers 2 --external-data --out .cache/bench-llama-1b-2l --no-check
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import torch  # noqa: E402

from export_onnx import export_model  # noqa: E402
from modeling import Decoder, DecoderConfig  # noqa: E402

torch.set_num_threads(1)
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_SRC = "/work/shared/fixtures/tokenizers/smollm2-135m-instruct"
COPY = ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]


def config_from_hf(c: dict) -> DecoderConfig:
    assert c["model_type"] == "llama", c["model_type"]
    return DecoderConfig(
        arch="llama",
        vocab_size=c["vocab_size"],
        hidden_size=c["hidden_size"],
        num_layers=c["num_hidden_layers"],
        num_heads=c["num_attention_heads"],
        num_kv_heads=c.get("num_key_value_heads", c["num_attention_heads"]),
        intermediate_size=c["intermediate_size"],
        max_position_embeddings=c["max_position_embeddings"],
        rope_theta=float(c.get("rope_theta", 10000.0)),
        norm_eps=c.get("rms_norm_eps", 1e-5),
        tie_word_embeddings=c.get("tie_word_embeddings", False),
        init_std=c.get("initializer_range", 0.02),
        bos_token_id=c.get("bos_token_id"),
        eos_token_id=c.get("eos_token_id"),
        pad_token_id=c.get("pad_token_id"),
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=DEFAULT_SRC)
    ap.add_argument("--out", default=os.path.join(ROOT, ".cache", "bench-model"))
    ap.add_argument("--seed", type=int, default=135)
    ap.add_argument("--config", help="a config.json to use instead of the --src folder's (its tokenizer files are still copied)")
    ap.add_argument("--layers", type=int, help="number of layers, instead of the configuration's")
    ap.add_argument("--external-data", action="store_true", help="weights in onnx/model.onnx_data (needed above 2 GB)")
    ap.add_argument("--no-check", action="store_true", help="skip the ORT vs PyTorch parity check")
    a = ap.parse_args()
    with open(a.config or os.path.join(a.src, "config.json")) as f:
        hf = json.load(f)
    if a.layers:
        hf["num_hidden_layers"] = a.layers
    cfg = config_from_hf(hf)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(hf, f, indent=2)
    for name in COPY[1:]:
        if os.path.exists(os.path.join(a.src, name)):
            shutil.copyfile(os.path.join(a.src, name), os.path.join(a.out, name))
    t0 = time.time()
    torch.manual_seed(a.seed)
    model = Decoder(cfg, init=False)
    model.init_weights(generator=torch.Generator().manual_seed(a.seed))
    model.eval()
    n_params = sum(p.numel() for p in model.parameters())
    print(f"built {n_params / 1e6:.1f}M params in {time.time() - t0:.1f}s", flush=True)
    t0 = time.time()
    path = export_model(model, a.out, external_data=a.external_data)
    print(f"exported {path} ({os.path.getsize(path) / 1e6:.0f} MB) in {time.time() - t0:.1f}s", flush=True)
    if not a.no_check:
        from make_test_models import parity

        print("parity (max |ORT - PyTorch| logits):", json.dumps(parity(model, path)), flush=True)


if __name__ == "__main__":
    main()
