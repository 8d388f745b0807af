#!/usr/bin/env bash
# One-time set-up on a fresh machine: installs npm dependencies (offline-friendly) and builds.
set -euo pipefail
cd "$(dirname "$0")/.."
# onnxruntime-node's install script would download CUDA files from GitHub; the CPU binaries ship in the package.
export ONNXRUNTIME_NODE_INSTALL=skip ONNXRUNTIME_NODE_INSTALL_CUDA=skip
npm ci --no-audit --no-fund
npm run build
