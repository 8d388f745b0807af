"""The cases of a golden.json and the float64 attributions each holds (format: make_goldens.py).

Every golden file has the same cases: greedy-0..2 (the model's own greedy reply to PROMPTS, at
most MAX_NEW tokens) and given-0 (GIVEN's reply, teacher forced), each with p, gradient × input
by autograd and occlusion (e_n := 0), the gradient self-checked by a central difference.
make_goldens.py, make_genai_models.py and make_genai_builder_golden.py write them for their
models: any torch module with `embed_tokens` whose forward(input_ids=… | inputs_embeds=…)
returns (logits, _), in float64. A Style says how one family of golden files is computed and
stored (rounding, unit occlusion, the self-check's step and tolerance).
"""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

PROMPTS = [
    "The cat sat on the mat.",
    "Write a short poem about the sea, and explain why the waves never stop moving toward the shore.",
    "Translate to French: Good morning, how are you today?",
]
GIVEN = [("Summarize: the model reads the prompt and writes a response.", " It reads the prompt, then it answers.")]
MAX_NEW = 10


def decimals(a: np.ndarray) -> list:
    """Round to 13 decimals (absolute 1e-13): float64 BLAS results vary by ~1e-15 between
    runs, and rounding keeps regenerated files byte-identical."""
    return np.round(np.asarray(a, dtype=np.float64), 13).tolist()


def significant(a: np.ndarray) -> list:
    """Round to 13 significant digits: for tiny values (a real model's p ~1/32000, attributions ~1e-8),
    of which 13 decimals would keep too few digits."""
    return [float(f"{v:.12e}") for v in np.asarray(a, dtype=np.float64).flat] if np.ndim(a) == 1 else [significant(row) for row in a]


@dataclass(frozen=True)
class Style:
    """How one family of golden files is computed and stored."""
    round: Callable[[np.ndarray], list]
    units: bool  # also occlude fixed consecutive units ("units", "unitOcclusion")
    fd_step: float  # relative step of the central-difference self-check
    fd_atol: Callable[[np.ndarray], float]  # its absolute tolerance, given the gradient matrix


# 13 decimals; the self-check at a step of 1e-6 within 1e-8 (make_goldens.py adds unit occlusion).
DECIMAL_STYLE = Style(round=decimals, units=False, fd_step=1e-6, fd_atol=lambda grad: 1e-8)


def tokenize(folder: str, prompts: list[str], responses: list[str]) -> dict:
    """transformers.js (tools/models/tokenize_prompts.mjs) ids, so golden ids equal what the engine sees."""
    with tempfile.TemporaryDirectory() as td:
        i, o = os.path.join(td, "in.json"), os.path.join(td, "out.json")
        with open(i, "w") as f:
            json.dump({"prompts": prompts, "responses": responses}, f)
        r = subprocess.run(["node", os.path.join(HERE, "tokenize_prompts.mjs"), folder, i, o], capture_output=True,
                           text=True, cwd=ROOT)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        with open(o) as f:
            return json.load(f)


def tokenize_cases(folder: str, more_responses: tuple[str, ...] = ()) -> dict:
    """The cases' prompts (PROMPTS, then GIVEN's) and GIVEN's responses, then more_responses."""
    return tokenize(folder, PROMPTS + [g[0] for g in GIVEN], [g[1] for g in GIVEN] + list(more_responses))


def greedy_with_margin(model: torch.nn.Module, ids: list[int], eos: int | None, max_new: int = MAX_NEW) -> tuple[list[int], float]:
    """Greedy reply (at most max_new tokens, through eos) and the smallest top-1 − top-2 logit margin."""
    out: list[int] = []
    margin = float("inf")
    seq = list(ids)
    with torch.no_grad():
        for _ in range(max_new):
            logits, _ = model(torch.tensor([seq]))
            top = torch.topk(logits[0, -1], 2).values
            margin = min(margin, float(top[0] - top[1]))
            t = int(logits[0, -1].argmax())
            out.append(t)
            seq.append(t)
            if eos is not None and t == eos:
                break
    return out, margin


def probs_of(model: torch.nn.Module, e: torch.Tensor, N: int, resp: list[int]) -> torch.Tensor:
    """p_m for all m given the embedding rows e [N+M, H] (teacher forcing)."""
    logits, _ = model(inputs_embeds=e.unsqueeze(0))
    M = len(resp)
    lp = torch.softmax(logits[0, N - 1 : N - 1 + M], dim=-1)
    return lp[torch.arange(M), torch.tensor(resp)]


