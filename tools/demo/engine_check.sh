#!/usr/bin/env bash
# Instruction-score check with the engine on the held-out prompts (raw prompts, L = 10, b = 7,
# p = 4): `prompt-lens dataset`, then `prompt-lens stats` (Welch, profiles, HTML chart) and
# tools/demo/engine_stats.py (per-task means and an independent Python re-derivation of the score
# from the engine's raw importance). Three runs:
#   occlusion, gradient  - each model explains its own greedy reply (at most 64 tokens);
#   occlusion-same       - both explain the same reply (the held-out record's reference answer),
#                          to tell apart what the model reads from what it says.
set -euo pipefail
cd "$(dirname "$0")/../.."
run() {
  local name=$1 method=$2
  shift 2
  local out=.cache/demo/engine-dataset-$name
  rm -rf "$out" "$out-stats"  # dataset resumes; start afresh so the weights and the engine are current
  node --import tsx src/cli/main.ts dataset --base models/demo-base --tuned models/demo-instruct \
    --prompts models/demo-heldout.jsonl --out "$out" --threshold 7 --method "$method" --template none \
    --dtype fp32 --precision float64 --max-new-tokens 64 "$@"
  node --import tsx src/cli/main.ts stats "$out" --levels 10 --threshold 7 --p 4 --out "$out-stats"
  /usr/bin/python3 tools/demo/engine_stats.py "$out" "$name"
}
run occlusion occlusion
run gradient gradient
run occlusion-same occlusion --use-response
