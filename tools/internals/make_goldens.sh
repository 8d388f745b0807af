#!/bin/sh
# Float64 reference concepts for every test model (tools/internals/reference_concepts.py):
# test/fixtures/internals/goldens/<model>.json, checked by test/integration/internals-concepts.test.ts.
set -e
cd "$(dirname "$0")/../.."
mkdir -p test/fixtures/internals/goldens
for model in tiny-gpt2 tiny-llama tiny-qwen2 tiny-phi3 tiny-llama-extdata tiny-llama-genai-gqa-q4; do
  /usr/bin/python3 tools/internals/reference_concepts.py "test/fixtures/models/$model" \
    test/fixtures/internals/vocabulary-3000.txt "test/fixtures/internals/goldens/$model.json" --components 20 --top-words 15
done
# Float64 reference head pairs (tools/internals/reference_heads.py): test/fixtures/internals/goldens/heads/<model>.json,
# checked by test/integration/internals-heads.test.ts.
mkdir -p test/fixtures/internals/goldens/heads
for model in tiny-llama tiny-llama-genai-gqa-q4; do
  /usr/bin/python3 tools/internals/reference_heads.py "test/fixtures/models/$model" \
    test/fixtures/internals/vocabulary-3000.txt "test/fixtures/internals/goldens/heads/$model.json" --top-words 40
done