def fixed_units(N: int) -> list[list[int]]:
    """Consecutive units covering 0..N-1: the first position alone, then sizes 3, 2, 3, 2, ..."""
    units, n, size = [[0]], 1, 3
    while n < N:
        units.append(list(range(n, min(n + size, N))))
        n += size
        size = 5 - size
    return units


def attributions(model: torch.nn.Module, prompt_ids: list[int], resp: list[int], style: Style) -> dict:
    """p, gradient × input (autograd) and occlusion (e_n := 0) of every p_m; unit occlusion if the style has it."""
    N, M = len(prompt_ids), len(resp)
    table = model.embed_tokens.weight.detach()
    e = table[torch.tensor(prompt_ids + resp)].clone().requires_grad_(True)
    p = probs_of(model, e, N, resp)
    grad = np.zeros((N, M))
    for m in range(M):
        (g,) = torch.autograd.grad(p[m], e, retain_graph=True)
        grad[:, m] = (g[:N] * e[:N]).sum(-1).detach().numpy()
    occ = np.zeros((N, M))
    base = p.detach()
    with torch.no_grad():
        for n in range(N):
            e2 = e.detach().clone()
            e2[n] = 0
            occ[n] = (base - probs_of(model, e2, N, resp)).numpy()
        out = {"p": style.round(base.numpy()), "gradient": style.round(grad), "occlusion": style.round(occ)}
        if style.units:
            units = fixed_units(N)
            unit_occ = np.zeros((len(units), M))
            for u, group in enumerate(units):
                e2 = e.detach().clone()
                e2[group] = 0
                unit_occ[u] = (base - probs_of(model, e2, N, resp)).numpy()
            out.update({"units": units, "unitOcclusion": style.round(unit_occ)})
        # self-check: gradient x input equals d/da p_m(e_n -> (1+a) e_n) at a = 0 (central difference)
        h = style.fd_step
        for n in (0, N - 1):
            ep, em = e.detach().clone(), e.detach().clone()
            ep[n] *= 1 + h
            em[n] *= 1 - h
            fd = ((probs_of(model, ep, N, resp) - probs_of(model, em, N, resp)) / (2 * h)).numpy()
            assert np.allclose(fd, grad[n], atol=style.fd_atol(grad), rtol=1e-5), (fd, grad[n])
    return out


def golden_cases(model: torch.nn.Module, toks: dict, eos: int | None, decode: Callable[[list[int]], str], style: Style) -> list[dict]:
    """greedy-i for each of PROMPTS and given-j for each of GIVEN, from tokenize_cases' ids."""
    cases = []
    for i, prompt in enumerate(PROMPTS):
        ids = toks["prompts"][i]
        resp, margin = greedy_with_margin(model, ids, eos)
        c = {"name": f"greedy-{i}", "prompt": prompt, "promptIds": ids, "teacherForced": False,
             "responseText": decode(resp), "responseIds": resp, "greedyMargin": margin}
        c.update(attributions(model, ids, resp, style))
        cases.append(c)
    for j, (prompt, text) in enumerate(GIVEN):
        ids = toks["prompts"][len(PROMPTS) + j]
        resp = toks["responses"][j]
        c = {"name": f"given-{j}", "prompt": prompt, "promptIds": ids, "teacherForced": True,
             "responseText": text, "responseIds": resp}
        c.update(attributions(model, ids, resp, style))
        cases.append(c)
    return cases


def write_golden(folder: str, eos: int | None, cases: list[dict]) -> None:
    """folder/golden.json, and a one-line summary of its cases."""
    name = os.path.basename(folder)
    g = {"model": name, "dtype": "float64", "maxNewTokens": MAX_NEW, "eosTokenId": eos, "cases": cases}
    with open(os.path.join(folder, "golden.json"), "w") as f:
        json.dump(g, f, indent=1)
        f.write("\n")
    print(name, "cases (N, M):", [(len(c["promptIds"]), len(c["responseIds"])) for c in cases], "min greedy margin:",
          min(c.get("greedyMargin", 1e9) for c in cases),
          "p range:", min(min(c["p"]) for c in cases), max(max(c["p"]) for c in cases))
