#!/usr/bin/env bash
# Instruction-score check with the engine (prompt-lens dataset, gradient x input, raw prompts,
# b = 7) on the held-out prompts, then the statistic (tools/demo/engine_stats.py).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.cache/demo/engine-dataset
node --import tsx src/cli/main.ts dataset --base models/demo-base --tuned models/demo-instruct \
  --prompts models/demo-heldout.jsonl --out "$OUT" --threshold 7 --method gradient --template none \
  --dtype fp32 "$@"
/usr/bin/python3 tools/demo/engine_stats.py "$OUT"
