"""Golden reference attributions for the test models, computed in float64 with PyTorch autograd.

For every model in test/fixtures/models/ (built by make_test_models.py) writes golden.json:

{
  "model": "tiny-llama",
  "dtype": "float64",
  "maxNewTokens": 10,
  "eosTokenId": 2,
  "cases": [
    {
      "name": "greedy-0" | ... | "given-0",
      "prompt": "The cat sat on the mat.",          // raw text, no chat template
      "promptIds": [1, ...],                         // transformers.js tokenizer.encode(prompt)
                                                     //   (includes BOS when the tokenizer adds one)
      "teacherForced": false,                        // true: response given as text
      "responseText": "...",                         // given text, or decode(responseIds)
      "responseIds": [...],                          // greedy continuation (fp64; equals fp32 greedy)
                                                     //   or tokenizer.encode(text, {add_special_tokens:false})
      "p": [M],            // p_m = softmax(logits at position N-1+m)[y_m], teacher forcing
      "gradient": [N][M],  // I_grad[n][m] = (d p_m / d e_n) . e_n, exact autograd (probability)
      "occlusion": [N][M], // I_occ[n][m] = p_m(full) - p_m(e_n replaced by zeros)
      "units": [[0], [1, 2, 3], [4, 5], ...], // fixed consecutive units (sizes 1, 3, 2, 3, 2, ...)
      "unitOcclusion": [U][M], // p_m(full) - p_m(every e_n of unit u replaced by zeros)
      // (given cases) contrastive attribution of F_m = p_m(response) - p_m(contrast), step m
      // comparing the m-th tokens, each under its own teacher-forced prefix (Inseq's contrast_prob_diff):
      "contrastText": "...", "contrastIds": [M],
      "contrastGradient": [N][M],  // (d F_m / d e_n) . e_n, exact autograd through both sequences
      "contrastOcclusion": [N][M],  // F_m(full) - F_m(e_n replaced by zeros in both)
      "contrastUnitOcclusion": [U][M], // F_m(full) - F_m(every e_n of unit u replaced by zeros in both)
      // and of G_m = log p_m(response) - log p_m(contrast) (Inseq's log-probability contrast):
      "contrastLogGradient": [N][M],      // (d G_m / d e_n) . e_n, exact autograd through both sequences
      "contrastLogOcclusion": [N][M],     // G_m(full) - G_m(e_n replaced by zeros in both)
      "contrastLogUnitOcclusion": [U][M], // G_m(full) - G_m(every e_n of unit u replaced by zeros in both)
      "greedyMargin": x    // (greedy cases) min over steps of top1 - top2 logit (fp64)
    }
  ]
}
Rows are ALL prompt positions (BOS included), columns are response tokens.
Values are rounded to 13 decimals (absolute precision 1e-13).
e_n is the raw row of the token-embedding table (before position embeddings / any scaling).

The cases, p, gradient, occlusion and unit occlusion come from golden_cases.py (shared with the
other golden writers); this script adds the fp32/fp64 greedy check and the contrastive attributions.

Run from the repo root (after make_test_models.py):  /usr/bin/python3 tools/models/make_goldens.py
"""
from __future__ import annotations

import dataclasses
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from onnx import numpy_helper  # noqa: E402

from golden_cases import DECIMAL_STYLE, GIVEN, MAX_NEW, decimals, fixed_units, golden_cases, probs_of, tokenize_cases, write_golden  # noqa: E402
from make_test_models import OUT, build_model, build_tokenizer  # noqa: E402
from modeling import Decoder, greedy  # noqa: E402

torch.set_num_threads(1)

# Alternatives to the given response, the first with as many tokens as it (per tokenizer) is the contrast.
CONTRASTS = (" It reads the prompt, then it writes.", " It writes the prompt, then it answers.", " It reads the answer, then it answers.",
             " It reads the prompt, then it sleeps.")
MODELS = {  # folder -> spec used to rebuild the weights
    "tiny-gpt2": "tiny-gpt2",
    "tiny-llama": "tiny-llama",
    "tiny-qwen2": "tiny-qwen2",
    "tiny-phi3": "tiny-phi3",
    "tiny-llama-extdata": "tiny-llama",
}
TEST_MODEL_STYLE = dataclasses.replace(DECIMAL_STYLE, units=True)


