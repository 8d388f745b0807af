#!/usr/bin/env python3
"""Statistics over the engine's per-prompt analyses (prompt-lens dataset output DIR):
instruction score (b = 7) base vs tuned with Welch's one-sided t-test (H1: base < tuned), per
task means, and the relative-position profile (METHODS.md §1.6). The score is taken from the
engine's record and re-derived from its raw importance as a cross-check.
Usage: engine_stats.py DIR METHOD. Writes .cache/demo/engine_stats.METHOD.json."""
import glob
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CACHE, ROOT, position_profile, welch_less  # noqa: E402

L, B, P, EPS = 10, 7, 4, 1e-7


def rescore(rec):
    """§1.3-1.5 from the engine's raw importance, user-text rows only."""
    rows = [i for i, t in enumerate(rec["promptTokens"]) if not t["special"]]
    I = [rec["importance"][i] for i in rows]
    M = len(I[0]) if I else 0
    S = [[0.0] * M for _ in I]
    for m in range(M):
        col = [max(0.0, r[m]) for r in I]
        mx = max(col) if col else 0.0
        for n, v in enumerate(col):
            q = math.ceil(L * v / (mx + EPS))
            S[n][m] = q if q > B else 0
    a = []
    for r in S:
        l1 = sum(r)
        lp = sum(v ** P for v in r) ** (1 / P)
        a.append(l1 / lp if lp > 0 else 0.0)
    mx = max(a) if a and max(a) > 0 else 1.0
    a = [v / mx for v in a]
    mask = [rec["instructionMask"][i] for i in rows]
    score = sum(v * k for v, k in zip(a, mask)) / math.log2(2 + sum(mask))
    return score, a


def main():
    d, method = sys.argv[1], sys.argv[2]
    tasks = {}
    with open(os.path.join(ROOT, "models", "demo-heldout.jsonl")) as f:
        for line in f:
            r = json.loads(line)
            tasks[r["id"]] = r["task"]
    out = {}
    for role in ("base", "tuned"):
        recs = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(d, f"*.{role}.json")))]
        scores, rescored, dens, per_task, maxdiff = [], [], [], {}, 0.0
        for rec in recs:
            if not rec.get("responseTokens"):
                continue
            s = rec["instructionScore"]
            s2, a = rescore(rec)
            maxdiff = max(maxdiff, abs(s - s2))
            scores.append(s)
            dens.append(a)
            per_task.setdefault(tasks.get(rec["dataset"]["id"], "?"), []).append(s)
        settings = recs[0]["settings"] if recs else {}
        out[role] = {"n": len(scores), "mean": sum(scores) / len(scores), "scores": scores,
                     "per_task": {k: sum(v) / len(v) for k, v in sorted(per_task.items())},
                     "profile": position_profile(dens), "max_abs_diff_engine_vs_rescore": maxdiff,
                     "settings": settings,
                     # replies that end in a quotation signature ("-- Mark Twain"), as fortunes do
                     "signature_share": sum(" -- " in r["response"] for r in recs) / max(1, len(recs))}
    t, df, p = welch_less(out["base"]["scores"], out["tuned"]["scores"])
    out["welch"] = {"t": t, "df": df, "p_one_sided": p}
    summary = {k: {kk: vv for kk, vv in v.items() if kk != "scores"} if isinstance(v, dict) else v for k, v in out.items()}
    print(json.dumps(summary, indent=1))
    with open(os.path.join(CACHE, f"engine_stats.{method}.json"), "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
