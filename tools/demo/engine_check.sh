#!/usr/bin/env bash
# Instruction-score check with the engine on the held-out prompts, for both attribution methods
# (raw prompts, each model's own greedy response of at most 64 tokens): `prompt-lens dataset`,
# then `prompt-lens stats` (L = 10, b = 7, p = 4) and tools/demo/engine_stats.py (per-task means
# and an independent Python re-derivation of the score from the engine's raw importance).
set -euo pipefail
cd "$(dirname "$0")/../.."
for METHOD in occlusion gradient; do
  OUT=.cache/demo/engine-dataset-$METHOD
  node --import tsx src/cli/main.ts dataset --base models/demo-base --tuned models/demo-instruct \
    --prompts models/demo-heldout.jsonl --out "$OUT" --threshold 7 --method "$METHOD" --template none \
    --dtype fp32 --max-new-tokens 64 "$@"
  node --import tsx src/cli/main.ts stats "$OUT" --levels 10 --threshold 7 --p 4 --out "$OUT-stats"
  /usr/bin/python3 tools/demo/engine_stats.py "$OUT" "$METHOD"
done