def onnx_embedding_table(path: str) -> np.ndarray:
    m = onnx.load(path)
    inits = {t.name: t for t in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Gather" and n.input[1] == "input_ids":
            return numpy_helper.to_array(inits[n.input[0]])
    raise RuntimeError("no embedding Gather")


def log_probs_of(model: Decoder, e: torch.Tensor, N: int, resp: list[int]) -> torch.Tensor:
    """log p_m for all m given the embedding rows e [N+M, H] (teacher forcing)."""
    logits, _ = model(inputs_embeds=e.unsqueeze(0))
    M = len(resp)
    lp = torch.log_softmax(logits[0, N - 1 : N - 1 + M], dim=-1)
    return lp[torch.arange(M), torch.tensor(resp)]


def contrastive(model: Decoder, prompt_ids: list[int], resp: list[int], contrast: list[int]) -> dict:
    """Attribution of F_m = p_m(resp) - p_m(contrast) and of G_m = log p_m(resp) - log p_m(contrast):
    one prompt embedding shared by both sequences."""
    N, M = len(prompt_ids), len(resp)
    assert len(contrast) == M
    table = model.embed_tokens.weight.detach()
    ep = table[torch.tensor(prompt_ids)].clone().requires_grad_(True)
    ea, eb = table[torch.tensor(resp)], table[torch.tensor(contrast)]
    units = fixed_units(N)
    out = {}
    for prefix, of in (("contrast", probs_of), ("contrastLog", log_probs_of)):
        def F_at(e: torch.Tensor) -> torch.Tensor:
            return of(model, torch.cat([e, ea]), N, resp) - of(model, torch.cat([e, eb]), N, contrast)
        F = F_at(ep)
        grad = np.zeros((N, M))
        for m in range(M):
            (g,) = torch.autograd.grad(F[m], ep, retain_graph=True)
            grad[:, m] = (g * ep).sum(-1).detach().numpy()
        occ = np.zeros((N, M))
        unit_occ = np.zeros((len(units), M))
        with torch.no_grad():
            for n in range(N):
                e2 = ep.detach().clone()
                e2[n] = 0
                occ[n] = (F.detach() - F_at(e2)).numpy()
            for u, group in enumerate(units):
                e2 = ep.detach().clone()
                e2[group] = 0
                unit_occ[u] = (F.detach() - F_at(e2)).numpy()
        out[prefix + "Gradient"] = decimals(grad)
        out[prefix + "Occlusion"] = decimals(occ)
        out[prefix + "UnitOcclusion"] = decimals(unit_occ)
    return out


def main() -> None:
    for folder, spec in MODELS.items():
        d = os.path.join(OUT, folder)
        tok = build_tokenizer(spec)
        model = build_model(spec, tok)
        ref = onnx_embedding_table(os.path.join(d, "onnx", "model.onnx"))
        assert np.array_equal(ref, model.embed_tokens.weight.detach().numpy()), f"{folder}: weights differ from ONNX"
        m64 = build_model(spec, tok).double()
        eos = model.cfg.eos_token_id
        toks = tokenize_cases(d, CONTRASTS)
        assert all(toks["roundTrip"]), toks["roundTrip"]
        cases = golden_cases(m64, toks, eos, tok.decode, TEST_MODEL_STYLE)
        for c in cases:
            if c["teacherForced"]:
                resp = c["responseIds"]
                k = next(k for k, t in enumerate(CONTRASTS) if len(toks["responses"][len(GIVEN) + k]) == len(resp))
                contrast = toks["responses"][len(GIVEN) + k]
                c.update({"contrastText": CONTRASTS[k], "contrastIds": contrast})
                c.update(contrastive(m64, c["promptIds"], resp, contrast))
            else:
                resp32 = greedy(model, c["promptIds"], MAX_NEW, eos)
                assert c["responseIds"] == resp32, f"{folder}: fp32/fp64 greedy differ {c['responseIds']} {resp32}"
        write_golden(d, eos, cases)


if __name__ == "__main__":
    main()
