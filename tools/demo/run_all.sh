#!/usr/bin/env bash
# Regenerates the demo pair from Debian text sources: data, tokenizer, base pre-training,
# instruct fine-tuning, evaluation, export to models/, engine check, model cards.
# Needs: apt-get install -y python3-torch python3-onnx python3-numpy libopenblas0-pthread \
#          wordnet-base fortunes fortunes-min ; npm ci (for the engine check).
set -euo pipefail
cd "$(dirname "$0")/../.."
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 PYTHONHASHSEED=0
PY=/usr/bin/python3
mkdir -p .cache/demo
$PY tools/demo/extract.py
$PY tools/demo/build_data.py
$PY tools/demo/build_compositional.py
$PY tools/demo/tokenizer.py
rm -f .cache/demo/pretrain_ids.npz
$PY tools/demo/train_base.py 2>&1 | tee .cache/demo/train_base.log
$PY tools/demo/train_instruct.py 2>&1 | tee .cache/demo/train_instruct.log
$PY tools/demo/evaluate.py | tee .cache/demo/eval.txt
$PY tools/demo/instr_score.py | tee .cache/demo/instr_score.txt
$PY tools/demo/export.py
bash tools/demo/engine_check.sh
$PY tools/demo/cards.py
